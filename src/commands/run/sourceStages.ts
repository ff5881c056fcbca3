import { oneLine } from '../../core/errors';
import { applyPlans, type ObjectResult } from '../../io/apply';
import { writeActivationPlan, waitTargetsOf, type WriteProgress } from '../../io/activationPipeline';
import { readJournal } from '../../io/journal';
import { createMigration, followMigration } from '../../io/migrations';
import { rereadSchedules } from '../../io/rereadSchedules';
import { undoWrites } from '../../io/undoWrites';
import { waitForVolumesFree, type ClaimRef } from '../../io/volumesFree';
import { waitForWorkloads } from '../../io/wait';
import { discoverKinds } from '../../kube/discovery';
import type { KubeApi } from '../../kube/client';
import { isNotFound } from '../../kube/errors';
import type { KubeObject } from '../../kube/objects';
import { objectPath, type ApiResource } from '../../kube/resources';
import { planScheduleSuspend } from '../../plan/rules/scheduleSuspend';
import type { ObjectPlan } from '../../plan/types';
import { lastMileMigration } from '../../failover/lastMile';
import { acceptedLatest, scheduleName, settleLook, stillRunning, type ScheduleLatest } from '../../failover/latestMigrations';
import { inversePlan } from '../../failover/rollback';
import { writeFailures } from '../../failover/report';
import { undoPlan, writtenObjects, type WrittenObject } from '../../failover/undo';
import { MIGRATION_KEY, MIGRATION_SCHEDULE_KEY, StorkKinds } from '../../stork/kinds';
import { migratedNamespaces } from '../../stork/migrationSchedule';
import { holdMsOf } from '../../cli/reconcilerFlags';
import { replanReconcilerPause } from '../../plan/reconcilers';
import { holdCheck } from './reconcilers';
import { migrationProgress, migrationVolumes } from '../../stork/scheduleStatus';
import { mapWithConcurrency } from '../../util/concurrency';
import { writeCounts } from '../shared';
import { objectName, type RunContext } from './context';
import type { StageHandle, StageResult } from './stageRunner';
import type { SourceSide } from './validations';

/**
 * The source's stages of a failover, in Stork's order: the schedules suspended and a running
 * migration let finish (the end of Validations), ScaleDownSource (deactivate's pipeline on exactly
 * what the destination will activate), WaitAfterScaleDown, LastMileMigration, and ScaleUpSource,
 * the rollback when the wait or the last mile fails.
 */

/**
 * Suspends the schedules that replicate the namespaces, then waits (bounded by --timeout) while
 * their latest migration runs: suspending first means no new migration starts in between, as in
 * Stork's Validations. Returns a failure, or undefined; the suspension's results either way.
 */
export async function suspendAndSettle(ctx: RunContext, handle: StageHandle, source: SourceSide): Promise<{ failure?: string; results: ObjectResult[] }> {
  const { deps, options } = ctx;
  handle.update(`suspending ${source.suspensions.length} migrationschedule(s) on the source`);
  const results = await applyPlans(source.session.api, source.read.snapshot.resources, source.suspensions, {
    serverDryRun: false,
    concurrency: options.concurrency,
    replan: (object) => planScheduleSuspend(object, MIGRATION_SCHEDULE_KEY, true),
    signal: deps.signal,
    beforeSend: (plan) => handle.beforeSend(plan),
  });
  const failed = writeFailures(results);
  if (failed.length > 0) return { failure: `cannot suspend ${failed.map((result) => `${objectName(result.plan.ref)}: ${result.message ?? result.outcome}`).join('; ')}`, results };
  const resource = source.read.snapshot.resources.get(MIGRATION_SCHEDULE_KEY);
  if (!resource) return { results };
  // Every schedule's running migration is waited for at once, one read of them all per look,
  // bounded by one --timeout: at 1,000 schedules, not 1,000 GETs (and 1,000 waits) in turn.
  const deadline = deps.clock.now() + options.timeoutMs;
  let pending: readonly KubeObject[] = source.schedules;
  while (pending.length > 0 && !deps.signal.aborted) {
    handle.update(pending.length === 1 ? `waiting for the running migration of ${scheduleName(pending[0] as KubeObject)}` : `waiting for the running migrations of ${pending.length} migrationschedule(s)`);
    const look = settleLook(await rereadSchedules(source.session.api, resource, pending, options.concurrency));
    if (look.failure) return { failure: look.failure, results };
    // A migration that was running and Failed: WaitAfterScaleDown would abort on it (as Stork's), after the apps went down.
    {
      const [failed] = look.failed;
      if (failed) return { failure: `the migration ${failed.latest.name} of ${scheduleName(failed.schedule)} that was running Failed: WaitAfterScaleDown would abort (it needs the latest migration Successful, as Stork's); the schedule is resumed`, results };
    }
    // Interrupted: the caller sees the signal; what was read stands.
    if (look.running.length === 0 || deps.signal.aborted) break;
    if (deps.clock.now() >= deadline) return { failure: stillRunning(look.running) ?? 'a migration still running after --timeout', results };
    await deps.clock.sleep(Math.min(1_000, Math.max(0, deadline - deps.clock.now())), deps.signal);
    pending = look.running.map(({ schedule }) => schedule);
  }
  return { results };
}

/** ScaleDownSource: deactivate's writes and follow-ups (podsPath pods) on the objects the destination activates. */
export async function scaleDownSource(ctx: RunContext, source: SourceSide): Promise<{ result: StageResult; results: ObjectResult[] }> {
  const { deps, options, runner } = ctx;
  const handle = runner.begin('ScaleDownSource', 'source', `${source.scaleDown.filter((plan) => plan.action === 'change').length} change(s)`);
  // --pause-reconcilers: Argo CD, Flux, KEDA paused before the first workload is scaled down.
  const paused = source.pausePlans.length === 0 ? [] : await applyPlans(source.session.api, source.read.snapshot.resources, source.pausePlans, { serverDryRun: false, concurrency: options.concurrency, replan: replanReconcilerPause, signal: deps.signal, beforeSend: (plan) => handle.beforeSend(plan) });
  const pauseFailures = writeFailures(paused);
  if (pauseFailures.length > 0) {
    const message = `pausing ${pauseFailures.map((result) => `${objectName(result.plan.ref)}: ${result.message ?? result.outcome}`).join('; ')} did not go through: nothing was scaled down; pause them by hand, or run with --ignore-reconcilers`;
    return { result: handle.end({ kind: deps.signal.aborted ? 'interrupted' : 'failed', message }, { results: paused }), results: paused };
  }
  const written = await writeActivationPlan(source.session.api, source.read.snapshot.resources, source.scaleDown, source.followUps, {
    direction: 'deactivate',
    registeredKinds: source.read.snapshot.registeredKinds,
    dryRun: 'none',
    concurrency: options.concurrency,
    signal: deps.signal,
    beforeSend: (plan) => handle.beforeSend(plan),
    progress: stageProgress(handle),
  });
  const results = [...paused, ...written];
  if (deps.signal.aborted) {
    const { sent, planned } = writeCounts(results);
    return { result: handle.end({ kind: 'interrupted', message: `interrupted after ${sent} of ${planned} writes` }, { results }), results };
  }
  const failures = writeFailures(results);
  if (failures.length > 0) {
    const message = `${failures.length} write(s) failed on the source: ${failures.slice(0, 3).map((result) => `${objectName(result.plan.ref)}: ${result.message ?? result.outcome}`).join('; ')}; not rolled back (as Stork): run again to finish, or resume the source by hand`;
    return { result: handle.end({ kind: 'failed', message }, { results }), results };
  }
  const pausedText = paused.length > 0 ? `, ${paused.filter((result) => result.outcome === 'changed').length} reconciler(s) paused` : '';
  return { result: handle.end({ kind: 'ok', message: `${written.filter((result) => result.outcome === 'changed').length} changed${pausedText}` }, { results }), results };
}

/** Progress of a stage's writes on its own spinner line: "3/5 written". */
export function stageProgress(handle: StageHandle): (round: 'main' | 'follow-ups', writes: number) => WriteProgress {
  return (round, writes) => {
    let done = 0;
    const what = round === 'main' ? 'written' : 'follow-ups written';
    handle.update(`0/${writes} ${what}`);
    return { tick: () => handle.update(`${++done}/${writes} ${what}`), end: () => undefined };
  };
}

/**
 * WaitAfterScaleDown, as Stork: the latest migration of each schedule must have succeeded; then no
 * pod of the namespaces may hold a PVC that migration moved (Terminating ones count: VMs' launcher
 * pods, operators' and bare pods too), and the workloads we scaled down report no replicas. Bounded
 * by --timeout. Skipped only with --wait=false when no last mile follows: the last mile needs the
 * volumes free.
 */
export async function waitAfterScaleDown(ctx: RunContext, source: SourceSide, scaledDown: readonly ObjectResult[]): Promise<StageResult> {
  const { deps, options, runner } = ctx;
  const targets = waitTargetsOf(scaledDown, 'deactivate');
  const handle = runner.begin('WaitAfterScaleDown', 'source', 'reading the latest migrations');
  const resource = source.read.snapshot.resources.get(MIGRATION_SCHEDULE_KEY);
  const action = options.failback ? 'failback' : 'failover';
  const accepted = resource ? acceptedLatest(await rereadSchedules(source.session.api, resource, source.schedules, options.concurrency), action) : { latest: [] };
  if ('failure' in accepted) return handle.end({ kind: 'failed', message: accepted.failure });
  if (!options.wait && options.skipLastMile) {
    return handle.end({ kind: 'ok', message: `latest migrations successful; ${targets.length} workload(s) not waited for (--wait=false): their pods may still hold volumes` });
  }
  // The volumes the latest migrations moved, for the wait below: read only when it is waited for.
  const migrationResource = (await discoverKinds(source.session.api, [StorkKinds.migration]).catch(() => new Map())).get(MIGRATION_KEY);
  const namespaces = new Set(ctx.report.namespaces);
  const volumes = migrationResource ? await migratedVolumes(source.session.api, migrationResource, accepted.latest, namespaces, options.concurrency) : { claims: [], notes: [] };
  if ('failure' in volumes) return handle.end({ kind: 'failed', message: volumes.failure });
  const { claims, notes } = volumes;
  const deadline = deps.clock.now() + options.timeoutMs;
  // The hold check runs beside the waits: a reconciler that scales the source back up stops them and fails the stage.
  const stopWaits = new AbortController();
  const holding = holdCheck(source.session.api, source.read.snapshot.resources, scaledDown, holdMsOf(options.reconcilers, deps.env), deps, () => stopWaits.abort());
  const waitSignal = AbortSignal.any([deps.signal, stopWaits.signal]);
  const broken = async (): Promise<StageResult | undefined> => {
    const breach = await holding;
    return breach ? handle.end({ kind: 'failed', message: breach }) : undefined;
  };
  if (targets.length > 0) {
    const waited = await waitForWorkloads(source.session.api, source.read.snapshot.resources, targets, {
      direction: 'deactivate',
      timeoutMs: options.timeoutMs,
      clock: deps.clock,
      labelSelector: options.globals.selector,
      onProgress: (done, total) => handle.update(`${done}/${total} scaled down`),
      signal: waitSignal,
    });
    if (stopWaits.signal.aborted && !deps.signal.aborted) return (await broken()) ?? handle.end({ kind: 'failed', message: 'the hold check stopped the wait' });
    if (waited.interrupted) return handle.end({ kind: 'interrupted', message: `interrupted: ${waited.done}/${waited.total} scaled down` });
    if (waited.error) return handle.end({ kind: 'failed', message: `waiting stopped: ${waited.error}` });
    if (waited.timedOut) return handle.end({ kind: 'timed-out', message: `${waited.pending.length} workload(s) still running on the source after --timeout: ${waited.pending.slice(0, 5).map((entry) => `${objectName(entry.ref)} (${entry.detail})`).join(', ')}` });
  }
  if (claims.length > 0) {
    const free = await waitForVolumesFree(source.session.api, claims, { clock: deps.clock, deadline, signal: waitSignal, onProgress: (holders) => handle.update(`${holders.length} pod(s) still use ${claims.length} migrated volume(s)`) });
    if (stopWaits.signal.aborted && !deps.signal.aborted) return (await broken()) ?? handle.end({ kind: 'failed', message: 'the hold check stopped the wait' });
    if (free.kind === 'interrupted') return handle.end({ kind: 'interrupted', message: `interrupted: ${free.holders.length} pod(s) still use the migrated volumes` });
    if (free.kind === 'error') return handle.end({ kind: 'failed', message: free.message });
    if (free.kind === 'timed-out') return handle.end({ kind: 'timed-out', message: `pods using PVCs from the migration are still there after --timeout: ${free.holders.slice(0, 5).join(', ')}${free.holders.length > 5 ? ` and ${free.holders.length - 5} more` : ''}` });
  }
  handle.update('waiting for the hold check (--hold)');
  const breach = await broken();
  if (breach) return breach;
  if (deps.signal.aborted) return handle.end({ kind: 'interrupted', message: 'interrupted during the hold check' });
  const volumesText = claims.length > 0 ? `; ${claims.length} migrated volume(s) free` : '';
  return handle.end({ kind: 'ok', message: `${targets.length} workload(s) scaled down${volumesText}; latest migrations successful${notes.length > 0 ? `; ${notes.join('; ')}` : ''}` });
}

/**
 * The PVCs the latest migrations moved, in the namespaces failed over: one GET per Migration (a
 * LIST would carry every Migration Stork keeps, each with its list of resources), --concurrency at
 * a time. A Migration Stork pruned is a note; any other read that fails, the first in schedule order.
 */
async function migratedVolumes(api: KubeApi, resource: ApiResource, latest: readonly ScheduleLatest[], namespaces: ReadonlySet<string>, concurrency: number): Promise<{ claims: ClaimRef[]; notes: string[] } | { failure: string }> {
  type Read = { migration: KubeObject } | { failure: string } | { note: string };
  const read = await mapWithConcurrency(latest, concurrency, async ({ schedule, latest: entry }): Promise<Read> => {
    try {
      return { migration: await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, entry.name, schedule.metadata.namespace) }) };
    } catch (error) {
      if (!isNotFound(error)) return { failure: `cannot read migration ${schedule.metadata.namespace}/${entry.name}: ${oneLine(error)}` };
      return { note: `migration ${entry.name} is gone (pruned): its volumes are not known` };
    }
  });
  const claims: ClaimRef[] = [];
  const notes: string[] = [];
  for (const entry of read) {
    if ('failure' in entry) return { failure: entry.failure };
    if ('note' in entry) notes.push(entry.note);
    else claims.push(...migrationVolumes(entry.migration).filter((claim) => namespaces.has(claim.namespace)));
  }
  return { claims, notes };
}

/**
 * LastMileMigration: one Migration per schedule, created on the source from its template, followed
 * to Final. Not bounded by --timeout (Stork never times it out); --last-mile-timeout bounds it, and
 * a Migration cut short (bound or ^C) is kept or deleted as --on-last-mile-timeout says.
 */
export async function lastMile(ctx: RunContext, source: SourceSide): Promise<StageResult> {
  const { deps, options, runner, report } = ctx;
  const handle = runner.begin('LastMileMigration', 'source', 'creating');
  const resource = (await discoverKinds(source.session.api, [StorkKinds.migration])).get(MIGRATION_KEY);
  if (!resource) return handle.end({ kind: 'failed', message: 'migrations.stork.libopenstorage.org is not served on the source' });
  const deadline = options.lastMileTimeoutMs === undefined ? Number.POSITIVE_INFINITY : deps.clock.now() + options.lastMileTimeoutMs;
  const actionType = options.failback ? 'failback' : 'failover';
  for (const schedule of source.schedules) {
    const migrated = migratedNamespaces(schedule, source.read.snapshot.namespaces);
    const covered = report.namespaces.filter((namespace) => migrated.has(namespace));
    if (covered.length === 0) continue;
    const migration = lastMileMigration(schedule, covered, options.runId, actionType);
    const where = `${migration.metadata.namespace}/${migration.metadata.name}`;
    try {
      handle.created(MIGRATION_KEY, migration);
      await createMigration(source.session.api, resource, migration, false);
    } catch (error) {
      return handle.end({ kind: 'failed', message: `cannot create migration ${where}: ${oneLine(error)}` });
    }
    report.lastMileMigrations.push(where);
    let detail = '';
    try {
      const followed = await followMigration(
        source.session.api,
        resource,
        migration.metadata.name,
        migration.metadata.namespace ?? '',
        deps.clock,
        deadline,
        (stage, status, object) => {
          detail = object ? migrationProgress(object) : detail;
          handle.update(`${where} ${stage || 'Initial'} ${status}${detail ? ` (${detail})` : ''}`.trimEnd());
        },
        deps.signal,
      );
      const at = `${followed.stage || 'Initial'} ${followed.status || ''}`.trimEnd();
      if (followed.interrupted) return handle.end({ kind: 'interrupted', message: `interrupted while migration ${where} was at ${at}; ${await cutShort(ctx, source, resource, where, migration)}` });
      if (followed.timedOut) return handle.end({ kind: 'timed-out', message: `migration ${where} not finished after --last-mile-timeout (at ${at}); ${await cutShort(ctx, source, resource, where, migration)}` });
      if (!followed.succeeded) return handle.end({ kind: 'failed', message: `the last mile migration ${where} failed with status ${followed.status}` });
    } catch (error) {
      const gone = isNotFound(error) ? `migration ${where} was deleted before it finished` : `cannot follow migration ${where}: ${oneLine(error)}`;
      return handle.end({ kind: 'failed', message: gone });
    }
  }
  return handle.end({ kind: 'ok', message: report.lastMileMigrations.join(', ') || 'nothing to migrate' });
}

/** What becomes of a last-mile Migration we stop following: kept running, or deleted. Says which. */
async function cutShort(ctx: RunContext, source: SourceSide, resource: ApiResource, where: string, migration: KubeObject): Promise<string> {
  if (ctx.options.onLastMileTimeout === 'keep') return `migration ${where} is left running on the source (--on-last-mile-timeout=keep)`;
  try {
    await source.session.api.request({ method: 'DELETE', path: objectPath(resource, migration.metadata.name, migration.metadata.namespace) });
    return `migration ${where} was deleted (--on-last-mile-timeout=delete)`;
  } catch (error) {
    return `migration ${where} could not be deleted (${oneLine(error)}): it may still run on the source`;
  }
}

/**
 * ScaleUpSource: every write of this run on the source undone exactly (schedules resumed, counts
 * put back) where the object still holds what we wrote. A resumed run may have written in an
 * earlier attempt: its journal, not this attempt's results, says what to put back.
 */
export async function rollback(ctx: RunContext, source: SourceSide, written: readonly ObjectResult[]): Promise<void> {
  const { options, runner, report } = ctx;
  const journalFile = runner.journalFile;
  const earlier = options.resuming && journalFile ? writtenObjects(readJournal(journalFile).filter((entry) => entry.type === 'write' && (entry.stage === 'ScaleDownSource' || entry.stage === 'Validations') && entry.cluster === 'source')) : undefined;
  // A deleted pod is not put back: its controller makes a new one once the owner scales up.
  const inverses: ObjectPlan[] = earlier ? [] : written.filter((result) => result.outcome === 'changed' && result.plan.operation === 'patch').map(inversePlan);
  const handle = runner.begin('ScaleUpSource', 'source', `${earlier ? earlier.length : inverses.length} change(s)`);
  // A rollback is not interrupted: it is what puts the source back.
  const undone = earlier
    ? await undoWrites(source.session.api, earlier, { dryRun: 'none', concurrency: options.concurrency, beforeSend: (plan) => handle.beforeSend(plan) })
    : await applyPlans(source.session.api, source.read.snapshot.resources, inverses, {
        serverDryRun: false,
        concurrency: options.concurrency,
        // Changed since: undone field by field as undo does, so a field someone already put back (a
        // reconciler scaling the app up again) is left, and one they changed otherwise is an error.
        replan: (object, previous) => undoPlan(asWritten(previous), object),
        beforeSend: (plan) => handle.beforeSend(plan),
      });
  const failures = writeFailures(undone);
  if (failures.length > 0) {
    handle.end({ kind: 'failed', message: `RollbackFailed: ${failures.length} of ${undone.length} could not be undone` }, { results: undone });
    report.outcome = 'RollbackFailed';
  } else {
    handle.end({ kind: 'ok', message: `RollbackSuccessful: ${undone.length} undone` }, { results: undone });
    report.outcome = 'RollbackSuccessful';
  }
}

/** An inverse plan read as the write it undoes (before: what it puts back, after: what the run wrote). */
function asWritten(inverse: ObjectPlan): WrittenObject {
  const { apiVersion, kind, namespace, name } = inverse.ref;
  return {
    context: '',
    cluster: 'source',
    resourceKey: inverse.resourceKey,
    object: { apiVersion, kind, ...(namespace ? { namespace } : {}), name },
    fields: inverse.changes.map((change) => ({ path: [...change.path], before: change.to ?? null, after: change.from ?? null })),
    lines: [],
  };
}
