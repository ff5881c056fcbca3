import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deployment, ensureNamespace, createIn } from '../../scripts/sandbox/seeds';
import { recordFailoverEvent, recordFailoverEvents, stageEvents } from '../../src/io/events';
import { closeSandboxApis, sandboxApi } from '../support/sandboxApi';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// Events against a real API server: written through events.k8s.io/v1 and seen where an operator
// looks (the core events list `kubectl get events -n NS` reads); best effort when not allowed.

interface CoreEvent {
  metadata: { name: string; annotations?: Record<string, string> };
  involvedObject: { kind: string; name: string; namespace?: string; uid?: string };
  reason: string;
  message: string;
  type: string;
  action?: string;
  reportingComponent?: string;
  reportingInstance?: string;
}

async function coreEvents(namespace: string): Promise<CoreEvent[]> {
  const box = await sandbox();
  return (await box.rest('destination').get<{ items: CoreEvent[] }>(`/api/v1/namespaces/${namespace}/events`)).items;
}

test('an Event about a workload shows in the namespace’s events list: reason, note, controller, instance, action, run and user', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('events');
  const rest = box.rest('destination');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0));
  const web = await rest.get<{ metadata: { uid: string } }>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
  const api = await sandboxApi(box, 'destination');
  const warning = await recordFailoverEvent(
    api,
    { regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web', uid: web.metadata.uid }, reason: 'FailoverScaleUp', note: 'run 0123456789 by alice: scaled up 0 → 3', runId: '0123456789', user: 'alice' },
    { host: 'laptop-a' },
  );
  assert.is(warning, undefined);
  const found = await coreEvents(ns);
  assert.is(found.length, 1);
  const [shown] = found;
  assert.equal(shown?.metadata.annotations, { 'kubectl-failover.dev/run-id': '0123456789', 'kubectl-failover.dev/user': 'alice' });
  assert.equal(shown?.involvedObject, { kind: 'Deployment', name: 'web', namespace: ns, uid: web.metadata.uid, apiVersion: 'apps/v1' });
  assert.equal(
    [shown?.reason, shown?.message, shown?.type, shown?.action, shown?.reportingComponent, shown?.reportingInstance],
    ['FailoverScaleUp', 'run 0123456789 by alice: scaled up 0 → 3', 'Normal', 'ScaleUp', 'kubectl-failover', 'laptop-a'],
  );
});

test('a stage’s Events: one per namespace with the counts, about the Namespace, listed in that namespace', async () => {
  const box = await sandbox();
  const [first, second] = [uniqueNamespace('stage-a'), uniqueNamespace('stage-b')];
  for (const ns of [first, second]) await ensureNamespace(box.rest('destination'), ns);
  const api = await sandboxApi(box, 'destination');
  const events = stageEvents({ name: 'ScaleDownSource', reason: 'FailoverScaleDown' }, { runId: 'abcdefabcd', user: 'bob' }, [
    { namespace: first, kind: 'StatefulSet', outcome: 'changed' },
    { namespace: first, kind: 'Deployment', outcome: 'changed' },
    { namespace: second, kind: 'Deployment', outcome: 'failed' },
  ]);
  assert.equal(await recordFailoverEvents(api, events), []);
  const [a] = await coreEvents(first);
  assert.equal([a?.involvedObject.kind, a?.involvedObject.name, a?.reason, a?.type, a?.message], ['Namespace', first, 'FailoverScaleDown', 'Normal', 'run abcdefabcd by bob, stage ScaleDownSource: scaled down 2 objects (1 deployment, 1 statefulset)']);
  const [b] = await coreEvents(second);
  assert.equal([b?.type, b?.message], ['Warning', 'run abcdefabcd by bob, stage ScaleDownSource: scaled down 0 objects; 1 failed']);
});

test('not allowed to create Events, or the namespace is gone: a warning, not a throw', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('events-ro');
  await ensureNamespace(box.rest('destination'), ns);
  const readonly = await sandboxApi(box, 'destination-readonly');
  const event = { regarding: { apiVersion: 'v1', kind: 'Namespace', namespace: ns, name: ns }, reason: 'FailoverUndo' as const, note: 'run 0123456789 by alice: undone', runId: '0123456789', user: 'alice' };
  const warning = await recordFailoverEvent(readonly, event);
  assert.match(warning ?? '', `could not record the event FailoverUndo for namespace/${ns} in namespace ${ns}: `);
  assert.match(warning ?? '', /forbidden/);
  assert.equal(await coreEvents(ns), []);
  const admin = await sandboxApi(box, 'destination');
  const gone = await recordFailoverEvent(admin, { ...event, regarding: { ...event.regarding, namespace: 'no-such-namespace', name: 'no-such-namespace' } });
  assert.match(gone ?? '', 'namespaces "no-such-namespace" not found');
});

test.after(() => {
  closeSandboxApis();
  closeClients();
});
test.run();
