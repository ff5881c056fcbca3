import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { ensureNamespace } from '../../scripts/sandbox/seeds';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Obj {
  metadata: { uid: string; resourceVersion: string; ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }> };
  spec?: { replicas?: number };
}

const stashDbs = (ns: string): string => `/apis/example.com/v1/namespaces/${ns}/stashdbs`;
const pvcPath = (ns: string, name: string): string => `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`;

async function createPvc(rest: SandboxRest, ns: string, name: string): Promise<void> {
  await rest.create(`/api/v1/namespaces/${ns}/persistentvolumeclaims`, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
}

/** A stash ConfigMap as Stork's migration writes it: the CR as JSON (with the source's server fields), and the PVCs its original owned. */
function stashConfigMap(name: string, object: unknown, ownedPvcs: Record<string, unknown> | string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: { 'stash-cr': 'true', 'resource-kind': 'StashDB' } },
    data: {
      'cr-runtime-object': typeof object === 'string' ? object : JSON.stringify(object),
      ownedPVCs: typeof ownedPvcs === 'string' ? ownedPvcs : JSON.stringify(ownedPvcs),
      name,
    },
  };
}

const stashDb = (name: string, ns: string): unknown => ({
  apiVersion: 'example.com/v1',
  kind: 'StashDB',
  metadata: { name, namespace: ns, uid: 'source-uid', resourceVersion: '4711', creationTimestamp: '2024-10-24T16:06:37Z', labels: { app: name } },
  spec: { replicas: 3 },
});
const oldOwner = (name: string): unknown => ({ apiVersion: 'example.com/v1', kind: 'StashDB', name, uid: 'source-uid', controller: true, blockOwnerDeletion: true });

test('activate re-creates a stashed custom resource and makes it own its two PVCs; dry runs change nothing; a second activate adds nothing', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('example.com', 'stashdbs', 'StashDB', 'Namespaced', 'v1'));
  const ns = uniqueNamespace('stash');
  await ensureNamespace(rest, ns);
  await createPvc(rest, ns, 'data-0');
  await createPvc(rest, ns, 'data-1');
  await rest.create(`/api/v1/namespaces/${ns}/configmaps`, stashConfigMap('stash-orders', stashDb('orders', ns), { 'data-0': oldOwner('orders'), 'data-1': oldOwner('orders') }));
  const before = await Promise.all(['data-0', 'data-1'].map((name) => rest.get<Obj>(pvcPath(ns, name))));

  for (const mode of ['client', 'server']) {
    const dry = await runFailover(['activate', '-n', ns, '--context', 'destination', `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr + dry.stdout);
    const label = mode === 'server' ? 'server dry run' : 'planned';
    assert.match(dry.stdout, `--- ${ns}/stashdb/orders (absent)\n+++ ${ns}/stashdb/orders (${label})`);
    assert.match(dry.stdout, '+  replicas: 3');
    assert.match(dry.stdout, `+++ ${ns}/persistentvolumeclaim/data-0 (${label})`);
    assert.match(dry.stdout, '+    - apiVersion: example.com/v1');
    if (mode === 'client') assert.match(dry.stdout, 'uid: <uid of stashdb/orders once created>');
    assert.match(dry.stdout, /stashdb\/orders\s+absent → created\s+would-change\s+from stashed in configmap stash-orders/);
    assert.match(dry.stdout, /persistentvolumeclaim\/data-1\s+no owner → owned by stashdb\/orders\s+would-change/);
  }
  const list = await rest.get<{ items: unknown[] }>(stashDbs(ns));
  assert.is(list.items.length, 0, 'no dry run created it');
  const untouched = await Promise.all(['data-0', 'data-1'].map((name) => rest.get<Obj>(pvcPath(ns, name))));
  assert.equal(untouched.map((pvc) => pvc.metadata.resourceVersion), before.map((pvc) => pvc.metadata.resourceVersion));

  const real = await runFailover(['activate', '-n', ns, '--context', 'destination', '-o', 'json'], box.env);
  assert.is(real.code, 0, real.stderr + real.stdout);
  const report = JSON.parse(real.stdout) as { objects: Array<{ kind: string; name: string; result: string; operation?: string }> };
  assert.equal(report.objects.map((row) => `${row.kind}/${row.name}:${row.result}:${row.operation ?? 'patch'}`), ['StashDB/orders:changed:create', 'PersistentVolumeClaim/data-0:changed:patch', 'PersistentVolumeClaim/data-1:changed:patch']);
  const orders = await rest.get<Obj>(`${stashDbs(ns)}/orders`);
  assert.is(orders.spec?.replicas, 3);
  assert.is.not(orders.metadata.uid, 'source-uid');
  for (const name of ['data-0', 'data-1']) {
    const pvc = await rest.get<Obj>(pvcPath(ns, name));
    assert.equal(pvc.metadata.ownerReferences, [{ apiVersion: 'example.com/v1', kind: 'StashDB', name: 'orders', uid: orders.metadata.uid, controller: true, blockOwnerDeletion: true }], name);
  }

  const owned = await Promise.all(['data-0', 'data-1'].map((name) => rest.get<Obj>(pvcPath(ns, name))));
  const again = await runFailover(['activate', '-n', ns, '--context', 'destination'], box.env);
  assert.is(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /stashdb\/orders\s+exists\s+unchanged\s+already exists/);
  assert.match(again.stdout, /persistentvolumeclaim\/data-0\s+owned by stashdb\/orders\s+unchanged\s+already owned by stashdb\/orders/);
  const after = await Promise.all(['data-0', 'data-1'].map((name) => rest.get<Obj>(pvcPath(ns, name))));
  assert.equal(after.map((pvc) => pvc.metadata.resourceVersion), owned.map((pvc) => pvc.metadata.resourceVersion));
  assert.is((await rest.get<Obj>(`${stashDbs(ns)}/orders`)).metadata.resourceVersion, orders.metadata.resourceVersion);
});

test('a stash that does not parse and an owner PVC that does not exist: failed rows, the rest restored, exit 1', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('example.com', 'stashdbs', 'StashDB', 'Namespaced', 'v1'));
  const ns = uniqueNamespace('stashbad');
  await ensureNamespace(rest, ns);
  await createPvc(rest, ns, 'data-0');
  await rest.create(`/api/v1/namespaces/${ns}/configmaps`, stashConfigMap('stash-garbled', '{"apiVersion": "example.com/v1", "kind": ', {}));
  await rest.create(`/api/v1/namespaces/${ns}/configmaps`, stashConfigMap('stash-billing', stashDb('billing', ns), { 'data-0': oldOwner('billing'), 'no-such-pvc': oldOwner('billing') }));
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '-o', 'json'], box.env);
  assert.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { objects: Array<{ kind: string; name: string; result: string; message?: string }> };
  const row = (kind: string, name: string) => report.objects.find((entry) => entry.kind === kind && entry.name === name);
  assert.is(row('ConfigMap', 'stash-garbled')?.result, 'failed');
  assert.match(row('ConfigMap', 'stash-garbled')?.message ?? '', 'stashed resource: data cr-runtime-object is not JSON');
  assert.is(row('StashDB', 'billing')?.result, 'changed');
  assert.is(row('PersistentVolumeClaim', 'data-0')?.result, 'changed');
  assert.is(row('PersistentVolumeClaim', 'no-such-pvc')?.result, 'failed');
  assert.match(row('PersistentVolumeClaim', 'no-such-pvc')?.message ?? '', 'not found (named in ownedPVCs of configmap stash-billing)');
  const billing = await rest.get<Obj>(`${stashDbs(ns)}/billing`);
  assert.is((await rest.get<Obj>(pvcPath(ns, 'data-0'))).metadata.ownerReferences?.[0]?.uid, billing.metadata.uid);
});

test.after(() => closeClients());
test.run();
