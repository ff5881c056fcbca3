import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { createIn, ensureNamespace, migrationSchedule } from '../../scripts/sandbox/seeds';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Pod {
  metadata: { resourceVersion: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
}

const ringPath = (ns: string, name = ''): string => `/apis/example.com/v1/namespaces/${ns}/rings${name ? `/${name}` : ''}`;
const podPath = (ns: string, name: string): string => `/api/v1/namespaces/${ns}/pods/${name}`;

/** Rings are registered like Stork's default couchbase entry: a bool suspend path and a podsPath. */
async function registerRings(rest: SandboxRest): Promise<void> {
  await registerCrd(rest, crdManifest('example.com', 'rings', 'Ring', 'Namespaced', 'v1'));
  await rest.ensure('/apis/stork.libopenstorage.org/v1alpha1/applicationregistrations', {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'ApplicationRegistration',
    metadata: { name: 'rings' },
    resources: [{ group: 'example.com', version: 'v1', kind: 'Ring', keepStatus: false, suspendOptions: { path: 'spec.paused', type: 'bool', value: 'true' }, podsPath: 'status.members.ready' }],
  });
}

/** The sandbox has no kubelet: a pod bound to a node stays, marked for deletion, once deleted gracefully. */
async function createPod(rest: SandboxRest, ns: string, name: string, grace?: number): Promise<void> {
  await rest.create(`/api/v1/namespaces/${ns}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: 'sandbox-node', containers: [{ name: 'main', image: 'sandbox/ring' }], ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }) },
  });
}

async function protectedNamespace(rest: SandboxRest, prefix: string): Promise<string> {
  const ns = uniqueNamespace(prefix);
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  return ns;
}

test('deactivate suspends a registered resource, then deletes the pods its podsPath lists with their own grace period; dry runs delete nothing', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  await registerRings(rest);
  const ns = await protectedNamespace(rest, 'ring');
  await createPod(rest, ns, 'ring-0', 45);
  await createPod(rest, ns, 'ring-1');
  await createPod(rest, ns, 'bystander');
  await rest.create(ringPath(ns), { apiVersion: 'example.com/v1', kind: 'Ring', metadata: { name: 'ring' }, spec: { paused: false }, status: { members: { ready: ['ring-0', 'ring-1', 'ring-gone'] } } });
  const before = await Promise.all(['ring-0', 'ring-1'].map((name) => rest.get<Pod>(podPath(ns, name))));

  for (const mode of ['client', 'server']) {
    const dry = await runFailover(['deactivate', '-n', ns, '--context', 'source', `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr + dry.stdout);
    assert.match(dry.stdout, `--- ${ns}/pod/ring-0 (live)\n+++ ${ns}/pod/ring-0 (${mode === 'server' ? 'server dry run' : 'planned'}: deleted)`);
    assert.match(dry.stdout, /pod\/ring-0\s+\S+ → deleted\s+would-change\s+listed in status.members.ready of ring\/ring; grace period 45s \(the pod's own\)/);
    assert.match(dry.stdout, /pod\/ring-1\s+.*grace period 30s \(the pod's own\)/);
  }
  const untouched = await Promise.all(['ring-0', 'ring-1'].map((name) => rest.get<Pod>(podPath(ns, name))));
  assert.equal(untouched.map((pod) => pod.metadata.resourceVersion), before.map((pod) => pod.metadata.resourceVersion));
  assert.is(untouched[0]?.metadata.deletionTimestamp, undefined);

  const real = await runFailover(['deactivate', '-n', ns, '--context', 'source', '-o', 'json'], box.env);
  assert.is(real.code, 0, real.stderr + real.stdout);
  const report = JSON.parse(real.stdout) as { objects: Array<{ kind: string; name: string; result: string; operation?: string; message?: string }> };
  const rows = report.objects.filter((row) => row.kind !== 'MigrationSchedule').map((row) => `${row.kind}/${row.name}:${row.result}:${row.operation ?? 'patch'}`);
  // The resource is suspended first; its pods follow.
  assert.equal(rows, ['Ring/ring:changed:patch', 'Pod/ring-0:changed:delete', 'Pod/ring-1:changed:delete', 'Pod/ring-gone:unchanged:delete']);
  assert.is((await rest.get<{ spec: { paused: boolean } }>(ringPath(ns, 'ring'))).spec.paused, true);
  const ring0 = await rest.get<Pod>(podPath(ns, 'ring-0'));
  assert.ok(ring0.metadata.deletionTimestamp, 'ring-0 is being deleted');
  assert.is(ring0.metadata.deletionGracePeriodSeconds, 45, "the pod's own grace period, not 0");
  assert.is((await rest.get<Pod>(podPath(ns, 'ring-1'))).metadata.deletionGracePeriodSeconds, 30);
  assert.is((await rest.get<Pod>(podPath(ns, 'bystander'))).metadata.deletionTimestamp, undefined, 'a pod the resource does not list is left alone');

  const again = await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env);
  assert.is(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /pod\/ring-0\s+terminating\s+unchanged\s+already being deleted/);
});

test('a podsPath that is not a list of pod names: a failed row, the resource still suspended, exit 1', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  await registerRings(rest);
  const ns = await protectedNamespace(rest, 'ringbad');
  await rest.create(ringPath(ns), { apiVersion: 'example.com/v1', kind: 'Ring', metadata: { name: 'odd' }, spec: { paused: false }, status: { members: { ready: 'odd-0' } } });
  const run = await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env);
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /pod\/\(status.members.ready of ring\/odd\)\s+failed\s+podsPath status.members.ready is not a list of pod names \(found "odd-0"\)/);
  assert.is((await rest.get<{ spec: { paused: boolean } }>(ringPath(ns, 'odd'))).spec.paused, true);
});

test.after(() => closeClients());
test.run();
