import type { DryRunMode } from '../cli/globalOptions';
import type { JsonPatchOp } from '../plan/jsonPatch';
import type { Direction } from '../plan/types';
import type { ObjectResult } from '../io/apply';
import type { NamespaceScope } from '../plan/activation';
import type { WaitResult } from '../io/wait';

export type ResultWord = 'changed' | 'would change' | 'unchanged' | 'skipped' | 'failed';

export interface ObjectReportRow {
  namespace: string;
  kind: string;
  name: string;
  from: string;
  to: string;
  result: ResultWord;
  message?: string;
  patch?: JsonPatchOp[];
}

/** The plain data every output format is drawn from; `-o json|yaml` prints it as is. */
export interface ActivationReport {
  kind: 'ActivationReport';
  verb: Direction | 'suspend' | 'resume';
  context: string;
  dryRun: DryRunMode;
  namespaces: Array<{ name: string; included: boolean; reason: string }>;
  objects: ObjectReportRow[];
  summary: { changed: number; unchanged: number; skipped: number; failed: number };
  wait?: { total: number; ready: number; timedOut: boolean; elapsedSeconds: number; notReady: Array<{ namespace: string; kind: string; name: string; detail: string }> };
  warnings: string[];
}

export function buildReport(args: {
  verb: Direction | 'suspend' | 'resume';
  context: string;
  dryRun: DryRunMode;
  scope: readonly NamespaceScope[];
  results: readonly ObjectResult[];
  wait?: WaitResult | undefined;
  warnings: readonly string[];
}): ActivationReport {
  const summary = { changed: 0, unchanged: 0, skipped: 0, failed: 0 };
  const objects = args.results.map((result): ObjectReportRow => {
    summary[result.outcome] += 1;
    const row: ObjectReportRow = {
      namespace: result.plan.ref.namespace ?? '',
      kind: result.plan.ref.kind,
      name: result.plan.ref.name,
      from: result.plan.from,
      to: result.plan.to,
      result: result.outcome === 'changed' && args.dryRun !== 'none' ? 'would change' : result.outcome,
    };
    if (result.message) row.message = result.message;
    if (result.patch) row.patch = result.patch;
    return row;
  });
  const report: ActivationReport = {
    kind: 'ActivationReport',
    verb: args.verb,
    context: args.context,
    dryRun: args.dryRun,
    namespaces: args.scope.map((entry) => ({ name: entry.namespace, included: entry.included, reason: entry.reason })),
    objects,
    summary,
    warnings: [...args.warnings],
  };
  if (args.wait) {
    report.wait = {
      total: args.wait.total,
      ready: args.wait.done,
      timedOut: args.wait.timedOut,
      elapsedSeconds: Math.round(args.wait.elapsedMs / 100) / 10,
      notReady: args.wait.pending.map(({ ref, detail }) => ({ namespace: ref.namespace ?? '', kind: ref.kind, name: ref.name, detail })),
    };
  }
  return report;
}

/** 0 only when everything asked for was done. */
export function reportSucceeded(report: ActivationReport): boolean {
  return report.summary.failed === 0 && !(report.wait?.timedOut ?? false);
}
