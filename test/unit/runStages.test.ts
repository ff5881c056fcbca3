import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { GlobalOptions } from '../../src/cli/globalOptions';
import { executeRun, type RunOutcome } from '../../src/commands/run/execute';
import type { RunOptions } from '../../src/commands/run/options';
import { lastMileMigrationName } from '../../src/failover/lastMile';
import { ApiError, ConnectionError, ServerDownError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import { FakeApi, fakeClock, fakeClusters, workloadController } from '../support/fakeApi';

// `run`'s stages (executeRun) over two in-memory API servers, for the faults a real server cannot
// produce on demand: each test asserts the report (stages, messages, outcome, verdict) and what
// both clusters hold afterwards. The clock is fake: waits of minutes take no time.

const STORK = 'stork.libopenstorage.org';
const NS = 'zookeeper';
const START = Date.parse('2025-06-01T12:00:00Z');
const RUN_ID = 'abc1234def';
const LAST_MILE = lastMileMigrationName('migrationschedule', RUN_ID);

const zkPath = `/apis/apps/v1/namespaces/${NS}/statefulsets/zk`;
const schedulePath = `/apis/${STORK}/v1alpha1/namespaces/${NS}/migrationschedules/migrationschedule`;
const migrationsPath = `/apis/${STORK}/v1alpha1/namespaces/${NS}/migrations`;
const lastMilePath = `${migrationsPath}/${LAST_MILE}`;
const INTERVAL = 'migrationschedule-interval-1';

const iso = (msAgo: number): string => new Date(START - msAgo).toISOString();

interface MigrationItem {
  name: string;
  status: string;
  createdAgo: number;
  finishedAgo?: number;
}

function schedule(items: MigrationItem[], staticCopy: boolean): KubeObject {
  return {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'MigrationSchedule',
    metadata: { name: 'migrationschedule', namespace: NS, resourceVersion: '7', ...(staticCopy ? { annotations: { [`${STORK}/static-copy`]: 'true' } } : {}) },
    spec: { schedulePolicyName: 'default-migration-policy', suspend: staticCopy, template: { spec: { clusterPair: 'remotecluster', namespaces: [NS], includeResources: true, startApplications: false } } },
    status: staticCopy
      ? { applicationActivated: false, items: null }
      : {
          applicationActivated: false,
          items: { Interval: items.map((item) => ({ name: item.name, status: item.status, creationTimestamp: iso(item.createdAgo), ...(item.finishedAgo === undefined ? {} : { finishTimestamp: iso(item.finishedAgo) }) })) },
        },
  };
}

function statefulSet(replicas: number, annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'zk', namespace: NS, resourceVersion: '3', generation: 1, annotations },
    spec: { replicas, serviceName: 'zk' },
    status: { observedGeneration: 1, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas },
  };
}

const namespace = (): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, uid: `${NS}-uid` } });

interface World {
  source: FakeApi;
  destination: FakeApi;
}

/**
 * The seed runbook's two clusters. Source: zk at 3 with its pod zk-0 holding data-zk-0, the
 * schedule (unsuspended) whose latest migration succeeded 5 minutes ago and moved data-zk-0.
 * Destination: zk at 0 with Stork's count "3", the schedule's static copy (suspended, not
 * activated). Both run a workload controller (status follows spec at once) unless told not to.
 */
function world(options: { latest?: MigrationItem[]; destinationCount?: string; sourceController?: boolean } = {}): World {
  const source = new FakeApi({ serverUrl: 'https://source.invalid:6443', now: () => START });
  const destination = new FakeApi({ serverUrl: 'https://destination.invalid:6443', now: () => START });
  for (const api of [source, destination]) {
    api.served.push({ group: STORK, version: 'v1alpha1', kind: 'Migration', resource: 'migrations', namespaced: true });
    api.put(`/api/v1/namespaces/${NS}`, namespace());
  }
  if (options.sourceController !== false) source.controllers.push(workloadController);
  destination.controllers.push(workloadController);

  source.put(zkPath, statefulSet(3));
  source.put(`/api/v1/namespaces/${NS}/pods/zk-0`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'zk-0', namespace: NS }, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-zk-0' } }] }, status: { phase: 'Running' } } as KubeObject);
  source.put(schedulePath, schedule(options.latest ?? [{ name: INTERVAL, status: 'Successful', createdAgo: 342_000, finishedAgo: 300_000 }], false));
  source.put(`${migrationsPath}/${INTERVAL}`, {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'Migration',
    metadata: { name: INTERVAL, namespace: NS },
    status: { stage: 'Final', status: 'Successful', volumes: [{ namespace: NS, persistentVolumeClaim: 'data-zk-0' }] },
  } as KubeObject);

  destination.put(zkPath, statefulSet(0, { [`${STORK}/migrationReplicas`]: options.destinationCount ?? '3', [`${STORK}/migrated`]: 'true', [`${STORK}/migrationNamespace`]: NS }));
  destination.put(schedulePath, schedule([], true));
  return { source, destination };
}

/** Stork's controller for the last mile: the Migration created is Final and Successful when it is read the second time. */
function completeLastMile(api: FakeApi): void {
  let reads = 0;
  api.before = (request) => {
    if (request.method !== 'GET' || request.path !== lastMilePath) return;
    reads += 1;
    const migration = api.get(lastMilePath);
    if (reads === 2 && migration) migration.status = { stage: 'Final', status: 'Successful' };
  };
}

const globals: GlobalOptions = { overrides: {}, allNamespaces: false, dryRun: 'none', output: 'json', requestTimeoutMs: 30_000, color: false, verbose: false, logRequests: false, namespace: NS };

function runOptions(changes: Partial<RunOptions> = {}): RunOptions {
  const base: RunOptions = {
    globals,
    runId: RUN_ID,
    sourceContext: 'source',
    sourceFromClusterPair: false,
    destinationContext: 'destination',
    sourceTimeoutMs: 10_000,
    force: false,
    skipSourceOperations: false,
    allowSplitBrain: false,
    skipLastMile: false,
    wait: true,
    timeoutMs: 300_000,
    onLastMileTimeout: 'keep',
    concurrency: 4,
    request: { sourceContext: 'source', destinationContext: 'destination', namespace: NS, allNamespaces: false, skipSourceOperations: false, allowSplitBrain: false, skipLastMile: false, failback: false },
    resuming: false,
    failback: false,
    reconcilers: { pause: false, ignore: false, holdMs: 0 },
  };
  const options = { ...base, ...changes };
  return { ...options, request: { ...options.request, skipLastMile: options.skipLastMile } };
}

async function run(box: World, changes: Partial<RunOptions> = {}): Promise<{ outcome: RunOutcome; elapsedMs: number }> {
  const clock = fakeClock(START);
  const outcome = await executeRun(runOptions(changes), fakeClusters({ source: box.source, destination: box.destination }, clock));
  return { outcome, elapsedMs: clock.now() - START };
}

const stages = (outcome: RunOutcome): Array<[string, string]> => outcome.report.stages.map((entry) => [entry.name, entry.status]);
const message = (outcome: RunOutcome, name: string): string => outcome.report.stages.find((entry) => entry.name === name)?.message ?? '';
const writes = (api: FakeApi): string[] => api.writes().map((entry) => `${entry.method} ${entry.path}${entry.dryRun ? ' (dry run)' : ''}`);
const replicas = (api: FakeApi): unknown => api.get(zkPath)?.spec?.replicas;
const recorded = (api: FakeApi): string | undefined => api.get(zkPath)?.metadata.annotations?.[`${STORK}/migrationReplicas`];
const suspended = (api: FakeApi): unknown => api.get(schedulePath)?.spec?.suspend;
const activated = (api: FakeApi): unknown => api.get(schedulePath)?.status?.applicationActivated;
/** Reads of a path after the first write to it: what a wait did. */
const readsAfterWrite = (api: FakeApi, path: string): number => {
  const first = api.log.findIndex((entry) => entry.method === 'PATCH' && entry.path === path);
  return first < 0 ? 0 : api.log.slice(first + 1).filter((entry) => entry.method === 'GET' && entry.path === path).length;
};

test('the happy path: every stage in order, the source down and suspended, the last mile migrated, the destination up and its static copy activated', async () => {
  const box = world();
  completeLastMile(box.source);
  const { outcome } = await run(box);
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'Successful'],
    ['ScaleUpDestination', 'Successful'],
    ['ScaleUpSource', 'Skipped'],
  ]);
  assert.equal([outcome.report.outcome, outcome.verdict], ['Successful', 'succeeded']);
  assert.is(message(outcome, 'Validations'), `1 namespace(s); data-loss window ${NS}/migrationschedule 5m; 1 migrationschedule(s) suspended on the source`);
  assert.is(message(outcome, 'ScaleDownSource'), '1 changed');
  assert.is(message(outcome, 'WaitAfterScaleDown'), '1 workload(s) scaled down; 1 migrated volume(s) free; latest migrations successful');
  assert.is(message(outcome, 'LastMileMigration'), `${NS}/${LAST_MILE}`);
  assert.is(message(outcome, 'ScaleUpDestination'), '2 changed; 1/1 ready');
  assert.equal(outcome.report.lastMileMigrations, [`${NS}/${LAST_MILE}`]);
  assert.equal(outcome.report.dataLossWindow.map((window) => [window.schedule, window.ageSeconds, window.from]), [[`${NS}/migrationschedule`, 300, 'schedule-status']]);
  assert.equal(outcome.report.namespaceResults, [{ namespace: NS, result: 'active-on-destination' }]);
  assert.equal(outcome.report.source, { context: 'source', reachable: true });

  // The source: scaled to 0 with its count recorded, the schedule suspended, the last mile created from its template.
  assert.equal([replicas(box.source), recorded(box.source), suspended(box.source)], [0, '3', true]);
  const lastMile = box.source.get(lastMilePath);
  assert.equal([lastMile?.spec?.namespaces, lastMile?.spec?.startApplications, lastMile?.spec?.clusterPair], [[NS], false, 'remotecluster']);
  assert.is(lastMile?.metadata.annotations?.[`${STORK}/lastmile-migration-schedule-name`], 'migrationschedule');
  assert.equal(writes(box.source), [`PATCH ${schedulePath}`, `PATCH ${zkPath}`, `POST ${migrationsPath}`]);
  // The destination: zk at Stork's count, the static copy activated and still suspended.
  assert.equal([replicas(box.destination), activated(box.destination), suspended(box.destination)], [3, true, true]);
  assert.equal(writes(box.destination), [`PATCH ${zkPath}`, `PATCH ${schedulePath}`]);
});

test('the last-mile Migration deleted while it is followed: LastMileMigration Failed, the source rolled back exactly, the destination untouched', async () => {
  const box = world();
  let reads = 0;
  box.source.before = async (request) => {
    // Someone deletes it (another client) after it was first read.
    if (request.method === 'GET' && request.path === lastMilePath && ++reads === 2) {
      await box.source.request({ method: 'DELETE', path: lastMilePath });
    }
  };
  // Bounded only so that a regression (the deletion not noticed) fails here instead of following forever.
  const { outcome } = await run(box, { lastMileTimeoutMs: 3_600_000 });
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'Failed'],
    ['ScaleUpDestination', 'NotStarted'],
    ['ScaleUpSource', 'Successful'],
  ]);
  assert.is(message(outcome, 'LastMileMigration'), `migration ${NS}/${LAST_MILE} was deleted before it finished`);
  assert.is(message(outcome, 'ScaleUpSource'), 'RollbackSuccessful: 2 undone');
  assert.is(message(outcome, 'ScaleUpDestination'), 'rolled back instead');
  assert.equal([outcome.report.outcome, outcome.verdict], ['RollbackSuccessful', 'failed']);
  assert.equal(outcome.report.namespaceResults, [{ namespace: NS, result: 'rolled-back', message: `migration ${NS}/${LAST_MILE} was deleted before it finished` }]);
  // The count back, the record the scale-down added removed again, the schedule resumed.
  assert.equal([replicas(box.source), recorded(box.source), suspended(box.source)], [3, undefined, false]);
  assert.equal(writes(box.destination), []);
  assert.equal([replicas(box.destination), activated(box.destination)], [0, false]);
});

for (const [fault, error, result, why] of [
  ['a request sent with no answer', () => new ConnectionError('https://destination.invalid:6443', 'no answer within 30s (--request-timeout)', true), 'unknown', 'no answer (no answer within 30s (--request-timeout)): the server may have applied it; could not be re-read afterwards'],
  ['requests no longer sent', () => new ServerDownError('https://destination.invalid:6443', '3 requests in a row: no answer'), 'not-attempted', 'not sent: the API server https://destination.invalid:6443 stopped answering'],
] as const) {
  test(`the destination stops answering during ScaleUpDestination (${fault}): Failed, no rollback, the source stays down and suspended, the static copy not activated`, async () => {
    const box = world();
    completeLastMile(box.source);
    let down = false;
    box.destination.before = (request) => {
      if (request.method === 'PATCH') down = true;
      if (down) throw error();
    };
    const { outcome } = await run(box);
    assert.equal(stages(outcome), [
      ['Validations', 'Successful'],
      ['ScaleDownSource', 'Successful'],
      ['WaitAfterScaleDown', 'Successful'],
      ['LastMileMigration', 'Successful'],
      ['ScaleUpDestination', 'Failed'],
      ['ScaleUpSource', 'Skipped'],
    ]);
    assert.equal([outcome.report.outcome, outcome.verdict], ['Failed', 'failed']);
    const scaleUp = outcome.report.stages.find((entry) => entry.name === 'ScaleUpDestination');
    assert.equal(scaleUp?.objects.map((row) => [row.kind, row.name, row.result]), [['StatefulSet', 'zk', result]]);
    assert.ok(message(outcome, 'ScaleUpDestination').startsWith(`1 write(s) failed: ${NS}/statefulset/zk: ${why}`), message(outcome, 'ScaleUpDestination'));
    assert.match(message(outcome, 'ScaleUpDestination'), 'not rolled back: the source stays scaled down (scaling it up now would run the apps twice); the static copies are not marked activated');
    assert.equal(outcome.report.namespaceResults.map((entry) => [entry.namespace, entry.result]), [[NS, 'failed']]);
    // No rollback: the source stays at 0 and suspended.
    assert.equal([replicas(box.source), recorded(box.source), suspended(box.source)], [0, '3', true]);
    assert.equal(writes(box.source), [`PATCH ${schedulePath}`, `PATCH ${zkPath}`, `POST ${migrationsPath}`]);
    // The destination got one write (or none), never the static copy's.
    assert.equal(writes(box.destination), [`PATCH ${zkPath}`]);
    assert.equal([replicas(box.destination), activated(box.destination)], [0, false]);
  });
}

test('a 500 reading the source schedule in WaitAfterScaleDown: Failed with the server\'s words, the source rolled back, the destination untouched', async () => {
  const box = world();
  box.source.before = (request) => {
    const scaledDown = box.source.log.some((entry) => entry.method === 'PATCH' && entry.path === zkPath);
    if (scaledDown && request.method === 'GET' && request.path === schedulePath) throw new ApiError(500, { reason: 'InternalError', message: 'etcdserver: request timed out' }, 'GET', request.path);
  };
  const { outcome } = await run(box);
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Failed'],
    ['LastMileMigration', 'NotStarted'],
    ['ScaleUpDestination', 'NotStarted'],
    ['ScaleUpSource', 'Successful'],
  ]);
  assert.is(message(outcome, 'WaitAfterScaleDown'), `cannot read migrationschedule ${NS}/migrationschedule: etcdserver: request timed out`);
  assert.equal([outcome.report.outcome, outcome.verdict], ['RollbackSuccessful', 'failed']);
  assert.equal([replicas(box.source), recorded(box.source), suspended(box.source)], [3, undefined, false]);
  assert.is(box.source.get(lastMilePath), undefined, 'no last mile');
  assert.equal(writes(box.destination), []);
});

test('the latest migration still InProgress after --timeout: Validations fails after suspending, the suspension is undone, nothing else written', async () => {
  const box = world({
    latest: [
      { name: INTERVAL, status: 'Successful', createdAgo: 342_000, finishedAgo: 300_000 },
      { name: 'migrationschedule-interval-2', status: 'InProgress', createdAgo: 30_000 },
    ],
  });
  const { outcome, elapsedMs } = await run(box, { timeoutMs: 60_000 });
  assert.equal(stages(outcome), [
    ['Validations', 'Failed'],
    ['ScaleDownSource', 'NotStarted'],
    ['WaitAfterScaleDown', 'NotStarted'],
    ['LastMileMigration', 'NotStarted'],
    ['ScaleUpDestination', 'NotStarted'],
    ['ScaleUpSource', 'Successful'],
  ]);
  assert.is(message(outcome, 'Validations'), `migration migrationschedule-interval-2 of ${NS}/migrationschedule still InProgress after --timeout`);
  assert.is(message(outcome, 'ScaleUpSource'), 'RollbackSuccessful: 1 undone');
  assert.equal([outcome.report.outcome, outcome.verdict], ['Failed', 'failed']);
  assert.equal(outcome.report.namespaceResults, [{ namespace: NS, result: 'active-on-source', message: `migration migrationschedule-interval-2 of ${NS}/migrationschedule still InProgress after --timeout` }]);
  assert.ok(elapsedMs >= 60_000 && elapsedMs < 62_000, `waited ${elapsedMs} ms of clock time`);
  // Suspended, then resumed: the only writes anywhere.
  assert.equal(writes(box.source), [`PATCH ${schedulePath}`, `PATCH ${schedulePath}`]);
  assert.equal([suspended(box.source), replicas(box.source), recorded(box.source)], [false, 3, undefined]);
  assert.equal(writes(box.destination), []);
});

test('the latest migration Failed: refused in Validations before any write (Stork would go on, scale the source down, then abort in WaitAfterScaleDown)', async () => {
  const box = world({
    latest: [
      { name: INTERVAL, status: 'Successful', createdAgo: 342_000, finishedAgo: 300_000 },
      { name: 'migrationschedule-interval-2', status: 'Failed', createdAgo: 30_000, finishedAgo: 20_000 },
    ],
  });
  const { outcome } = await run(box);
  assert.equal(stages(outcome).slice(0, 2), [
    ['Validations', 'Failed'],
    ['ScaleDownSource', 'NotStarted'],
  ]);
  assert.match(message(outcome, 'Validations') ?? '', `the latest migration migrationschedule-interval-2 of ${NS}/migrationschedule Failed`);
  assert.ok(outcome.report.findings.some((finding) => finding.code === 'migration-failed' && finding.override === '--skip-source-operations'));
  assert.is(outcome.verdict, 'refused');
  assert.equal([replicas(box.source), suspended(box.source)], [3, false]);
  assert.equal(writes(box.source), []);
  assert.equal(writes(box.destination), []);
});

test('--wait=false with a last mile: WaitAfterScaleDown still waits for the source to scale down (the last mile needs the volumes free); the destination is not waited for', async () => {
  const box = world({ sourceController: false });
  completeLastMile(box.source);
  const lastMile = box.source.before;
  let polls = 0;
  box.source.before = (request, count) => {
    // The source's controller is slow: zk reports 0 replicas (and its pod goes) on the third read after the scale-down.
    if (request.method === 'GET' && request.path === zkPath && box.source.get(zkPath)?.spec?.replicas === 0 && ++polls === 3) {
      const zk = box.source.get(zkPath);
      if (zk) zk.status = { observedGeneration: 1, replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 };
      box.source.objects.delete(`/api/v1/namespaces/${NS}/pods/zk-0`);
    }
    return lastMile?.(request, count);
  };
  const { outcome } = await run(box, { wait: false });
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'Successful'],
    ['ScaleUpDestination', 'Successful'],
    ['ScaleUpSource', 'Skipped'],
  ]);
  assert.is(message(outcome, 'WaitAfterScaleDown'), '1 workload(s) scaled down; 1 migrated volume(s) free; latest migrations successful');
  assert.is(readsAfterWrite(box.source, zkPath), 3, 'polled until scaled down');
  assert.is(message(outcome, 'ScaleUpDestination'), '2 changed');
  assert.is(readsAfterWrite(box.destination, zkPath), 0, 'the destination is not waited for');
  assert.equal([outcome.report.outcome, outcome.verdict], ['Successful', 'succeeded']);
  assert.equal([replicas(box.source), replicas(box.destination), activated(box.destination)], [0, 3, true]);
});

test('--wait=false without a last mile: WaitAfterScaleDown checks the latest migration only, waits for nothing, and says so', async () => {
  const box = world({ sourceController: false });
  const { outcome } = await run(box, { wait: false, skipLastMile: true });
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'Skipped'],
    ['ScaleUpDestination', 'Successful'],
    ['ScaleUpSource', 'Skipped'],
  ]);
  assert.is(message(outcome, 'WaitAfterScaleDown'), 'latest migrations successful; 1 workload(s) not waited for (--wait=false): their pods may still hold volumes');
  assert.is(message(outcome, 'LastMileMigration'), '--skip-last-mile: data written since the last migration stays on the source');
  assert.is(readsAfterWrite(box.source, zkPath), 0, 'no replica check');
  assert.ok(box.source.get(`/api/v1/namespaces/${NS}/pods/zk-0`), 'nothing waited for the pod to go');
  assert.equal(writes(box.source), [`PATCH ${schedulePath}`, `PATCH ${zkPath}`]);
  assert.equal([outcome.report.outcome, outcome.verdict, replicas(box.destination)], ['Successful', 'succeeded', 3]);
});

test('a refusal (a destination count "-1"): refused in Validations, naming the object, and nothing written on either cluster', async () => {
  const box = world({ destinationCount: '-1' });
  const { outcome } = await run(box);
  assert.equal(stages(outcome), [
    ['Validations', 'Failed'],
    ['ScaleDownSource', 'NotStarted'],
    ['WaitAfterScaleDown', 'NotStarted'],
    ['LastMileMigration', 'NotStarted'],
    ['ScaleUpDestination', 'NotStarted'],
  ]);
  assert.is(outcome.verdict, 'refused');
  assert.is(message(outcome, 'Validations'), `${NS}/statefulset/zk: annotation ${STORK}/migrationReplicas "-1" is negative; fix it on the destination before failing over (the source was not touched)`);
  assert.equal(outcome.report.findings.map((finding) => [finding.code, finding.severity, finding.cluster]), [['count-invalid', 'error', 'destination']]);
  for (const api of [box.source, box.destination]) assert.equal(api.log.filter((entry) => entry.method !== 'GET'), [], `no PATCH, POST or DELETE on ${api.serverUrl}`);
  assert.equal([replicas(box.source), suspended(box.source), replicas(box.destination)], [3, false, 0]);
});

test('--last-mile-timeout with --on-last-mile-timeout=delete: the Migration that never finishes is deleted, the stage TimedOut, the source rolled back', async () => {
  const box = world();
  const { outcome, elapsedMs } = await run(box, { lastMileTimeoutMs: 600_000, onLastMileTimeout: 'delete' });
  assert.equal(stages(outcome), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'TimedOut'],
    ['ScaleUpDestination', 'NotStarted'],
    ['ScaleUpSource', 'Successful'],
  ]);
  assert.is(message(outcome, 'LastMileMigration'), `migration ${NS}/${LAST_MILE} not finished after --last-mile-timeout (at Initial); migration ${NS}/${LAST_MILE} was deleted (--on-last-mile-timeout=delete)`);
  assert.equal([outcome.report.outcome, outcome.verdict], ['RollbackSuccessful', 'failed']);
  assert.ok(elapsedMs >= 600_000 && elapsedMs < 605_000, `followed for ${elapsedMs} ms of clock time`);
  assert.is(box.source.get(lastMilePath), undefined);
  // Suspend, scale down, create, delete; then the rollback's two writes (sent in parallel: in either order).
  const sent = writes(box.source);
  assert.equal(sent.slice(0, 4), [`PATCH ${schedulePath}`, `PATCH ${zkPath}`, `POST ${migrationsPath}`, `DELETE ${lastMilePath}`]);
  assert.equal(sent.slice(4).sort(), [`PATCH ${zkPath}`, `PATCH ${schedulePath}`].sort());
  assert.equal([replicas(box.source), recorded(box.source), suspended(box.source)], [3, undefined, false]);
  assert.equal(writes(box.destination), []);
});

// BUG (for the integrator; src/commands/run/execute.ts, the validations.end calls after
// suspendAndSettle, lines 105 and 111): the suspension is written in Validations (ctx.writes has
// it, and a dry run lists it under ScaleDownSource), but the Validations stage is ended without
// { results: settled.results }, so the report of a real run (-o json) lists that write in no
// stage; only its undoing appears, under ScaleUpSource. Un-skip once Validations carries its results.
test('the report lists every write made: the suspension under Validations, where it was made', async () => {
  const box = world();
  completeLastMile(box.source);
  const { outcome } = await run(box);
  const rows = (name: string): Array<[string, string, string]> => (outcome.report.stages.find((entry) => entry.name === name)?.objects ?? []).map((row) => [row.kind, row.name, row.result]);
  assert.equal(rows('Validations'), [['MigrationSchedule', 'migrationschedule', 'changed']]);
  assert.equal(rows('ScaleDownSource'), [['StatefulSet', 'zk', 'changed']]);
});

for (const mode of ['client', 'server'] as const) {
  test(`--dry-run=${mode}: every stage planned through the same pipelines, nothing changed on either cluster${mode === 'server' ? ' (each write sent with dryRun=All)' : ' (nothing sent)'}`, async () => {
    const box = world();
    const { outcome } = await run(box, { globals: { ...globals, dryRun: mode } });
    assert.equal(stages(outcome), [
      ['Validations', 'Successful'],
      ['ScaleDownSource', 'Planned'],
      ['WaitAfterScaleDown', 'Planned'],
      ['LastMileMigration', 'Planned'],
      ['ScaleUpDestination', 'Planned'],
      ['ScaleUpSource', 'Skipped'],
    ]);
    assert.equal([outcome.report.outcome, outcome.verdict], ['DryRun', 'succeeded']);
    assert.is(message(outcome, 'LastMileMigration'), `would create migration ${NS}/${LAST_MILE}`);
    const planned = (name: string): Array<[string, string]> => (outcome.report.stages.find((entry) => entry.name === name)?.objects ?? []).map((row) => [`${row.kind}/${row.name}`, row.result]);
    assert.equal(planned('ScaleDownSource'), [['MigrationSchedule/migrationschedule', 'would-change'], ['StatefulSet/zk', 'would-change']]);
    assert.equal(planned('ScaleUpDestination'), [['StatefulSet/zk', 'would-change'], ['MigrationSchedule/migrationschedule', 'would-change']]);
    assert.equal(writes(box.source), mode === 'server' ? [`PATCH ${schedulePath} (dry run)`, `PATCH ${zkPath} (dry run)`] : []);
    assert.equal(writes(box.destination), mode === 'server' ? [`PATCH ${zkPath} (dry run)`, `PATCH ${schedulePath} (dry run)`] : []);
    assert.equal([replicas(box.source), recorded(box.source), suspended(box.source), box.source.get(lastMilePath)], [3, undefined, false, undefined]);
    assert.equal([replicas(box.destination), activated(box.destination)], [0, false]);
  });
}

test('one cluster under two URLs (kube-system has the same uid on both): refused as the same cluster, nothing written', async () => {
  const box = world();
  for (const api of [box.source, box.destination]) api.put('/api/v1/namespaces/kube-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: 'one-cluster' } });
  const { outcome } = await run(box);
  assert.is(outcome.verdict, 'refused');
  assert.equal(outcome.report.findings.map((finding) => finding.code), ['same-cluster']);
  assert.match(message(outcome, 'Validations'), 'are the same cluster (namespace kube-system has the same uid one-cluster on both)');
  for (const api of [box.source, box.destination]) assert.equal(api.log.filter((entry) => entry.method !== 'GET'), [], `no PATCH, POST or DELETE on ${api.serverUrl}`);
});

test.run();
