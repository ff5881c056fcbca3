import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { applyChanges, buildJsonPatch } from '../../src/plan/jsonPatch';
import { REPLICAS, workload } from './fixtures';

test('tests come first, then replace for an existing field', () => {
  const live = workload('StatefulSet', 'zk', { replicas: 0, annotations: { [REPLICAS]: '3' } });
  const ops = buildJsonPatch(live, [{ path: ['spec', 'replicas'], from: 0, to: 3 }], [{ path: ['spec', 'replicas'], value: 0 }]);
  assert.equal(ops, [
    { op: 'test', path: '/spec/replicas', value: 0 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
  ]);
});

test('annotation keys are escaped as JSON pointers', () => {
  const live = workload('StatefulSet', 'zk', { replicas: 3, annotations: { other: 'x' } });
  const ops = buildJsonPatch(live, [{ path: ['metadata', 'annotations', REPLICAS], from: undefined, to: '3' }], []);
  assert.equal(ops, [{ op: 'add', path: '/metadata/annotations/stork.libopenstorage.org~1migrationReplicas', value: '3' }]);
});

test('a missing annotations map is created whole, its absence held by a test of null', () => {
  const live = workload('StatefulSet', 'zk', { replicas: 3 });
  const ops = buildJsonPatch(live, [{ path: ['metadata', 'annotations', REPLICAS], from: undefined, to: '3' }], [{ path: ['spec', 'replicas'], value: 3 }]);
  assert.equal(ops, [
    { op: 'test', path: '/spec/replicas', value: 3 },
    { op: 'test', path: '/metadata/annotations', value: null },
    { op: 'add', path: '/metadata/annotations', value: { [REPLICAS]: '3' } },
  ]);
});

test('a missing member is held by a test of null; with its parent missing too, the parent is tested instead (the server fails a test below a missing parent)', () => {
  const key = ['metadata', 'annotations', REPLICAS];
  const withMap = workload('StatefulSet', 'zk', { replicas: 3, annotations: { other: 'x' } });
  assert.equal(buildJsonPatch(withMap, [{ path: ['spec', 'replicas'], from: 3, to: 0 }], [{ path: key, value: null }]), [
    { op: 'test', path: '/metadata/annotations/stork.libopenstorage.org~1migrationReplicas', value: null },
    { op: 'replace', path: '/spec/replicas', value: 0 },
  ]);
  const withoutMap = workload('StatefulSet', 'zk', { replicas: 3 });
  assert.equal(buildJsonPatch(withoutMap, [{ path: key, from: undefined, to: '3' }], [{ path: key, value: null }]), [
    { op: 'test', path: '/metadata/annotations', value: null },
    { op: 'add', path: '/metadata/annotations', value: { [REPLICAS]: '3' } },
  ]);
});

test('two fields under one missing parent: the second is added into the parent the first created', () => {
  const live = workload('StatefulSet', 'zk', { replicas: 3 });
  const ops = buildJsonPatch(
    live,
    [
      { path: ['status', 'a'], from: undefined, to: true },
      { path: ['status', 'b'], from: undefined, to: 1 },
    ],
    [],
  );
  assert.equal(ops, [
    { op: 'test', path: '/status', value: null },
    { op: 'add', path: '/status', value: { a: true } },
    { op: 'add', path: '/status/b', value: 1 },
  ]);
});

test('applyChanges gives the planned object without touching the live one', () => {
  const live = workload('StatefulSet', 'zk', { replicas: 0 });
  const after = applyChanges(live, [{ path: ['spec', 'replicas'], from: 0, to: 3 }]);
  assert.is(after.spec?.replicas, 3);
  assert.is(live.spec?.replicas, 0);
});

test.run();
