import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ApiError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import { FakeApi, fakeClusters, fakeClock, workloadController } from '../support/fakeApi';

// The fake API server's own verbs: a unit test that relies on one must be able to trust it.

const migrations = '/apis/stork.libopenstorage.org/v1alpha1/namespaces/app/migrations';
const migration = (name: string): KubeObject => ({ apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'Migration', metadata: { name }, spec: { namespaces: ['app'] } });

async function status(work: Promise<unknown>): Promise<[number, string]> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ApiError) return [error.statusCode, error.reason];
    throw error;
  }
  return [200, ''];
}

test('POST: created into its collection with uid, resourceVersion, creationTimestamp and the namespace of the path; a taken name is 409 AlreadyExists', async () => {
  const clock = fakeClock(Date.parse('2025-06-01T12:00:00Z'));
  const api = new FakeApi({ now: clock.now });
  const created = await api.request<KubeObject>({ method: 'POST', path: migrations, body: migration('m1') });
  assert.is(created.metadata.namespace, 'app');
  assert.is(created.metadata.creationTimestamp, '2025-06-01T12:00:00.000Z');
  assert.ok(created.metadata.uid && created.metadata.resourceVersion);
  assert.equal(api.get(`${migrations}/m1`), created);
  assert.equal(await status(api.request({ method: 'POST', path: migrations, body: migration('m1') })), [409, 'AlreadyExists']);
  const list = await api.request<{ items: KubeObject[] }>({ method: 'GET', path: migrations });
  assert.equal(list.items.map((item) => item.metadata.name), ['m1']);
});

test('dryRun=All: POST, PATCH and DELETE answer as the server would and store nothing', async () => {
  const api = new FakeApi();
  const dry = await api.request<KubeObject>({ method: 'POST', path: migrations, body: migration('m1'), query: { dryRun: 'All' } });
  assert.is(dry.metadata.name, 'm1');
  assert.is(api.get(`${migrations}/m1`), undefined);
  await api.request({ method: 'POST', path: migrations, body: migration('m1') });
  const before = structuredClone(api.get(`${migrations}/m1`));
  const patched = await api.request<KubeObject>({ method: 'PATCH', path: `${migrations}/m1`, body: [{ op: 'add', path: '/spec/startApplications', value: false }], query: { dryRun: 'All' } });
  assert.is(patched.spec?.startApplications, false);
  await api.request({ method: 'DELETE', path: `${migrations}/m1`, body: { apiVersion: 'v1', kind: 'DeleteOptions', dryRun: ['All'] } });
  assert.equal(api.get(`${migrations}/m1`), before);
  assert.equal(api.writes().map((entry) => [entry.method, entry.dryRun ?? false]), [['POST', true], ['POST', false], ['PATCH', true], ['DELETE', true]]);
});

test('DELETE: gone afterwards; absent is 404; a uid precondition that does not hold is 409 and deletes nothing', async () => {
  const api = new FakeApi();
  const created = await api.request<KubeObject>({ method: 'POST', path: migrations, body: migration('m1') });
  assert.equal(await status(api.request({ method: 'DELETE', path: `${migrations}/m1`, body: { preconditions: { uid: 'another' } } })), [409, 'Conflict']);
  assert.ok(api.get(`${migrations}/m1`));
  await api.request({ method: 'DELETE', path: `${migrations}/m1`, body: { preconditions: { uid: created.metadata.uid } } });
  assert.is(api.get(`${migrations}/m1`), undefined);
  assert.equal(await status(api.request({ method: 'DELETE', path: `${migrations}/m1` })), [404, 'NotFound']);
  assert.equal(await status(api.request({ method: 'GET', path: `${migrations}/m1` })), [404, 'NotFound']);
});

test('PATCH bumps resourceVersion; a GET of a missing object is 404 whatever its name ends with, a collection lists', async () => {
  const api = new FakeApi();
  api.put('/api/v1/namespaces/app/configmaps/settings', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'app', resourceVersion: '5' } });
  const after = await api.request<KubeObject>({ method: 'PATCH', path: '/api/v1/namespaces/app/configmaps/settings', body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] });
  assert.is.not(after.metadata.resourceVersion, '5');
  assert.equal(await status(api.request({ method: 'GET', path: '/api/v1/namespaces/app/configmaps/others' })), [404, 'NotFound']);
  assert.equal((await api.request<{ items: KubeObject[] }>({ method: 'GET', path: '/api/v1/namespaces/app/pods' })).items, []);
});

test('LIST honours equality-based label selectors', async () => {
  const api = new FakeApi();
  const put = (name: string, labels: Record<string, string>): void => api.put(`/api/v1/namespaces/app/configmaps/${name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'app', labels } });
  put('stash', { 'stash-cr': 'true', app: 'db' });
  put('plain', { app: 'web' });
  const names = async (labelSelector: string): Promise<string[]> => (await api.request<{ items: KubeObject[] }>({ method: 'GET', path: '/api/v1/namespaces/app/configmaps', query: { labelSelector } })).items.map((item) => item.metadata.name);
  assert.equal(await names('stash-cr'), ['stash']);
  assert.equal(await names('!stash-cr'), ['plain']);
  assert.equal(await names('app=web'), ['plain']);
  assert.equal(await names('app!=web'), ['stash']);
  assert.equal(await names('stash-cr,app=web'), []);
});

test('two fakes are two clusters: their own kube-system uid, /version, access reviews allowed unless told otherwise', async () => {
  const a = new FakeApi({ serverUrl: 'https://a.invalid' });
  const b = new FakeApi({ serverUrl: 'https://b.invalid' });
  const uid = async (api: FakeApi): Promise<string | undefined> => (await api.request<KubeObject>({ method: 'GET', path: '/api/v1/namespaces/kube-system' })).metadata.uid;
  assert.is.not(await uid(a), await uid(b));
  assert.is((await a.request<{ gitVersion: string }>({ method: 'GET', path: '/version' })).gitVersion, 'v1.30.0');
  const review = (verb: string) => a.request<{ status: { allowed: boolean } }>({ method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', body: { spec: { resourceAttributes: { verb, resource: 'statefulsets', group: 'apps', namespace: 'app' } } } });
  assert.is((await review('patch')).status.allowed, true);
  a.allow = (attributes) => attributes.verb !== 'patch';
  assert.equal([(await review('patch')).status.allowed, (await review('get')).status.allowed], [false, true]);
  assert.equal(a.writes(), [], 'reviews write nothing');
  const deps = fakeClusters({ source: a, destination: b }, fakeClock());
  assert.equal([(await deps.cluster('source')).api, (await deps.cluster('destination')).api, (await deps.cluster()).api], [a, b, a]);
  assert.is((await deps.cluster('destination')).kubeContext.server, 'https://b.invalid');
  await deps.cluster('elsewhere').then(() => assert.unreachable(), (error: unknown) => assert.match((error as Error).message, 'context "elsewhere" not found'));
});

test('workloadController: status follows spec.replicas on each write, and a StatefulSet loses its pods beyond the count', async () => {
  const api = new FakeApi();
  api.controllers.push(workloadController);
  const path = '/apis/apps/v1/namespaces/app/statefulsets/zk';
  api.put(path, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'zk', namespace: 'app', generation: 1 }, spec: { replicas: 2 } });
  for (const pod of ['zk-0', 'zk-1']) api.put(`/api/v1/namespaces/app/pods/${pod}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: pod, namespace: 'app' } });
  await api.request({ method: 'PATCH', path, body: [{ op: 'replace', path: '/spec/replicas', value: 1 }] });
  assert.equal(api.get(path)?.status, { observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1, updatedReplicas: 1 });
  assert.equal([...api.objects.keys()].filter((key) => key.includes('/pods/')), ['/api/v1/namespaces/app/pods/zk-0']);
});

test.run();
