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
  assert.match(kubeSystem?.reason ?? '', /system namespace/);
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

const standby = (name: string, namespace = 'zookeeper') => ({ object: workload('StatefulSet', name, { replicas: 0, namespace, annotations: { [REPLICAS]: '3' } }), resourceKey: 'StatefulSet.apps' });
const running = (name: string, namespace = 'zookeeper') => ({ object: workload('Deployment', name, { replicas: 2, namespace }), resourceKey: 'Deployment.apps' });
const schedulePlans = (plan: ReturnType<typeof planActivation>) => plan.objects.filter((object) => object.resourceKey === SCHEDULE_KEY).map((object) => [object.ref.name, object.action]);

test('with -l, a schedule is changed only when the selection holds every workload of its namespaces the verb acts on', () => {
  const schedules = [schedule('dr', 'admin', { namespaces: ['zookeeper'] })];
  const request = { direction: 'activate' as const, namespaces: { all: false as const, names: ['zookeeper'] }, force: false };
  const base = { schedules, namespaces, registeredKinds: [] };
  // No -l: the workloads read are all there are.
  assert.equal(schedulePlans(planActivation({ ...base, workloads: [standby('zk')] }, request)), [['dr', 'change']]);
  // -l selecting all of them.
  assert.equal(schedulePlans(planActivation({ ...base, workloads: [standby('zk')], unfilteredWorkloads: [standby('zk')] }, request)), [['dr', 'change']]);
  // -l matching nothing: nothing started, so Stork must keep replicating the namespace.
  const none = planActivation({ ...base, workloads: [], unfilteredWorkloads: [standby('zk')] }, request);
  assert.equal(schedulePlans(none), [['dr', 'skipped']]);
  assert.match(none.objects[0]?.reason ?? '', '-l selects 0 of the 1 workloads to activate in namespace zookeeper (not selected: zookeeper/statefulset/zk)');
  assert.equal(none.warnings, [
    'migrationschedule admin/dr left as it is: -l selects 0 of the 1 workloads to activate in namespace zookeeper (not selected: zookeeper/statefulset/zk); select them all (or drop -l) to mark it activated',
  ]);
  // -l selecting part of them; a workload activate would skip (no record) does not count.
  const unrecorded = { object: workload('Deployment', 'tool', { replicas: 0 }), resourceKey: 'Deployment.apps' };
  const part = planActivation({ ...base, workloads: [standby('zk')], unfilteredWorkloads: [standby('zk'), standby('kafka'), unrecorded] }, request);
  assert.equal(schedulePlans(part), [['dr', 'skipped']]);
  assert.match(part.objects.find((object) => object.resourceKey === SCHEDULE_KEY)?.reason ?? '', '1 of the 2 workloads to activate in namespace zookeeper (not selected: zookeeper/statefulset/kafka)');
  // The workloads selected are still planned as usual.
  assert.equal(part.objects.filter((object) => object.resourceKey !== SCHEDULE_KEY).map((object) => [object.ref.name, object.action]), [['zk', 'change']]);
});

test('deactivate -l: a static copy is cleared only when the selection holds every workload deactivate acts on there', () => {
  const schedules = [schedule('copy', 'zookeeper', { namespaces: ['zookeeper'] }, { 'stork.libopenstorage.org/static-copy': 'true' })];
  const activated = schedules.map((entry) => ({ ...entry, status: { applicationActivated: true } }));
  const request = { direction: 'deactivate' as const, namespaces: { all: false as const, names: ['zookeeper'] }, force: false };
  const input = { schedules: activated, namespaces, registeredKinds: [], workloads: [{ ...running('web'), object: { ...running('web').object, metadata: { ...running('web').object.metadata, annotations: { [MIGRATED]: 'true' } } } }] };
  assert.equal(schedulePlans(planActivation({ ...input, unfilteredWorkloads: [...input.workloads, running('api')] }, request)), [['copy', 'skipped']]);
  assert.equal(schedulePlans(planActivation({ ...input, unfilteredWorkloads: input.workloads }, request)), [['copy', 'change']]);
});

test('system namespaces: -A never acts on workloads there, whatever a schedule lists; only -n with --force reaches them (deactivate)', () => {
  const schedules = [schedule('admin-dr', 'kube-system', { namespaces: ['kube-system', 'shop'] })];
  const workloads = [running('coredns', 'kube-system'), running('web', 'shop')];
  const all = planActivation({ workloads, schedules, namespaces, registeredKinds: [] }, { direction: 'deactivate', namespaces: { all: true }, force: false });
  assert.equal(all.objects.filter((object) => object.resourceKey !== SCHEDULE_KEY).map((object) => `${object.ref.namespace}/${object.ref.name}`), ['shop/web']);
  assert.equal(all.scope.find((entry) => entry.namespace === 'kube-system'), { namespace: 'kube-system', included: false, reason: "system namespace (Kubernetes' own)", explicit: false });
  // The schedule kept in kube-system is still read and planned (deactivate leaves originals alone).
  assert.equal(schedulePlans(all), [['admin-dr', 'skipped']]);

  const named = planActivation({ workloads, schedules, namespaces, registeredKinds: [] }, { direction: 'deactivate', namespaces: { all: false, names: ['kube-system'] }, force: false });
  assert.equal(named.scope.map((entry) => [entry.included, entry.explicit]), [[false, true]]);
  const forced = planActivation({ workloads, schedules, namespaces, registeredKinds: [] }, { direction: 'deactivate', namespaces: { all: false, names: ['kube-system'] }, force: true });
  assert.equal(forced.objects.filter((object) => object.resourceKey !== SCHEDULE_KEY).map((object) => object.ref.name), ['coredns']);
  assert.is(forced.scope[0]?.forced, true);

  // activate -A: a system namespace holding a recorded workload is left out and listed; one holding none is not listed.
  const activate = planActivation(
    { workloads: [standby('dns-cache', 'kube-system'), running('coredns', 'kube-public'), standby('zk')], schedules, namespaces, registeredKinds: [] },
    { direction: 'activate', namespaces: { all: true }, force: false },
  );
  assert.equal(activate.objects.filter((object) => object.resourceKey !== SCHEDULE_KEY).map((object) => object.ref.name), ['zk']);
  assert.equal(activate.scope.map((entry) => [entry.namespace, entry.included]), [['kube-system', false], ['zookeeper', true]]);
});

test.run();
