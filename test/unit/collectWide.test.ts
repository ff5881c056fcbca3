import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/core/errors';
import { collectSnapshot, WIDE_READ_THRESHOLD } from '../../src/io/collect';
import { ApiError } from '../../src/kube/errors';
import { FakeApi } from '../support/fakeApi';

const names = Array.from({ length: WIDE_READ_THRESHOLD + 4 }, (_, index) => `ns-${String(index).padStart(2, '0')}`);

function cluster(): FakeApi {
  const api = new FakeApi();
  for (const namespace of [...names, 'other']) {
    api.put(`/api/v1/namespaces/${namespace}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    api.put(`/apis/apps/v1/namespaces/${namespace}/deployments/app`, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'app', namespace }, spec: { replicas: 1 } });
  }
  return api;
}

const perNamespaceLists = (api: FakeApi): number => api.log.filter((entry) => /^\/apis\/apps\/v1\/namespaces\/[^/]+\/deployments$/.test(entry.path)).length;

test('many named namespaces: one cluster-wide LIST per kind, filtered to them', async () => {
  const api = cluster();
  const snapshot = await collectSnapshot(api, { namespaces: { all: false, names } });
  assert.equal(snapshot.workloads.map(({ object }) => object.metadata.namespace).sort(), names);
  assert.equal(snapshot.namespaces.map((namespace) => namespace.name), names);
  assert.is(perNamespaceLists(api), 0);
  assert.ok(api.log.some((entry) => entry.path === '/apis/apps/v1/deployments'));
  assert.not.ok(api.log.some((entry) => entry.path.startsWith('/api/v1/namespaces/')), 'no GET per namespace');
});

test('many named namespaces, one missing: the same usage error as one by one', async () => {
  const api = cluster();
  const error = await collectSnapshot(api, { namespaces: { all: false, names: [...names, 'gone'] } }).catch((caught: unknown) => caught);
  assert.instance(error, UsageError);
  assert.is((error as Error).message, 'namespace "gone" not found');
});

test('cluster-wide reads forbidden (RBAC per namespace): each namespace is read', async () => {
  const api = cluster();
  api.before = (request) => {
    if (request.method === 'GET' && (request.path === '/apis/apps/v1/deployments' || request.path === '/api/v1/namespaces')) throw new ApiError(403, { reason: 'Forbidden', message: 'forbidden' }, 'GET', request.path);
  };
  const snapshot = await collectSnapshot(api, { namespaces: { all: false, names } });
  assert.is(snapshot.workloads.length, names.length);
  assert.is(perNamespaceLists(api), names.length);
});

test('few named namespaces: read one by one, as before', async () => {
  const api = cluster();
  const snapshot = await collectSnapshot(api, { namespaces: { all: false, names: ['ns-00', 'ns-01'] } });
  assert.is(snapshot.workloads.length, 2);
  assert.is(perNamespaceLists(api), 2);
});

test.run();
