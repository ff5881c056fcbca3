import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyPlans, predictResult, predictResults } from '../../src/io/apply';
import type { ApiResource } from '../../src/kube/resources';
import type { KubeObject } from '../../src/kube/objects';
import { planObject } from '../../src/plan/activation';
import { buildJsonPatch } from '../../src/plan/jsonPatch';
import { LAST_RUN_ANNOTATION } from '../../src/plan/marks';
import { lastRunStamp, stampChanges, stampObject } from '../../src/plan/stamp';
import { FakeApi } from '../support/fakeApi';
import { REPLICAS, workload } from './fixtures';

// The last-run stamp: an opt-in ApplyOptions.stamp adds kubectl-failover.dev/last-run to the very
// patch that makes the change; without it every request is exactly the plan's.

const DEPLOYMENTS: ApiResource = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true };
const resources = new Map([['Deployment.apps', DEPLOYMENTS]]);
const path = (name: string): string => `/apis/apps/v1/namespaces/zookeeper/deployments/${name}`;
const STAMP_POINTER = '/metadata/annotations/kubectl-failover.dev~1last-run';
const stamp = lastRunStamp('0123456789');

test('the stamp is one more annotation change after the plan’s own, its "/" escaped as ~1', () => {
  const live = workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  const plan = planObject(live, 'Deployment.apps', 'activate', []);
  const changes = stampChanges(live, plan.changes, stamp);
  assert.equal(changes.slice(0, plan.changes.length), plan.changes);
  assert.equal(changes.at(-1), { path: ['metadata', 'annotations', LAST_RUN_ANNOTATION], from: undefined, to: '0123456789' });
  const patch = buildJsonPatch(live, changes, plan.preconditions);
  assert.equal(patch.at(-1), { op: 'add', path: STAMP_POINTER, value: '0123456789' });
});

test('no annotations map: its absence is tested and the map is added whole with the stamp in it', () => {
  const live = workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  delete live.metadata.annotations;
  const patch = buildJsonPatch(live, stampChanges(live, [{ path: ['spec', 'replicas'], from: 0, to: 3 }], stamp), [{ path: ['spec', 'replicas'], value: 0 }]);
  assert.equal(patch, [
    { op: 'test', path: '/spec/replicas', value: 0 },
    { op: 'test', path: '/metadata/annotations', value: null },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/annotations', value: { [LAST_RUN_ANNOTATION]: '0123456789' } },
  ]);
});

test('a plan that creates the annotations map itself keeps it; the stamp is added into it', () => {
  const live = workload('Deployment', 'web', { replicas: 3 });
  const plan = planObject(live, 'Deployment.apps', 'deactivate', []);
  assert.is(plan.action, 'change');
  const patch = buildJsonPatch(live, stampChanges(live, plan.changes, stamp), plan.preconditions);
  assert.equal(patch.filter((op) => op.path.startsWith('/metadata/annotations')).map((op) => op.op), ['test', 'add', 'add']);
  assert.equal(patch.at(-1), { op: 'add', path: STAMP_POINTER, value: '0123456789' });
});

test('a previous run’s stamp is replaced; the same run’s adds nothing; a key the plan changes is the plan’s', () => {
  const previous = workload('Deployment', 'web', { replicas: 0, annotations: { [LAST_RUN_ANNOTATION]: 'aaaaaaaaaa' } });
  assert.equal(buildJsonPatch(previous, stampChanges(previous, [], stamp), []), [{ op: 'replace', path: STAMP_POINTER, value: '0123456789' }]);
  const same = workload('Deployment', 'web', { replicas: 0, annotations: { [LAST_RUN_ANNOTATION]: '0123456789' } });
  assert.equal(stampChanges(same, [], stamp), []);
  const own = [{ path: ['metadata', 'annotations', LAST_RUN_ANNOTATION], from: undefined, to: 'bbbbbbbbbb' }];
  assert.equal(stampChanges(previous, own, stamp), own);
  assert.equal(stampChanges(previous, own, undefined), own);
});

test('an object to create carries the stamp, over a stale one it was stashed with', () => {
  const object: KubeObject = { apiVersion: 'ibp.com/v1beta1', kind: 'IBPPeer', metadata: { name: 'peer', annotations: { [LAST_RUN_ANNOTATION]: 'aaaaaaaaaa', other: 'x' } } };
  assert.equal(stampObject(object, stamp).metadata.annotations, { [LAST_RUN_ANNOTATION]: '0123456789', other: 'x' });
  assert.is(stampObject(object, undefined), object);
});

test('applyPlans with a stamp: one PATCH holds the change and the stamp; the object ends stamped', async () => {
  const live = workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  const api = new FakeApi();
  api.put(path('web'), live);
  const sent: unknown[] = [];
  api.before = (request) => void (request.method === 'PATCH' && sent.push(request.body));
  const replan = (object: KubeObject) => planObject(object, 'Deployment.apps', 'activate', []);
  const [result] = await applyPlans(api, resources, [replan(live)], { serverDryRun: false, concurrency: 1, replan, stamp });
  assert.is(result?.outcome, 'changed');
  assert.is(sent.length, 1);
  assert.equal(result?.patch?.at(-1), { op: 'add', path: STAMP_POINTER, value: '0123456789' });
  assert.equal(api.get(path('web'))?.metadata.annotations, { [REPLICAS]: '3', [LAST_RUN_ANNOTATION]: '0123456789' });
  assert.is(api.get(path('web'))?.spec?.replicas, 3);
});

test('applyPlans with a stamp re-stamps a re-plan after a concurrent edit', async () => {
  const live = workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  const api = new FakeApi();
  api.put(path('web'), live);
  api.before = (request, count) => {
    const object = api.get(path('web'));
    if (request.method === 'PATCH' && count === 1 && object?.metadata.annotations) object.metadata.annotations[REPLICAS] = '5';
  };
  const replan = (object: KubeObject) => planObject(object, 'Deployment.apps', 'activate', []);
  const [result] = await applyPlans(api, resources, [replan(live)], { serverDryRun: false, concurrency: 1, replan, stamp });
  assert.is(result?.outcome, 'changed');
  assert.is(api.get(path('web'))?.metadata.annotations?.[LAST_RUN_ANNOTATION], '0123456789');
});

test('without a stamp nothing changes: the patch is exactly the plan’s, for apply and the client-side prediction', async () => {
  const live = workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  const plan = planObject(live, 'Deployment.apps', 'activate', []);
  const api = new FakeApi();
  api.put(path('web'), live);
  const [result] = await applyPlans(api, resources, [plan], { serverDryRun: false, concurrency: 1, replan: (object) => planObject(object, 'Deployment.apps', 'activate', []) });
  const expected = buildJsonPatch(live, plan.changes, plan.preconditions);
  assert.equal(result?.patch, expected);
  assert.equal(predictResult(plan).patch, expected);
  assert.equal(predictResults([plan], undefined)[0]?.patch, expected);
  assert.equal(predictResults([plan], stamp)[0]?.patch?.at(-1), { op: 'add', path: STAMP_POINTER, value: '0123456789' });
  assert.is(api.get(path('web'))?.metadata.annotations?.[LAST_RUN_ANNOTATION], undefined);
});

test.run();
