import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { executeActivation, type ActivationOptions } from '../../src/commands/activate/execute';
import type { GlobalOptions } from '../../src/cli/globalOptions';
import { reconcilerOptionsFrom } from '../../src/cli/reconcilerFlags';
import { UsageError } from '../../src/core/errors';
import { inversePlan } from '../../src/failover/rollback';
import { undoPlan, writtenObjects } from '../../src/failover/undo';
import type { JournalEntry } from '../../src/failover/journalModel';
import { checkHold, holdTargets } from '../../src/io/holdCheck';
import { ApiError } from '../../src/kube/errors';
import type { Json, KubeObject, OwnerReference } from '../../src/kube/objects';
import { refOf } from '../../src/kube/objects';
import type { ApiResource } from '../../src/kube/resources';
import { breaksHold, describeDrift, holdBreach, replicasWriter } from '../../src/plan/hold';
import { applyChanges } from '../../src/plan/jsonPatch';
import {
  APPLICATION_KEY,
  HELM_RELEASE_KEY,
  KUSTOMIZATION_KEY,
  SCALED_OBJECT_KEY,
  detectReconcilers,
  planReconcilerPause,
  reconcilerGate,
  replanReconcilerPause,
  type KindRead,
  type ReconcilerFinding,
  type ReconcilerObjects,
  type ReconcilerType,
} from '../../src/plan/reconcilers';
import type { Direction } from '../../src/plan/types';
import { FakeApi, fakeClock, fakeDeps } from '../support/fakeApi';

// ---------------------------------------------------------------------------------------------
// Objects

const NS = 'shop';

function workload(kind: 'Deployment' | 'StatefulSet', name: string, fields: { replicas?: number; annotations?: Record<string, string>; labels?: Record<string, string>; owners?: OwnerReference[]; namespace?: string } = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: {
      name,
      namespace: fields.namespace ?? NS,
      resourceVersion: '7',
      ...(fields.annotations ? { annotations: fields.annotations } : {}),
      ...(fields.labels ? { labels: fields.labels } : {}),
      ...(fields.owners ? { ownerReferences: fields.owners } : {}),
    },
    spec: { replicas: fields.replicas ?? 2 },
  };
}

const tracked = (app: string, name = 'web', kind: 'Deployment' | 'StatefulSet' = 'Deployment'): KubeObject => workload(kind, name, { annotations: { 'argocd.argoproj.io/tracking-id': `${app}:apps/${kind}:${NS}/${name}` } });

function app(name: string, syncPolicy: unknown, namespace = 'argocd'): KubeObject {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace }, spec: { project: 'default', ...(syncPolicy === undefined ? {} : { syncPolicy: syncPolicy as Json }) } };
}

function flux(kind: 'Kustomization' | 'HelmRelease', name: string, suspend?: unknown): KubeObject {
  const apiVersion = kind === 'Kustomization' ? 'kustomize.toolkit.fluxcd.io/v1' : 'helm.toolkit.fluxcd.io/v2';
  return { apiVersion, kind, metadata: { name, namespace: 'flux-system' }, spec: { interval: '5m', ...(suspend === undefined ? {} : { suspend: suspend as Json }) } };
}

function scaledObject(name: string, target: unknown, annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name, namespace: NS, ...(annotations ? { annotations } : {}) }, spec: { scaleTargetRef: target as never, minReplicaCount: 1 } };
}

function hpa(name: string, target: unknown, owners?: OwnerReference[]): KubeObject {
  return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name, namespace: NS, ...(owners ? { ownerReferences: owners } : {}) }, spec: { scaleTargetRef: target as never, maxReplicas: 5 } };
}

const all = (...objects: KubeObject[]): KindRead => ({ served: true, objects, covered: 'all' });
const NONE: KindRead = all();
const NOT_SERVED: KindRead = { served: false };
const forbidden = (namespaces: string[] = [], objects: KubeObject[] = []): KindRead => ({
  served: true,
  objects,
  covered: namespaces,
  failures: new Map([['', 'listing applications.argoproj.io is forbidden'], ['argocd', 'listing applications.argoproj.io in namespace argocd is forbidden']]),
});

function detect(workloads: KubeObject[], objects: Partial<ReconcilerObjects>, direction: Direction | undefined = 'deactivate'): ReconcilerFinding[] {
  return detectReconcilers({
    cluster: 'source',
    workloads: workloads.map((object) => ({ object, resourceKey: `${object.kind}.apps` })),
    objects: { applications: NONE, kustomizations: NONE, helmReleases: NONE, scaledObjects: NONE, hpas: NONE, ...objects },
    ...(direction ? { direction } : {}),
  });
}

/** A finding as a row: code, severity, whether it blocks, and its message. */
const rows = (findings: ReconcilerFinding[]): Array<[string, string, boolean, string]> => findings.map((finding) => [finding.code, finding.severity, finding.scalesBack, finding.message]);

// ---------------------------------------------------------------------------------------------
// Detection, table-driven

const selfHeal = { automated: { selfHeal: true, prune: true } };
const cases: Array<{ name: string; workloads: KubeObject[]; objects: Partial<ReconcilerObjects>; direction?: Direction; expect: Array<[string, string, boolean, string]> }> = [
  {
    name: 'Argo CD: tracking id, Application automated with selfHeal: blocks',
    workloads: [tracked('shop')],
    objects: { applications: all(app('shop', selfHeal)) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application argocd/shop (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git']],
  },
  {
    name: 'Argo CD: automated without selfHeal: a warning (the next sync)',
    workloads: [tracked('shop')],
    objects: { applications: all(app('shop', { automated: {} })) },
    expect: [['reconciler-active', 'warning', false, 'Argo CD Application argocd/shop (automated sync without selfHeal) manages deployment/web: its next sync scales it back to the replicas in Git']],
  },
  { name: 'Argo CD: manual sync: nothing', workloads: [tracked('shop')], objects: { applications: all(app('shop', { syncOptions: ['Validate=false'] })) }, expect: [] },
  { name: 'Argo CD: automated: null is manual', workloads: [tracked('shop')], objects: { applications: all(app('shop', { automated: null })) }, expect: [] },
  {
    name: 'Argo CD: a malformed automated (not an object) still counts as automated',
    workloads: [tracked('shop')],
    objects: { applications: all(app('shop', { automated: 'yes' })) },
    expect: [['reconciler-active', 'warning', false, 'Argo CD Application argocd/shop (automated sync without selfHeal) manages deployment/web: its next sync scales it back to the replicas in Git']],
  },
  {
    name: 'Argo CD: apps in any namespace (team_shop) is looked up in team',
    workloads: [tracked('team_shop')],
    objects: { applications: all(app('shop', selfHeal, 'argocd'), app('shop', { automated: { selfHeal: true } }, 'team')) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application team/shop (automated sync with selfHeal) manages deployment/web: it scales it back to the replicas in Git']],
  },
  {
    name: 'Argo CD: read cluster-wide, an Application outside argocd (openshift-gitops) is found',
    workloads: [tracked('shop')],
    objects: { applications: all(app('shop', selfHeal, 'openshift-gitops')) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application openshift-gitops/shop (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git']],
  },
  {
    name: 'Argo CD: two workloads of one Application: one finding naming both',
    workloads: [tracked('shop'), tracked('shop', 'db', 'StatefulSet')],
    objects: { applications: all(app('shop', selfHeal)) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application argocd/shop (automated sync with selfHeal, prune) manages deployment/web, statefulset/db: it scales them back to the replicas in Git']],
  },
  {
    name: 'Argo CD: Applications not served here: not readable here, with the command to pause it',
    workloads: [tracked('shop')],
    objects: { applications: NOT_SERVED },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web is managed by Argo CD Application shop (annotation argocd.argoproj.io/tracking-id), not readable here: Applications are not served on this cluster; if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set shop --sync-policy none']],
  },
  {
    name: 'Argo CD: no such Application (Argo CD on the other cluster)',
    workloads: [tracked('team_shop')],
    objects: { applications: NONE },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web is managed by Argo CD Application team/shop (annotation argocd.argoproj.io/tracking-id), not readable here: no such Application on this cluster (its Argo CD runs on another cluster); if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set team/shop --sync-policy none']],
  },
  {
    name: 'Argo CD: forbidden cluster-wide and in argocd',
    workloads: [tracked('shop')],
    objects: { applications: forbidden() },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web is managed by Argo CD Application shop (annotation argocd.argoproj.io/tracking-id), not readable here: listing applications.argoproj.io in namespace argocd is forbidden; if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set shop --sync-policy none']],
  },
  {
    name: 'Argo CD: forbidden cluster-wide, argocd readable: found there',
    workloads: [tracked('shop')],
    objects: { applications: forbidden(['argocd'], [app('shop', selfHeal)]) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application argocd/shop (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git']],
  },
  {
    name: 'Argo CD: a garbled tracking id is a warning naming the value',
    workloads: [workload('Deployment', 'web', { annotations: { 'argocd.argoproj.io/tracking-id': 'not an id' } })],
    objects: { applications: all(app('shop', selfHeal)) },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web: annotation argocd.argoproj.io/tracking-id "not an id" is not <app>:<group>/<kind>:<namespace>/<name>, so which Argo CD Application manages it is not known; if one syncs it automatically, pause it by hand (argocd app set <app> --sync-policy none)']],
  },
  { name: 'Argo CD: a tracking id naming another object (a copy): Argo CD disowns it, so do we', workloads: [workload('Deployment', 'web', { annotations: { 'argocd.argoproj.io/tracking-id': `shop:apps/Deployment:${NS}/other` } })], objects: { applications: all(app('shop', selfHeal)) }, expect: [] },
  {
    name: 'Argo CD: the instance label alone, Application found: blocks',
    workloads: [workload('Deployment', 'web', { labels: { 'app.kubernetes.io/instance': 'shop' } })],
    objects: { applications: all(app('shop', selfHeal)) },
    expect: [['reconciler-active', 'error', true, 'Argo CD Application argocd/shop (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git']],
  },
  { name: 'Argo CD: the instance label alone (Helm sets it too) without Argo CD here: nothing', workloads: [workload('Deployment', 'web', { labels: { 'app.kubernetes.io/instance': 'shop' } })], objects: { applications: NOT_SERVED }, expect: [] },
  { name: 'Argo CD: the instance label alone, no such Application: nothing', workloads: [workload('Deployment', 'web', { labels: { 'app.kubernetes.io/instance': 'shop' } })], objects: { applications: NONE }, expect: [] },
  {
    name: 'Argo CD: the instance label alone, Applications forbidden: "may be"',
    workloads: [workload('Deployment', 'web', { labels: { 'app.kubernetes.io/instance': 'shop' } })],
    objects: { applications: forbidden() },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web may be managed by Argo CD Application shop (label app.kubernetes.io/instance, which Helm sets too), not readable here: listing applications.argoproj.io in namespace argocd is forbidden; if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set shop --sync-policy none']],
  },
  {
    name: 'Flux: a Kustomization not suspended blocks; a suspended one does not',
    workloads: [
      workload('StatefulSet', 'db', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
      workload('Deployment', 'quiet', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'quiet', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }),
    ],
    objects: { kustomizations: all(flux('Kustomization', 'apps', false), flux('Kustomization', 'quiet', true)) },
    expect: [['reconciler-active', 'error', true, 'Flux Kustomization flux-system/apps (not suspended) manages statefulset/db: it applies it again with the replicas in Git']],
  },
  {
    name: 'Flux: a HelmRelease without spec.suspend blocks',
    workloads: [workload('Deployment', 'web', { labels: { 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'flux-system' } })],
    objects: { helmReleases: all(flux('HelmRelease', 'web')) },
    expect: [['reconciler-active', 'error', true, 'Flux HelmRelease flux-system/web (not suspended) manages deployment/web: it applies it again with the replicas in Git']],
  },
  {
    name: 'Flux: a name label without its namespace label',
    workloads: [workload('Deployment', 'web', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps' } })],
    objects: { kustomizations: all(flux('Kustomization', 'apps')) },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web: label kustomize.toolkit.fluxcd.io/name "apps" without kustomize.toolkit.fluxcd.io/namespace, so which Flux Kustomization manages it is not known; if one is not suspended, suspend it by hand (flux suspend kustomization <name> -n <namespace>)']],
  },
  {
    name: 'Flux: Kustomizations not served here',
    workloads: [workload('Deployment', 'web', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } })],
    objects: { kustomizations: NOT_SERVED },
    expect: [['reconciler-unreadable', 'warning', false, 'deployment/web is managed by Flux Kustomization flux-system/apps, not readable here: Kustomizations are not served on this cluster; unless it is suspended it scales it back: suspend it by hand where Flux runs: flux suspend kustomization apps -n flux-system']],
  },
  {
    name: 'KEDA: a ScaledObject not paused blocks (scaleTargetRef.kind defaults to Deployment)',
    workloads: [workload('Deployment', 'worker'), workload('StatefulSet', 'worker')],
    objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' })) },
    expect: [['reconciler-active', 'error', true, `KEDA ScaledObject ${NS}/worker (not paused) targets deployment/worker: it scales it back up`]],
  },
  { name: 'KEDA: paused: "true" holds the count where it is: nothing', workloads: [workload('Deployment', 'worker')], objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused': 'true' })) }, expect: [] },
  { name: 'KEDA: paused at 0 suits a scale-down', workloads: [workload('Deployment', 'worker')], objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused-replicas': '0' })) }, expect: [] },
  {
    name: 'KEDA: paused at 3 holds the workload at 3: blocks a scale-down',
    workloads: [workload('Deployment', 'worker')],
    objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused-replicas': '3' })) },
    expect: [['reconciler-active', 'error', true, `KEDA ScaledObject ${NS}/worker (paused at 3 replicas) targets deployment/worker: it holds it at 3`]],
  },
  {
    name: 'KEDA: paused at 0 fights an activation',
    workloads: [workload('Deployment', 'worker', { replicas: 0 })],
    direction: 'activate',
    objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused-replicas': '0' })) },
    expect: [['reconciler-active', 'error', true, `KEDA ScaledObject ${NS}/worker (paused at 0 replicas) targets deployment/worker: it holds it at 0`]],
  },
  {
    name: 'KEDA: a paused-replicas that is no number is no pause',
    workloads: [workload('Deployment', 'worker')],
    objects: { scaledObjects: all(scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused-replicas': 'zero' })) },
    expect: [['reconciler-active', 'error', true, `KEDA ScaledObject ${NS}/worker (autoscaling.keda.sh/paused-replicas "zero" is not a number: not paused) targets deployment/worker: it scales it back up`]],
  },
  { name: 'KEDA: a scaleTargetRef without a name (malformed) targets nothing', workloads: [workload('Deployment', 'worker')], objects: { scaledObjects: all(scaledObject('broken', { kind: 'Deployment' }), scaledObject('nothing', 'worker')) }, expect: [] },
  {
    name: 'KEDA: ScaledObjects forbidden in the namespace: one warning for its workloads',
    workloads: [workload('Deployment', 'web'), workload('Deployment', 'worker')],
    objects: { scaledObjects: { served: true, objects: [], covered: [], failures: new Map([[NS, `listing scaledobjects.keda.sh in namespace ${NS} is forbidden`]]) } },
    expect: [['reconciler-unreadable', 'warning', false, `KEDA ScaledObjects in namespace ${NS} are not readable here (listing scaledobjects.keda.sh in namespace ${NS} is forbidden): one that targets deployment/web, deployment/worker and is not paused scales them back up; pause it by hand: kubectl annotate scaledobject <name> -n ${NS} autoscaling.keda.sh/paused-replicas=0 --overwrite`]],
  },
  { name: 'KEDA: not installed: nothing', workloads: [workload('Deployment', 'worker')], objects: { scaledObjects: NOT_SERVED }, expect: [] },
  {
    name: "HPA: on a standby workload, today's warning; on a running one, or KEDA's own HPA, nothing",
    workloads: [workload('StatefulSet', 'zk', { replicas: 0 }), workload('Deployment', 'web', { replicas: 0 }), workload('Deployment', 'api')],
    direction: undefined,
    objects: { hpas: all(hpa('zk', { kind: 'StatefulSet', name: 'zk' }), hpa('keda-hpa-web', { kind: 'Deployment', name: 'web' }, [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'web' }]), hpa('api', { kind: 'Deployment', name: 'api' }), hpa('garbled', 'zk')) },
    expect: [['reconciler-active', 'warning', false, 'statefulset/zk: a HorizontalPodAutoscaler targets this standby workload; it will fight the scale-up or keep it at 0']],
  },
  {
    name: "operators: an owner that is a custom resource is a warning; Kubernetes' own owners are not",
    workloads: [
      workload('StatefulSet', 'zk', { owners: [{ apiVersion: 'zookeeper.pravega.io/v1beta1', kind: 'ZookeeperCluster', name: 'zk', controller: true }] }),
      workload('StatefulSet', 'zk-extra', { owners: [{ apiVersion: 'zookeeper.pravega.io/v1beta1', kind: 'ZookeeperCluster', name: 'zk' }] }),
      workload('Deployment', 'rs-owned', { owners: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }] }),
      workload('Deployment', 'no-version', { owners: [{ kind: 'Deployment', name: 'x' }] }),
    ],
    objects: {},
    expect: [['reconciler-active', 'warning', false, 'statefulset/zk, statefulset/zk-extra are owned by zookeepercluster/zk (zookeeper.pravega.io), a custom resource: its operator sets the replicas and undoes what is written here; scale it through the ZookeeperCluster']],
  },
];

for (const entry of cases) {
  test(`detect: ${entry.name}`, () => {
    assert.equal(rows(detect(entry.workloads, entry.objects, 'direction' in entry ? entry.direction : 'deactivate')), entry.expect);
  });
}

test('detect: findings carry the Finding shape (cluster, namespace, override on what blocks) and the reconciler object', () => {
  const [finding] = detect([tracked('shop')], { applications: all(app('shop', selfHeal)) });
  assert.is(finding?.cluster, 'source');
  assert.is(finding?.namespace, NS);
  assert.is(finding?.override, '--pause-reconcilers');
  assert.is(finding?.reconciler.object?.metadata.name, 'shop');
  assert.is(finding?.reconciler.resourceKey, APPLICATION_KEY);
  assert.equal(finding?.workloads, [refOf(tracked('shop'))]);
  assert.is(finding?.byHand, 'argocd app set shop --sync-policy none');
});

// ---------------------------------------------------------------------------------------------
// The gate

const blocking = (): ReconcilerFinding[] =>
  detect(
    [tracked('shop'), workload('StatefulSet', 'db', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }), workload('Deployment', 'worker')],
    { applications: all(app('shop', selfHeal)), kustomizations: all(flux('Kustomization', 'apps')), scaledObjects: all(scaledObject('worker', { name: 'worker' })) },
  );

test('gate: nothing found, nothing to do', () => {
  assert.equal(reconcilerGate([], { pause: false, ignore: false, verb: 'deactivate' }), { pausePlans: [], warnings: [] });
});

test('gate: something would scale back and no flag: refused, naming each reconciler and both flags', () => {
  const gate = reconcilerGate(blocking(), { pause: false, ignore: false, verb: 'deactivate' });
  assert.is(
    gate.refusal,
    `refusing to deactivate: 3 reconcilers would scale their workloads back up: Argo CD Application argocd/shop (automated sync with selfHeal, prune) → ${NS}/deployment/web; Flux Kustomization flux-system/apps (not suspended) → ${NS}/statefulset/db; KEDA ScaledObject ${NS}/worker (not paused) → ${NS}/deployment/worker; pass --pause-reconcilers to pause them first, or --ignore-reconcilers to go ahead anyway`,
  );
  assert.equal(gate.pausePlans, []);
  const one = reconcilerGate(detect([tracked('shop'), tracked('shop', 'api')], { applications: all(app('shop', selfHeal)) }), { pause: false, ignore: false, verb: 'fail over' });
  assert.match(one.refusal ?? '', /^refusing to fail over: a reconciler would scale its workloads back up: .* → shop\/deployment\/web, deployment\/api; pass --pause-reconcilers to pause it first/);
});

test('gate: warnings alone never refuse', () => {
  const findings = detect([tracked('shop')], { applications: NOT_SERVED });
  const gate = reconcilerGate(findings, { pause: false, ignore: false, verb: 'deactivate' });
  assert.is(gate.refusal, undefined);
  assert.equal(gate.warnings, [findings[0]?.message]);
});

test('gate: --pause-reconcilers plans one pause per reconciler (Argo CD without selfHeal too); what cannot be read stays a warning with the by-hand command', () => {
  const findings = [
    ...blocking(),
    ...detect([tracked('quiet', 'calm')], { applications: all(app('quiet', { automated: {} })) }),
    ...detect([tracked('elsewhere', 'far')], { applications: NOT_SERVED }),
    // The same Application seen from a second namespace: paused once.
    ...detect([{ ...tracked('shop'), metadata: { ...tracked('shop').metadata, namespace: 'other', annotations: { 'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:other/web' } } }], { applications: all(app('shop', selfHeal)) }),
  ];
  const gate = reconcilerGate(findings, { pause: true, ignore: false, verb: 'deactivate' });
  assert.is(gate.refusal, undefined);
  assert.equal(
    gate.pausePlans.map((plan) => [plan.resourceKey, plan.ref.name, plan.from, plan.to, plan.action]),
    [
      [APPLICATION_KEY, 'shop', 'automated sync (selfHeal)', 'manual sync', 'change'],
      [KUSTOMIZATION_KEY, 'apps', 'active', 'suspended', 'change'],
      [SCALED_OBJECT_KEY, 'worker', 'not paused', 'paused at 0', 'change'],
      [APPLICATION_KEY, 'quiet', 'automated sync', 'manual sync', 'change'],
    ],
  );
  assert.is(gate.warnings.length, 1);
  assert.match(gate.warnings[0] ?? '', 'pause it by hand where Argo CD runs: argocd app set elsewhere --sync-policy none');
});

test('gate: --ignore-reconcilers goes ahead, each one a warning', () => {
  const gate = reconcilerGate(blocking(), { pause: false, ignore: true, verb: 'deactivate' });
  assert.is(gate.refusal, undefined);
  assert.equal(gate.pausePlans, []);
  assert.is(gate.warnings.length, 3);
  for (const warning of gate.warnings) assert.match(warning, /; going ahead anyway \(--ignore-reconcilers\): the hold check tells whether it did$/);
});

test('flags: --pause-reconcilers and --ignore-reconcilers exclude each other; --hold is a duration', () => {
  assert.equal(reconcilerOptionsFrom({ hold: '10s' }), { holdMs: 10_000, pause: false, ignore: false });
  assert.equal(reconcilerOptionsFrom({ hold: '0', 'pause-reconcilers': true }), { holdMs: 0, pause: true, ignore: false });
  assert.throws(() => reconcilerOptionsFrom({ hold: '10s', 'pause-reconcilers': true, 'ignore-reconcilers': true }), /cannot be combined/);
  assert.throws(() => reconcilerOptionsFrom({ hold: 'ten' }), /invalid --hold "ten"/);
});

// ---------------------------------------------------------------------------------------------
// Pause plans: exact, and exactly undone (rollback's inverse and undo's journal)

/** As the API server stores an object: an emptied annotations map is no map (ObjectMeta omits it). */
function asStored(object: KubeObject): KubeObject {
  if (!object.metadata.annotations || Object.keys(object.metadata.annotations).length > 0) return object;
  const { annotations: _annotations, ...metadata } = object.metadata;
  void _annotations;
  return { ...object, metadata };
}

const pauseCases: Array<[ReconcilerType, string, KubeObject]> = [
  ['argocd', APPLICATION_KEY, app('shop', { automated: { selfHeal: true, prune: false, allowEmpty: true }, syncOptions: ['CreateNamespace=true'] })],
  ['flux-kustomization', KUSTOMIZATION_KEY, flux('Kustomization', 'apps')],
  ['flux-kustomization', KUSTOMIZATION_KEY, flux('Kustomization', 'apps', false)],
  ['flux-helmrelease', HELM_RELEASE_KEY, flux('HelmRelease', 'web')],
  ['keda', SCALED_OBJECT_KEY, scaledObject('worker', { name: 'worker' })],
  ['keda', SCALED_OBJECT_KEY, scaledObject('worker', { name: 'worker' }, { 'autoscaling.keda.sh/paused-replicas': '3', team: 'payments' })],
];

for (const [type, key, object] of pauseCases) {
  test(`pause ${type} (${JSON.stringify(object.spec?.suspend ?? object.metadata.annotations ?? object.spec?.syncPolicy)}): the change, and its inverse restores exactly`, () => {
    const plan = planReconcilerPause(type, object, key);
    assert.is(plan.action, 'change');
    const paused = applyChanges(object, plan.changes);
    if (type === 'argocd') assert.equal(paused.spec?.syncPolicy, { syncOptions: ['CreateNamespace=true'] });
    if (type.startsWith('flux')) assert.is(paused.spec?.suspend, true);
    if (type === 'keda') assert.is(paused.metadata.annotations?.['autoscaling.keda.sh/paused-replicas'], '0');
    // Paused again: nothing to do (also the re-plan after a concurrent edit).
    assert.is(replanReconcilerPause(paused, plan).action, 'unchanged');
    // rollback: the inverse of the write.
    const inverse = inversePlan({ plan, outcome: 'changed', after: paused });
    assert.equal(asStored(applyChanges(paused, inverse.changes)), object);
    // undo: the journal's before/after fields (as RunRecorder.write records them), folded and inverted.
    const entry: JournalEntry = {
      type: 'write',
      runId: 'r',
      time: '',
      stage: 'ScaleDownSource',
      cluster: 'source',
      context: 'source',
      resourceKey: key,
      object: refOf(object),
      fields: plan.changes.map((change) => ({ path: [...change.path], before: change.from ?? null, after: change.to ?? null })),
    };
    const [written] = writtenObjects([entry]);
    const undo = undoPlan(written!, paused);
    assert.is(undo.action, 'change');
    assert.equal(asStored(applyChanges(paused, undo.changes)), object);
  });
}

test('pause: the precondition holds what was read, so a concurrent edit is re-planned, not clobbered', () => {
  const plan = planReconcilerPause('argocd', app('shop', selfHeal), APPLICATION_KEY);
  assert.equal(plan.preconditions, [{ path: ['spec', 'syncPolicy', 'automated'], value: { selfHeal: true, prune: true } }]);
  const keda = planReconcilerPause('keda', scaledObject('worker', { name: 'worker' }), SCALED_OBJECT_KEY);
  assert.equal(keda.preconditions, [{ path: ['metadata', 'annotations', 'autoscaling.keda.sh/paused-replicas'], value: null }]);
  assert.is(planReconcilerPause('hpa', hpa('x', {}), 'HorizontalPodAutoscaler.autoscaling').action, 'skipped');
});

// ---------------------------------------------------------------------------------------------
// Hold check

const managed = (entries: Array<{ manager: string; time: string; replicas: boolean; subresource?: string }>): Json =>
  entries.map((entry): Json => {
    const fieldsV1: Json = entry.replicas ? { 'f:spec': { 'f:replicas': {} } } : { 'f:metadata': { 'f:labels': {} } };
    return { manager: entry.manager, operation: 'Update', apiVersion: 'apps/v1', time: entry.time, ...(entry.subresource ? { subresource: entry.subresource } : {}), fieldsType: 'FieldsV1', fieldsV1 };
  });

test('hold: the writer of spec.replicas is the latest manager holding it, never us', () => {
  const object = workload('Deployment', 'web');
  object.metadata.managedFields = managed([
    { manager: 'kubectl-failover', time: '2026-01-01T00:00:09Z', replicas: true },
    { manager: 'helm', time: '2026-01-01T00:00:01Z', replicas: true },
    { manager: 'argocd-controller', time: '2026-01-01T00:00:05Z', replicas: true },
    { manager: 'kubectl-edit', time: '2026-01-01T00:00:08Z', replicas: false },
  ]);
  assert.equal(replicasWriter(object), { manager: 'argocd-controller', operation: 'Update', time: '2026-01-01T00:00:05Z' });
  object.metadata.managedFields = managed([{ manager: 'kubectl', time: '2026-01-01T00:00:05Z', replicas: true, subresource: 'scale' }]);
  assert.equal(replicasWriter(object)?.subresource, 'scale');
  object.metadata.managedFields = 'garbled' as never;
  assert.is(replicasWriter(object), undefined);
});

test('hold: a breach is a spec.replicas other than written (absent counts as the default), or the object gone', () => {
  const target = { ref: refOf(workload('Deployment', 'web')), resourceKey: 'Deployment.apps', replicas: 0 };
  assert.is(holdBreach(target, workload('Deployment', 'web', { replicas: 0 })), undefined);
  assert.equal(holdBreach(target, workload('Deployment', 'web', { replicas: 2 }))?.found, 2);
  const absent = workload('Deployment', 'web');
  delete absent.spec?.replicas;
  assert.equal(holdBreach(target, absent)?.found, 1);
  assert.equal(holdBreach(target, undefined)?.found, null);
});

test('hold: only a change undone breaks it (down: running again; up: at 0 or gone); a count moved within "up" is a drift', () => {
  const ref = refOf(workload('Deployment', 'web'));
  const table: Array<[number, number | null, boolean]> = [
    [0, 2, true],
    [0, null, false],
    [3, 0, true],
    [3, null, true],
    [3, 1, false],
    [3, 5, false],
  ];
  for (const [wrote, found, breaks] of table) assert.is(breaksHold({ ref, resourceKey: 'Deployment.apps', wrote, found }), breaks, `${wrote} → ${found}`);
  assert.is(describeDrift({ ref, resourceKey: 'Deployment.apps', wrote: 3, found: 1, writer: { manager: 'kube-controller-manager', subresource: 'scale' } }, 10_000), `${NS}/deployment/web: scaled to 3, then set to 1 by kube-controller-manager within 10s: something else owns its replica count`);
});

const DEPLOYMENTS: ApiResource = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true };
const depPath = (name: string): string => `/apis/apps/v1/namespaces/${NS}/deployments/${name}`;

test('checkHold: waits --hold on the clock, re-reads once, names who set replicas back; 0 skips; an abort skips the re-read', async () => {
  const api = new FakeApi();
  const web = workload('Deployment', 'web', { replicas: 2 });
  web.metadata.managedFields = managed([{ manager: 'argocd-controller', time: '2026-01-01T00:00:05Z', replicas: true }]);
  api.put(depPath('web'), web);
  api.put(depPath('api'), workload('Deployment', 'api', { replicas: 0 }));
  const targets = ['web', 'api', 'gone'].map((name) => ({ ref: refOf(workload('Deployment', name)), resourceKey: 'Deployment.apps', replicas: 0 }));
  const resources = new Map([['Deployment.apps', DEPLOYMENTS]]);
  const clock = fakeClock();
  const started = clock.now();
  let told = 0;
  const result = await checkHold(api, resources, targets, { holdMs: 10_000, clock, onBreach: (breaches) => (told = breaches.length) });
  assert.is(clock.now() - started, 10_000);
  assert.is(result.checked, 3);
  assert.equal(result.breaches.map((breach) => [breach.ref.name, breach.found, breach.writer?.manager]), [['web', 2, 'argocd-controller']]);
  // Scaled down and then gone: not running, as wanted; a warning, not a failure.
  assert.equal(result.drifted?.map((breach) => [breach.ref.name, breach.found]), [['gone', null]]);
  assert.is(told, 1);

  const reads = api.log.length;
  assert.equal(await checkHold(api, resources, targets, { holdMs: 0, clock }), { holdMs: 0, checked: 0, breaches: [] });
  const aborted = new AbortController();
  aborted.abort('SIGINT');
  assert.equal(await checkHold(api, resources, targets, { holdMs: 5_000, clock, signal: aborted.signal }), { holdMs: 5_000, checked: 0, breaches: [], interrupted: true });
  assert.is(api.log.length, reads, 'nothing read');

  api.before = () => {
    throw new ApiError(403, { message: 'deployments.apps "web" is forbidden' }, 'GET', '/x');
  };
  const failed = await checkHold(api, resources, targets, { holdMs: 1, clock });
  assert.match(failed.error ?? '', 'could not re-read the objects written: deployments.apps "web" is forbidden');
});

test('holdTargets: the changed spec.replicas of each patch, as the server answered it', () => {
  const plan = planReconcilerPause('argocd', app('shop', selfHeal), APPLICATION_KEY);
  const scaled = { ...plan, resourceKey: 'Deployment.apps', ref: refOf(workload('Deployment', 'web')), changes: [{ path: ['spec', 'replicas'], from: 2, to: 0 }] };
  assert.equal(
    holdTargets([
      { plan: scaled, outcome: 'changed', after: workload('Deployment', 'web', { replicas: 0 }) },
      { plan: scaled, outcome: 'failed' },
      { plan, outcome: 'changed' },
    ]),
    [{ ref: scaled.ref, resourceKey: 'Deployment.apps', replicas: 0 }],
  );
});

// ---------------------------------------------------------------------------------------------
// deactivate, end to end against the in-memory API

const globals: GlobalOptions = { overrides: {}, allNamespaces: false, dryRun: 'none', output: 'json', requestTimeoutMs: 30_000, color: false, verbose: false, logRequests: false, namespace: NS };
const deactivation = (reconcilers: Partial<ActivationOptions['reconcilers']>): ActivationOptions => ({ globals, direction: 'deactivate', wait: false, timeoutMs: 60_000, concurrency: 4, force: true, reconcilers: { holdMs: 0, pause: false, ignore: false, ...reconcilers } });
const APP_PATH = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop';

function argoCluster(): FakeApi {
  const api = new FakeApi();
  api.served.push({ group: 'argoproj.io', version: 'v1alpha1', kind: 'Application', resource: 'applications', namespaced: true });
  api.put(`/api/v1/namespaces/${NS}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  api.put(depPath('web'), tracked('shop'));
  api.put(APP_PATH, app('shop', selfHeal));
  return api;
}

test('deactivate: refused before any write (a UsageError: exit 2)', async () => {
  const api = argoCluster();
  await executeActivation(deactivation({}), fakeDeps(api, fakeClock(), NS)).then(
    () => assert.unreachable(),
    (error: unknown) => {
      assert.instance(error, UsageError);
      assert.match((error as Error).message, 'refusing to deactivate: a reconciler would scale its workloads back up: Argo CD Application argocd/shop');
    },
  );
  assert.equal(api.log.filter((entry) => entry.method !== 'GET'), []);
});

test('deactivate --pause-reconcilers: the Application is paused first, then the workload scaled; a failed pause stops the scale-down', async () => {
  const api = argoCluster();
  const outcome = await executeActivation(deactivation({ pause: true }), fakeDeps(api, fakeClock(), NS));
  assert.is(outcome.verdict, 'succeeded');
  assert.equal(api.log.filter((entry) => entry.method === 'PATCH').map((entry) => entry.path), [APP_PATH, depPath('web')]);
  assert.equal(api.get(APP_PATH)?.spec?.syncPolicy, {});
  assert.is(api.get(depPath('web'))?.spec?.replicas, 0);

  const refusing = argoCluster();
  refusing.before = (request) => {
    if (request.method === 'PATCH' && request.path === APP_PATH) throw new ApiError(403, { message: 'applications.argoproj.io "shop" is forbidden: User "me" cannot patch resource "applications"' }, 'PATCH', APP_PATH);
  };
  const stopped = await executeActivation(deactivation({ pause: true }), fakeDeps(refusing, fakeClock(), NS));
  assert.is(stopped.verdict, 'failed');
  assert.equal(stopped.report.objects.map((row) => [row.kind, row.result]), [['Application', 'failed'], ['Deployment', 'not-attempted']]);
  assert.match(stopped.report.objects[1]?.message ?? '', 'not sent: pausing application/shop did not go through; pause application/shop by hand: argocd app set shop --sync-policy none');
  assert.is(refusing.get(depPath('web'))?.spec?.replicas, 2);
});

test('deactivate --ignore-reconcilers with --hold: Argo CD sets it back, the verdict is failed and the row says who', async () => {
  const api = argoCluster();
  api.before = (request) => {
    // Argo CD's self-heal, between our write and the re-read.
    if (request.method === 'GET' && request.path === depPath('web') && api.get(depPath('web'))?.spec?.replicas === 0) {
      const live = api.get(depPath('web'))!;
      live.spec = { ...live.spec, replicas: 2 };
      live.metadata.managedFields = managed([{ manager: 'argocd-controller', time: '2026-01-01T00:00:05Z', replicas: true }]);
    }
  };
  const outcome = await executeActivation({ ...deactivation({ ignore: true, holdMs: 10_000 }), wait: true }, fakeDeps(api, fakeClock(), NS));
  assert.is(outcome.verdict, 'failed');
  assert.equal(outcome.report.hold?.notHeld, [{ namespace: NS, kind: 'Deployment', name: 'web', wrote: 0, found: 2, writer: 'argocd-controller' }]);
  assert.is(outcome.report.objects[0]?.message, 'not held: replicas set back to 2 by argocd-controller');
  assert.match(outcome.report.warnings.join('\n'), 'going ahead anyway (--ignore-reconcilers)');
});

test.run();
