// The pure cores of the sandbox's Stork stand-ins: the sequences they write must be Stork's
// (docs/stork-behaviour.md §7), since tests of the plugin will trust them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ACTION_FINALIZER,
  ACTION_KNOBS,
  LASTMILE_SCHEDULE_ANNOTATION,
  actionKnobs,
  lastMileMigrationName,
  nextActionStep,
  type Action,
  type ActionFacts,
  type ActionStatus,
  type ScheduleLike,
} from '../../scripts/sandbox/actionController';
import { MIGRATION_KNOBS, migrationKnobs, nextMigrationStatus, policyTypeOf, syncScheduleItems, type Migration } from '../../scripts/sandbox/migrationController';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function walkMigration(migration: Migration): string[] {
  const { knobs } = migrationKnobs(migration.metadata.annotations);
  const seen: string[] = [];
  let current = migration;
  for (let step = 0; step < 20; step++) {
    const next = nextMigrationStatus(current, knobs, NOW);
    if (!next) break;
    seen.push(`${next.stage}/${next.status}`);
    current = { ...current, status: next };
  }
  return seen;
}

const migration = (annotations: Record<string, string> = {}, spec: Migration['spec'] = {}): Migration => ({
  metadata: { name: 'sched-interval-2026-01-02-030405', namespace: 'app', creationTimestamp: '2026-01-02T03:04:00Z', annotations },
  spec: { namespaces: ['app'], ...spec },
});

test('a Migration goes through Stork stages: Volumes/Pending, Volumes/InProgress, Applications/InProgress, Final/Successful', () => {
  assert.equal(walkMigration(migration()), ['Volumes/Pending', 'Volumes/InProgress', 'Applications/InProgress', 'Final/Successful']);
  assert.equal(walkMigration(migration({}, { includeVolumes: false })), ['Volumes/Pending', 'Applications/', 'Final/Successful']);
  assert.equal(walkMigration(migration({}, { preExecRule: 'quiesce' })), ['PreExecRule/Pending', 'PreExecRule/InProgress', 'Volumes/InProgress', 'Applications/InProgress', 'Final/Successful']);
  assert.equal(walkMigration(migration({ [MIGRATION_KNOBS.outcome]: 'Failed' })).at(-1), 'Final/Failed');
  assert.equal(walkMigration(migration({ [MIGRATION_KNOBS.hang]: 'true' })), ['Volumes/Pending', 'Volumes/InProgress', 'Applications/InProgress']);
});

test('Final statuses carry Stork timestamps, resources and summary; PartialSuccess has a failed resource', () => {
  const { knobs } = migrationKnobs({ [MIGRATION_KNOBS.outcome]: 'PartialSuccess' });
  const before = { ...migration(), status: { stage: 'Applications' as const, status: 'InProgress' as const, volumeMigrationFinishTimestamp: '2026-01-02T03:04:03Z' } };
  const final = nextMigrationStatus(before, knobs, NOW);
  assert.is(final?.status, 'PartialSuccess');
  assert.is(final?.finishTimestamp, '2026-01-02T03:04:05Z');
  assert.is(final?.resourceMigrationFinishTimestamp, '2026-01-02T03:04:05Z');
  assert.is(final?.resources?.[0]?.status, 'Failed');
  assert.equal(final?.summary, {
    totalNumberOfVolumes: 0,
    numOfMigratedVolumes: 0,
    totalNumberOfResources: 1,
    numOfMigratedResources: 0,
    totalBytesMigrated: 0,
    elapsedTimeForVolumeMigration: '3s',
    elapsedTimeForResourceMigration: '2s',
  });
  assert.is(nextMigrationStatus({ ...before, status: { stage: 'Final', status: 'Successful' } }, knobs, NOW), undefined);
  assert.is(migrationKnobs({ [MIGRATION_KNOBS.outcome]: 'Great' }).problems.length, 1);
});

test('schedule status.items: appended as Pending under the policy type, then follows the Migration until complete', () => {
  const m = migration({ 'stork.libopenstorage.org/migration-schedule-name': 'sched' });
  assert.is(policyTypeOf(m, 'sched'), 'Interval');
  assert.is(policyTypeOf({ ...m, metadata: { ...m.metadata, name: 'sched-daily-2026-01-02-030405' } }, 'sched'), 'Daily');
  assert.is(policyTypeOf({ ...m, metadata: { ...m.metadata, annotations: { [MIGRATION_KNOBS.policyType]: 'Weekly' } } }, 'sched'), 'Weekly');
  const old = { name: 'sched-interval-old', creationTimestamp: '2026-01-01T00:00:00Z', finishTimestamp: '2026-01-01T00:01:00Z', status: 'Successful' as const };
  const appended = syncScheduleItems({ Interval: [old] }, m, 'Interval', NOW);
  assert.equal(appended, { Interval: [old, { name: m.metadata.name, creationTimestamp: '2026-01-02T03:04:00Z', finishTimestamp: null, status: 'Pending' }] });
  assert.is(syncScheduleItems(appended, m, 'Interval', NOW), undefined, 'nothing new');
  const running = syncScheduleItems(appended, { ...m, status: { stage: 'Volumes', status: 'InProgress' } }, 'Interval', NOW);
  assert.is(running?.Interval?.[1]?.status, 'InProgress');
  const done = syncScheduleItems(running, { ...m, status: { stage: 'Final', status: 'Failed' } }, 'Interval', NOW);
  assert.equal(done?.Interval?.[1], { name: m.metadata.name, creationTimestamp: '2026-01-02T03:04:00Z', finishTimestamp: '2026-01-02T03:04:05Z', status: 'Failed' });
  assert.is(syncScheduleItems(done, { ...m, status: { stage: 'Final', status: 'Successful' } }, 'Interval', NOW), undefined, 'a complete entry is not touched again');
  assert.equal(Object.keys(syncScheduleItems(null, m, 'Monthly', NOW) ?? {}), ['Monthly']);
});

const schedule = (annotations: Record<string, string>, namespaces = ['app', 'db']): ScheduleLike => ({
  metadata: { name: 'sched', namespace: 'admin', annotations },
  spec: { template: { spec: { clusterPair: 'remote', namespaces, includeResources: true, namespaceSelectors: { tier: 'gold' } } } },
});
const STATIC = { 'stork.libopenstorage.org/static-copy': 'true' };

function action(type: string, annotations: Record<string, string> = {}, parameter: Record<string, unknown> = {}): Action {
  const key = type === 'failback' ? 'failbackParameter' : 'failoverParameter';
  const namespacesKey = type === 'failback' ? 'failbackNamespaces' : 'failoverNamespaces';
  return {
    metadata: { name: `${type}-sched-2026-01-02-030405`, namespace: 'admin', uid: '353342c1-aaaa-bbbb-cccc-000000000000', annotations },
    spec: { actionType: type, actionParameter: { [key]: { migrationScheduleReference: 'sched', [namespacesKey]: ['app', 'extra'], skipSourceOperations: false, ...parameter } } },
  };
}

interface Walk {
  seen: string[];
  status: ActionStatus | undefined;
  created: string[];
}

/** Applies nextActionStep until it has nothing to do; `lastMile` answers for the last-mile Migration. */
function walkAction(start: Action, scheduleObject: ScheduleLike | undefined, lastMile: 'Successful' | 'Failed' | 'running' = 'Successful'): Walk {
  const { knobs } = actionKnobs(start.metadata.annotations);
  const walk: Walk = { seen: [], status: undefined, created: [] };
  let current = start;
  for (let step = 0; step < 60; step++) {
    const facts: ActionFacts = { now: NOW, schedule: scheduleObject, scheduleNamespaces: ['app', 'db'], localServer: 'https://local', remoteServer: 'https://remote' };
    if (current.status?.stage === 'LastMileMigration' && current.status.status === 'In-Progress') {
      facts.lastMile = walk.created.length === 0 ? 'absent' : lastMile === 'running' ? { stage: 'Applications', status: 'InProgress' } : { stage: 'Final', status: lastMile };
    }
    const next = nextActionStep(current, knobs, facts);
    if (!next) break;
    if (next.kind === 'finalizers') current = { ...current, metadata: { ...current.metadata, finalizers: next.finalizers } };
    else if (next.kind === 'createLastMile') walk.created.push(`${next.on} ${next.migration.metadata.name} ${JSON.stringify(next.migration.spec.namespaces)} ${next.migration.metadata.annotations[LASTMILE_SCHEDULE_ANNOTATION] ?? ''}`);
    else {
      current = { ...current, status: next.status };
      walk.seen.push(`${next.status.stage || 'Initial'}/${next.status.status}`);
    }
  }
  walk.status = current.status as ActionStatus | undefined;
  assert.equal(current.metadata.finalizers, [ACTION_FINALIZER], 'the finalizer is the first write');
  return walk;
}

test('failover: Stork stage order, a last-mile Migration on the source, a summary per namespace', () => {
  const walk = walkAction(action('failover'), schedule(STATIC));
  assert.equal(walk.seen, [
    'Initial/Scheduled',
    'Initial/Successful',
    'ScaleDownSource/',
    'ScaleDownSource/In-Progress',
    'ScaleDownSource/Successful',
    'WaitAfterScaleDown/',
    'WaitAfterScaleDown/In-Progress',
    'WaitAfterScaleDown/Successful',
    'LastMileMigration/',
    'LastMileMigration/In-Progress',
    'LastMileMigration/Successful',
    'ScaleUpDestination/',
    'ScaleUpDestination/In-Progress',
    'ScaleUpDestination/Successful',
    'Final/Successful',
  ]);
  assert.equal(walk.created, ['remote sched-lastmile-failover-353342c ["app"] sched']);
  assert.equal(walk.status?.summary, {
    failoverSummary: [
      { namespace: 'app', status: 'Successful', reason: 'scaling up apps in namespace app successful' },
      { namespace: 'extra', status: 'Successful', reason: 'Skipping scaling up apps in the namespace extra since it is not one of the namespaces being migrated by the MigrationSchedule admin/sched' },
    ],
  });
  assert.is(walk.status?.finishTimestamp, '2026-01-02T03:04:05Z');
});

test('failover: skipSourceOperations or an unreachable source goes from validation straight to ScaleUpDestination', () => {
  for (const start of [action('failover', {}, { skipSourceOperations: true }), action('failover', { [ACTION_KNOBS.sourceUnreachable]: 'true' })]) {
    const walk = walkAction(start, schedule(STATIC));
    assert.equal(walk.seen.slice(0, 3), ['Initial/Scheduled', 'ScaleUpDestination/', 'ScaleUpDestination/In-Progress']);
    assert.equal(walk.created, []);
    assert.is(walk.status?.status, 'Successful');
  }
});

test('failover: validation failures end Final/Failed with Stork messages', () => {
  const notStatic = walkAction(action('failover'), schedule({}));
  assert.equal(notStatic.seen, ['Initial/Scheduled', 'Initial/Failed', 'Final/Failed']);
  assert.is(notStatic.status?.reason, 'The MigrationSchedule admin/sched provided is not generated by Stork. Please start the failover in the cluster you wish to failover to.');
  const missing = walkAction(action('failover'), undefined);
  assert.is(missing.status?.reason, 'Unable to fetch the MigrationSchedule admin/sched needed for the failover operation.');
  assert.is(missing.status?.summary, null);
});

test('failover: a failed wait or last mile rolls back through ScaleUpSource and ends Final/Failed; a failed scale-down does not roll back', () => {
  const wait = walkAction(action('failover', { [ACTION_KNOBS.failStage]: 'WaitAfterScaleDown', [ACTION_KNOBS.rollback]: 'Failed' }), schedule(STATIC));
  assert.equal(wait.seen.slice(6), ['WaitAfterScaleDown/In-Progress', 'WaitAfterScaleDown/Failed', 'ScaleUpSource/', 'ScaleUpSource/In-Progress', 'ScaleUpSource/Failed', 'Final/Failed']);
  assert.is(wait.status?.reason, 'pods using PVCs from migration are not getting terminated for last 15m0s');
  assert.equal(wait.status?.summary?.failoverSummary?.map((item) => item.status), ['RollbackFailed', 'RollbackSuccessful']);

  const lastMile = walkAction(action('failover'), schedule(STATIC), 'Failed');
  assert.equal(lastMile.seen.slice(-5), ['LastMileMigration/Failed', 'ScaleUpSource/', 'ScaleUpSource/In-Progress', 'ScaleUpSource/Successful', 'Final/Failed']);
  assert.is(lastMile.status?.reason, 'The failover operation is aborted because the last mile migration sched-lastmile-failover-353342c failed with status Failed');
  assert.equal(lastMile.status?.summary?.failoverSummary?.map((item) => item.status), ['RollbackSuccessful', 'RollbackSuccessful']);

  const scaleDown = walkAction(action('failover', { [ACTION_KNOBS.failStage]: 'ScaleDownSource' }), schedule(STATIC));
  assert.equal(scaleDown.seen.slice(-2), ['ScaleDownSource/Failed', 'Final/Failed']);
  assert.is(scaleDown.status?.reason, `Failed to scale down replicas in cluster https://remote : simulated failure (${ACTION_KNOBS.failStage})`);

  const scaleUp = walkAction(action('failover', { [ACTION_KNOBS.failStage]: 'ScaleUpDestination' }), schedule(STATIC));
  assert.equal(scaleUp.seen.slice(-2), ['ScaleUpDestination/Failed', 'Final/Failed']);
  assert.equal(scaleUp.status?.summary?.failoverSummary?.map((item) => item.status), ['Failed', 'Successful'], 'a namespace the schedule does not migrate is skipped, not failed');
});

test('hang knob: the Action stays In-Progress (Initial: Scheduled) in that stage; so does a running last mile', () => {
  const hang = walkAction(action('failover', { [ACTION_KNOBS.hangStage]: 'LastMileMigration' }), schedule(STATIC));
  assert.equal(hang.seen.at(-1), 'LastMileMigration/In-Progress');
  assert.equal(hang.created, []);
  assert.equal(walkAction(action('failover', { [ACTION_KNOBS.hangStage]: 'Initial' }), schedule(STATIC)).seen, ['Initial/Scheduled']);
  const running = walkAction(action('failover'), schedule(STATIC), 'running');
  assert.equal(running.seen.at(-1), 'LastMileMigration/In-Progress');
  assert.is(running.created.length, 1);
  assert.is(actionKnobs({ [ACTION_KNOBS.hangStage]: 'Lastmile' }).problems.length, 1);
});

test('failback: Stork stage order, last mile on this cluster, failbackSummary; rollback through ScaleUpDestination', () => {
  const walk = walkAction(action('failback', {}, { failbackNamespaces: ['app', 'db'] }), schedule({}));
  assert.equal(walk.seen.filter((entry) => entry.endsWith('/')), ['ScaleDownDestination/', 'WaitAfterScaleDown/', 'LastMileMigration/', 'ScaleUpSource/']);
  assert.equal(walk.seen.at(-1), 'Final/Successful');
  assert.equal(walk.created, ['local sched-lastmile-failback-353342c ["app","db"] sched']);
  assert.equal(walk.status?.summary?.failbackSummary?.map((item) => item.status), ['Successful', 'Successful']);
  const rolledBack = walkAction(action('failback', { [ACTION_KNOBS.failStage]: 'LastMileMigration' }, { failbackNamespaces: ['app', 'db'] }), schedule({}));
  assert.equal(rolledBack.seen.slice(-3), ['ScaleUpDestination/In-Progress', 'ScaleUpDestination/Successful', 'Final/Failed']);
  assert.equal(rolledBack.status?.summary?.failbackSummary?.map((item) => item.status), ['RollbackSuccessful', 'RollbackSuccessful']);
  const notSubset = walkAction(action('failback', {}, { failbackNamespaces: ['elsewhere'] }), schedule({}));
  assert.is(notSubset.status?.reason, 'The namespaces specified for failback are not contained within the namespaces listed in MigrationSchedule admin/sched');
});

test('nearsyncFailover stops at In-Progress as Stork does; a deleted Action loses the finalizer', () => {
  assert.equal(walkAction(action('nearsyncFailover'), schedule(STATIC)).seen, ['Initial/In-Progress']);
  const deleted = { ...action('failover'), metadata: { ...action('failover').metadata, deletionTimestamp: '2026-01-02T03:04:05Z', finalizers: [ACTION_FINALIZER, 'other'] } };
  assert.equal(nextActionStep(deleted, actionKnobs({}).knobs, { now: NOW, schedule: undefined, scheduleNamespaces: [], localServer: '', remoteServer: '' }), { kind: 'finalizers', finalizers: ['other'] });
});

test('last-mile Migration names: Stork format, cut to 253 characters', () => {
  assert.is(lastMileMigrationName('sched', 'failover', '353342c1-aaaa'), 'sched-lastmile-failover-353342c');
  assert.is(lastMileMigrationName('x'.repeat(300), 'failback', '353342c1-aaaa').length, 253);
  assert.is(lastMileMigrationName('sched', 'failover', 'short'), 'sched-lastmile-failover-');
});

test.run();
