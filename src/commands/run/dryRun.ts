import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { writeActivationPlan } from '../../io/activationPipeline';
import { lastMileMigration } from '../../failover/lastMile';
import { StorkAnnotation } from '../../stork/annotations';
import { MIGRATION_SCHEDULE_KEY } from '../../stork/kinds';
import { migratedNamespaces } from '../../stork/migrationSchedule';
import type { RunContext } from './context';
import type { Prepared } from './validations';

/**
 * --dry-run=client|server: every stage's writes as the real run would plan them, through the same
 * pipelines, with nothing written anywhere: predicted locally (client) or sent with dryRun=All
 * (server). The diffs follow their stage and name their cluster.
 */
export async function dryRunStages(ctx: RunContext, prepared: Prepared): Promise<void> {
  const { options, deps, runner, report } = ctx;
  const dryRun = options.globals.dryRun;
  const source = options.skipSourceOperations ? undefined : prepared.source;
  const sourceName = report.source.context || `ClusterPair ${report.source.clusterPair ?? ''}`;
  if (source) {
    // The suspensions come first: Stork makes them at the end of Validations.
    const suspensions = dryRun === 'server' ? await applyPlans(source.session.api, source.read.snapshot.resources, source.suspensions, { serverDryRun: true, concurrency: options.concurrency, replan: (_object, previous) => previous }) : source.suspensions.map(predictResult);
    const down = await writeActivationPlan(source.session.api, source.read.snapshot.resources, source.scaleDown, source.followUps, { direction: 'deactivate', registeredKinds: source.read.snapshot.registeredKinds, dryRun, concurrency: options.concurrency });
    const results: ObjectResult[] = [...suspensions, ...down];
    ctx.writes.push({ stage: 'ScaleDownSource', cluster: sourceName, results });
    runner.planned('ScaleDownSource', 'source', `would suspend ${source.suspensions.length} migrationschedule(s) first (in Validations, as Stork), then scale down`, { results, dryRun });
    runner.planned('WaitAfterScaleDown', 'source', `would wait for ${down.filter((result) => result.plan.readiness === 'replicas' && result.plan.action === 'change').length} workload(s) to scale down, the pods using the latest migration's volumes to go, and the latest migration to be Successful`);
    if (options.skipLastMile) runner.planned('LastMileMigration', 'source', '--skip-last-mile', { status: 'Skipped' });
    else {
      const names = source.schedules.map((schedule) => lastMileMigration(schedule, prepared.namespaces.filter((namespace) => migratedNamespaces(schedule, source.read.snapshot.namespaces).has(namespace)), options.runId, options.failback ? 'failback' : 'failover').metadata);
      runner.planned('LastMileMigration', 'source', `would create ${names.map((meta) => `migration ${meta.namespace}/${meta.name}`).join(', ') || 'no migration'}`);
    }
  } else {
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration'] as const) runner.planned(name, 'source', prepared.source ? '--skip-source-operations' : 'source unreachable', { status: 'Skipped' });
  }
  const destination = prepared.destinationRead.snapshot;
  const workloads = prepared.destinationPlan.objects.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY);
  const staticCopies = prepared.destinationPlan.objects.filter((plan) => plan.resourceKey === MIGRATION_SCHEDULE_KEY && plan.live.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true');
  const up = await writeActivationPlan(prepared.destination.api, destination.resources, [...workloads, ...staticCopies], prepared.destinationPlan.followUps, { direction: 'activate', registeredKinds: destination.registeredKinds, dryRun, concurrency: options.concurrency });
  ctx.writes.push({ stage: 'ScaleUpDestination', cluster: options.destinationContext, results: up });
  runner.planned('ScaleUpDestination', 'destination', '', { results: up, dryRun });
  runner.planned('ScaleUpSource', 'source', 'only when WaitAfterScaleDown or LastMileMigration fails', { status: 'Skipped' });
  report.outcome = 'DryRun';
  report.namespaceResults = prepared.namespaces.map((namespace) => ({ namespace, result: 'planned' }));
  deps.progress.start('Dry run').succeed(`Dry run (${dryRun}): nothing was changed on either cluster`);
}
