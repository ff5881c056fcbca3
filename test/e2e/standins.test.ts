// The sandbox's stand-ins for Stork's migration and action controllers, against the real API
// servers of the e2e sandbox: they must drive Migrations and Actions to the final states Stork
// writes (docs/stork-behaviour.md §7), honour their knobs, and let a test take the Action CRD away.
// Waits are bounded; nothing asserts how long a step takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTION_FINALIZER, ACTION_KNOBS, LASTMILE_SCHEDULE_ANNOTATION, type Action } from '../../scripts/sandbox/actionController';
import { MIGRATION_KNOBS, MIGRATION_SCHEDULE_NAME_ANNOTATION, type Migration, type ScheduleItems } from '../../scripts/sandbox/migrationController';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { STORK, createIn, ensureNamespace, migrationSchedule } from '../../scripts/sandbox/seeds';
import { closeClients, sandbox, uniqueNamespace, withoutStorkCrd } from '../support/sandbox';

const API = `/apis/${STORK}/v1alpha1`;
const STATIC_COPY = { [`${STORK}/static-copy`]: 'true' };
/** No pause between steps, where a test looks only at the end (a last-mile Migration copies its schedule's annotations). */
const FAST = { [ACTION_KNOBS.delayMs]: '0', [MIGRATION_KNOBS.delayMs]: '0' };
/** Stork's order of (stage/status) for a default Migration and for a failover Action without rollback. */
const MIGRATION_ORDER = ['/', 'Volumes/Pending', 'Volumes/InProgress', 'Applications/InProgress', 'Final/Successful'];
const FAILOVER_ORDER = [
  '/',
  '/Scheduled',
  '/Successful',
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
];

interface Staged {
  metadata: { finalizers?: string[] };
  status?: { stage?: string; status?: string } | null;
}

const state = (object: Staged): string => `${object.status?.stage ?? ''}/${object.status?.status ?? ''}`;

/** Polls `path` until `done` holds (at most `timeoutMs`), recording each distinct stage/status seen. */
async function follow<T extends Staged>(rest: SandboxRest, path: string, done: (object: T) => boolean, timeoutMs = 45_000): Promise<{ object: T; seen: string[] }> {
  const seen: string[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const object = await rest.get<T>(path);
    if (seen.at(-1) !== state(object)) seen.push(state(object));
    if (done(object)) return { object, seen };
    if (Date.now() > deadline) throw new Error(`${path}: still ${state(object)} after ${timeoutMs / 1000}s (seen: ${seen.join(' → ')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const isFinal = (object: Staged): boolean => object.status?.stage === 'Final';

/** Every state seen belongs to `order` and they came in that order (polling may miss some, never reorder them). */
function assertInOrder(seen: string[], order: string[]): void {
  const positions = seen.map((entry) => order.indexOf(entry));
  assert.ok(
    positions.every((position, index) => position >= 0 && (index === 0 || position > (positions[index - 1] ?? -1))),
    `seen ${seen.join(' → ')} is not in Stork's order ${order.join(' → ')}`,
  );
}

/** The Migrations and Actions live in their schedule's namespace; each test gets its own on both clusters. */
async function namespaceOnBoth(prefix: string): Promise<string> {
  const box = await sandbox();
  const ns = uniqueNamespace(prefix);
  await Promise.all([ensureNamespace(box.rest('source'), ns), ensureNamespace(box.rest('destination'), ns)]);
  return ns;
}

function migration(name: string, ns: string, annotations: Record<string, string>): Migration {
  return {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'Migration',
    metadata: { name, namespace: ns, annotations },
    spec: { clusterPair: 'remotecluster', namespaces: [ns], includeResources: true, includeVolumes: true, startApplications: false },
  };
}

function action(type: 'failover' | 'failback', ns: string, namespaces: string[], annotations: Record<string, string> = {}, skipSourceOperations = false): Action {
  // What storkctl perform sends: both parameter blocks, and the status block with Go's zero values.
  return {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'Action',
    metadata: { name: `${type}-dr-2026-01-02-030405`, namespace: ns, annotations },
    spec: {
      actionType: type,
      actionParameter: {
        failoverParameter: { failoverNamespaces: type === 'failover' ? namespaces : null, migrationScheduleReference: type === 'failover' ? 'dr' : '', skipSourceOperations },
        failbackParameter: { failbackNamespaces: type === 'failback' ? namespaces : null, migrationScheduleReference: type === 'failback' ? 'dr' : '' },
      },
    },
    status: { stage: '', status: '', finishTimestamp: null, summary: null, reason: '' },
  };
}

interface FinalAction extends Staged {
  metadata: { uid: string; finalizers?: string[] };
  status: { stage: string; status: string; reason: string; finishTimestamp: string | null; summary: { failoverSummary?: Array<{ namespace: string; status: string; reason: string }>; failbackSummary?: Array<{ namespace: string; status: string; reason: string }> } | null };
}

test('Migration: Stork stages to Final/Successful, summary written, and an entry in its schedule status.items', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = await namespaceOnBoth('mig');
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  const name = 'dr-interval-2026-01-02-030405';
  await createIn(rest, ns, migration(name, ns, { [MIGRATION_SCHEDULE_NAME_ANNOTATION]: 'dr', [MIGRATION_KNOBS.delayMs]: '300' }));
  const { object, seen } = await follow<Staged & { status: { finishTimestamp: string | null; summary: object | null } }>(rest, `${API}/namespaces/${ns}/migrations/${name}`, isFinal);
  assertInOrder(seen, MIGRATION_ORDER);
  assert.is(state(object), 'Final/Successful');
  assert.ok(object.status.finishTimestamp);
  assert.ok(object.status.summary);
  // The schedule copies the Migration's status on its own next pass, as Stork's controller does: wait for that pass.
  const copied = (items: ScheduleItems): boolean => (items.Interval ?? []).some((entry) => entry.name === name && entry.status === 'Successful');
  const { object: schedule } = await follow<Staged & { status: { items: ScheduleItems } }>(rest, `${API}/namespaces/${ns}/migrationschedules/dr`, (candidate) => copied(candidate.status.items), 15_000);
  const entries = schedule.status.items.Interval ?? [];
  assert.is(entries.length, 2, 'the seeded success and the new one');
  assert.is(entries[1]?.name, name);
  assert.is(entries[1]?.status, 'Successful');
  assert.ok(entries[1]?.finishTimestamp);
});

test('Migration knobs: migration-outcome Failed and PartialSuccess', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = await namespaceOnBoth('mig');
  for (const outcome of ['Failed', 'PartialSuccess']) {
    const name = `m-${outcome.toLowerCase()}`;
    await createIn(rest, ns, migration(name, ns, { ...FAST, [MIGRATION_KNOBS.outcome]: outcome }));
    const { object } = await follow(rest, `${API}/namespaces/${ns}/migrations/${name}`, isFinal);
    assert.is(state(object), `Final/${outcome}`);
  }
});

test('Migration knob: migration-hang holds it before Final until the knob is removed', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = await namespaceOnBoth('mig');
  const path = `${API}/namespaces/${ns}/migrations/stuck`;
  await createIn(rest, ns, migration('stuck', ns, { [MIGRATION_KNOBS.hang]: 'true' }));
  await follow(rest, path, (object) => state(object) === 'Applications/InProgress');
  // Give it time to (wrongly) go on, then check it did not: a bounded pause, not a timing assertion.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.is(state(await rest.get<Staged>(path)), 'Applications/InProgress');
  await rest.mergePatch(path, { metadata: { annotations: { [MIGRATION_KNOBS.hang]: null } } });
  const { object } = await follow(rest, path, isFinal);
  assert.is(state(object), 'Final/Successful');
});

test('failover Action: Stork stages to Final/Successful, finalizer, summary per namespace, last-mile Migration on the source', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const source = box.rest('source');
  const ns = await namespaceOnBoth('act');
  await createIn(destination, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: STATIC_COPY }));
  await createIn(destination, ns, action('failover', ns, [ns, 'not-migrated']));
  const { object, seen } = await follow<FinalAction>(destination, `${API}/namespaces/${ns}/actions/failover-dr-2026-01-02-030405`, isFinal);
  assertInOrder(seen, FAILOVER_ORDER);
  assert.is(state(object), 'Final/Successful');
  assert.equal(object.metadata.finalizers, [ACTION_FINALIZER]);
  assert.ok(object.status.finishTimestamp);
  assert.equal(object.status.summary, {
    failoverSummary: [
      { namespace: ns, status: 'Successful', reason: `scaling up apps in namespace ${ns} successful` },
      { namespace: 'not-migrated', status: 'Successful', reason: `Skipping scaling up apps in the namespace not-migrated since it is not one of the namespaces being migrated by the MigrationSchedule ${ns}/dr` },
    ],
  });
  const lastMile = await source.get<Migration & Staged>(`${API}/namespaces/${ns}/migrations/dr-lastmile-failover-${object.metadata.uid.slice(0, 7)}`);
  assert.is(state(lastMile), 'Final/Successful');
  assert.is(lastMile.metadata.annotations?.[LASTMILE_SCHEDULE_ANNOTATION], 'dr');
  assert.equal(lastMile.spec?.namespaces, [ns]);
  assert.is(lastMile.spec?.startApplications, false);
});

test('failover Action: a failed last-mile Migration rolls back (ScaleUpSource) and ends Final/Failed with the reason', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const ns = await namespaceOnBoth('act');
  // The last-mile Migration copies the schedule's annotations, so this knob reaches it.
  await createIn(destination, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: { ...STATIC_COPY, ...FAST, [MIGRATION_KNOBS.outcome]: 'Failed' } }));
  await createIn(destination, ns, action('failover', ns, [ns], FAST));
  const { object } = await follow<FinalAction>(destination, `${API}/namespaces/${ns}/actions/failover-dr-2026-01-02-030405`, isFinal);
  assert.is(state(object), 'Final/Failed');
  assert.is(object.status.reason, `The failover operation is aborted because the last mile migration dr-lastmile-failover-${object.metadata.uid.slice(0, 7)} failed with status Failed`);
  assert.equal(object.status.summary?.failoverSummary?.map((item) => item.status), ['RollbackSuccessful']);
});

test('Action knobs: action-fail-stage with action-rollback Failed; skipSourceOperations skips the source stages', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const ns = await namespaceOnBoth('act');
  await createIn(destination, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: STATIC_COPY }));
  await createIn(destination, ns, action('failover', ns, [ns], { ...FAST, [ACTION_KNOBS.failStage]: 'WaitAfterScaleDown', [ACTION_KNOBS.rollback]: 'Failed' }));
  const failed = await follow<FinalAction>(destination, `${API}/namespaces/${ns}/actions/failover-dr-2026-01-02-030405`, isFinal);
  assert.is(state(failed.object), 'Final/Failed');
  assert.is(failed.object.status.reason, 'pods using PVCs from migration are not getting terminated for last 15m0s');
  assert.equal(failed.object.status.summary?.failoverSummary?.map((item) => item.status), ['RollbackFailed']);
  assert.not.ok(failed.seen.some((entry) => entry.startsWith('LastMileMigration') || entry.startsWith('ScaleUpDestination')));

  const other = await namespaceOnBoth('act');
  await createIn(destination, other, migrationSchedule('dr', [other], { suspend: true, annotations: STATIC_COPY }));
  await createIn(destination, other, action('failover', other, [other], FAST, true));
  const skipped = await follow<FinalAction>(destination, `${API}/namespaces/${other}/actions/failover-dr-2026-01-02-030405`, isFinal);
  assert.is(state(skipped.object), 'Final/Successful');
  assert.not.ok(skipped.seen.some((entry) => entry.startsWith('ScaleDownSource') || entry.startsWith('LastMileMigration')));
  const lastMiles = await box.rest('source').get<{ items: unknown[] }>(`${API}/namespaces/${other}/migrations`);
  assert.is(lastMiles.items.length, 0, 'no last-mile Migration when the source is skipped');
});

test('Action knob: action-hang-stage holds it In-Progress until the knob is removed', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const ns = await namespaceOnBoth('act');
  await createIn(destination, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: STATIC_COPY }));
  const path = `${API}/namespaces/${ns}/actions/failover-dr-2026-01-02-030405`;
  await createIn(destination, ns, action('failover', ns, [ns], { [ACTION_KNOBS.hangStage]: 'LastMileMigration' }));
  await follow(destination, path, (object) => state(object) === 'LastMileMigration/In-Progress');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.is(state(await destination.get<Staged>(path)), 'LastMileMigration/In-Progress');
  await destination.mergePatch(path, { metadata: { annotations: { [ACTION_KNOBS.hangStage]: null } } });
  const { object } = await follow(destination, path, isFinal);
  assert.is(state(object), 'Final/Successful');
});

test('failback Action: Stork stages to Final/Successful with failbackSummary; last mile on the Action cluster', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const ns = await namespaceOnBoth('act');
  await createIn(destination, ns, migrationSchedule('dr', [ns], { annotations: FAST }));
  await createIn(destination, ns, action('failback', ns, [ns], FAST));
  const { object, seen } = await follow<FinalAction>(destination, `${API}/namespaces/${ns}/actions/failback-dr-2026-01-02-030405`, isFinal);
  assert.not.ok(seen.some((entry) => entry.startsWith('ScaleDownSource') || entry.startsWith('ScaleUpDestination')));
  assert.is(state(object), 'Final/Successful');
  assert.equal(object.status.summary, { failbackSummary: [{ namespace: ns, status: 'Successful', reason: `scaling up apps in namespace ${ns} successful` }] });
  const lastMile = await destination.get<Staged>(`${API}/namespaces/${ns}/migrations/dr-lastmile-failback-${object.metadata.uid.slice(0, 7)}`);
  assert.is(state(lastMile), 'Final/Successful');
});

test('withoutStorkCrd: one cluster stops serving Actions (as before Stork 24), the other still does; then it is back', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const ns = await namespaceOnBoth('act');
  await createIn(destination, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: { ...STATIC_COPY, ...FAST } }));
  const served = async (rest: SandboxRest): Promise<boolean> => (await rest.get<{ resources: Array<{ name: string }> }>(`${API}`)).resources.some((resource) => resource.name === 'actions');
  await withoutStorkCrd(destination, 'actions', async () => {
    assert.not.ok(await served(destination));
    assert.ok(await served(box.rest('source')));
    let code = 0;
    await destination.create(`${API}/namespaces/${ns}/actions`, action('failover', ns, [ns])).catch((error: { statusCode?: number }) => (code = error.statusCode ?? 0));
    assert.is(code, 404);
  });
  assert.ok(await served(destination));
  await createIn(destination, ns, action('failover', ns, [ns], FAST));
  const { object } = await follow(destination, `${API}/namespaces/${ns}/actions/failover-dr-2026-01-02-030405`, isFinal);
  assert.is(state(object), 'Final/Successful', 'the stand-in picks Actions up again');
});

test.after(() => closeClients());
test.run();
