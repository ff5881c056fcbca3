import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { InterruptedError, abortable, interruptSignalOf } from '../../core/interrupt';
import { failPhaseOnError } from '../../core/progress';
import type { CommandOutcome } from '../../core/report';
import { applyPlans, predictResult, type ApplyOptions, type ObjectResult } from '../../io/apply';
import { readRegisteredPods } from '../../io/pods';
import { readStash } from '../../io/stash';
import { displayName, refKey } from '../../kube/objects';
import { planFollowUp, type FollowUp, type ParentState } from '../../plan/followUps';
import { POD_KEY, PodResource } from '../../stork/kinds';
import { collectSnapshot } from '../../io/collect';
import type { KubeApi } from '../../kube/client';
import type { ApiResource } from '../../kube/resources';
import { waitForWorkloads, type WaitResult, type WaitTarget } from '../../io/wait';
import { planActivation, planObject } from '../../plan/activation';
import { FIELD_MANAGER, FORCED_FIELD_MANAGER } from '../../plan/protection';
import type { Direction, ObjectPlan } from '../../plan/types';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';
import { NOTHING_CHANGED, describeSelection, interruptionAfterWrites, problemCounts, readScheduleScope, selectionFor, writeCounts } from '../shared';
import { scheduleName, type ScheduleReference } from '../../plan/scheduleScope';
import type { ReconcilerOptions } from '../../cli/reconcilerFlags';
import { STOPPED_BY_HOLD, guardReconcilers, notSent, waitAndHold } from './reconcilerHook';

export interface ActivationOptions {
  globals: GlobalOptions;
  direction: Direction;
  wait: boolean;
  timeoutMs: number;
  concurrency: number;
  /** deactivate: act on a namespace named with -n that Stork does not protect. */
  force: boolean;
  /** -m: act on the namespaces this MigrationSchedule migrates (or a subset). */
  schedule?: ScheduleReference | undefined;
  /** --hold, and deactivate's --pause-reconcilers / --ignore-reconcilers. */
  reconcilers: ReconcilerOptions;
}

export interface ActivationOutcome extends CommandOutcome<ChangeReport> {
  /** Per object: the plan, the patch and the server's answer, for the dry-run diffs. */
  results: ObjectResult[];
}

/**
 * activate / deactivate: read → plan → (diff | write) → wait → report. Anything that fails before
 * the first write throws (nothing was changed); once writes were attempted, every failure becomes
 * part of the report.
 */
export async function executeActivation(options: ActivationOptions, deps: CommandDeps): Promise<ActivationOutcome> {
  const { globals, direction } = options;
  const { api, kubeContext } = await deps.cluster();
  const scoped = options.schedule ? await abortable(deps.signal, readScheduleScope(api, kubeContext, globals, options.schedule, deps), NOTHING_CHANGED) : undefined;
  const selection = scoped?.selection ?? selectionFor(globals, kubeContext);
  const where = `${describeSelection(selection)}, context ${kubeContext.contextName}`;

  const reading = deps.progress.start(`Reading ${where}`);
  const { snapshot, stash, pods } = await failPhaseOnError(reading, `Could not read ${where}`, () =>
    abortable(
      deps.signal,
      (async () => {
        const read = await collectSnapshot(api, { namespaces: selection, labelSelector: globals.selector });
        // Stashed resources are restored on activate only; pods named by a podsPath are deleted on deactivate only.
        const stashed = direction === 'activate' ? await readStash(api, selection, globals.selector, read.warnings) : undefined;
        const registeredPods = direction === 'deactivate' ? await readRegisteredPods(api, read.workloads, read.registeredKinds) : [];
        return { snapshot: read, stash: stashed, pods: registeredPods };
      })(),
      NOTHING_CHANGED,
    ),
  );
  for (const [key, resource] of stash?.resources ?? []) snapshot.resources.set(key, resource);
  snapshot.resources.set(POD_KEY, PodResource);
  const stashNote = stash && stash.configMaps.length > 0 ? `, ${stash.configMaps.length} stashed resources` : '';
  reading.succeed(`Read ${snapshot.workloads.length} workloads${stashNote} and ${snapshot.schedules.length} MigrationSchedules (${where})`);
  const warnings = [...(scoped?.warnings ?? []), ...snapshot.warnings];
  if (!snapshot.storkInstalled) warnings.push('Stork CRDs are not installed on this cluster: no MigrationSchedule is updated');

  const plan = planActivation(
    { ...snapshot, pods, ...(stash ? { stash } : {}) },
    { direction, namespaces: selection, force: options.force, ...(scoped ? { schedule: { object: scoped.schedule, namespaces: scoped.namespaces } } : {}) },
  );
  warnings.push(...plan.warnings);
  const refused = plan.scope.find((entry) => entry.explicit && !entry.included);
  if (refused) throw new UsageError(`refusing to deactivate namespace "${refused.namespace}": ${refused.reason}; pass --force to deactivate it anyway`);
  if (deps.signal.aborted) throw new InterruptedError(interruptSignalOf(deps.signal), NOTHING_CHANGED);

  const forced = new Set(plan.scope.filter((entry) => entry.forced).map((entry) => entry.namespace));
  const verbing = globals.dryRun === 'server' ? 'Sending server-side dry runs' : direction === 'activate' ? 'Activating' : 'Deactivating';
  const write = async (plans: readonly ObjectPlan[], label: string, replan: ApplyOptions['replan'], quietWhenNothing = false): Promise<ObjectResult[]> => {
    if (globals.dryRun === 'client') return plans.map(predictResult);
    const writes = plans.filter((objectPlan) => objectPlan.action === 'change').length;
    if (writes === 0 && quietWhenNothing) return applyPlans(api, snapshot.resources, plans, { serverDryRun: globals.dryRun === 'server', concurrency: options.concurrency, signal: deps.signal, replan });
    const writing = deps.progress.start(`${label}: 0/${writes}`);
    let done = 0;
    const written = await applyPlans(api, snapshot.resources, plans, {
      serverDryRun: globals.dryRun === 'server',
      concurrency: options.concurrency,
      signal: deps.signal,
      replan,
      fieldManagerFor: (objectPlan) => (forced.has(objectPlan.ref.namespace ?? '') ? FORCED_FIELD_MANAGER : FIELD_MANAGER),
      onResult: (_result, planned) => {
        if (planned.action === 'change') writing.update(`${label}: ${++done}/${writes}`);
      },
    });
    const problems = problemCounts(written);
    const accepted = globals.dryRun === 'server' ? 'accepted by the server' : 'written';
    const text = `${label}: ${written.filter((result) => result.outcome === 'changed').length}/${writes} ${accepted}${problems ? `, ${problems}` : ''}`;
    if (problems) writing.fail(text);
    else writing.succeed(text);
    return written;
  };

  const followUpLabel = globals.dryRun === 'server' ? 'Sending server-side dry runs of follow-ups' : direction === 'activate' ? 'Setting owners of PVCs' : 'Deleting pods of suspended resources';
  // Reconcilers (Argo CD, Flux, KEDA): refused, paused first, or warned of; see reconcilerHook.ts.
  const guard = await guardReconcilers(api, snapshot, plan.objects, options, deps, warnings);
  const paused = await write(guard.pausePlans, 'Pausing reconcilers', guard.replan, true);
  const pauseFailure = guard.pauseFailure(paused);
  const first = pauseFailure ? notSent(plan.objects, pauseFailure) : await write(plan.objects, verbing, (object, previous) => planObject(object, previous.resourceKey, direction, snapshot.registeredKinds));
  const results = [...paused, ...first, ...(await writeFollowUps(plan.followUps, first, globals.dryRun, (plans, replan) => write(plans, followUpLabel, replan, true)))];

  const waiting = globals.dryRun === 'none' && options.wait && !deps.signal.aborted;
  const { wait, hold } = waiting ? await waitAndHold(api, snapshot.resources, results, options.reconcilers.holdMs, deps, (signal) => waitForTargets(options, { ...deps, signal }, api, snapshot.resources, results)) : {};
  const report = buildChangeReport({ verb: direction, context: kubeContext.contextName, dryRun: globals.dryRun, scope: plan.scope, results, wait, hold, warnings, migrationSchedule: scoped ? scheduleName(scoped.schedule) : undefined });
  const interruption = interruptionAfterWrites(deps.signal, writeCounts(results), globals.dryRun === 'server');
  return { report, verdict: changeVerdict(report), results, ...(interruption ? { interruption } : {}) };
}

/**
 * The second round: writes that wait for a first-round one (pods of a suspended resource, PVCs of
 * a re-created one). A follow-up whose parent was not written is reported not attempted.
 */
async function writeFollowUps(
  followUps: readonly FollowUp[],
  first: readonly ObjectResult[],
  dryRun: GlobalOptions['dryRun'],
  write: (plans: readonly ObjectPlan[], replan: ApplyOptions['replan']) => Promise<ObjectResult[]>,
): Promise<ObjectResult[]> {
  if (followUps.length === 0) return [];
  const parents = new Map(first.map((result) => [refKey(result.plan.ref), result]));
  const stateOf = (followUp: FollowUp): ParentState => parentState(parents.get(refKey(followUp.after)), dryRun);
  const planned = followUps.map((followUp) => ({ followUp, ...planFollowUp(followUp, stateOf(followUp)) }));
  const blocked: ObjectResult[] = planned.filter((entry) => entry.blocked !== undefined).map((entry) => ({ plan: entry.plan, outcome: 'not-attempted', message: entry.blocked ?? '' }));
  const ready = planned.filter((entry) => entry.blocked === undefined);
  const byRef = new Map(ready.map((entry) => [refKey(entry.plan.ref), entry.followUp]));
  const sent = await write(
    ready.map((entry) => entry.plan),
    (object, previous) => {
      const followUp = byRef.get(refKey(previous.ref));
      return followUp?.kind === 'own-pvc' ? planFollowUp({ ...followUp, pvc: object }, stateOf(followUp)).plan : previous;
    },
  );
  return [...sent, ...blocked];
}

/** What a follow-up needs of its parent's result: written or not, and its uid (a client dry run can only name it). */
function parentState(result: ObjectResult | undefined, dryRun: GlobalOptions['dryRun']): ParentState {
  if (!result) return { written: false, why: 'was not planned' };
  if (result.outcome !== 'changed' && result.outcome !== 'unchanged') return { written: false, why: `was not written (${result.outcome})` };
  const uid = result.after?.metadata.uid ?? result.plan.live.metadata.uid ?? (dryRun === 'client' ? `<uid of ${displayName(result.plan.ref)} once created>` : undefined);
  return { written: true, uid };
}

/** Activate waits for every workload it covers to be ready; deactivate for the ones it scaled down. */
async function waitForTargets(options: ActivationOptions, deps: CommandDeps, api: KubeApi, resources: ReadonlyMap<string, ApiResource>, results: readonly ObjectResult[]): Promise<WaitResult | undefined> {
  const targets: WaitTarget[] = results
    .filter((result) => (result.outcome === 'changed' || result.outcome === 'unchanged') && result.plan.readiness === 'replicas')
    .filter((result) => options.direction === 'activate' || result.outcome === 'changed')
    .map((result) => ({ ref: result.plan.ref, resourceKey: result.plan.resourceKey }));
  if (targets.length === 0) return undefined;
  const word = options.direction === 'activate' ? 'ready' : 'scaled down';
  const waiting = deps.progress.start(`Waiting: 0/${targets.length} ${word}`);
  const result = await waitForWorkloads(api, resources, targets, {
    direction: options.direction,
    timeoutMs: options.timeoutMs,
    clock: deps.clock,
    labelSelector: options.globals.selector,
    onProgress: (ready, total) => waiting.update(`Waiting: ${ready}/${total} ${word}`),
    signal: deps.signal,
  });
  const text = `${result.done}/${result.total} ${word} after ${(result.elapsedMs / 1000).toFixed(1)}s`;
  if (result.interrupted) waiting.fail(`${text}: interrupted`);
  else if (result.error) waiting.fail(`${text}: waiting stopped: ${oneLine(result.error)}`);
  else if (result.timedOut) waiting.fail(`${text}: timed out (--timeout)`);
  else waiting.succeed(text);
  return result;
}
