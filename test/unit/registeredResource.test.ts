import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../src/kube/objects';
import { planRegisteredResource } from '../../src/plan/rules/registeredResource';
import { registeredKinds, type RegisteredKind } from '../../src/stork/applicationRegistration';

const registration: KubeObject = {
  apiVersion: 'stork.libopenstorage.org/v1alpha1',
  kind: 'ApplicationRegistration',
  metadata: { name: 'db' },
  ...({
    resources: [
      {
        group: 'example.com',
        version: 'v1',
        kind: 'Database',
        suspendOptions: { path: 'spec.replicas', type: 'int', value: '0' },
        nestedSuspendOptions: [
          { path: 'spec.paused', type: 'bool' },
          { path: 'spec.mode', type: 'string', value: 'standby' },
        ],
      },
    ],
  } as object),
};

const kind = registeredKinds([registration])[0] as RegisteredKind;

function database(spec: Record<string, unknown>, annotations: Record<string, string>): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Database', metadata: { name: 'orders', namespace: 'shop', annotations }, spec: spec as KubeObject['spec'] };
}

test('registeredKinds reads suspendOptions and nestedSuspendOptions with their types', () => {
  assert.equal(
    kind.suspendOptions.map((option) => [option.path, option.type]),
    [
      ['spec.replicas', 'int'],
      ['spec.paused', 'bool'],
      ['spec.mode', 'string'],
    ],
  );
});

test('activate restores int and string paths from the first part of their annotation; bool paths become false', () => {
  const plan = planRegisteredResource(
    database({ replicas: 0, paused: true, mode: 'standby' }, { 'stork.libopenstorage.org/spec.replicas': '3,0', 'stork.libopenstorage.org/spec.mode': 'primary,standby', 'stork.libopenstorage.org/migrated': 'true' }),
    'Database.example.com',
    'activate',
    kind,
  );
  assert.is(plan.action, 'change');
  assert.equal(plan.changes, [
    { path: ['spec', 'replicas'], from: 0, to: 3 },
    { path: ['spec', 'paused'], from: true, to: false },
    { path: ['spec', 'mode'], from: 'standby', to: 'primary' },
  ]);
});

test('deactivate sets the suspend values and records the current value in the same change', () => {
  const plan = planRegisteredResource(database({ replicas: 5, paused: false, mode: 'primary' }, {}), 'Database.example.com', 'deactivate', kind);
  assert.equal(plan.changes, [
    { path: ['spec', 'replicas'], from: 5, to: 0 },
    { path: ['metadata', 'annotations', 'stork.libopenstorage.org/spec.replicas'], from: undefined, to: '5,0' },
    { path: ['spec', 'paused'], from: false, to: true },
    { path: ['spec', 'mode'], from: 'primary', to: 'standby' },
    { path: ['metadata', 'annotations', 'stork.libopenstorage.org/spec.mode'], from: undefined, to: 'primary,standby' },
  ]);
  // The records are held like the fields: one written meanwhile fails the patch instead of being overwritten.
  assert.equal(
    plan.preconditions.filter((condition) => condition.path[0] === 'metadata'),
    [
      { path: ['metadata', 'annotations', 'stork.libopenstorage.org/spec.replicas'], value: null },
      { path: ['metadata', 'annotations', 'stork.libopenstorage.org/spec.mode'], value: null },
    ],
  );
});

test('a garbled int annotation is an error naming the value; an object Stork did not migrate is skipped', () => {
  const garbled = planRegisteredResource(database({ replicas: 0 }, { 'stork.libopenstorage.org/spec.replicas': 'many,0' }), 'k', 'activate', kind);
  assert.is(garbled.action, 'error');
  assert.match(garbled.reason ?? '', '"many,0"');
  assert.is(planRegisteredResource(database({ replicas: 0 }, {}), 'k', 'activate', kind).action, 'skipped');
});

test('bool paths follow the registration value: a "false" suspend value (spec.running) is set true on activation', () => {
  const running: RegisteredKind = { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', registration: 'vm', suspendOptions: [{ path: 'spec.running', type: 'bool', value: 'false' }] };
  const vm: KubeObject = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name: 'db', namespace: 'vms', annotations: { 'stork.libopenstorage.org/migrated': 'true' } }, spec: { running: false } };
  assert.equal(planRegisteredResource(vm, 'k', 'activate', running).changes, [{ path: ['spec', 'running'], from: false, to: true }]);
  assert.equal(planRegisteredResource({ ...vm, spec: { running: true } }, 'k', 'deactivate', running).changes, [{ path: ['spec', 'running'], from: true, to: false }]);
});

test('int paths with no registered value suspend to 0, as Stork does; string paths use the recorded suspended half', () => {
  const kind: RegisteredKind = {
    group: 'example.com',
    version: 'v1',
    kind: 'Database',
    registration: 'db',
    suspendOptions: [
      { path: 'spec.replicas', type: 'int', value: '' },
      { path: 'spec.mode', type: 'string', value: 'standby' },
    ],
  };
  const plan = planRegisteredResource(database({ replicas: 2, mode: 'primary' }, { 'stork.libopenstorage.org/spec.mode': 'primary,paused' }), 'k', 'deactivate', kind);
  assert.equal(plan.changes, [
    { path: ['spec', 'replicas'], from: 2, to: 0 },
    { path: ['metadata', 'annotations', 'stork.libopenstorage.org/spec.replicas'], from: undefined, to: '2,0' },
    { path: ['spec', 'mode'], from: 'primary', to: 'paused' },
  ]);
});

test.run();
