import type { CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { abortable } from '../../core/interrupt';
import { failPhaseOnError } from '../../core/progress';
import type { ReconcilerOptions } from '../../cli/reconcilerFlags';
import type { ObjectResult } from '../../io/apply';
import type { ClusterSnapshot } from '../../io/collect';
import { checkHold, holdTargets, type HoldResult } from '../../io/holdCheck';
import { scanReconcilers } from '../../io/reconcilers';
import type { WaitResult } from '../../io/wait';
import type { KubeApi } from '../../kube/client';
import { displayName } from '../../kube/objects';
import type { ApiResource } from '../../kube/resources';
import { pauseByHand, reconcilerGate, replanReconcilerPause, type ReconcilerFinding } from '../../plan/reconcilers';
import type { Direction, ObjectPlan } from '../../plan/types';
import { NOTHING_CHANGED } from '../shared';

/**
 * activate/deactivate's side of issue 25 (Argo CD, Flux, KEDA scaling the apps back), kept out of
 * execute.ts: the guard before the writes, and the hold check beside the wait after them.
 */

export interface ReconcilerGuard {
  /** --pause-reconcilers: written first, as the verb's own writes are. */
  pausePlans: ObjectPlan[];
  replan: typeof replanReconcilerPause;
  /** Why the verb's writes must not be sent after these pause results (a pause failed), or undefined. */
  pauseFailure(results: readonly ObjectResult[]): string | undefined;
}

const NO_GUARD: ReconcilerGuard = { pausePlans: [], replan: replanReconcilerPause, pauseFailure: () => undefined };

/**
 * deactivate: who else scales the workloads about to be scaled down; refused (a UsageError: exit 2,
 * nothing written) when one would scale them back and neither --pause-reconcilers nor
 * --ignore-reconcilers was given. The pause plans' kinds are added to the snapshot's resources, so
 * the same write path addresses them. activate has nothing to guard: the hold check names who
 * scaled a workload back to 0.
 */
export async function guardReconcilers(
  api: KubeApi,
  snapshot: ClusterSnapshot,
  plans: readonly ObjectPlan[],
  options: { direction: Direction; reconcilers: ReconcilerOptions },
  deps: CommandDeps,
  warnings: string[],
): Promise<ReconcilerGuard> {
  if (options.direction !== 'deactivate') return NO_GUARD;
  const touched = plans.filter((plan) => plan.action === 'change' && plan.operation === 'patch').map((plan) => ({ object: plan.live, resourceKey: plan.resourceKey }));
  if (touched.length === 0) return NO_GUARD;
  const phase = deps.progress.start('Looking for reconcilers (Argo CD, Flux, KEDA)');
  const scan = await failPhaseOnError(phase, 'Could not look for reconcilers', () => abortable(deps.signal, scanReconcilers(api, touched, { cluster: 'source', direction: 'deactivate' }), NOTHING_CHANGED));
  const gate = reconcilerGate(scan.findings, { pause: options.reconcilers.pause, ignore: options.reconcilers.ignore, verb: 'deactivate' });
  phase.succeed(`Reconcilers: ${describeFound(scan.findings)}`);
  if (gate.refusal) throw new UsageError(gate.refusal);
  warnings.push(...gate.warnings);
  for (const [key, resource] of scan.resources) snapshot.resources.set(key, resource);
  return {
    pausePlans: gate.pausePlans,
    replan: replanReconcilerPause,
    pauseFailure: (results) => {
      const failed = results.filter((result) => result.plan.action === 'change' && result.outcome !== 'changed');
      if (failed.length === 0) return undefined;
      if (deps.signal.aborted) return 'not sent: interrupted';
      const byHand = pauseByHand(scan.findings, failed.map((result) => result.plan.ref));
      return `not sent: pausing ${failed.map((result) => displayName(result.plan.ref)).join(', ')} did not go through${byHand.length > 0 ? `; ${byHand.join('; ')}` : ''}`;
    },
  };
}

function describeFound(findings: readonly ReconcilerFinding[]): string {
  if (findings.length === 0) return 'none found';
  const scaling = findings.filter((finding) => finding.scalesBack).length;
  return `${findings.length} finding(s)${scaling > 0 ? `, ${scaling} that would scale the workloads back` : ''}`;
}

/** The verb's writes as not sent, when the pause before them failed. */
export function notSent(plans: readonly ObjectPlan[], message: string): ObjectResult[] {
  return plans.map((plan): ObjectResult => {
    if (plan.action === 'change') return { plan, outcome: 'not-attempted', message };
    if (plan.action === 'error') return { plan, outcome: 'failed', message: plan.reason ?? 'cannot be planned' };
    return { plan, outcome: plan.action, ...(plan.reason ? { message: plan.reason } : {}) };
  });
}

/** The reason the hold check gives the wait it stops: not an interrupt. */
export const STOPPED_BY_HOLD = 'hold-check';

/**
 * The wait and the hold check side by side: the hold runs from the end of the writes, and a write
 * found undone stops a wait that could now only time out. --hold 0, or nothing whose replicas were
 * written: the wait alone.
 */
export async function waitAndHold(
  api: KubeApi,
  resources: ReadonlyMap<string, ApiResource>,
  results: readonly ObjectResult[],
  holdMs: number,
  deps: CommandDeps,
  wait: (signal: AbortSignal) => Promise<WaitResult | undefined>,
): Promise<{ wait?: WaitResult | undefined; hold?: HoldResult }> {
  const targets = holdTargets(results);
  if (holdMs <= 0 || targets.length === 0) return { wait: await wait(deps.signal) };
  const stopWait = new AbortController();
  const stopHold = new AbortController();
  const holding = checkHold(api, resources, targets, { holdMs, clock: deps.clock, signal: AbortSignal.any([deps.signal, stopHold.signal]), onBreach: () => stopWait.abort(STOPPED_BY_HOLD) });
  const waited = await wait(AbortSignal.any([deps.signal, stopWait.signal]));
  if (waited?.error !== undefined && !stopWait.signal.aborted) {
    // The wait stopped on an error retrying cannot fix (403, a server that stopped answering): the
    // verb has failed already, and a re-read would only fail the same way, --hold later.
    stopHold.abort();
    await holding;
    deps.progress.start('Hold check').warn('Hold check: not run: the wait stopped on an error');
    return { wait: waited };
  }
  const phase = deps.progress.start(`Hold check: re-reading ${targets.length} workload(s) after ${holdMs / 1000}s`);
  const hold = await holding;
  if (hold.interrupted) phase.fail('Hold check: interrupted, not checked');
  else if (hold.breaches.length > 0) phase.fail(`Hold check: ${hold.breaches.length}/${targets.length} set back: ${hold.breaches.map((breach) => `${breach.ref.namespace ?? ''}/${displayName(breach.ref)} to ${breach.found ?? 'deleted'}${breach.writer ? ` by ${breach.writer.manager}` : ''}`).join(', ')}`);
  else if (hold.error) phase.fail(`Hold check: ${oneLine(hold.error)}`);
  else phase.succeed(`Hold check: ${hold.checked}/${targets.length} held for ${holdMs / 1000}s${hold.drifted ? ` (${hold.drifted.length} at another count: see the warnings)` : ''}`);
  // A wait the hold check stopped did not time out and was not interrupted: it was cut short for a reason the hold reports.
  const stopped = waited?.interrupted && stopWait.signal.aborted && !deps.signal.aborted;
  return { wait: stopped && waited ? { ...withoutInterrupted(waited), error: 'stopped: the hold check found replicas set back' } : waited, hold };
}

function withoutInterrupted(wait: WaitResult): WaitResult {
  const { interrupted: _interrupted, ...rest } = wait;
  void _interrupted;
  return rest;
}
