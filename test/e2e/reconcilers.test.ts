import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATION_REPLICAS, statefulSet } from '../../scripts/sandbox/seeds';
import { registerReconcilerCrds, unregisterReconcilerCrds } from '../../scripts/sandbox/crds';
import { GIT_REPLICAS, startReconcilerStandIn, type ReconcilerStandIn } from '../../scripts/sandbox/reconcilerStandIn';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { inversePlan } from '../../src/failover/rollback';
import type { KubeObject } from '../../src/kube/objects';
import { buildJsonPatch } from '../../src/plan/jsonPatch';
import { APPLICATION_KEY, KUSTOMIZATION_KEY, SCALED_OBJECT_KEY, planReconcilerPause, type ReconcilerType } from '../../src/plan/reconcilers';
import type { ChangeReport } from '../../src/report/activationReport';
import type { StatusReport } from '../../src/commands/status/execute';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

// Issue 25: Argo CD, Flux and KEDA scale a deactivated source back up. Through the CLI against real
// API servers, with Argo CD's, Flux's and KEDA's CRDs registered on the source for these tests only,
// and reconcilerStandIn.ts playing their controllers where a test needs them to fight.

interface Obj extends KubeObject {
  metadata: KubeObject['metadata'] & { resourceVersion: string };
}

const ARGO_API = '/apis/argoproj.io/v1alpha1';
const FLUX_API = '/apis/kustomize.toolkit.fluxcd.io/v1';
const KEDA_API = '/apis/keda.sh/v1alpha1';
const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const sts = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const application = (name: string): string => `${ARGO_API}/namespaces/argocd/applications/${name}`;
const kustomization = (name: string): string => `${FLUX_API}/namespaces/flux-system/kustomizations/${name}`;
const scaledObject = (ns: string, name: string): string => `${KEDA_API}/namespaces/${ns}/scaledobjects/${name}`;

let crds: Promise<void> | undefined;
/** Registers the reconcilers' CRDs on the source once, for the tests that need them (the first test runs without). */
async function withCrds(): Promise<SandboxRest> {
  const rest = (await sandbox()).rest('source');
  crds ??= (async () => {
    await registerReconcilerCrds(rest);
    await Promise.all([ensureNamespace(rest, 'argocd'), ensureNamespace(rest, 'flux-system')]);
  })();
  await crds;
  return rest;
}

const syncPolicy = { automated: { selfHeal: true, prune: true }, syncOptions: ['CreateNamespace=true'], retry: { limit: 2 } };

/** A protected namespace on the source with web (Argo CD), db (Flux) and worker (KEDA), each reconciler active and its Git saying 2. */
async function seedReconciled(rest: SandboxRest, ns: string, which: { flux?: boolean; keda?: boolean } = { flux: true, keda: true }): Promise<{ app: string; ks: string }> {
  const app = `${ns}-shop`;
  const ks = `${ns}-apps`;
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  await createIn(rest, ns, deployment('web', 2, { 'argocd.argoproj.io/tracking-id': `${app}:apps/Deployment:${ns}/web` }));
  await createIn(rest, 'argocd', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app, annotations: { [GIT_REPLICAS]: '2' } }, spec: { project: 'default', syncPolicy } });
  if (which.flux) {
    await createIn(rest, ns, statefulSet('db', 2, {}, { 'kustomize.toolkit.fluxcd.io/name': ks, 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' }));
    await createIn(rest, 'flux-system', { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: { name: ks, annotations: { [GIT_REPLICAS]: '2' } }, spec: { interval: '1m', path: './apps', prune: true } });
  }
  if (which.keda) {
    await createIn(rest, ns, deployment('worker', 2));
    await createIn(rest, ns, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', annotations: { [GIT_REPLICAS]: '2' } }, spec: { scaleTargetRef: { name: 'worker' }, minReplicaCount: 2, maxReplicaCount: 5 } });
  }
  return { app, ks };
}

/** The controllers' stand-ins, for this test's namespace only. */
function standIn(rest: SandboxRest, ns: string): ReconcilerStandIn {
  return startReconcilerStandIn([{ cluster: 'source', rest }], { namespaces: [ns] });
}

test('a cluster without the reconcilers\' CRDs behaves as today; an Argo CD tracking id there is a warning, not a refusal', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('noreconcilers');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  await createIn(rest, ns, deployment('plain', 2));
  await createIn(rest, ns, deployment('tracked', 1, { 'argocd.argoproj.io/tracking-id': `shop:apps/Deployment:${ns}/tracked` }));
  const run = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--hold', '1s', '--timeout', '60s'], box.env);
  assert.is(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stderr, 'Reconcilers: 1 finding(s)\n');
  const warnings = run.stderr.split('\n').filter((line) => line.startsWith('warning:'));
  assert.equal(warnings, [
    `warning: deployment/tracked is managed by Argo CD Application shop (annotation argocd.argoproj.io/tracking-id), not readable here: Applications are not served on this cluster; if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set shop --sync-policy none`,
  ]);
  assert.match(run.stdout, /deployment\/plain\s+2 → 0\s+changed/);
  assert.match(run.stderr, 'Hold check: 2/2 held for 1s\n');
  assert.is((await rest.get<Obj>(dep(ns, 'plain'))).spec?.replicas, 0);
});

test('deactivate refuses a source whose reconcilers would scale it back: each one named with both flags, exit 2, nothing written', async () => {
  const box = await sandbox();
  const rest = await withCrds();
  const ns = uniqueNamespace('refused');
  const { app, ks } = await seedReconciled(rest, ns);
  const paths = [dep(ns, 'web'), sts(ns, 'db'), dep(ns, 'worker'), application(app), kustomization(ks), scaledObject(ns, 'worker'), `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/dr`];
  const versions = async (): Promise<string[]> => Promise.all(paths.map(async (path) => (await rest.get<Obj>(path)).metadata.resourceVersion));
  // The status simulator first catches up with the new workloads, so the versions measure only what deactivate did.
  for (const path of paths.slice(0, 3)) await settled(rest, path);
  const before = await versions();
  for (const flags of [[], ['--dry-run=server']]) {
    const run = await runFailover(['deactivate', '-n', ns, '--context', 'source', ...flags], box.env);
    assert.is(run.code, 2, run.stderr);
    assert.is(run.stdout, '');
    assert.match(
      run.stderr,
      `error: refusing to deactivate: 3 reconcilers would scale their workloads back up: Argo CD Application argocd/${app} (automated sync with selfHeal, prune) → ${ns}/deployment/web; KEDA ScaledObject ${ns}/worker (not paused) → ${ns}/deployment/worker; Flux Kustomization flux-system/${ks} (not suspended) → ${ns}/statefulset/db; pass --pause-reconcilers to pause them first, or --ignore-reconcilers to go ahead anyway\n`,
      run.stderr,
    );
  }
  assert.equal(await versions(), before, 'nothing written');

  // status (read-only) shows the same findings as warnings of the namespace.
  const status = await runFailover(['status', '-n', ns, '--context', 'source', '-o', 'json'], box.env);
  assert.is(status.code, 0, status.stderr);
  const warnings = (JSON.parse(status.stdout) as StatusReport).namespaces[0]?.warnings ?? [];
  for (const expected of [
    `Argo CD Application argocd/${app} (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git`,
    `Flux Kustomization flux-system/${ks} (not suspended) manages statefulset/db: it applies it again with the replicas in Git`,
    `KEDA ScaledObject ${ns}/worker (not paused) targets deployment/worker: it scales it back up`,
  ]) {
    assert.ok(warnings.includes(expected), `${expected}\nnot in:\n${warnings.join('\n')}`);
  }
  const table = await runFailover(['status', '-n', ns, '--context', 'source'], box.env);
  assert.match(table.stdout, `warning: Argo CD Application argocd/${app} (automated sync with selfHeal, prune) manages deployment/web`);
  assert.equal(await versions(), before, 'status wrote nothing');
  // The two flags exclude each other.
  const both = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--pause-reconcilers', '--ignore-reconcilers'], box.env);
  assert.is(both.code, 2);
  assert.match(both.stderr, 'error: --pause-reconcilers and --ignore-reconcilers cannot be combined');
});

test('--pause-reconcilers pauses Argo CD, Flux and KEDA first, then scales down; the stand-ins stay off; each pause is undone exactly by its inverse', async () => {
  const box = await sandbox();
  const rest = await withCrds();
  const ns = uniqueNamespace('paused');
  const { app, ks } = await seedReconciled(rest, ns);
  const originals = {
    application: await rest.get<Obj>(application(app)),
    kustomization: await rest.get<Obj>(kustomization(ks)),
    scaledObject: await rest.get<Obj>(scaledObject(ns, 'worker')),
  };
  const stand = standIn(rest, ns);
  let writes: typeof stand.writes = [];
  try {
    const run = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--pause-reconcilers', '--hold', '3s', '--timeout', '60s'], box.env);
    assert.is(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`argocd\\s+application/${app}\\s+automated sync \\(selfHeal\\) → manual sync\\s+changed`));
    assert.match(run.stdout, new RegExp(`flux-system\\s+kustomization/${ks}\\s+active → suspended\\s+changed`));
    assert.match(run.stdout, new RegExp(`${ns}\\s+scaledobject/worker\\s+not paused → paused at 0\\s+changed`));
    assert.match(run.stderr, 'Hold check: 3/3 held for 3s\n');
    assert.match(run.stderr, 'Pausing reconcilers: 3/3 written');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    writes = stand.writes.filter((write) => write.namespace === ns);
  } finally {
    await stand.stop();
  }
  assert.equal(writes, [], 'the stand-ins were held off');
  for (const path of [dep(ns, 'web'), sts(ns, 'db'), dep(ns, 'worker')]) {
    const workload = await rest.get<Obj>(path);
    assert.is(workload.spec?.replicas, 0, path);
    assert.is(workload.metadata.annotations?.[MIGRATION_REPLICAS], '2', path);
  }
  // Exactly the pause fields, nothing else.
  const paused = {
    application: await rest.get<Obj>(application(app)),
    kustomization: await rest.get<Obj>(kustomization(ks)),
    scaledObject: await rest.get<Obj>(scaledObject(ns, 'worker')),
  };
  assert.equal(paused.application.spec, { project: 'default', syncPolicy: { syncOptions: ['CreateNamespace=true'], retry: { limit: 2 } } });
  assert.equal(paused.kustomization.spec, { ...originals.kustomization.spec, suspend: true });
  assert.equal(paused.scaledObject.metadata.annotations, { ...originals.scaledObject.metadata.annotations, 'autoscaling.keda.sh/paused-replicas': '0' });
  assert.equal(paused.scaledObject.spec, originals.scaledObject.spec);

  // The inverse of each pause (as rollback and undo build it) puts back exactly what was there, on the real server.
  const cases: Array<[ReconcilerType, string, keyof typeof originals, string]> = [
    ['argocd', APPLICATION_KEY, 'application', application(app)],
    ['flux-kustomization', KUSTOMIZATION_KEY, 'kustomization', kustomization(ks)],
    ['keda', SCALED_OBJECT_KEY, 'scaledObject', scaledObject(ns, 'worker')],
  ];
  for (const [type, key, name, path] of cases) {
    const plan = planReconcilerPause(type, originals[name], key);
    const inverse = inversePlan({ plan, outcome: 'changed', after: paused[name] });
    await rest.request('PATCH', path, buildJsonPatch(inverse.live, inverse.changes, inverse.preconditions), 'application/json-patch+json');
    const restored = await rest.get<Obj>(path);
    assert.equal(restored.spec, originals[name].spec, `${name} spec`);
    assert.equal(restored.metadata.annotations, originals[name].metadata.annotations, `${name} annotations`);
  }
});

test('--ignore-reconcilers goes ahead with a warning; Argo CD scales web back and the hold check fails the verb naming argocd-controller (exit 1)', async () => {
  const box = await sandbox();
  const rest = await withCrds();
  const ns = uniqueNamespace('ignored');
  const { app } = await seedReconciled(rest, ns, {});
  // Slow to report the scale-down, so the wait is still at it when Argo CD sets web back: the hold check stops it.
  await rest.mergePatch(dep(ns, 'web'), { metadata: { annotations: { 'sandbox.kubectl-failover.dev/ready-delay-ms': '5000' } } });
  const stand = standIn(rest, ns);
  const run = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--ignore-reconcilers', '--hold', '3s', '--timeout', '60s', '-o', 'json'], box.env).finally(() => stand.stop());
  assert.is(run.code, 1, run.stderr + run.stdout);
  assert.match(run.stderr, `warning: Argo CD Application argocd/${app} (automated sync with selfHeal, prune) manages deployment/web: it scales it back to the replicas in Git; going ahead anyway (--ignore-reconcilers)`);
  assert.match(run.stderr, `Hold check: 1/1 set back: ${ns}/deployment/web to 2 by argocd-controller`);
  const report = JSON.parse(run.stdout) as ChangeReport;
  assert.equal(report.hold?.notHeld, [{ namespace: ns, kind: 'Deployment', name: 'web', wrote: 0, found: 2, writer: 'argocd-controller' }]);
  assert.equal(
    report.objects.filter((row) => row.kind === 'Deployment').map((row) => [row.name, row.result, row.message]),
    [['web', 'changed', 'not held: replicas set back to 2 by argocd-controller']],
  );
  // The wait, which could only have timed out, was stopped by the hold check.
  assert.match(report.wait?.error ?? '', 'the hold check found replicas set back');
  assert.is(report.hold?.holdSeconds, 3);
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).spec?.replicas, 2);
});

test('activate: KEDA paused at 0 puts the workload back to 0; the hold check names keda-operator (exit 1)', async () => {
  const box = await sandbox();
  const rest = await withCrds();
  const ns = uniqueNamespace('heldatzero');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('worker', 0, { [MIGRATION_REPLICAS]: '2', 'stork.libopenstorage.org/migrated': 'true' }));
  await createIn(rest, ns, { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', annotations: { 'autoscaling.keda.sh/paused-replicas': '0' } }, spec: { scaleTargetRef: { name: 'worker' } } });
  const stand = standIn(rest, ns);
  const run = await runFailover(['activate', '-n', ns, '--context', 'source', '--hold', '3s', '--timeout', '60s'], box.env).finally(() => stand.stop());
  assert.is(run.code, 1, run.stderr + run.stdout);
  assert.match(run.stdout, /deployment\/worker\s+0 → 2\s+changed\s+not held: replicas set back to 0 by keda-operator/);
  assert.match(run.stdout, `not held after 3s: ${ns}/deployment/worker set back to 0 by keda-operator`);
});

test('forbidden to read Applications: "not readable here", a warning with the command to pause it by hand, and the deactivation goes on', async () => {
  const box = await sandbox();
  const rest = await withCrds();
  const ns = uniqueNamespace('noargo');
  const { app } = await seedReconciled(rest, ns, {});
  // A user who may do everything kubectl-failover needs, but not read argoproj.io.
  await rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    metadata: { name: 'kf-no-argo' },
    // Also the groups other test files register kinds of (ApplicationRegistrations on the shared sandbox).
    rules: [{ apiGroups: ['', 'apps', 'batch', 'autoscaling', 'stork.libopenstorage.org', 'keda.sh', 'kustomize.toolkit.fluxcd.io', 'helm.toolkit.fluxcd.io', 'example.com', 'kubevirt.io', 'ibp.com', 'apps.openshift.io', 'authorization.k8s.io'], resources: ['*'], verbs: ['*'] }],
  });
  await rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: 'kf-no-argo' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kf-no-argo' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'no-argo' }],
  });
  const run = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--as', 'no-argo', '--hold', '0', '--wait=false'], box.env);
  assert.is(run.code, 0, run.stderr + run.stdout);
  assert.match(
    run.stderr,
    `warning: deployment/web is managed by Argo CD Application ${app} (annotation argocd.argoproj.io/tracking-id), not readable here: listing applications.argoproj.io in namespace argocd is forbidden; if it syncs automatically with selfHeal it scales it back: pause it by hand where Argo CD runs: argocd app set ${app} --sync-policy none`,
  );
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).spec?.replicas, 0);
});

test.after(async () => {
  if (crds) await unregisterReconcilerCrds((await sandbox()).rest('source'));
  closeClients();
});
test.run();
