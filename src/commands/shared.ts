import type { GlobalOptions } from '../cli/globalOptions';
import { interruptSignalOf, type Interruption } from '../core/interrupt';
import type { ObjectResult } from '../io/apply';
import type { ResolvedContext } from '../kube/kubeconfig';
import type { NamespaceSelection, ObjectPlan } from '../plan/types';

/** -A, else -n, else the context's namespace (kubectl's rule): the one place flags become a namespace selection. */
export function selectionFor(globals: GlobalOptions, kubeContext: ResolvedContext): NamespaceSelection {
  return globals.allNamespaces ? { all: true } : { all: false, names: [globals.namespace ?? kubeContext.namespace] };
}

export function describeSelection(selection: NamespaceSelection): string {
  return selection.all ? 'all namespaces' : `namespace ${selection.names.join(', ')}`;
}

/** The message an interrupt before the first write leaves. */
export const NOTHING_CHANGED = 'interrupted before any change was made';

/** Writes planned and writes sent (whatever came of them); results are in the order of the plans. */
export function writeCounts(plans: readonly ObjectPlan[], results: readonly ObjectResult[]): { planned: number; sent: number } {
  let planned = 0;
  let sent = 0;
  plans.forEach((plan, index) => {
    if (plan.action !== 'change') return;
    planned += 1;
    if (results[index]?.outcome !== 'not-attempted') sent += 1;
  });
  return { planned, sent };
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
