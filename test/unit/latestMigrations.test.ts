// A failover's reads of the source's schedules after suspending them: polled with one LIST at
// scale, decided on by pure functions (still running, failed, accepted).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acceptedLatest, settleLook, stillRunning, type ScheduleReading } from '../../src/failover/latestMigrations';
import { WIDE_READ_THRESHOLD } from '../../src/io/collect';
import { rereadSchedules } from '../../src/io/rereadSchedules';
import { ApiError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import type { ApiResource } from '../../src/kube/resources';
import { FakeApi } from '../support/fakeApi';

const resource: ApiResource = { group: 'stork.libopenstorage.org', version: 'v1alpha1', kind: 'MigrationSchedule', resource: 'migrationschedules', namespaced: true };
const base = '/apis/stork.libopenstorage.org/v1alpha1';

function schedule(namespace: string, latest?: { name: string; status: string }): KubeObject {
  const older = { name: 'older', creationTimestamp: '2026-01-01T00:00:00Z', finishTimestamp: '2026-01-01T00:01:00Z', status: 'Successful' };
  const items = latest ? { Interval: [older, { name: latest.name, status: latest.status, creationTimestamp: '2026-01-01T01:00:00Z' }] } : null;
  return { apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', metadata: { name: `${namespace}-dr`, namespace }, status: { items } };
}

const now = (object: KubeObject): ScheduleReading => ({ schedule: object, now: object });

test('settleLook: still running, finished Failed, finished well; the first unreadable one ends the wait', () => {
  const running = schedule('a', { name: 'm-a', status: 'InProgress' });
  const failed = schedule('b', { name: 'm-b', status: 'Failed' });
  const fine = schedule('c', { name: 'm-c', status: 'Successful' });
  const never = schedule('d');
  const look = settleLook([now(running), now(failed), now(fine), now(never)]);
  assert.equal(look.running.map(({ latest }) => latest.name), ['m-a']);
  assert.equal(look.failed.map(({ latest }) => latest.name), ['m-b']);
  assert.is(look.failure, undefined);
  assert.is(settleLook([now(fine), { schedule: failed, error: 'forbidden' }, { schedule: running, error: 'gone' }]).failure, 'cannot read migrationschedule b/b-dr: forbidden');
  assert.is(stillRunning(look.running), 'migration m-a of a/a-dr still InProgress after --timeout');
  assert.is(stillRunning([...look.running, { schedule: never, latest: { name: 'm-d', status: '', created: undefined, finished: undefined } }]), 'migration m-a of a/a-dr still InProgress after --timeout (and 1 more schedule(s) still migrating)');
  assert.is(stillRunning([]), undefined);
});

test("acceptedLatest: Stork's WaitAfterScaleDown check, the first schedule that fails it in order", () => {
  const fine = schedule('a', { name: 'm-a', status: 'Successful' });
  const partial = schedule('b', { name: 'm-b', status: 'PartialSuccess' });
  assert.equal(acceptedLatest([now(fine), now(partial)], 'failover'), {
    latest: [
      { schedule: fine, latest: { name: 'm-a', status: 'Successful', created: new Date('2026-01-01T01:00:00Z'), finished: undefined } },
      { schedule: partial, latest: { name: 'm-b', status: 'PartialSuccess', created: new Date('2026-01-01T01:00:00Z'), finished: undefined } },
    ],
  });
  assert.equal(acceptedLatest([now(fine), now(schedule('n'))], 'failback'), { failure: 'no migration detected for migrationschedule n/n-dr, resulting in the abortion of the failback' });
  assert.equal(acceptedLatest([now(schedule('f', { name: 'm-f', status: 'Failed' })), now(schedule('n'))], 'failover'), { failure: "migrationschedule f/f-dr's latest migration m-f status is Failed: it did not complete successfully, so the failover is aborted" });
  assert.equal(acceptedLatest([now(schedule('r', { name: 'm-r', status: '' }))], 'failover'), { failure: "migrationschedule r/r-dr's latest migration m-r status is not finished: it did not complete successfully, so the failover is aborted" });
  assert.equal(acceptedLatest([{ schedule: fine, error: 'no answer' }], 'failover'), { failure: 'cannot read migrationschedule a/a-dr: no answer' });
});

function cluster(count: number): { api: FakeApi; schedules: KubeObject[] } {
  const api = new FakeApi();
  const schedules = Array.from({ length: count }, (_, index) => schedule(`ns-${String(index).padStart(2, '0')}`, { name: `m-${index}`, status: 'Successful' }));
  for (const object of schedules) api.put(`${base}/namespaces/${object.metadata.namespace}/migrationschedules/${object.metadata.name}`, object);
  // Someone else's schedule elsewhere: listed, but not asked for.
  api.put(`${base}/namespaces/other/migrationschedules/theirs`, schedule('other'));
  return { api, schedules };
}

const forbid = (api: FakeApi, paths: (path: string) => boolean): void => {
  api.before = (request) => {
    if (request.method === 'GET' && paths(request.path)) throw new ApiError(403, { reason: 'Forbidden', message: 'forbidden' }, 'GET', request.path);
  };
};

test('rereadSchedules: a few are read one GET each; a missing one says so', async () => {
  const { api, schedules } = cluster(2);
  const gone = schedule('gone');
  const readings = await rereadSchedules(api, resource, [...schedules, gone], 4);
  assert.equal(readings.map((reading) => ('now' in reading ? reading.now.metadata.namespace : reading.error)), ['ns-00', 'ns-01', `${base}/namespaces/gone/migrationschedules/gone-dr not found`]);
  assert.equal(api.log.map((entry) => entry.path), [...schedules, gone].map((object) => `${base}/namespaces/${object.metadata.namespace}/migrationschedules/${object.metadata.name}`));
});

test('rereadSchedules: many are read with one cluster-wide LIST, in their order; one deleted since reads as not found', async () => {
  const { api, schedules } = cluster(WIDE_READ_THRESHOLD + 4);
  const gone = schedule('gone');
  const readings = await rereadSchedules(api, resource, [gone, ...schedules], 4);
  assert.equal(api.log.map((entry) => entry.path), [`${base}/migrationschedules`]);
  assert.is(readings.length, schedules.length + 1);
  assert.equal(readings[0], { schedule: gone, error: 'migrationschedules.stork.libopenstorage.org "gone-dr" not found' });
  assert.equal(readings.slice(1).map((reading) => ('now' in reading ? reading.now.metadata.name : reading.error)), schedules.map((object) => object.metadata.name));
});

test('rereadSchedules: the cluster-wide LIST forbidden, one LIST per namespace; forbidden there too, a GET each', async () => {
  const { api, schedules } = cluster(WIDE_READ_THRESHOLD + 4);
  forbid(api, (path) => path === `${base}/migrationschedules` || path === `${base}/namespaces/ns-03/migrationschedules`);
  const readings = await rereadSchedules(api, resource, schedules, 4);
  assert.ok(readings.every((reading) => 'now' in reading));
  const paths = api.log.map((entry) => entry.path);
  assert.is(paths.filter((path) => path.endsWith('/migrationschedules')).length, 1 + schedules.length);
  assert.equal(paths.filter((path) => !path.endsWith('/migrationschedules')), [`${base}/namespaces/ns-03/migrationschedules/ns-03-dr`]);
});

test('rereadSchedules: a LIST that fails is every schedule\'s reading; never throws', async () => {
  const { api, schedules } = cluster(WIDE_READ_THRESHOLD + 1);
  api.before = () => {
    throw new ApiError(500, { reason: 'InternalError', message: 'etcdserver: request timed out' }, 'GET', `${base}/migrationschedules`);
  };
  const readings = await rereadSchedules(api, resource, schedules, 4);
  assert.ok(readings.every((reading) => 'error' in reading && /etcdserver: request timed out/.test(reading.error)));
});

test.run();
