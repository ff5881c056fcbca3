import type { GlobalOptions } from '../cli/globalOptions';
import { interruptSignalOf, type Interruption } from '../core/interrupt';
import type { ObjectResult } from '../io/apply';
import type { ResolvedContext } from '../kube/kubeconfig';
import type { CommandDeps } from '../core/command';
import { failPhaseOnError } from '../core/progress';
import { resolveScheduleScope, type ResolvedScheduleScope } from '../io/scheduleScope';
import type { KubeApi } from '../kube/client';
import type { ScheduleReference } from '../plan/scheduleScope';
import type { NamespaceSelection } from '../plan/types';

/** -A, else -n, else the context's namespace (kubectl's rule): the one place flags become a namespace selection. */
export function selectionFor(globals: GlobalOptions, kubeContext: ResolvedContext): NamespaceSelection {
  return globals.allNamespaces ? { all: true } : { all: false, names: [globals.namespace ?? kubeContext.namespace] };
}

/** Where -m's schedule lives: -n, else the context's namespace (storkctl: -n names the schedule's namespace). */
export function scheduleNamespaceFor(globals: GlobalOptions, kubeContext: ResolvedContext): string {
  return globals.namespace ?? kubeContext.namespace;
}

export function describeSelection(selection: NamespaceSelection): string {
  return selection.all ? 'all namespaces' : `namespace ${selection.names.join(', ')}`;
}

/** The message an interrupt before the first write leaves. */
export const NOTHING_CHANGED = 'interrupted before any change was made';

/** Writes planned and writes sent (whatever came of them): each result carries its plan. */
export function writeCounts(results: readonly ObjectResult[]): { planned: number; sent: number } {
  const planned = results.filter((result) => result.plan.action === 'change');
  return { planned: planned.length, sent: planned.filter((result) => result.outcome !== 'not-attempted').length };
}

/**
 * What an interrupt during the writes (or the wait after them) leaves: how far the run got and
 * what to do next. Running again is the way to finish: every write is planned afresh from what the
 * cluster then holds, so what was done is not done twice.
 */
export function interruptionAfterWrites(signal: AbortSignal, counts: { planned: number; sent: number }, serverDryRun: boolean): Interruption | undefined {
  if (!signal.aborted) return undefined;
  const what = serverDryRun ? 'server-side dry runs (nothing was changed)' : 'writes';
  return { signal: interruptSignalOf(signal), message: `interrupted after ${counts.sent} of ${counts.planned} ${what}; run the command again to finish` };
}

/** "2 failed, 1 unknown, 37 not sent" for a progress line; '' when every write went through. */
export function problemCounts(results: readonly ObjectResult[]): string {
  const count = (outcome: ObjectResult['outcome']): number => results.filter((result) => result.outcome === outcome).length;
  const parts: string[] = [];
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  if (count('unknown') > 0) parts.push(`${count('unknown')} unknown`);
  if (count('not-attempted') > 0) parts.push(`${count('not-attempted')} not sent`);
  return parts.join(', ');
}

/** -m: reads the schedule and the namespaces it gives, under a progress phase. Throws before any write. */
export async function readScheduleScope(api: KubeApi, kubeContext: ResolvedContext, globals: GlobalOptions, reference: ScheduleReference, deps: Pick<CommandDeps, 'progress'>): Promise<ResolvedScheduleScope> {
  const namespace = scheduleNamespaceFor(globals, kubeContext);
  const what = `migrationschedule ${namespace}/${reference.name} (context ${kubeContext.contextName})`;
  const phase = deps.progress.start(`Reading ${what}`);
  const scope = await failPhaseOnError(phase, `Could not scope by ${what}`, () => resolveScheduleScope(api, kubeContext.contextName, reference, namespace));
  phase.succeed(`${what}: ${scope.selection.names.length} namespace(s) in scope: ${scope.selection.names.join(', ')}`);
  return scope;
}
