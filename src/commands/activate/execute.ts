import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { InterruptedError, abortable, interruptSignalOf } from '../../core/interrupt';
import { failPhaseOnError } from '../../core/progress';
import type { CommandOutcome } from '../../core/report';
import { applyPlans, predictResult, type ApplyOptions, type ObjectResult } from '../../io/apply';
import { planFromRead, readForActivation, waitTargetsOf, writeActivationPlan, type WriteProgress } from '../../io/activationPipeline';
import type { KubeApi } from '../../kube/client';
import type { ApiResource } from '../../kube/resources';
import { waitForWorkloads, type WaitResult } from '../../io/wait';
import { FIELD_MANAGER, FORCED_FIELD_MANAGER } from '../../plan/protection';
import type { Direction, ObjectPlan } from '../../plan/types';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';
import { NOTHING_CHANGED, describeSelection, interruptionAfterWrites, problemCounts, readScheduleScope, selectionFor, writeCounts } from '../shared';
import { scheduleName, type ScheduleReference } from '../../plan/scheduleScope';
import { holdMsOf, type ReconcilerOptions } from '../../cli/reconcilerFlags';
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
  const read = await failPhaseOnError(reading, `Could not read ${where}`, () => abortable(deps.signal, readForActivation(api, direction, selection, globals.selector), NOTHING_CHANGED));
  const { snapshot, stash } = read;
  const stashNote = stash && stash.configMaps.length > 0 ? `, ${stash.configMaps.length} stashed resources` : '';
  reading.succeed(`Read ${snapshot.workloads.length} workloads${stashNote} and ${snapshot.schedules.length} MigrationSchedules (${where})`);
  const warnings = [...(scoped?.warnings ?? []), ...snapshot.warnings];
  if (!snapshot.storkInstalled) warnings.push('Stork CRDs are not installed on this cluster: no MigrationSchedule is updated');

  const plan = planFromRead(read, { direction, namespaces: selection, force: options.force, ...(scoped ? { schedule: { object: scoped.schedule, namespaces: scoped.namespaces } } : {}) });
  warnings.push(...plan.warnings);
  const refused = plan.scope.find((entry) => entry.explicit && !entry.included);
  if (refused) throw new UsageError(`refusing to deactivate namespace "${refused.namespace}": ${refused.reason}; pass --force to deactivate it anyway`);
  if (deps.signal.aborted) throw new InterruptedError(interruptSignalOf(deps.signal), NOTHING_CHANGED);

  const forced = new Set(plan.scope.filter((entry) => entry.forced).map((entry) => entry.namespace));
  const verbing = globals.dryRun === 'server' ? 'Sending server-side dry runs' : direction === 'activate' ? 'Activating' : 'Deactivating';
  const followUpLabel = globals.dryRun === 'server' ? 'Sending server-side dry runs of follow-ups' : direction === 'activate' ? 'Setting owners of PVCs' : 'Deleting pods of suspended resources';
  // Reconcilers (Argo CD, Flux, KEDA): refused, paused first, or warned of; see reconcilerHook.ts.
  const guard = await guardReconcilers(api, snapshot, plan.objects, options, deps, warnings);
  const paused = await writePauses(api, snapshot.resources, guard.pausePlans, guard.replan, globals.dryRun, options.concurrency, deps);
  const pauseFailure = guard.pauseFailure(paused);
  const written = pauseFailure
    ? notSent(plan.objects, pauseFailure)
    : await writeActivationPlan(api, snapshot.resources, plan.objects, plan.followUps, {
        direction,
        registeredKinds: snapshot.registeredKinds,
        dryRun: globals.dryRun,
        concurrency: options.concurrency,
        signal: deps.signal,
        fieldManagerFor: (objectPlan) => (forced.has(objectPlan.ref.namespace ?? '') ? FORCED_FIELD_MANAGER : FIELD_MANAGER),
        progress: (round, writes) => writeProgress(deps, round === 'main' ? verbing : followUpLabel, writes, globals.dryRun === 'server'),
      });
  const results = [...paused, ...written];

  const waiting = globals.dryRun === 'none' && options.wait && !deps.signal.aborted;
  const { wait, hold } = waiting ? await waitAndHold(api, snapshot.resources, results, holdMsOf(options.reconcilers, deps.env), deps, (signal) => waitForTargets(options, { ...deps, signal }, api, snapshot.resources, results)) : {};
  const report = buildChangeReport({ verb: direction, context: kubeContext.contextName, dryRun: globals.dryRun, scope: plan.scope, results, wait, hold, warnings, migrationSchedule: scoped ? scheduleName(scoped.schedule) : undefined });
  const interruption = interruptionAfterWrites(deps.signal, writeCounts(results), globals.dryRun === 'server');
  return { report, verdict: changeVerdict(report), results, ...(interruption ? { interruption } : {}) };
}

/** The reconcilers' pauses, before any workload is written (none: nothing sent, no line). */
async function writePauses(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, plans: readonly ObjectPlan[], replan: ApplyOptions['replan'], dryRun: GlobalOptions['dryRun'], concurrency: number, deps: CommandDeps): Promise<ObjectResult[]> {
  if (plans.length === 0) return [];
  if (dryRun === 'client') return plans.map(predictResult);
  const progress = writeProgress(deps, 'Pausing reconcilers', plans.filter((plan) => plan.action === 'change').length, dryRun === 'server');
  const written = await applyPlans(api, resources, plans, { serverDryRun: dryRun === 'server', concurrency, signal: deps.signal, replan, onResult: (_result, planned) => planned.action === 'change' && progress.tick() });
  progress.end(written);
  return written;
}

/** "Activating: 3/5", then "Activating: 5/5 written, 1 failed". */
function writeProgress(deps: CommandDeps, label: string, writes: number, serverDryRun: boolean): WriteProgress {
  const writing = deps.progress.start(`${label}: 0/${writes}`);
  let done = 0;
  return {
    tick: () => writing.update(`${label}: ${++done}/${writes}`),
    end: (written) => {
      const problems = problemCounts(written);
      const text = `${label}: ${written.filter((result) => result.outcome === 'changed').length}/${writes} ${serverDryRun ? 'accepted by the server' : 'written'}${problems ? `, ${problems}` : ''}`;
      if (problems) writing.fail(text);
      else writing.succeed(text);
    },
  };
}

/** Activate waits for every workload it covers to be ready; deactivate for the ones it scaled down. */
async function waitForTargets(options: ActivationOptions, deps: CommandDeps, api: KubeApi, resources: ReadonlyMap<string, ApiResource>, results: readonly ObjectResult[]): Promise<WaitResult | undefined> {
  const targets = waitTargetsOf(results, options.direction);
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
