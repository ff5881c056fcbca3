import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../../src/kube/objects';
import { crossClusterWarnings, namespaceStatuses, type StatusInput } from '../../src/plan/statusModel';
import { specReplicas } from '../../src/stork/kinds';
import { MIGRATED, REPLICAS, workload } from './fixtures';

const now = Date.parse('2026-11-24T12:00:00Z');

function schedule(suspend: boolean, finishedMinutesAgo: number | null): KubeObject {
  const finished = finishedMinutesAgo === null ? null : new Date(now - finishedMinutesAgo * 60_000);
  return {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'MigrationSchedule',
    metadata: { name: 'dr', namespace: 'zookeeper' },
    spec: { schedulePolicyName: 'every-15', suspend, template: { spec: { clusterPair: 'remote', namespaces: ['zookeeper'] } } },
    ...(finished
      ? {
          status: {
            items: {
              Interval: [
                { name: 'old-failed', creationTimestamp: new Date(now - 1000).toISOString(), finishTimestamp: new Date(now - 500).toISOString(), status: 'Failed' },
                { name: 'ok', creationTimestamp: new Date(finished.getTime() - 60_000).toISOString(), finishTimestamp: finished.toISOString(), status: 'Successful' },
              ],
            },
          },
        }
      : {}),
  };
}

function input(workloads: KubeObject[], schedules: KubeObject[], extra: Partial<StatusInput> = {}): StatusInput {
  return {
    cluster: 'c',
    workloads: workloads.map((object) => ({ object, resourceKey: `${object.kind}.apps` })),
    schedules,
    namespaces: [{ name: 'zookeeper', labels: {} }],
    policyIntervals: new Map([['every-15', 15]]),
    findings: [],
    staleFactor: 3,
    now,
    actions: [],
    ...extra,
  };
}

test('verdicts: standby, active, partially active, not protected', () => {
  const standby = namespaceStatuses(input([workload('StatefulSet', 'zk', { replicas: 0, annotations: { [REPLICAS]: '3' } })], []));
  assert.is(standby[0]?.verdict, 'standby');
  const active = namespaceStatuses(input([workload('StatefulSet', 'zk', { replicas: 3 })], [schedule(false, 5)]));
  assert.is(active[0]?.verdict, 'active');
  const partial = namespaceStatuses(
    input([workload('StatefulSet', 'zk', { replicas: 3, annotations: { [REPLICAS]: '3' } }), workload('Deployment', 'web', { replicas: 0, annotations: { [REPLICAS]: '2' } })], []),
  );
  assert.is(partial[0]?.verdict, 'partially active');
  assert.is(namespaceStatuses(input([workload('Deployment', 'tool', { replicas: 1 })], []))[0]?.verdict, 'not protected');
});

test('the last success is the newest Successful entry; stale beyond N× the interval warns', () => {
  const fresh = namespaceStatuses(input([], [schedule(false, 10)]))[0];
  assert.is(fresh?.schedules[0]?.lastSuccessAgeSeconds, 600);
  assert.equal(fresh?.warnings, []);
  const stale = namespaceStatuses(input([], [schedule(false, 50)]))[0];
  assert.match(stale?.warnings.join('\n') ?? '', 'last success 50m ago, more than 3× its 15m interval');
  assert.match(namespaceStatuses(input([], [schedule(false, null)]))[0]?.warnings.join('\n') ?? '', 'no successful migration recorded');
});

test('integrity warnings: missing, zero and garbled counts; reconciler findings as warnings of their namespace', () => {
  const statuses = namespaceStatuses(
    input(
      [
        workload('Deployment', 'missing', { replicas: 0, annotations: { [MIGRATED]: 'true' } }),
        workload('Deployment', 'zero', { replicas: 0, annotations: { [REPLICAS]: '0' } }),
        workload('Deployment', 'garbled', { replicas: 0, annotations: { [REPLICAS]: 'x' } }),
        workload('Deployment', 'scaled', { replicas: 0, annotations: { [REPLICAS]: '2' } }),
      ],
      [],
      {
        findings: [
          { code: 'reconciler-active', severity: 'warning', cluster: 'destination', namespace: 'zookeeper', message: 'deployment/scaled: a HorizontalPodAutoscaler targets this standby workload; it will fight the scale-up or keep it at 0' },
          { code: 'reconciler-active', severity: 'error', cluster: 'destination', namespace: 'elsewhere', message: 'not this namespace' },
        ],
      },
    ),
  );
  const text = statuses[0]?.warnings.join('\n') ?? '';
  assert.match(text, 'deployment/missing: migrated by Stork but has no');
  assert.match(text, 'deployment/zero: stork.libopenstorage.org/migrationReplicas is 0');
  assert.match(text, 'deployment/garbled: stork.libopenstorage.org/migrationReplicas "x" is not an integer');
  assert.match(text, 'deployment/scaled: a HorizontalPodAutoscaler targets this standby workload');
  assert.not.match(text, 'not this namespace');
});

test('a schedule suspended on both clusters is flagged; suspended on one side only is not', () => {
  const source = namespaceStatuses(input([], [schedule(true, 5)]));
  const destination = namespaceStatuses(input([], [schedule(true, 5)]));
  crossClusterWarnings(source, destination);
  assert.match(source[0]?.warnings.join('\n') ?? '', 'migrationschedule dr is suspended on both clusters: nothing replicates');
  assert.equal(destination[0]?.warnings, []);

  // The normal standby state: replicating from the source, the destination's static copy suspended.
  for (const [sourceSuspended, destinationSuspended] of [
    [false, true],
    [true, false],
    [false, false],
  ] as const) {
    const here = namespaceStatuses(input([], [schedule(sourceSuspended, 5)]));
    const there = namespaceStatuses(input([], [schedule(destinationSuspended, 5)]));
    crossClusterWarnings(here, there);
    assert.equal([here[0]?.warnings, there[0]?.warnings], [[], []], `source ${sourceSuspended}, destination ${destinationSuspended}`);
  }
});

test("specReplicas: an absent spec.replicas is the kind's API default (DeploymentConfig 0, the others 1)", () => {
  for (const [kind, expected] of [
    ['Deployment', 1],
    ['StatefulSet', 1],
    ['ReplicaSet', 1],
    ['DeploymentConfig', 0],
  ] as const) {
    assert.is(specReplicas(workload(kind, 'app')), expected, kind);
    assert.is(specReplicas(workload(kind, 'app', { replicas: 4 })), 4, `${kind} with replicas set`);
    assert.is(specReplicas(workload(kind, 'app', { replicas: 0 })), 0, `${kind} at 0`);
  }
});

test('status reads an absent spec.replicas as the API default, as activate and deactivate do', () => {
  const statuses = namespaceStatuses(input([workload('Deployment', 'web', { annotations: { [REPLICAS]: '2' } })], []));
  assert.equal(statuses[0]?.workloads.map((entry) => [entry.name, entry.replicas]), [['web', 1]]);
  assert.is(statuses[0]?.verdict, 'active');
  const deploymentConfig = { ...workload('DeploymentConfig', 'legacy', { annotations: { [REPLICAS]: '2' } }), apiVersion: 'apps.openshift.io/v1' };
  const openshift = namespaceStatuses({ ...input([], []), workloads: [{ object: deploymentConfig, resourceKey: 'DeploymentConfig.apps.openshift.io' }] });
  assert.equal(openshift[0]?.workloads.map((entry) => [entry.name, entry.replicas]), [['legacy', 0]]);
  assert.is(openshift[0]?.verdict, 'standby');
});

test.run();
