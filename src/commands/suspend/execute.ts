import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError } from '../../core/errors';
import { InterruptedError, abortable, interruptSignalOf } from '../../core/interrupt';
import { failPhaseOnError } from '../../core/progress';
import type { CommandOutcome } from '../../core/report';
import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { readNamespace } from '../../io/collect';
import type { KubeApi } from '../../kube/client';
import { discoverKinds } from '../../kube/discovery';
import type { ApiResource } from '../../kube/resources';
import { listAll } from '../../kube/list';
import { planScheduleSuspend } from '../../plan/rules/scheduleSuspend';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';
import { MIGRATION_SCHEDULE_KEY, StorkKinds } from '../../stork/kinds';
import { scheduleClusterPair } from '../../stork/migrationSchedule';
import { NOTHING_CHANGED, interruptionAfterWrites, problemCounts, writeCounts } from '../shared';

export interface ScheduleChangeOptions {
  globals: GlobalOptions;
  suspend: boolean;
  /** Schedule names; empty means every selected one. */
  names: string[];
  clusterPair?: string | undefined;
  concurrency: number;
}

export interface ScheduleChangeOutcome extends CommandOutcome<ChangeReport> {
  results: ObjectResult[];
  /** The namespace read, or undefined with -A. */
  namespace: string | undefined;
}

/** suspend / resume: set spec.suspend on the selected MigrationSchedules, through the same plan → apply path as activate. */
export async function executeScheduleChange(options: ScheduleChangeOptions, deps: CommandDeps): Promise<ScheduleChangeOutcome> {
  const { globals } = options;
  const verb = options.suspend ? 'suspend' : 'resume';
  const { api, kubeContext } = await deps.cluster();
  const resources = await discoverKinds(api, [StorkKinds.migrationSchedule]);
  const resource = resources.get(MIGRATION_SCHEDULE_KEY);
  if (!resource) throw new UsageError(`Stork is not installed on context ${kubeContext.contextName}: migrationschedules.stork.libopenstorage.org is not served`);
  const namespace = globals.allNamespaces ? undefined : (globals.namespace ?? kubeContext.namespace);
  const where = namespace ? `namespace ${namespace}` : 'any namespace';
  const reading = deps.progress.start(`Reading MigrationSchedules on context ${kubeContext.contextName}`);
  // A mistyped -n must not read as "nothing to suspend": the namespace is checked alongside the list.
  const [listed] = await failPhaseOnError(reading, `Could not read MigrationSchedules on context ${kubeContext.contextName}`, () =>
    abortable(deps.signal, Promise.all([listAll(api, resource, namespace ? { namespace } : {}), namespace ? readNamespace(api, namespace) : undefined]), NOTHING_CHANGED),
  );
  const names = new Set(options.names);
  const unknown = [...names].filter((name) => !listed.some((schedule) => schedule.metadata.name === name));
  if (unknown.length > 0) {
    reading.fail('Unknown MigrationSchedule');
    throw new UsageError(`migrationschedule "${unknown[0]}" not found in ${where}`);
  }
  // -l is applied here rather than in the LIST, so a named schedule the selector leaves out is told apart from one that does not exist.
  const matchesSelector = globals.selector ? await abortable(deps.signal, selectorFilter(api, resource, namespace, globals.selector), NOTHING_CHANGED) : () => true;
  const named = listed.filter((schedule) => names.size === 0 || names.has(schedule.metadata.name));
  const outside = named.filter((schedule) => names.has(schedule.metadata.name) && !matchesSelector(schedule.metadata.namespace ?? '', schedule.metadata.name));
  if (outside.length > 0) {
    reading.fail('Named MigrationSchedule not selected');
    throw new UsageError(`migrationschedule "${outside[0]?.metadata.name}" does not match the selector "${globals.selector}"`);
  }
  const selected = named
    .filter((schedule) => matchesSelector(schedule.metadata.namespace ?? '', schedule.metadata.name))
    .filter((schedule) => !options.clusterPair || scheduleClusterPair(schedule) === options.clusterPair);
  reading.succeed(`Read ${selected.length} of ${listed.length} MigrationSchedules (context ${kubeContext.contextName})`);

  const plans = selected.map((schedule) => planScheduleSuspend(schedule, MIGRATION_SCHEDULE_KEY, options.suspend));
  if (deps.signal.aborted) throw new InterruptedError(interruptSignalOf(deps.signal), NOTHING_CHANGED);
  let results: ObjectResult[];
  if (globals.dryRun === 'client') {
    results = plans.map(predictResult);
  } else {
    const writing = deps.progress.start(`${options.suspend ? 'Suspending' : 'Resuming'} ${plans.filter((plan) => plan.action === 'change').length} schedule(s)`);
    results = await applyPlans(api, resources, plans, {
      serverDryRun: globals.dryRun === 'server',
      concurrency: options.concurrency,
      signal: deps.signal,
      replan: (object) => planScheduleSuspend(object, MIGRATION_SCHEDULE_KEY, options.suspend),
    });
    const problems = problemCounts(results);
    if (problems) writing.fail(`schedule(s): ${problems}`);
    else writing.succeed(`${results.filter((result) => result.outcome === 'changed').length} ${globals.dryRun === 'server' ? 'would change (server dry run)' : 'changed'}`);
  }
  const report = buildChangeReport({ verb, context: kubeContext.contextName, dryRun: globals.dryRun, scope: [], results, warnings: [] });
  const interruption = interruptionAfterWrites(deps.signal, writeCounts(results), globals.dryRun === 'server');
  return { report, verdict: changeVerdict(report), results, namespace, ...(interruption ? { interruption } : {}) };
}

/** Which schedules a label selector matches, asked of the server (it alone parses selectors exactly as kubectl does). */
async function selectorFilter(api: KubeApi, resource: ApiResource, namespace: string | undefined, selector: string): Promise<(namespace: string, name: string) => boolean> {
  const matching = await listAll(api, resource, { ...(namespace ? { namespace } : {}), labelSelector: selector });
  const keys = new Set(matching.map((schedule) => `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`));
  return (scheduleNamespace, name) => keys.has(`${scheduleNamespace}/${name}`);
}
