import type { DryRunMode } from '../core/dryRun';
import { REPORT_API_VERSION, type ResultToken, type Verdict } from '../core/report';
import type { ObjectResult } from '../io/apply';
import type { WaitResult } from '../io/wait';
import type { HoldResult } from '../io/holdCheck';
import { describeBreach, describeDrift } from '../plan/hold';
import { refKey } from '../kube/objects';
import type { JsonPatchOp } from '../plan/jsonPatch';
import type { NamespaceScope } from '../plan/activation';
import type { Direction } from '../plan/types';

export interface ObjectReportRow {
  namespace: string;
  kind: string;
  name: string;
  from: string;
  to: string;
  result: ResultToken;
  message?: string;
  /** Only for writes that are not a JSON patch: a restored custom resource (create), a pod (delete). */
  operation?: 'create' | 'delete';
  patch?: JsonPatchOp[];
}

export interface ResultSummary {
  changed: number;
  wouldChange: number;
  unchanged: number;
  skipped: number;
  failed: number;
  unknown: number;
  notAttempted: number;
}

export interface WaitReport {
  total: number;
  ready: number;
  timedOut: boolean;
  elapsedSeconds: number;
  notReady: Array<{ namespace: string; kind: string; name: string; detail: string }>;
  /** The wait stopped on an error (the writes before it stand). */
  error?: string;
  /** The wait was cut short by ^C or SIGTERM. */
  interrupted?: boolean;
}

/** The hold check: after --hold, the objects whose spec.replicas someone set back, and who. */
export interface HoldReport {
  holdSeconds: number;
  checked: number;
  notHeld: Array<{ namespace: string; kind: string; name: string; wrote: number; found: number | null; writer?: string }>;
  /** Cut short (^C, SIGTERM): nothing was re-read. */
  interrupted?: boolean;
  /** Some objects could not be re-read: not proven to hold. */
  error?: string;
}

/**
 * The plain data every output format is drawn from; `-o json|yaml` prints it as is.
 * ActivationReport: activate and deactivate. ScheduleChangeReport: suspend and resume.
 */
export interface ChangeReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'ActivationReport' | 'ScheduleChangeReport' | 'UndoReport';
  verb: Direction | 'suspend' | 'resume' | 'undo';
  context: string;
  dryRun: DryRunMode;
  /** -m: "namespace/name" of the MigrationSchedule whose namespaces were in scope. */
  migrationSchedule?: string;
  namespaces: Array<{ name: string; included: boolean; reason: string }>;
  objects: ObjectReportRow[];
  summary: ResultSummary;
  wait?: WaitReport;
  hold?: HoldReport;
  warnings: string[];
}

const SUMMARY_KEYS: Record<ResultToken, keyof ResultSummary> = {
  changed: 'changed',
  'would-change': 'wouldChange',
  unchanged: 'unchanged',
  skipped: 'skipped',
  failed: 'failed',
  unknown: 'unknown',
  'not-attempted': 'notAttempted',
};

/** The stable token of one object's outcome; a dry run's "changed" is "would-change". */
export function resultToken(result: ObjectResult, dryRun: DryRunMode): ResultToken {
  return result.outcome === 'changed' && dryRun !== 'none' ? 'would-change' : result.outcome;
}

/** One object's row: what it is, its change, its result token and note. */
export function reportRow(result: ObjectResult, dryRun: DryRunMode): ObjectReportRow {
  const row: ObjectReportRow = {
    namespace: result.plan.ref.namespace ?? '',
    kind: result.plan.ref.kind,
    name: result.plan.ref.name,
    from: result.plan.from,
    to: result.plan.to,
    result: resultToken(result, dryRun),
  };
  if (result.message) row.message = result.message;
  if (result.plan.operation !== 'patch') row.operation = result.plan.operation;
  return row;
}

export function buildChangeReport(args: {
  verb: ChangeReport['verb'];
  context: string;
  dryRun: DryRunMode;
  scope: readonly NamespaceScope[];
  results: readonly ObjectResult[];
  wait?: WaitResult | undefined;
  hold?: HoldResult | undefined;
  warnings: readonly string[];
  migrationSchedule?: string | undefined;
}): ChangeReport {
  // A row whose write someone undid says who, next to the write.
  const undone = new Map((args.hold?.breaches ?? []).map((breach) => [refKey(breach.ref), describeBreach(breach)]));
  const summary: ResultSummary = { changed: 0, wouldChange: 0, unchanged: 0, skipped: 0, failed: 0, unknown: 0, notAttempted: 0 };
  const objects = args.results.map((result): ObjectReportRow => {
    const row = reportRow(result, args.dryRun);
    const breach = undone.get(refKey(result.plan.ref));
    if (breach && result.outcome === 'changed') row.message = row.message ? `${row.message}; ${breach}` : breach;
    summary[SUMMARY_KEYS[row.result]] += 1;
    if (result.patch) row.patch = result.patch;
    return row;
  });
  const report: ChangeReport = {
    apiVersion: REPORT_API_VERSION,
    kind: args.verb === 'suspend' || args.verb === 'resume' ? 'ScheduleChangeReport' : args.verb === 'undo' ? 'UndoReport' : 'ActivationReport',
    verb: args.verb,
    context: args.context,
    dryRun: args.dryRun,
    ...(args.migrationSchedule ? { migrationSchedule: args.migrationSchedule } : {}),
    namespaces: args.scope.map((entry) => ({ name: entry.namespace, included: entry.included, reason: entry.reason })),
    objects,
    summary,
    warnings: [...args.warnings],
  };
  if (summary.unknown > 0) {
    report.warnings.push(
      `${summary.unknown} write(s) got no answer, so the server may or may not have applied them (their NOTE says what a re-read found); running the command again is safe: it reads every object afresh and changes only what still needs it`,
    );
  }
  for (const drift of args.hold?.drifted ?? []) {
    report.warnings.push(describeDrift(drift, args.hold?.holdMs ?? 0));
  }
  if (args.wait) report.wait = waitReport(args.wait);
  if (args.hold && (args.hold.checked > 0 || args.hold.interrupted || args.hold.error)) report.hold = holdReport(args.hold);
  return report;
}

export function holdReport(hold: HoldResult): HoldReport {
  const report: HoldReport = {
    holdSeconds: Math.round(hold.holdMs / 100) / 10,
    checked: hold.checked,
    notHeld: hold.breaches.map((breach) => ({
      namespace: breach.ref.namespace ?? '',
      kind: breach.ref.kind,
      name: breach.ref.name,
      wrote: breach.wrote,
      found: breach.found,
      ...(breach.writer ? { writer: breach.writer.manager } : {}),
    })),
  };
  if (hold.interrupted) report.interrupted = true;
  if (hold.error) report.error = hold.error;
  return report;
}

function waitReport(wait: WaitResult): WaitReport {
  const report: WaitReport = {
    total: wait.total,
    ready: wait.done,
    timedOut: wait.timedOut,
    elapsedSeconds: Math.round(wait.elapsedMs / 100) / 10,
    notReady: wait.pending.map(({ ref, detail }) => ({ namespace: ref.namespace ?? '', kind: ref.kind, name: ref.name, detail })),
  };
  if (wait.error) report.error = wait.error;
  if (wait.interrupted) report.interrupted = true;
  return report;
}

/**
 * What a change report amounts to: any failed, unknown or unattempted write, a failed wait or a
 * write someone undid within --hold (or one the hold check could not re-read) is a failure; a wait
 * past --timeout is a timeout.
 */
export function changeVerdict(report: ChangeReport): Verdict {
  const { failed, unknown, notAttempted } = report.summary;
  if (failed + unknown + notAttempted > 0 || report.wait?.error !== undefined) return 'failed';
  if ((report.hold?.notHeld.length ?? 0) > 0 || report.hold?.error !== undefined) return 'failed';
  if (report.wait?.timedOut) return 'timed-out';
  return 'succeeded';
}
