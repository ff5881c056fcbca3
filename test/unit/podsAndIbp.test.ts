import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../src/kube/objects';
import { planActivation, planObject } from '../../src/plan/activation';
import { planFollowUp } from '../../src/plan/followUps';
import { registeredKinds, type RegisteredKind } from '../../src/stork/applicationRegistration';
import { REPLICAS, workload } from './fixtures';

const ring: RegisteredKind = { group: 'example.com', version: 'v1', kind: 'Ring', suspendOptions: [{ path: 'spec.paused', type: 'bool', value: 'true' }], podsPath: 'status.members.ready', registration: 'rings' };

function ringObject(name: string, members: unknown): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Ring', metadata: { name, namespace: 'shop' }, spec: { paused: false }, status: { members: { ready: members } } } as KubeObject;
}

function pod(name: string, fields: { grace?: number; deleting?: boolean } = {}): KubeObject {
  const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec: fields.grace === undefined ? {} : { terminationGracePeriodSeconds: fields.grace }, status: { phase: 'Running' } };
  if (fields.deleting) object.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  return object;
}

const plan = (objects: KubeObject[], pods: KubeObject[], direction: 'activate' | 'deactivate' = 'deactivate') =>
  planActivation(
    { workloads: objects.map((object) => ({ object, resourceKey: 'Ring.example.com' })), schedules: [], namespaces: [{ name: 'shop', labels: {} }], registeredKinds: [ring], pods },
    { direction, namespaces: { all: false, names: ['shop'] }, force: true },
  );

test('registration: podsPath is read', () => {
  const kinds = registeredKinds([{ apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'ApplicationRegistration', metadata: { name: 'couchbase' }, resources: [{ group: 'couchbase.com', version: 'v2', kind: 'CouchbaseCluster', suspendOptions: { path: 'spec.paused', type: 'bool' }, podsPath: 'status.members.ready' }] } as KubeObject]);
  assert.is(kinds[0]?.podsPath, 'status.members.ready');
});

test("podsPath: deactivate deletes the listed pods after the resource, with each pod's own grace period and its uid held", () => {
  const result = plan([ringObject('ring', ['ring-0', 'ring-1', 'ring-gone', 'ring-ending'])], [pod('ring-0', { grace: 45 }), pod('ring-1'), pod('ring-ending', { deleting: true }), pod('bystander')]);
  assert.equal(result.objects.map((entry) => `${entry.ref.kind}/${entry.ref.name}`), ['Ring/ring'], 'pods are not in the first round');
  const pods = result.followUps.map((followUp) => (followUp.kind === 'delete-pod' ? followUp.plan : undefined));
  assert.equal(pods.map((entry) => `${entry?.ref.name}:${entry?.action}:${entry?.operation}`), ['ring-0:change:delete', 'ring-1:change:delete', 'ring-gone:unchanged:delete', 'ring-ending:unchanged:delete']);
  assert.match(pods[0]?.reason ?? '', "listed in status.members.ready of ring/ring; grace period 45s (the pod's own)");
  assert.match(pods[1]?.reason ?? '', 'grace period 30s');
  assert.equal(pods[0]?.preconditions, [{ path: ['metadata', 'uid'], value: 'uid-ring-0' }]);
  const [first] = result.followUps;
  assert.is(first && planFollowUp(first, { written: false, why: 'was not written (failed)' }).blocked, 'not deleted: ring/ring was not written (failed)');
  assert.is(first && planFollowUp(first, { written: true, uid: undefined }).blocked, undefined);
});

test('podsPath: activate deletes nothing; a value that is not a list of names is an error row', () => {
  assert.equal(plan([ringObject('ring', ['ring-0'])], [pod('ring-0')], 'activate').followUps, []);
  const odd = plan([ringObject('odd', 'odd-0')], []).followUps[0];
  assert.equal(odd?.kind === 'delete-pod' ? [odd.plan.action, odd.plan.reason] : [], ['error', 'podsPath status.members.ready is not a list of pod names (found "odd-0")']);
});

test('IBP kinds: scaled from migrationReplicas like a Deployment, with no readiness wait and a note; a registration covering them wins', () => {
  const peer = { ...workload('IBPPeer', 'peer0', { replicas: 0, annotations: { [REPLICAS]: '2', 'stork.libopenstorage.org/spec.replicas': '5,0' } }), apiVersion: 'ibp.com/v1alpha1' };
  const up = planObject(peer, 'IBPPeer.ibp.com', 'activate', []);
  assert.equal([up.action, up.from, up.to, up.readiness, up.reason], ['change', '0', '2', 'none', 'no readiness wait: IBP kinds report no ready count']);
  const down = planObject({ ...peer, spec: { replicas: 4 } }, 'IBPPeer.ibp.com', 'deactivate', []);
  assert.equal(down.changes.map((change) => change.path.join('.')), ['spec.replicas', `metadata.annotations.${REPLICAS}`]);
  const ibm: RegisteredKind = { group: 'ibp.com', version: 'v1alpha1', kind: 'IBPPeer', suspendOptions: [{ path: 'spec.replicas', type: 'int', value: '' }], registration: 'ibm' };
  assert.equal(planObject(peer, 'IBPPeer.ibp.com', 'activate', [ibm]).to, '5');
});

test.run();
