import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../src/kube/objects';
import type { ApiResource } from '../../src/kube/resources';
import { buildJsonPatch } from '../../src/plan/jsonPatch';
import { planFollowUp } from '../../src/plan/followUps';
import { planStashedCreate, planStashOwner } from '../../src/plan/rules/stashedResource';
import { planStash } from '../../src/plan/stash';
import { parseStash } from '../../src/stork/stash';

const DATABASES: ApiResource = { group: 'example.com', version: 'v1', kind: 'Database', resource: 'databases', namespaced: true };
const resources = new Map([['Database.example.com', DATABASES]]);

function configMap(name: string, object: unknown, owned: unknown = {}, namespace = 'shop'): KubeObject {
  const data = { 'cr-runtime-object': typeof object === 'string' ? object : JSON.stringify(object), ownedPVCs: typeof owned === 'string' ? owned : JSON.stringify(owned), name };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels: { 'stash-cr': 'true' } }, data } as KubeObject;
}

const orders = { apiVersion: 'example.com/v1', kind: 'Database', metadata: { name: 'orders', namespace: 'shop', uid: 'old', resourceVersion: '9', managedFields: [], labels: { app: 'orders' } }, spec: { replicas: 3 } };
const oldRef = { apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', uid: 'old', controller: true, blockOwnerDeletion: true };

function pvc(name: string, owners?: KubeObject['metadata']['ownerReferences']): KubeObject {
  return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'shop', ...(owners ? { ownerReferences: owners } : {}) } };
}

test('stash: the stashed object loses the fields only a server sets, lands in the ConfigMap namespace, and its PVC references name it', () => {
  const parsed = parseStash(configMap('stash-orders', { ...orders, metadata: { ...orders.metadata, namespace: undefined } }, { 'data-0': oldRef }));
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.equal(parsed.stash.object.metadata, { name: 'orders', namespace: 'shop', labels: { app: 'orders' } });
  assert.equal(parsed.stash.owners, [{ pvc: 'data-0', reference: { apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', controller: true, blockOwnerDeletion: true } }]);
});

test('stash: JSON that does not parse, a missing kind, another namespace, garbled ownedPVCs: each a problem', () => {
  const problem = (cm: KubeObject): string => {
    const parsed = parseStash(cm);
    return parsed.ok ? '' : parsed.problem;
  };
  assert.match(problem(configMap('a', '{"kind": ')), 'data cr-runtime-object is not JSON');
  assert.match(problem(configMap('b', { apiVersion: 'v1', metadata: { name: 'x' } })), 'is not an object with apiVersion, kind and metadata.name');
  assert.match(problem(configMap('c', { ...orders, metadata: { name: 'orders', namespace: 'billing' } })), 'names namespace billing, but its ConfigMap lives in shop');
  assert.match(problem(configMap('d', orders, '[1,')), 'data ownedPVCs is not JSON');
  assert.match(problem(configMap('e', orders, { 'data-0': 'yes' })), 'the entry for PVC data-0 is not an owner reference');
});

test('stash create: absent → created; one that exists is unchanged; a kind not served and a garbled stash are error rows', () => {
  const cm = configMap('stash-orders', orders);
  const parsed = parseStash(cm);
  const create = planStashedCreate(cm, parsed, DATABASES, undefined);
  assert.equal([create.action, create.operation, create.from, create.to, create.ref.kind, create.ref.namespace], ['change', 'create', 'absent', 'created', 'Database', 'shop']);
  assert.is(create.live.metadata.resourceVersion, undefined);
  const existing: KubeObject = { apiVersion: 'example.com/v1', kind: 'Database', metadata: { name: 'orders', namespace: 'shop', uid: 'new' } };
  const again = planStashedCreate(cm, parsed, DATABASES, existing);
  assert.equal([again.action, again.live.metadata.uid], ['unchanged', 'new']);
  const unserved = planStashedCreate(cm, parsed, undefined, undefined);
  assert.equal([unserved.action, unserved.reason], ['error', 'Database (example.com/v1) is not served on this cluster (is its CRD installed?); stashed in configmap stash-orders']);
  const garbled = planStashedCreate(cm, { ok: false, problem: 'x' }, DATABASES, undefined);
  assert.equal([garbled.action, garbled.ref.kind, garbled.ref.name], ['error', 'ConfigMap', 'stash-orders']);
});

test('stash owner: appended once with the new uid, the old list tested; a former namesake replaced; a missing PVC is an error', () => {
  const owner = { pvc: 'data-0', reference: { apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', controller: true } };
  const other = { apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'k' };
  const plan = planStashOwner('shop', owner, 'new', pvc('data-0', [other]), 'stash-orders');
  assert.is(plan.action, 'change');
  assert.equal(buildJsonPatch(plan.live, plan.changes, plan.preconditions), [
    { op: 'test', path: '/metadata/ownerReferences', value: [other] },
    { op: 'replace', path: '/metadata/ownerReferences', value: [other, { apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', uid: 'new', controller: true }] },
  ]);
  const none = planStashOwner('shop', owner, 'new', pvc('data-0'), 'stash-orders');
  assert.equal(buildJsonPatch(none.live, none.changes, none.preconditions)[0], { op: 'test', path: '/metadata/ownerReferences', value: null });
  assert.is(planStashOwner('shop', owner, 'new', pvc('data-0', [{ ...owner.reference, uid: 'new' }]), 'stash-orders').action, 'unchanged');
  const stale = planStashOwner('shop', owner, 'new', pvc('data-0', [{ ...owner.reference, uid: 'gone' }, other]), 'stash-orders');
  assert.equal(stale.changes[0]?.to, [other, { apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', uid: 'new', controller: true }]);
  assert.match(stale.reason ?? '', 'replaces the reference to a former database/orders (uid gone)');
  const missing = planStashOwner('shop', owner, 'new', undefined, 'stash-orders');
  assert.equal([missing.action, missing.ref.kind, missing.ref.name, missing.reason], ['error', 'PersistentVolumeClaim', 'data-0', 'not found (named in ownedPVCs of configmap stash-orders)']);
});

test('stash follow-ups: PVC owners wait for the create; not written → not attempted; an unknown uid is never guessed', () => {
  const { creates, followUps } = planStash(
    { configMaps: [configMap('stash-orders', orders, { 'data-0': oldRef }), configMap('elsewhere', orders, {}, 'other')], pvcs: [pvc('data-0')], existing: [], resources },
    new Set(['shop']),
  );
  assert.equal(creates.map((plan) => plan.ref.name), ['orders']);
  assert.is(followUps.length, 1);
  const [followUp] = followUps;
  if (!followUp) return;
  assert.equal(planFollowUp(followUp, { written: true, uid: 'new' }).plan.changes[0]?.to, [{ apiVersion: 'example.com/v1', kind: 'Database', name: 'orders', uid: 'new', controller: true, blockOwnerDeletion: true }]);
  assert.is(planFollowUp(followUp, { written: false, why: 'was not written (failed)' }).blocked, 'not attempted: database/orders was not written (failed)');
  assert.is(planFollowUp(followUp, { written: true, uid: undefined }).blocked, 'not attempted: the uid of database/orders is unknown');
});

test.run();
