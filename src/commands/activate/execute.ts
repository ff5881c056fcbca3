import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { failPhaseOnError } from '../../core/progress';
import type { CommandOutcome } from '../../core/report';
import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { collectSnapshot } from '../../io/collect';
import type { KubeApi } from '../../kube/client';
import type { ApiResource } from '../../kube/resources';
import { waitForWorkloads, type WaitResult, type WaitTarget } from '../../io/wait';
import { planActivation, planObject } from '../../plan/activation';
import { FIELD_MANAGER, FORCED_FIELD_MANAGER } from '../../plan/protection';
import type { Direction } from '../../plan/types';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';
import { describeSelection, readScheduleScope, selectionFor } from '../shared';
import { scheduleName, type ScheduleReference } from '../../plan/scheduleScope';

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
  const scoped = options.schedule ? await readScheduleScope(api, kubeContext, globals, options.schedule, deps) : undefined;
  const selection = scoped?.selection ?? selectionFor(globals, kubeContext);
  const where = `${describeSelection(selection)}, context ${kubeContext.contextName}`;

  const reading = deps.progress.start(`Reading ${where}`);
  const snapshot = await failPhaseOnError(reading, `Could not read ${where}`, () => collectSnapshot(api, { namespaces: selection, labelSelector: globals.selector }));
  reading.succeed(`Read ${snapshot.workloads.length} workloads and ${snapshot.schedules.length} MigrationSchedules (${where})`);
  const warnings = [...(scoped?.warnings ?? []), ...snapshot.warnings];
  if (!snapshot.storkInstalled) warnings.push('Stork CRDs are not installed on this cluster: no MigrationSchedule is updated');

  const plan = planActivation(snapshot, { direction, namespaces: selection, force: options.force, ...(scoped ? { schedule: { object: scoped.schedule, namespaces: scoped.namespaces } } : {}) });
  const refused = plan.scope.find((entry) => entry.explicit && !entry.included);
  if (refused) throw new UsageError(`refusing to deactivate namespace "${refused.namespace}": ${refused.reason}; pass --force to deactivate it anyway`);

  const forced = new Set(plan.scope.filter((entry) => entry.forced).map((entry) => entry.namespace));
  let results: ObjectResult[];
  if (globals.dryRun === 'client') {
    results = plan.objects.map(predictResult);
  } else {
    const writes = plan.objects.filter((objectPlan) => objectPlan.action === 'change').length;
    const verbing = globals.dryRun === 'server' ? 'Sending server-side dry runs' : direction === 'activate' ? 'Activating' : 'Deactivating';
    const writing = deps.progress.start(`${verbing}: 0/${writes}`);
    let done = 0;
    results = await applyPlans(api, snapshot.resources, plan.objects, {
      serverDryRun: globals.dryRun === 'server',
      concurrency: options.concurrency,
      replan: (object, previous) => planObject(object, previous.resourceKey, direction, snapshot.registeredKinds),
      fieldManagerFor: (objectPlan) => (forced.has(objectPlan.ref.namespace ?? '') ? FORCED_FIELD_MANAGER : FIELD_MANAGER),
      onResult: (_result, planned) => {
        if (planned.action === 'change') writing.update(`${verbing}: ${++done}/${writes}`);
      },
    });
    const failed = results.filter((result) => result.outcome !== 'changed' && result.outcome !== 'unchanged' && result.outcome !== 'skipped').length;
    const written = globals.dryRun === 'server' ? 'accepted by the server' : 'written';
    const text = `${verbing}: ${results.filter((result) => result.outcome === 'changed').length}/${writes} ${written}${failed > 0 ? `, ${failed} failed` : ''}`;
    if (failed > 0) writing.fail(text);
    else writing.succeed(text);
  }

  const wait = globals.dryRun === 'none' && options.wait ? await waitForTargets(options, deps, api, snapshot.resources, results) : undefined;
  const report = buildChangeReport({ verb: direction, context: kubeContext.contextName, dryRun: globals.dryRun, scope: plan.scope, results, wait, warnings, migrationSchedule: scoped ? scheduleName(scoped.schedule) : undefined });
  return { report, verdict: changeVerdict(report), results };
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
  });
  const text = `${result.done}/${result.total} ${word} after ${(result.elapsedMs / 1000).toFixed(1)}s`;
  if (result.error) waiting.fail(`${text}: waiting stopped: ${oneLine(result.error)}`);
  else if (result.timedOut) waiting.fail(`${text}: timed out (--timeout)`);
  else waiting.succeed(text);
  return result;
}
