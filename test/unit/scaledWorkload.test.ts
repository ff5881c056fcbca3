import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planScaledWorkload } from '../../src/plan/rules/scaledWorkload';
import { parseReplicaCount } from '../../src/plan/rules/replicaCount';
import { REPLICAS, workload } from './fixtures';

const KEY = 'StatefulSet.apps';

test('activate scales to the recorded count, testing the values it relied on', () => {
  const plan = planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 0, annotations: { [REPLICAS]: '3' } }), KEY, 'activate');
  assert.is(plan.action, 'change');
  assert.equal(plan.changes, [{ path: ['spec', 'replicas'], from: 0, to: 3 }]);
  assert.equal(plan.preconditions, [
    { path: ['spec', 'replicas'], value: 0 },
    { path: ['metadata', 'annotations', REPLICAS], value: '3' },
  ]);
  assert.is(plan.from, '0');
  assert.is(plan.to, '3');
  assert.is(plan.readiness, 'replicas');
});

test('activate is a no-op when already at the recorded count', () => {
  const plan = planScaledWorkload(workload('Deployment', 'web', { replicas: 3, annotations: { [REPLICAS]: '3' } }), KEY, 'activate');
  assert.is(plan.action, 'unchanged');
  assert.equal(plan.changes, []);
});

test('activate skips objects without the annotation and says why', () => {
  const plan = planScaledWorkload(workload('Deployment', 'web', { replicas: 0 }), KEY, 'activate');
  assert.is(plan.action, 'skipped');
  assert.match(plan.reason ?? '', /no stork.libopenstorage.org\/migrationReplicas annotation/);
});

test('activate skips ReplicaSets owned by a Deployment', () => {
  const plan = planScaledWorkload(workload('ReplicaSet', 'web-5d9', { replicas: 0, owner: 'web', annotations: { [REPLICAS]: '2' } }), 'ReplicaSet.apps', 'activate');
  assert.is(plan.action, 'skipped');
  assert.match(plan.reason ?? '', /owned by deployment\/web/);
});

for (const [raw, problem] of [
  ['abc', /"abc" is not an integer/],
  ['-2', /"-2" is negative/],
  ['1.5', /not an integer/],
  ['', /is empty/],
  ['99999999999', /too large/],
  ['3 pods', /not an integer/],
] as const) {
  test(`activate reports a garbled annotation ${JSON.stringify(raw)} as an error naming the value`, () => {
    const plan = planScaledWorkload(workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: raw } }), KEY, 'activate');
    assert.is(plan.action, 'error');
    assert.match(plan.reason ?? '', problem);
    assert.equal(plan.changes, []);
  });
}

test('deactivate records the current count in the same change that scales to 0', () => {
  const plan = planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 5 }), KEY, 'deactivate');
  assert.is(plan.action, 'change');
  assert.equal(plan.changes, [
    { path: ['spec', 'replicas'], from: 5, to: 0 },
    { path: ['metadata', 'annotations', REPLICAS], from: undefined, to: '5' },
  ]);
  // A missing record is held too (test of null): one written meanwhile fails the patch instead of being overwritten.
  assert.equal(plan.preconditions, [
    { path: ['spec', 'replicas'], value: 5 },
    { path: ['metadata', 'annotations', REPLICAS], value: null },
  ]);
});

test('deactivate does not rewrite an annotation that already holds the count, but holds its value', () => {
  const plan = planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 3, annotations: { [REPLICAS]: '3' } }), KEY, 'deactivate');
  assert.equal(plan.changes, [{ path: ['spec', 'replicas'], from: 3, to: 0 }]);
  // Without this test a count recorded between our read and our write (77) would stay beside replicas 0.
  assert.equal(plan.preconditions, [
    { path: ['spec', 'replicas'], value: 3 },
    { path: ['metadata', 'annotations', REPLICAS], value: '3' },
  ]);
});

test('deactivate replaces an older or garbled record with the live count, and says so', () => {
  for (const recorded of ['3', 'abc']) {
    const plan = planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 5, annotations: { [REPLICAS]: recorded } }), KEY, 'deactivate');
    assert.is(plan.action, 'change');
    assert.equal(plan.changes[1], { path: ['metadata', 'annotations', REPLICAS], from: recorded, to: '5' });
    assert.is(plan.reason, `recorded count "${recorded}" replaced by the live count 5`);
  }
  assert.is(planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 5 }), KEY, 'deactivate').reason, undefined);
});

test('deactivate never overwrites a recorded count with 0', () => {
  const plan = planScaledWorkload(workload('StatefulSet', 'zk', { replicas: 0, annotations: { [REPLICAS]: '3' } }), KEY, 'deactivate');
  assert.is(plan.action, 'unchanged');
  assert.equal(plan.changes, []);
});

test('parseReplicaCount accepts plain non-negative integers only', () => {
  assert.equal(parseReplicaCount('0'), { ok: true, count: 0 });
  assert.equal(parseReplicaCount(' 12 '), { ok: true, count: 12 });
  assert.equal(parseReplicaCount('2147483647'), { ok: true, count: 2147483647 });
  assert.is(parseReplicaCount('2147483648').ok, false);
  assert.is(parseReplicaCount('0x10').ok, false);
  assert.is(parseReplicaCount('1e3').ok, false);
});

test.run();
