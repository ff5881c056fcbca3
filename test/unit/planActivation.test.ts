import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Json, KubeObject } from '../../src/kube/objects';
import { planActivation } from '../../src/plan/activation';
import { FIELD_MANAGER, FORCED_FIELD_MANAGER, namespaceProtection, onlyForcedRecord } from '../../src/plan/protection';
import type { NamespaceInfo } from '../../src/stork/migrationSchedule';
import { MIGRATED, REPLICAS, workload } from './fixtures';

const SCHEDULE_KEY = 'MigrationSchedule.stork.libopenstorage.org';

function schedule(name: string, namespace: string, template: Record<string, unknown>, annotations: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', metadata: { name, namespace, annotations }, spec: { template: { spec: template } } as KubeObject['spec'] };
}

const namespaces: NamespaceInfo[] = [
  { name: 'zookeeper', labels: { dr: 'gold' } },
  { name: 'shop', labels: {} },
  { name: 'kube-system', labels: {} },
  { name: 'admin', labels: {} },
];

test('activate -n sets applicationActivated only on schedules that migrate the namespace, wherever they live', () => {
  const plan = planActivation(
    {
      workloads: [{ object: workload('StatefulSet', 'zk', { replicas: 0, annotations: { [REPLICAS]: '3' } }), resourceKey: 'StatefulSet.apps' }],
      schedules: [
        schedule('by-list', 'admin', { namespaces: ['zookeeper'] }),
        schedule('by-label', 'admin', { namespaceSelectors: { dr: 'gold' } }),
        schedule('other', 'admin', { namespaces: ['shop'] }),
      ],
      namespaces,
      registeredKinds: [],
    },
    { direction: 'activate', namespaces: { all: false, names: ['zookeeper'] }, force: false },
  );
  const names = plan.objects.filter((object) => object.resourceKey === SCHEDULE_KEY).map((object) => object.ref.name);
  assert.equal(names, ['by-label', 'by-list']);
});

test('deactivate -A acts on protected namespaces only and records why the others are left out', () => {
  const plan = planActivation(
    {
      workloads: [
        { object: workload('Deployment', 'web', { replicas: 2, namespace: 'shop' }), resourceKey: 'Deployment.apps' },
        { object: workload('Deployment', 'coredns', { replicas: 2, namespace: 'kube-system' }), resourceKey: 'Deployment.apps' },
        { object: workload('StatefulSet', 'zk', { replicas: 3, namespace: 'zookeeper', annotations: { [MIGRATED]: 'true' } }), resourceKey: 'StatefulSet.apps' },
      ],
      schedules: [schedule('shop-dr', 'admin', { namespaces: ['shop'] })],
      namespaces,
      registeredKinds: [],
    },
    { direction: 'deactivate', namespaces: { all: true }, force: false },
  );
  const acted = plan.objects.filter((object) => object.resourceKey !== SCHEDULE_KEY).map((object) => `${object.ref.namespace}/${object.ref.name}`);
  assert.equal(acted, ['shop/web', 'zookeeper/zk']);
  // The source's original schedule is listed but never touched by deactivate.
  assert.equal(plan.objects.filter((object) => object.resourceKey === SCHEDULE_KEY).map((object) => object.action), ['skipped']);
  const kubeSystem = plan.scope.find((entry) => entry.namespace === 'kube-system');
  assert.is(kubeSystem?.included, false);
  assert.match(kubeSystem?.reason ?? '', /not protected/);
  assert.match(plan.scope.find((entry) => entry.namespace === 'shop')?.reason ?? '', /migrated by migrationschedule admin\/shop-dr/);
  assert.match(plan.scope.find((entry) => entry.namespace === 'zookeeper')?.reason ?? '', /holds objects migrated by Stork/);
});

test('deactivate -n of an unprotected namespace is refused, unless --force', () => {
  const input = {
    workloads: [{ object: workload('Deployment', 'coredns', { replicas: 2, namespace: 'kube-system' }), resourceKey: 'Deployment.apps' }],
    schedules: [],
    namespaces,
    registeredKinds: [],
  };
  const refused = planActivation(input, { direction: 'deactivate', namespaces: { all: false, names: ['kube-system'] }, force: false });
  assert.equal(refused.scope.map((entry) => [entry.included, entry.explicit]), [[false, true]]);
  assert.is(refused.objects.length, 0);
  const forced = planActivation(input, { direction: 'deactivate', namespaces: { all: false, names: ['kube-system'] }, force: true });
  assert.is(forced.objects.length, 1);
  assert.match(forced.scope[0]?.reason ?? '', /--force/);
});

test('deactivate leaves original schedules alone and clears static copies that migrate the namespace', () => {
  const activated = (object: KubeObject): KubeObject => ({ ...object, status: { applicationActivated: true } });
  const plan = planActivation(
    {
      workloads: [{ object: workload('StatefulSet', 'zk', { replicas: 3, annotations: { [REPLICAS]: '3', [MIGRATED]: 'true' } }), resourceKey: 'StatefulSet.apps' }],
      schedules: [
        activated(schedule('copy', 'zookeeper', { namespaces: ['zookeeper'] }, { 'stork.libopenstorage.org/static-copy': 'true' })),
        schedule('cleared-copy', 'zookeeper', { namespaces: ['zookeeper'] }, { 'stork.libopenstorage.org/static-copy': 'true' }),
        activated(schedule('original', 'zookeeper', { namespaces: ['zookeeper'] })),
        activated(schedule('elsewhere', 'zookeeper', { namespaces: ['shop'] }, { 'stork.libopenstorage.org/static-copy': 'true' })),
      ],
      namespaces,
      registeredKinds: [],
    },
    { direction: 'deactivate', namespaces: { all: false, names: ['zookeeper'] }, force: false },
  );
  const schedules = plan.objects.filter((object) => object.resourceKey === SCHEDULE_KEY).map((object) => [object.ref.name, object.action]);
  assert.equal(schedules, [
    ['cleared-copy', 'unchanged'],
    ['copy', 'change'],
    ['original', 'skipped'],
  ]);
  const copy = plan.objects.find((object) => object.ref.name === 'copy');
  assert.equal(copy?.changes, [{ path: ['status', 'applicationActivated'], from: true, to: false }]);
  assert.equal(copy?.preconditions, [{ path: ['status', 'applicationActivated'], value: true }]);
});

/** managedFields as the API server records them: one entry per manager, naming the fields it set. */
function managedBy(...entries: Array<{ manager: string; annotation?: boolean; replicas?: boolean }>): Json {
  return entries.map(({ manager, annotation, replicas }) => ({
    manager,
    operation: 'Update',
    apiVersion: 'apps/v1',
    time: '2026-11-25T18:00:00Z',
    fieldsType: 'FieldsV1',
    fieldsV1: {
      ...(annotation ? { 'f:metadata': { 'f:annotations': { '.': {}, [`f:${REPLICAS}`]: {} } } } : {}),
      ...(replicas ? { 'f:spec': { 'f:replicas': {} } } : {}),
    },
  }));
}

function recorded(namespace: string, managedFields?: Json): KubeObject {
  const object = workload('Deployment', 'tool', { replicas: 0, namespace, annotations: { [REPLICAS]: '2' } });
  if (managedFields !== undefined) object.metadata.managedFields = managedFields;
  return object;
}

test('onlyForcedRecord: true only when every manager of the migrationReplicas annotation is the forced deactivate', () => {
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: FORCED_FIELD_MANAGER, annotation: true, replicas: true }))), true);
  // Nobody is recorded as owning the annotation: nothing says it was forced, so it counts.
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: 'kubectl-create' }))), false);
  // Other managers owning other fields do not matter.
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: 'kubectl-create', replicas: true }, { manager: FORCED_FIELD_MANAGER, annotation: true }))), true);
  // Stork (or a plain deactivate) recorded the count too: it is a real record.
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: FORCED_FIELD_MANAGER, annotation: true }, { manager: 'stork', annotation: true }))), false);
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: FORCED_FIELD_MANAGER, annotation: true }, { manager: FIELD_MANAGER, annotation: true }))), false);
  // The forced run set only spec.replicas; someone else wrote the annotation.
  assert.is(onlyForcedRecord(recorded('shop', managedBy({ manager: FORCED_FIELD_MANAGER, replicas: true }, { manager: 'stork', annotation: true }))), false);
  // No managedFields (an old server, or stripped): nothing says it was forced, so it counts.
  assert.is(onlyForcedRecord(recorded('shop')), false);
  assert.is(onlyForcedRecord(recorded('shop', { not: 'a list' })), false);
});

test('the fence does not wear away: a count recorded only by deactivate --force leaves the namespace unprotected for deactivate -A', () => {
  const plan = planActivation(
    {
      workloads: [
        { object: recorded('shop', managedBy({ manager: FORCED_FIELD_MANAGER, annotation: true, replicas: true })), resourceKey: 'Deployment.apps' },
        { object: recorded('zookeeper', managedBy({ manager: 'stork', annotation: true })), resourceKey: 'Deployment.apps' },
      ],
      schedules: [],
      namespaces,
      registeredKinds: [],
    },
    { direction: 'deactivate', namespaces: { all: true }, force: false },
  );
  assert.equal(
    plan.scope.map((entry) => [entry.namespace, entry.included]),
    [
      ['shop', false],
      ['zookeeper', true],
    ],
  );
  assert.match(plan.scope[0]?.reason ?? '', /not protected/);
  assert.equal(plan.objects.map((object) => object.ref.namespace), ['zookeeper']);
});

test('namespaceProtection: selectors match labels; a namespace with neither schedule nor migrated objects is unprotected', () => {
  const protection = namespaceProtection(namespaces, [schedule('gold', 'admin', { namespaceSelectors: { dr: 'gold' } })], []);
  assert.is(protection.get('zookeeper')?.protected, true);
  assert.is(protection.get('shop')?.protected, false);
});

test.run();
