import type { CommandContext } from '../../cli/context';
import { UsageError } from '../../cli/errors';
import { ExitCode } from '../../cli/exitCodes';
import type { GlobalOptions } from '../../cli/globalOptions';
import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { readNamespace, scheduleResourceKey } from '../../io/collect';
import { buildReport, reportSucceeded } from '../../report/activationReport';
import { discoverKinds } from '../../kube/discovery';
import { listAll } from '../../kube/list';
import { applyChanges } from '../../plan/jsonPatch';
import { planScheduleSuspend } from '../../plan/rules/scheduleSuspend';
import { palette } from '../../present/colors';
import { renderDryRunDiffs } from '../../present/dryRunDiffs';
import { createProgress, within } from '../../present/progress';
import { renderScheduleTable } from '../../present/scheduleTable';
import { serialize } from '../../present/serialize';
import { StorkKinds } from '../../stork/kinds';
import { scheduleClusterPair } from '../../stork/migrationSchedule';

export interface SuspendOptions extends GlobalOptions {
  names: string[];
  clusterPair?: string;
  concurrency: number;
}

/** suspend / resume: set spec.suspend on the selected MigrationSchedules, through the same plan → apply path as activate. */
export async function runSuspend(suspend: boolean, options: SuspendOptions, context: CommandContext): Promise<ExitCode> {
  const verb = suspend ? 'suspend' : 'resume';
  const colors = palette(context.color);
  const progress = await createProgress(context);
  const { client, context: kube } = await context.cluster();
  const resources = await discoverKinds(client, [StorkKinds.migrationSchedule]);
  const resource = resources.get(scheduleResourceKey());
  if (!resource) {
    throw new UsageError(`Stork is not installed on context ${kube.contextName}: migrationschedules.stork.libopenstorage.org is not served`);
  }
  const namespace = options.allNamespaces ? undefined : options.namespace || kube.namespace;
  const reading = progress.start(`Reading MigrationSchedules on context ${kube.contextName}`);
  // A mistyped -n must not read as "nothing to suspend": the namespace is checked alongside the list.
  const [listed] = await within(reading, `Could not read MigrationSchedules on context ${kube.contextName}`, () =>
    Promise.all([listAll(client, resource, { ...(namespace ? { namespace } : {}), labelSelector: options.selector }), namespace ? readNamespace(client, namespace) : undefined]),
  );
  const names = new Set(options.names);
  const unknown = [...names].filter((name) => !listed.some((schedule) => schedule.metadata.name === name));
  if (unknown.length > 0) {
    reading.fail('Unknown MigrationSchedule');
    throw new UsageError(`migrationschedule "${unknown[0]}" not found in ${namespace ? `namespace ${namespace}` : 'any namespace'}`);
  }
  const selected = listed
    .filter((schedule) => names.size === 0 || names.has(schedule.metadata.name))
    .filter((schedule) => !options.clusterPair || scheduleClusterPair(schedule) === options.clusterPair);
  reading.succeed(`Read ${selected.length} of ${listed.length} MigrationSchedules (context ${kube.contextName})`);

  const plans = selected.map((schedule) => planScheduleSuspend(schedule, scheduleResourceKey(), suspend));
  let results: ObjectResult[];
  if (options.dryRun === 'client') {
    results = plans.map(predictResult);
  } else {
    const writing = progress.start(`${verb === 'suspend' ? 'Suspending' : 'Resuming'} ${plans.filter((plan) => plan.action === 'change').length} schedule(s)`);
    results = await applyPlans(client, resources, plans, {
      serverDryRun: options.dryRun === 'server',
      concurrency: options.concurrency,
      replan: (object) => planScheduleSuspend(object, scheduleResourceKey(), suspend),
    });
    const failed = results.filter((result) => result.outcome === 'failed').length;
    if (failed > 0) writing.fail(`${failed} schedule(s) failed`);
    else writing.succeed(`${results.filter((result) => result.outcome === 'changed').length} ${options.dryRun === 'server' ? 'would change (server dry run)' : 'changed'}`);
  }

  const report = buildReport({ verb, context: kube.contextName, dryRun: options.dryRun, scope: [], results, warnings: [] });
  if (options.output !== 'table') {
    context.streams.stdout.write(await serialize(report, options.output));
  } else {
    context.streams.stdout.write(await renderDryRunDiffs(results, options.dryRun, colors));
    if (results.length === 0) context.streams.stdout.write(`no MigrationSchedule matched in ${namespace ? `namespace ${namespace}` : 'any namespace'}\n`);
    else {
      const rows = results.map((result, index) => {
        const shown = options.dryRun === 'none' ? (result.after ?? result.plan.live) : applyChanges(result.plan.live, result.plan.changes);
        const row = report.objects[index];
        return { schedule: shown, result: row?.result ?? result.outcome, ...(result.message ? { note: result.message } : {}) };
      });
      context.streams.stdout.write(renderScheduleTable(rows, namespace === undefined));
    }
  }
  return reportSucceeded(report) ? ExitCode.Success : ExitCode.OperationFailed;
}
