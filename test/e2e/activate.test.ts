import { test } from 'uvu';
import * as assert from 'uvu/assert';
import yaml from 'js-yaml';
import { createIn, cronJob, deployment, ensureNamespace, migrationSchedule, MIGRATED, MIGRATION_REPLICAS, replicaSet, seedZookeeper, statefulSet, cronJobApiVersion } from '../../scripts/sandbox/seeds';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean };
  status?: { applicationActivated?: boolean; readyReplicas?: number; observedGeneration?: number };
}

const sts = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const schedulePath = (ns: string, name: string): string => `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;

test('activate -n: zk scaled to its recorded 3, schedule marked activated, pods ready; again: unchanged', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('zk');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '60s'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /statefulset\/zk\s+0 → 3\s+changed/);
  assert.match(run.stdout, /1\/1 ready after/);
  const zk = await box.rest('destination').get<Obj>(sts(ns, 'zk'));
  assert.is(zk.spec.replicas, 3);
  assert.is(zk.status?.readyReplicas, 3);
  const schedule = await box.rest('destination').get<Obj>(schedulePath(ns, 'migrationschedule'));
  assert.is(schedule.status?.applicationActivated, true);
  const pods = await box.rest('destination').get<{ items: Array<{ metadata: { name: string }; status: { phase: string } }> }>(`/api/v1/namespaces/${ns}/pods`);
  assert.equal(pods.items.map((pod) => [pod.metadata.name, pod.status.phase]).sort(), [['zk-0', 'Running'], ['zk-1', 'Running'], ['zk-2', 'Running']]);

  const again = await runFailover(['activate', '-n', ns, '--context', 'destination'], box.env);
  assert.is(again.code, 0);
  assert.match(again.stdout, /already active: 2 unchanged/);
  const after = await box.rest('destination').get<Obj>(sts(ns, 'zk'));
  assert.is(after.metadata.resourceVersion, zk.metadata.resourceVersion);
});

test('both dry runs print diffs and change nothing (resourceVersions unchanged)', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('dry');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const before = await settled<Obj>(box.rest('destination'), sts(ns, 'zk'));
  const scheduleBefore = await box.rest('destination').get<Obj>(schedulePath(ns, 'migrationschedule'));
  // A bare --dry-run (last, or before another flag) means client, as in kubectl; never a real run.
  const modes = [
    { mode: 'client', flags: ['--dry-run=client'] },
    { mode: 'server', flags: ['--dry-run=server'] },
    { mode: 'client', flags: ['--dry-run'] },
    { mode: 'client', flags: ['--dry-run', '-v'] },
  ];
  for (const { mode, flags } of modes) {
    const run = await runFailover(['activate', '-n', ns, '--context', 'destination', ...flags], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, `+++ ${ns}/statefulset/zk (${mode === 'server' ? 'server dry run' : 'planned'})`);
    assert.match(run.stdout, '-  replicas: 0\n+  replicas: 3');
    assert.match(run.stdout, '+  applicationActivated: true');
    assert.match(run.stdout, `would change (dry run: ${mode})`);
    if (mode === 'server') assert.match(run.stderr, 'Sending server-side dry runs: 2/2 accepted by the server');
    else assert.not.match(run.stderr, /written|Activating/);
  }
  const after = await box.rest('destination').get<Obj>(sts(ns, 'zk'));
  const scheduleAfter = await box.rest('destination').get<Obj>(schedulePath(ns, 'migrationschedule'));
  assert.is(after.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.is(scheduleAfter.metadata.resourceVersion, scheduleBefore.metadata.resourceVersion);
  assert.is(after.spec.replicas, 0);
});

test('garbled annotations next to good ones: good ones activated, bad ones reported with their value, exit 1', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('garbled');
  const rest = box.rest('destination');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('good', 0, { [MIGRATION_REPLICAS]: '2' }));
  await createIn(rest, ns, deployment('word', 0, { [MIGRATION_REPLICAS]: 'three' }));
  await createIn(rest, ns, deployment('negative', 0, { [MIGRATION_REPLICAS]: '-1' }));
  await createIn(rest, ns, deployment('huge', 0, { [MIGRATION_REPLICAS]: '99999999999' }));
  await createIn(rest, ns, deployment('plain', 0));
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--wait=false', '-o', 'json'], box.env);
  assert.is(run.code, 1);
  const report = JSON.parse(run.stdout) as { objects: Array<{ name: string; result: string; message?: string }> };
  const byName = Object.fromEntries(report.objects.map((row) => [row.name, row]));
  assert.is(byName.good?.result, 'changed');
  assert.is(byName.word?.result, 'failed');
  assert.match(byName.word?.message ?? '', '"three" is not an integer');
  assert.match(byName.negative?.message ?? '', '"-1" is negative');
  assert.match(byName.huge?.message ?? '', 'too large');
  assert.is(byName.plain?.result, 'skipped');
  assert.is((await rest.get<Obj>(dep(ns, 'good'))).spec.replicas, 2);
  assert.is((await rest.get<Obj>(dep(ns, 'word'))).spec.replicas, 0);
});

test('read-only user: forbidden, named verb and resource, nothing changed, exit 1', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('rbac');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination-readonly', '--wait=false'], box.env);
  assert.is(run.code, 1);
  assert.match(run.stdout, /statefulset\/zk\s+0 → 3\s+failed\s+statefulsets.apps "zk" is forbidden: User "readonly" cannot patch resource "statefulsets"/);
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 0);
});

test('unknown namespace and unknown context: one line, exit 2', async () => {
  const box = await sandbox();
  const missing = await runFailover(['activate', '-n', 'no-such-namespace'], box.env);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'error: namespace "no-such-namespace" not found\n');
  const context = await runFailover(['activate', '--context', 'prod'], box.env);
  assert.is(context.code, 2);
  assert.is(context.stderr, 'error: context "prod" not found in kubeconfig (available: source, source-readonly, destination, destination-readonly, no-stork, no-stork-readonly)\n');
});

test('deactivate on the source then activate restores the exact counts; owned ReplicaSets and non-migrated CronJobs skipped', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('roundtrip');
  const rest = box.rest('source');
  const cronVersion = await cronJobApiVersion(rest);
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  await createIn(rest, ns, deployment('web', 2));
  await createIn(rest, ns, statefulSet('db', 3));
  await createIn(rest, ns, replicaSet('batch', 1));
  // A garbled record where the app runs: the live count replaces it, and the report says so.
  await createIn(rest, ns, deployment('legacy', 4, { [MIGRATION_REPLICAS]: 'stale' }));
  // A ReplicaSet a Deployment owns follows its owner: scaling it directly would fight the controller.
  const web = await rest.get<{ metadata: { uid: string } }>(dep(ns, 'web'));
  const owned = replicaSet('web-5d4f', 2) as { metadata: Record<string, unknown> };
  owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: web.metadata.uid, controller: true }];
  await createIn(rest, ns, owned);
  await createIn(rest, ns, cronJob(cronVersion, 'report', false));
  const deactivate = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--timeout', '60s'], box.env);
  assert.is(deactivate.code, 0, deactivate.stderr + deactivate.stdout);
  assert.match(deactivate.stdout, /deployment\/legacy\s+4 → 0\s+changed\s+recorded count "stale" replaced by the live count 4/);
  for (const [path, count] of [[dep(ns, 'web'), '2'], [dep(ns, 'legacy'), '4'], [sts(ns, 'db'), '3'], [`/apis/apps/v1/namespaces/${ns}/replicasets/batch`, '1']] as const) {
    const object = await rest.get<Obj>(path);
    assert.is(object.spec.replicas, 0, path);
    assert.is(object.metadata.annotations?.[MIGRATION_REPLICAS], count, path);
  }
  assert.is((await rest.get<Obj>(`/apis/${cronVersion}/namespaces/${ns}/cronjobs/report`)).spec.suspend, true);
  const ownedAfter = await rest.get<Obj>(`/apis/apps/v1/namespaces/${ns}/replicasets/web-5d4f`);
  assert.is(ownedAfter.spec.replicas, 2, 'an owned ReplicaSet is left to its Deployment');
  assert.is(ownedAfter.metadata.annotations?.[MIGRATION_REPLICAS], undefined);
  // A second deactivate keeps the recorded counts (never overwritten with 0).
  const again = await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env);
  assert.is(again.code, 0);
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).metadata.annotations?.[MIGRATION_REPLICAS], '2');

  const activate = await runFailover(['activate', '-n', ns, '--context', 'source', '-v', '--timeout', '60s'], box.env);
  assert.is(activate.code, 0, activate.stderr);
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).spec.replicas, 2);
  assert.is((await rest.get<Obj>(dep(ns, 'legacy'))).spec.replicas, 4);
  assert.is((await rest.get<Obj>(sts(ns, 'db'))).spec.replicas, 3);
  assert.is((await rest.get<Obj>(`/apis/apps/v1/namespaces/${ns}/replicasets/batch`)).spec.replicas, 1);
  // The source's CronJob carries no Stork annotation: activate leaves it for the user, and says so with -v.
  assert.match(activate.stdout, /cronjob\/report\s+suspended\s+skipped\s+not migrated by Stork/);
  assert.match(activate.stdout, /replicaset\/web-5d4f\s+.*skipped\s+owned by deployment\/web/);
});

test('deactivate: unprotected namespaces refused with -n (unless --force) and left alone by -A', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('unprotected');
  const rest = box.rest('source');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('tool', 2));
  await createIn(rest, 'kube-system', deployment('dns-sim', 2));
  const refused = await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, `error: refusing to deactivate namespace "${ns}": not protected: no MigrationSchedule migrates it`);
  const all = await runFailover(['deactivate', '-A', '--context', 'source', '--dry-run=server'], box.env);
  assert.is(all.code, 0, all.stderr);
  // The dry run shows the fence: each namespace, in or out, and why.
  assert.match(all.stdout, /^NAMESPACE\s+SCOPE\s+WHY$/m);
  assert.match(all.stdout, /^kube-system\s+left out\s+system namespace \(Kubernetes' own\)$/m);
  assert.match(all.stdout, new RegExp(`^${ns}\\s+left out\\s+not protected`, 'm'));
  assert.is((await rest.get<Obj>(dep(ns, 'tool'))).spec.replicas, 2);
  const real = await runFailover(['deactivate', '-A', '--context', 'source', '--wait=false'], box.env);
  assert.is(real.code, 0, real.stderr);
  assert.match(real.stdout, 'left out (system namespace; only -n with --force reaches it): kube-system');
  assert.match(real.stdout, new RegExp(`left out \\(not protected by Stork\\): .*${ns}`));
  assert.is((await rest.get<Obj>(dep('kube-system', 'dns-sim'))).spec.replicas, 2);
  assert.is((await rest.get<Obj>(dep(ns, 'tool'))).spec.replicas, 2);
  const forced = await runFailover(['deactivate', '-n', ns, '--context', 'source', '--force', '--wait=false'], box.env);
  assert.is(forced.code, 0, forced.stderr);
  const tool = await rest.get<Obj & { metadata: { managedFields?: Array<{ manager: string; fieldsV1?: { 'f:metadata'?: { 'f:annotations'?: Record<string, unknown> } } }> } }>(dep(ns, 'tool'));
  assert.is(tool.spec.replicas, 0);
  // The object had no annotations: the map was added whole, with the count.
  assert.equal(tool.metadata.annotations, { [MIGRATION_REPLICAS]: '2' });
  const recordedBy = (tool.metadata.managedFields ?? []).filter((entry) => entry.fieldsV1?.['f:metadata']?.['f:annotations']?.[`f:${MIGRATION_REPLICAS}`] !== undefined).map((entry) => entry.manager);
  assert.equal(recordedBy, ['kubectl-failover-force']);

  // That record is ours, made by force: it does not make the namespace look protected afterwards.
  const fence = await runFailover(['deactivate', '-A', '--context', 'source', '--dry-run'], box.env);
  assert.is(fence.code, 0, fence.stderr);
  assert.match(fence.stdout, new RegExp(`^${ns}\\s+left out\\s+not protected: no MigrationSchedule migrates it and no object in it was migrated by Stork$`, 'm'));
  const again = await runFailover(['deactivate', '-n', ns, '--context', 'source'], box.env);
  assert.is(again.code, 2);
  assert.match(again.stderr, `error: refusing to deactivate namespace "${ns}": not protected`);
});

test('the real API server holds a missing parent with a JSON patch `test` of null, and refuses it once the parent exists', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('testnull');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('bare', 1));
  const path = dep(ns, 'bare');
  assert.is((await rest.get<Obj>(path)).metadata.annotations, undefined, 'created without annotations');
  const patch = (value: Record<string, string>): unknown[] => [
    { op: 'test', path: '/metadata/annotations', value: null },
    { op: 'add', path: '/metadata/annotations', value },
  ];
  await rest.request('PATCH', path, patch({ first: 'writer' }), 'application/json-patch+json');
  assert.equal((await rest.get<Obj>(path)).metadata.annotations, { first: 'writer' });
  // A second writer that also saw no annotations: its test fails, nothing of the first is replaced.
  const refused = await rest.request('PATCH', path, patch({ second: 'writer' }), 'application/json-patch+json').then(
    () => undefined,
    (error: { statusCode?: number; message: string }) => error,
  );
  assert.is(refused?.statusCode, 422, 'a test of null on a present member is refused');
  assert.equal((await rest.get<Obj>(path)).metadata.annotations, { first: 'writer' });

  // The same on a custom resource without status (a MigrationSchedule as Stork's CRDs serve it).
  const schedule = schedulePath(ns, 'nostatus');
  await rest.create(`/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules`, { apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', metadata: { name: 'nostatus' }, spec: {} });
  const activateOps = [
    { op: 'test', path: '/status', value: null },
    { op: 'add', path: '/status', value: { applicationActivated: true } },
  ];
  await rest.request('PATCH', schedule, activateOps, 'application/json-patch+json');
  assert.is((await rest.get<Obj>(schedule)).status?.applicationActivated, true);
  const again = await rest.request('PATCH', schedule, activateOps, 'application/json-patch+json').then(
    () => undefined,
    (error: { statusCode?: number }) => error,
  );
  assert.is(again?.statusCode, 422);
});

test('migrated CronJobs resume; -l limits the objects; --wait timeout names what is not ready', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('misc');
  const rest = box.rest('destination');
  const cronVersion = await cronJobApiVersion(rest);
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, cronJob(cronVersion, 'backup', true, { [MIGRATED]: 'true' }));
  await createIn(rest, ns, deployment('front', 0, { [MIGRATION_REPLICAS]: '1' }, { tier: 'front' }));
  await createIn(rest, ns, deployment('stuck', 0, { [MIGRATION_REPLICAS]: '1', 'sandbox.kubectl-failover.dev/never-ready': 'true' }, { tier: 'back' }));
  const front = await runFailover(['activate', '-n', ns, '--context', 'destination', '-l', 'tier=front', '--timeout', '60s'], box.env);
  assert.is(front.code, 0, front.stderr);
  assert.is((await rest.get<Obj>(dep(ns, 'front'))).spec.replicas, 1);
  assert.is((await rest.get<Obj>(dep(ns, 'stuck'))).spec.replicas, 0);
  const rest2 = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '3s'], box.env);
  assert.is(rest2.code, 3); // changed, but not ready within --timeout
  assert.match(rest2.stdout, /cronjob\/backup\s+suspended → active\s+changed/);
  assert.match(rest2.stdout, new RegExp(`timed out after \\d+(\\.\\d)?s with 1/2 ready; not ready: ${ns}/deployment/stuck \\(0/1 ready\\)`));
  assert.is((await rest.get<Obj>(`/apis/${cronVersion}/namespaces/${ns}/cronjobs/backup`)).spec.suspend, false);
});

test('activate -A activates every namespace with migrated workloads', async () => {
  const box = await sandbox();
  const names = [uniqueNamespace('all'), uniqueNamespace('all')];
  // Other tests leave garbled annotations behind on this cluster: a label keeps this run to its own objects.
  const mine = { run: names[0] ?? '' };
  for (const ns of names) {
    await ensureNamespace(box.rest('destination'), ns);
    await createIn(box.rest('destination'), ns, statefulSet('zk', 0, { [MIGRATION_REPLICAS]: '2' }, mine));
  }
  const run = await runFailover(['activate', '-A', '-l', `run=${mine.run}`, '--context', 'destination', '--timeout', '60s', '-o', 'yaml'], box.env);
  assert.is(run.code, 0, run.stderr);
  for (const ns of names) assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 2);
  const report = yaml.load(run.stdout) as { apiVersion: string; kind: string; summary: Record<string, number>; wait?: { total: number; ready: number; timedOut: boolean } };
  assert.is(report.apiVersion, 'kubectl-failover.dev/v1alpha1');
  assert.is(report.kind, 'ActivationReport');
  assert.equal(report.summary, { changed: 2, wouldChange: 0, unchanged: 0, skipped: 0, failed: 0, unknown: 0, notAttempted: 0 });
  assert.equal([report.wait?.total, report.wait?.ready, report.wait?.timedOut], [2, 2, false]);
});

test('KubeVirt VirtualMachines (served through a CRD): started by runStrategy or running, stopped on deactivate', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  await registerCrd(rest, crdManifest('kubevirt.io', 'virtualmachines', 'VirtualMachine', 'Namespaced', 'v1'));
  const ns = uniqueNamespace('vm');
  await ensureNamespace(rest, ns);
  const vm = (name: string, spec: Record<string, unknown>, annotations: Record<string, string>): unknown => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, annotations }, spec });
  await createIn(rest, ns, vm('by-strategy', { runStrategy: 'Halted' }, { [MIGRATED]: 'true' }));
  await createIn(rest, ns, vm('by-flag', { running: false }, { [MIGRATED]: 'true' }));
  await createIn(rest, ns, vm('local', { running: false }, {}));
  const spec = async (name: string): Promise<Record<string, unknown>> => (await rest.get<{ spec: Record<string, unknown> }>(`/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines/${name}`)).spec;

  const activate = await runFailover(['activate', '-n', ns, '--context', 'destination', '-v'], box.env);
  assert.is(activate.code, 0, activate.stderr);
  assert.match(activate.stdout, /virtualmachine\/by-strategy\s+stopped → running\s+changed/);
  assert.match(activate.stdout, /virtualmachine\/local\s+stopped\s+skipped\s+not migrated by Stork/);
  assert.equal(await spec('by-strategy'), { runStrategy: 'Always' });
  assert.equal(await spec('by-flag'), { running: true });
  assert.equal(await spec('local'), { running: false });

  const deactivate = await runFailover(['deactivate', '-n', ns, '--context', 'destination'], box.env);
  assert.is(deactivate.code, 0, deactivate.stderr);
  assert.equal(await spec('by-strategy'), { runStrategy: 'Halted' });
  assert.equal(await spec('by-flag'), { running: false });
});

test.after(() => closeClients());
test.run();
