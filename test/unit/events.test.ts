import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { recordFailoverEvent, recordFailoverEvents, tallies } from '../../src/io/events';
import type { KubeApi, KubeRequest } from '../../src/kube/client';
import { ApiError, ConnectionError } from '../../src/kube/errors';
import { coreV1Body, eventName, eventsV1Body, stageEvents, type FailoverEvent } from '../../src/plan/events';

// The Events a run leaves: their bodies, one per namespace per stage with counts, and the
// fallback to core/v1 where events.k8s.io/v1 is not served. Never a throw.

const T0 = Date.parse('2024-05-01T10:00:00Z');
const event: FailoverEvent = {
  regarding: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'zk', name: 'zk', uid: 'u-1' },
  reason: 'FailoverScaleUp',
  note: 'run 0123456789 by alice: scaled up 0 → 3',
  runId: '0123456789',
  user: 'alice',
};

/** A KubeApi that answers from a function and keeps every request. */
function stub(answer: (request: KubeRequest) => unknown): KubeApi & { sent: KubeRequest[] } {
  const sent: KubeRequest[] = [];
  return {
    serverUrl: 'https://stub.invalid',
    sent,
    async request<T>(request: KubeRequest): Promise<T> {
      sent.push(request);
      return answer(request) as T;
    },
  };
}

test('an events.k8s.io/v1 Event: controller, instance, action, reason, regarding, note, run and user', () => {
  assert.equal(eventsV1Body(event, 'laptop-a', T0, 'zk.18f2'), {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'zk.18f2', namespace: 'zk', annotations: { 'kubectl-failover.dev/run-id': '0123456789', 'kubectl-failover.dev/user': 'alice' } },
    eventTime: '2024-05-01T10:00:00.000000Z',
    reportingController: 'kubectl-failover',
    reportingInstance: 'laptop-a',
    action: 'ScaleUp',
    reason: 'FailoverScaleUp',
    regarding: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'zk', namespace: 'zk', uid: 'u-1' },
    note: 'run 0123456789 by alice: scaled up 0 → 3',
    type: 'Normal',
  });
  const core = coreV1Body({ ...event, reason: 'FailoverRollback', note: 'x'.repeat(2000) }, 'h'.repeat(200), T0, 'n');
  assert.is(core.type, 'Warning');
  assert.is(core.firstTimestamp, '2024-05-01T10:00:00Z');
  assert.is((core.message as string).length, 1024);
  assert.is((core.reportingInstance as string).length, 128);
  assert.equal(core.involvedObject, eventsV1Body(event, 'h', T0, 'n').regarding);
});

test('event names are DNS subdomains, unique per moment, bounded', () => {
  assert.is(eventName({ apiVersion: 'v1', kind: 'Namespace', name: 'zk' }, T0, 'a1b2c3'), `zk.${T0.toString(16)}a1b2c3`);
  const long = eventName({ apiVersion: 'v1', kind: 'X', name: `${'a'.repeat(260)}` }, T0, 'a1b2c3');
  assert.ok(long.length <= 253);
  assert.match(eventName({ apiVersion: 'v1', kind: 'X', name: 'Odd_Name' }, T0, 'ff'), /^odd-name\.[0-9a-f]+ff$/);
});

test('one Event per namespace per stage, with counts; nothing to say, no Event', () => {
  const events = stageEvents({ name: 'ScaleUpDestination', reason: 'FailoverScaleUp' }, { runId: '0123456789', user: 'alice' }, [
    { namespace: 'zk', kind: 'StatefulSet', outcome: 'changed' },
    { namespace: 'zk', kind: 'StatefulSet', outcome: 'changed' },
    { namespace: 'zk', kind: 'Deployment', outcome: 'changed' },
    { namespace: 'zk', kind: 'Deployment', outcome: 'unchanged' },
    { namespace: 'kafka', kind: 'StatefulSet', outcome: 'changed' },
    { namespace: 'kafka', kind: 'CronJob', outcome: 'failed' },
    { namespace: 'quiet', kind: 'Deployment', outcome: 'unchanged' },
    { kind: 'Namespace', outcome: 'changed' },
  ]);
  assert.equal(
    events.map((found) => [found.regarding, found.note, found.type]),
    [
      [{ apiVersion: 'v1', kind: 'Namespace', name: 'kafka', namespace: 'kafka' }, 'run 0123456789 by alice, stage ScaleUpDestination: scaled up 1 object (1 statefulset); 1 failed', 'Warning'],
      [{ apiVersion: 'v1', kind: 'Namespace', name: 'zk', namespace: 'zk' }, 'run 0123456789 by alice, stage ScaleUpDestination: scaled up 3 objects (1 deployment, 2 statefulsets)', 'Normal'],
    ],
  );
  const policies = stageEvents({ name: 'Undo', reason: 'FailoverUndo' }, { runId: '0123456789', user: 'bob' }, [{ namespace: 'a', kind: 'Policy', outcome: 'changed' }, { namespace: 'a', kind: 'Policy', outcome: 'changed' }]);
  assert.match(policies[0]?.note ?? '', 'undid 2 objects (2 policies)');
});

test('apply results tally by their plan’s ref', () => {
  assert.equal(tallies([{ plan: { ref: { kind: 'StatefulSet', namespace: 'zk' } }, outcome: 'changed' }, { plan: { ref: { kind: 'Namespace' } }, outcome: 'failed' }]), [
    { kind: 'StatefulSet', namespace: 'zk', outcome: 'changed' },
    { kind: 'Namespace', outcome: 'failed' },
  ]);
});

test('events.k8s.io/v1 not served (404 without a namespace): core/v1 instead, and the batch asks only once', async () => {
  const api = stub((request) => {
    if (request.path.startsWith('/apis/events.k8s.io/')) throw new ApiError(404, { reason: 'NotFound', message: 'the server could not find the requested resource' }, request.method, request.path);
    return {};
  });
  assert.equal(await recordFailoverEvents(api, [event, event, event], { host: 'h', concurrency: 1 }), []);
  assert.equal(api.sent.map((request) => request.path), ['/apis/events.k8s.io/v1/namespaces/zk/events', '/api/v1/namespaces/zk/events', '/api/v1/namespaces/zk/events', '/api/v1/namespaces/zk/events']);
  assert.is((api.sent[1]?.body as { involvedObject: { name: string } }).involvedObject.name, 'zk');
});

test('forbidden, a missing namespace, no answer: a warning naming the object, never a throw', async () => {
  const forbidden = stub((request) => {
    throw new ApiError(403, { reason: 'Forbidden', message: 'events.events.k8s.io is forbidden: User "readonly" cannot create resource "events"' }, request.method, request.path);
  });
  assert.is(await recordFailoverEvent(forbidden, event), 'could not record the event FailoverScaleUp for statefulset/zk in namespace zk: events.events.k8s.io is forbidden: User "readonly" cannot create resource "events"');
  const missing = stub((request) => {
    throw new ApiError(404, { reason: 'NotFound', message: 'namespaces "zk" not found', details: { name: 'zk', kind: 'namespaces' } }, request.method, request.path);
  });
  assert.match((await recordFailoverEvent(missing, event)) ?? '', 'namespaces "zk" not found');
  assert.is(missing.sent.length, 1, 'no fallback for a missing namespace');
  const silent = stub(() => {
    throw new ConnectionError('https://stub.invalid', 'connection refused');
  });
  assert.match((await recordFailoverEvent(silent, event)) ?? '', 'cannot reach the API server https://stub.invalid: connection refused');
});

test.run();
