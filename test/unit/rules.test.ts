import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../src/kube/objects';
import { planCronJob } from '../../src/plan/rules/cronJob';
import { planScheduleActivation } from '../../src/plan/rules/migrationSchedule';
import { planVirtualMachine } from '../../src/plan/rules/virtualMachine';
import { MIGRATED, workload } from './fixtures';

test('cronjob: activate resumes a migrated, suspended CronJob', () => {
  const plan = planCronJob(workload('CronJob', 'backup', { annotations: { [MIGRATED]: 'true' }, spec: { suspend: true } }), 'CronJob.batch', 'activate');
  assert.is(plan.action, 'change');
  assert.equal(plan.changes, [{ path: ['spec', 'suspend'], from: true, to: false }]);
  assert.equal(plan.preconditions, [{ path: ['spec', 'suspend'], value: true }]);
});

test('cronjob: activate leaves a CronJob Stork did not migrate alone, and says so', () => {
  const plan = planCronJob(workload('CronJob', 'report', { spec: { suspend: true } }), 'CronJob.batch', 'activate');
  assert.is(plan.action, 'skipped');
  assert.match(plan.reason ?? '', /not migrated by Stork/);
});

test('cronjob: deactivate suspends an active CronJob; an already suspended one is unchanged', () => {
  const active = planCronJob(workload('CronJob', 'backup', { spec: { suspend: false } }), 'CronJob.batch', 'deactivate');
  assert.equal(active.changes, [{ path: ['spec', 'suspend'], from: false, to: true }]);
  const suspended = planCronJob(workload('CronJob', 'backup', { spec: { suspend: true } }), 'CronJob.batch', 'deactivate');
  assert.is(suspended.action, 'unchanged');
});

function schedule(annotations: Record<string, string> = {}, status?: Record<string, boolean>): KubeObject {
  const object: KubeObject = {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'MigrationSchedule',
    metadata: { name: 'daily', namespace: 'admin', annotations },
    spec: { template: { spec: { namespaces: ['zookeeper'] } } },
  };
  if (status) object.status = status;
  return object;
}

test('schedule: activate sets status.applicationActivated, creating status when absent', () => {
  const plan = planScheduleActivation(schedule(), 'MigrationSchedule.stork.libopenstorage.org', 'activate');
  assert.is(plan.action, 'change');
  assert.equal(plan.changes, [{ path: ['status', 'applicationActivated'], from: undefined, to: true }]);
  assert.equal(plan.preconditions, []);
});

test('schedule: deactivate clears the flag on a static copy only', () => {
  const copy = planScheduleActivation(schedule({ 'stork.libopenstorage.org/static-copy': 'true' }, { applicationActivated: true }), 'k', 'deactivate');
  assert.is(copy.action, 'change');
  assert.equal(copy.changes, [{ path: ['status', 'applicationActivated'], from: true, to: false }]);
  const original = planScheduleActivation(schedule({}, { applicationActivated: true }), 'k', 'deactivate');
  assert.is(original.action, 'skipped');
  assert.match(original.reason ?? '', /not a static copy/);
});

function vm(spec: Record<string, unknown>, migrated = true): KubeObject {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'db', namespace: 'vms', ...(migrated ? { annotations: { [MIGRATED]: 'true' } } : {}) },
    spec: spec as KubeObject['spec'],
  };
}

test('vm: activate flips spec.running when the object uses it', () => {
  const plan = planVirtualMachine(vm({ running: false }), 'VirtualMachine.kubevirt.io', 'activate');
  assert.equal(plan.changes, [{ path: ['spec', 'running'], from: false, to: true }]);
});

test('vm: activate and deactivate use spec.runStrategy when the object uses it', () => {
  const start = planVirtualMachine(vm({ runStrategy: 'Halted' }), 'k', 'activate');
  assert.equal(start.changes, [{ path: ['spec', 'runStrategy'], from: 'Halted', to: 'Always' }]);
  const stop = planVirtualMachine(vm({ runStrategy: 'Always' }), 'k', 'deactivate');
  assert.equal(stop.changes, [{ path: ['spec', 'runStrategy'], from: 'Always', to: 'Halted' }]);
});

test('vm: activate skips a VM Stork did not migrate', () => {
  assert.is(planVirtualMachine(vm({ running: false }, false), 'k', 'activate').action, 'skipped');
});

test.run();
