import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { MIGRATION_KNOBS } from '../../scripts/sandbox/migrationController';
import { createIn, ensureNamespace, MIGRATED, MIGRATION_REPLICAS, seedZookeeper, staticCopy, statefulSet, STORK } from '../../scripts/sandbox/seeds';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { runFailover } from './cliHarness';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, settled, uniqueNamespace, type Sandbox } from '../support/sandbox';
import path from 'node:path';

// `run` tells the truth: each case here ended with exit 0 and outcome Successful (or left the
// clusters in a state nobody asked for) before run shared activate/deactivate's pipeline and ran
// Stork's checks before any write. The end state is asserted on both clusters.

interface Obj {
  metadata: { name: string; uid: string; resourceVersion: string; annotations?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  spec: { replicas?: number; suspend?: boolean; paused?: boolean };
  status?: { applicationActivated?: boolean; items?: Record<string, Array<{ name: string; status?: string }>> | null };
}
interface Report {
  outcome: string;
  stages: Array<{ name: string; status: string; message?: string }>;
  findings: Array<{ code: string; severity: string; message: string; override?: string }>;
  dataLossWindow: Array<{ schedule: string; cluster: string; ageSeconds: number | null; from?: string }>;
  lastMileMigrations: string[];
  warnings: string[];
}

const API = `/apis/${STORK}/v1alpha1`;
const sts = (ns: string, name = 'zk'): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const schedule = (ns: string, name = 'migrationschedule'): string => `${API}/namespaces/${ns}/migrationschedules/${name}`;
const migrations = (ns: string): string => `${API}/namespaces/${ns}/migrations`;
const stage = (report: Report, name: string) => report.stages.find((entry) => entry.name === name);
const RUN = (ns: string, ...more: string[]): string[] => ['run', '--from', 'source', '--to', 'destination', '-n', ns, '-o', 'json', ...more];

async function seeded(box: Sandbox, prefix: string): Promise<string> {
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  return ns;
}

/** resourceVersions of what a run would write on both clusters: unchanged proves nothing was written. */
async function versions(box: Sandbox, ns: string): Promise<string[]> {
  await Promise.all([settled(box.rest('source'), sts(ns)), settled(box.rest('destination'), sts(ns))]);
  const objects = await Promise.all([box.rest('source').get<Obj>(sts(ns)), box.rest('source').get<Obj>(schedule(ns)), box.rest('destination').get<Obj>(sts(ns)), box.rest('destination').get<Obj>(schedule(ns))]);
  return objects.map((object) => object.metadata.resourceVersion);
}

function parse(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

test('stashed custom resources: run re-creates them and makes them own their PVCs, as activate does on a twin namespace', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  await registerCrd(destination, crdManifest('example.com', 'stashdbs', 'StashDB', 'Namespaced', 'v1'));
  const stashed = async (ns: string): Promise<void> => {
    await destination.create(`/api/v1/namespaces/${ns}/persistentvolumeclaims`, { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    const object = { apiVersion: 'example.com/v1', kind: 'StashDB', metadata: { name: 'orders', namespace: ns, uid: 'source-uid', resourceVersion: '4711' }, spec: { replicas: 3 } };
    const owner = { apiVersion: 'example.com/v1', kind: 'StashDB', name: 'orders', uid: 'source-uid', controller: true };
    await destination.create(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stash-orders', labels: { 'stash-cr': 'true', 'resource-kind': 'StashDB' } }, data: { 'cr-runtime-object': JSON.stringify(object), ownedPVCs: JSON.stringify({ 'data-0': owner }), name: 'stash-orders' } });
  };
  const viaRun = await seeded(box, 'truth-stash-run');
  const viaActivate = await seeded(box, 'truth-stash-act');
  await stashed(viaRun);
  await stashed(viaActivate);

  const run = await runFailover(RUN(viaRun, '--skip-last-mile', '--timeout', '60s'), box.env);
  assert.is(run.code, 0, run.stderr);
  const activate = await runFailover(['activate', '-n', viaActivate, '--context', 'destination', '--timeout', '60s'], box.env);
  assert.is(activate.code, 0, activate.stderr);

  const endState = async (ns: string) => {
    const db = await destination.get<Obj>(`/apis/example.com/v1/namespaces/${ns}/stashdbs/orders`);
    const pvc = await destination.get<Obj>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/data-0`);
    const zk = await destination.get<Obj>(sts(ns));
    const copy = await destination.get<Obj>(schedule(ns));
    return { db: db.spec.replicas, owners: (pvc.metadata.ownerReferences ?? []).map((owner) => `${owner.kind}/${owner.name}`), ownerUid: pvc.metadata.ownerReferences?.[0] && (pvc.metadata.ownerReferences[0] as { uid?: string }).uid === db.metadata.uid, zk: zk.spec.replicas, activated: copy.status?.applicationActivated };
  };
  const fromRun = await endState(viaRun);
  assert.equal(fromRun, { db: 3, owners: ['StashDB/orders'], ownerUid: true, zk: 3, activated: true });
  assert.equal(fromRun, await endState(viaActivate), 'run and activate leave the destination alike');
});

test('the schedule missing on the source: refused in Validations (exit 2) as Stork does, nothing written on either cluster', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'truth-nosched');
  await box.rest('source').delete(schedule(ns));
  const before = await versions(box, ns).catch(() => undefined);
  const zkBefore = (await box.rest('source').get<Obj>(sts(ns))).metadata.resourceVersion;
  const run = await runFailover(RUN(ns, '--max-rpo', '1s'), box.env);
  assert.is(run.code, 2, run.stderr);
  const report = parse(run.stdout);
  assert.is(stage(report, 'Validations')?.status, 'Failed');
  assert.ok(report.findings.some((finding) => finding.code === 'schedule-missing' && finding.severity === 'error'), JSON.stringify(report.findings));
  assert.match(stage(report, 'Validations')?.message ?? '', `unable to fetch the migrationschedule ${ns}/migrationschedule needed for the failover in the source context source`);
  assert.is(before, undefined, 'the source schedule is gone');
  assert.is((await box.rest('source').get<Obj>(sts(ns))).metadata.resourceVersion, zkBefore);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 0);
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated, false);
});

test('source and destination the same cluster (an alias context, or another URL of the same server): refused, exit 2, replication untouched', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'truth-alias');
  const source = box.cluster('source');
  const alias = writeKubeconfig({ name: 'source-alias', cluster: { server: source.server, 'insecure-skip-tls-verify': true }, user: { token: source.adminToken } });
  const otherUrl = writeKubeconfig({ name: 'source-localhost', cluster: { server: source.server.replace('127.0.0.1', 'localhost'), 'insecure-skip-tls-verify': true }, user: { token: source.adminToken } });
  const env = { ...box.env, KUBECONFIG: [box.kubeconfig, alias, otherUrl].join(path.delimiter) };
  const before = await versions(box, ns);
  for (const [to, why] of [
    ['source-alias', 'same API server'],
    ['source-localhost', 'namespace kube-system has the same uid'],
  ] as const) {
    const run = await runFailover(['run', '--from', 'source', '--to', to, '-n', ns, '-o', 'json'], env);
    assert.is(run.code, 2, `${to}: ${run.stderr}`);
    const report = parse(run.stdout);
    assert.ok(report.findings.some((finding) => finding.code === 'same-cluster'), JSON.stringify(report.findings));
    assert.match(stage(report, 'Validations')?.message ?? '', why);
  }
  assert.equal(await versions(box, ns), before);
  assert.is((await box.rest('source').get<{ items: unknown[] }>(migrations(ns))).items.length, 0, 'no Migration from the cluster to itself');
});

test('a destination count of -1 or 1e9: refused before the source is touched (exit 2)', async () => {
  const box = await sandbox();
  for (const bad of ['-1', '1e9']) {
    const ns = await seeded(box, 'truth-count');
    await box.rest('destination').mergePatch(sts(ns), { metadata: { annotations: { [MIGRATION_REPLICAS]: bad } } });
    const before = await versions(box, ns);
    const run = await runFailover(RUN(ns), box.env);
    assert.is(run.code, 2, run.stderr);
    const report = parse(run.stdout);
    assert.ok(report.findings.some((finding) => finding.code === 'count-invalid'), JSON.stringify(report.findings));
    assert.match(stage(report, 'Validations')?.message ?? '', `${ns}/statefulset/zk`);
    assert.equal(await versions(box, ns), before, `${bad}: nothing written on either cluster`);
    assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, false);
  }
});

test('the last mile is not bounded by --timeout; --last-mile-timeout is, and --on-last-mile-timeout=delete deletes it before the rollback', async () => {
  const box = await sandbox();
  const slow = await seeded(box, 'truth-slow');
  // Five steps of 2 s: longer than --timeout 8s, which leaves a loaded machine room for the scale-down wait.
  await box.rest('source').mergePatch(schedule(slow), { metadata: { annotations: { [MIGRATION_KNOBS.delayMs]: '2000' } } });
  const run = await runFailover(RUN(slow, '--timeout', '8s', '--wait=false'), box.env);
  assert.is(run.code, 0, run.stderr);
  const report = parse(run.stdout);
  assert.is(report.outcome, 'Successful');
  assert.is(stage(report, 'LastMileMigration')?.status, 'Successful');

  const stuck = await seeded(box, 'truth-stuck');
  await box.rest('source').mergePatch(schedule(stuck), { metadata: { annotations: { [MIGRATION_KNOBS.hang]: 'true' } } });
  const bounded = await runFailover(RUN(stuck, '--last-mile-timeout', '2s', '--on-last-mile-timeout=delete', '--timeout', '30s'), box.env);
  assert.is(bounded.code, 1, bounded.stderr);
  const cut = parse(bounded.stdout);
  assert.is(cut.outcome, 'RollbackSuccessful');
  assert.is(stage(cut, 'LastMileMigration')?.status, 'TimedOut');
  assert.match(stage(cut, 'LastMileMigration')?.message ?? '', 'was deleted (--on-last-mile-timeout=delete)');
  assert.is((await box.rest('source').get<{ items: unknown[] }>(migrations(stuck))).items.length, 0, 'the last mile is gone');
  assert.is((await box.rest('source').get<Obj>(sts(stuck))).spec.replicas, 3, 'the source is back');
  assert.is((await box.rest('source').get<Obj>(schedule(stuck))).spec.suspend, false, 'and replicating again');
  assert.is((await box.rest('destination').get<Obj>(sts(stuck))).spec.replicas, 0);
});

test('a namespace that exists only on the destination: refused naming --skip-source-operations; with it, failed over; the window comes from migrationTime', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('truth-destonly');
  const destination = box.rest('destination');
  await ensureNamespace(destination, ns);
  const stamp = new Date(Date.now() - 20 * 60_000);
  const time = `${stamp.toISOString().slice(0, 10)}-${stamp.toISOString().slice(11, 19).replace(/:/g, '')}`;
  await createIn(destination, ns, statefulSet('zk', 0, { [MIGRATION_REPLICAS]: '2', [MIGRATED]: 'true', [`${STORK}/migrationTime`]: time }));
  await createIn(destination, ns, staticCopy('migrationschedule', [ns]));

  const refused = await runFailover(RUN(ns), box.env);
  assert.is(refused.code, 2, refused.stderr);
  const findings = parse(refused.stdout).findings;
  assert.ok(findings.some((finding) => finding.code === 'namespace-missing' && finding.override === '--skip-source-operations'), JSON.stringify(findings));
  assert.is((await destination.get<Obj>(sts(ns))).spec.replicas, 0);

  const rpo = await runFailover(RUN(ns, '--skip-source-operations', '--max-rpo', '10m'), box.env);
  assert.is(rpo.code, 2, 'the window read from migrationTime is 20m: beyond --max-rpo 10m');
  assert.match(stage(parse(rpo.stdout), 'Validations')?.message ?? '', 'beyond --max-rpo 10m');

  const run = await runFailover(RUN(ns, '--skip-source-operations', '--max-rpo', '30m', '--timeout', '60s'), box.env);
  assert.is(run.code, 0, run.stderr);
  const report = parse(run.stdout);
  assert.is(report.outcome, 'Successful');
  const [window] = report.dataLossWindow;
  assert.is(window?.from, 'migration-time');
  assert.ok(window?.ageSeconds !== null && window!.ageSeconds! >= 20 * 60 && window!.ageSeconds! < 22 * 60, JSON.stringify(window));
  assert.match(window?.cluster ?? '', 'migrationTime');
  assert.is((await destination.get<Obj>(sts(ns))).spec.replicas, 2);
});

/** A Migration named as the schedule's latest, with status.volumes, as Stork leaves it after a run. */
async function latestMigrationWithVolume(source: SandboxRest, ns: string, claim: string): Promise<void> {
  const read = await source.get<Obj>(schedule(ns));
  const latest = Object.values(read.status?.items ?? {}).flat().pop();
  if (!latest) throw new Error('the seed has no migration');
  await source.create(migrations(ns), {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'Migration',
    metadata: { name: latest.name },
    spec: { clusterPair: 'remotecluster', namespaces: [ns] },
    status: { stage: 'Final', status: 'Successful', volumes: [{ persistentVolumeClaim: claim, namespace: ns, volume: 'pv-1', status: 'Successful' }] },
  });
}

async function podUsing(source: SandboxRest, ns: string, name: string, claim: string): Promise<void> {
  await source.create(`/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'sandbox-node', terminationGracePeriodSeconds: 600, containers: [{ name: 'main', image: 'sandbox/vm' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] } });
}

test("WaitAfterScaleDown waits until no pod (Terminating ones too) holds a volume of the latest migration, as Stork: a bare pod fails it and the source is rolled back", async () => {
  const box = await sandbox();
  const source = box.rest('source');
  const ns = await seeded(box, 'truth-volumes');
  await latestMigrationWithVolume(source, ns, 'data-vm');
  await podUsing(source, ns, 'virt-launcher-vm', 'data-vm');
  const held = await runFailover(RUN(ns, '--timeout', '8s', '--skip-last-mile'), box.env);
  assert.is(held.code, 1, held.stderr);
  const report = parse(held.stdout);
  assert.is(stage(report, 'WaitAfterScaleDown')?.status, 'TimedOut');
  assert.match(stage(report, 'WaitAfterScaleDown')?.message ?? '', `${ns}/virt-launcher-vm`);
  assert.is(report.outcome, 'RollbackSuccessful');
  assert.is((await source.get<Obj>(sts(ns))).spec.replicas, 3);

  // Deleted gracefully with no kubelet: Terminating, and still holding the volume.
  await source.delete(`/api/v1/namespaces/${ns}/pods/virt-launcher-vm`);
  const terminating = await runFailover(RUN(ns, '--timeout', '8s', '--skip-last-mile'), box.env);
  assert.is(terminating.code, 1, terminating.stderr);
  assert.match(stage(parse(terminating.stdout), 'WaitAfterScaleDown')?.message ?? '', 'virt-launcher-vm (Terminating)');

  await source.delete(`/api/v1/namespaces/${ns}/pods/virt-launcher-vm?gracePeriodSeconds=0`);
  const free = await runFailover(RUN(ns, '--timeout', '30s', '--skip-last-mile'), box.env);
  assert.is(free.code, 0, free.stderr);
  assert.match(stage(parse(free.stdout), 'WaitAfterScaleDown')?.message ?? '', '1 migrated volume(s) free');
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);
});

test('the source schedule is suspended before a running migration is waited for (as Stork), so none starts in the gap', async () => {
  const box = await sandbox();
  const source = box.rest('source');
  const ns = await seeded(box, 'truth-order');
  // The latest migration is still running when the run starts.
  const read = await source.get<Obj>(schedule(ns));
  const items = read.status?.items ?? {};
  const running = { name: `migrationschedule-interval-running`, creationTimestamp: new Date().toISOString(), finishTimestamp: null, status: 'InProgress' };
  await source.mergePatch(schedule(ns), { status: { items: { ...items, Interval: [...(items.Interval ?? []), running] } } });
  const runPromise = runFailover(RUN(ns, '--skip-last-mile', '--timeout', '60s'), box.env);
  // Watch: the schedule must be suspended while the migration still runs.
  let suspendedWhileRunning = false;
  for (let attempt = 0; attempt < 100 && !suspendedWhileRunning; attempt++) {
    const now = await source.get<Obj & { status: { items: Record<string, Array<{ status: string }>> } }>(schedule(ns));
    if (now.spec.suspend === true && now.status.items.Interval?.some((entry) => entry.status === 'InProgress')) suspendedWhileRunning = true;
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(suspendedWhileRunning, 'suspended first');
  const done = await source.get<Obj & { status: { items: Record<string, Array<Record<string, unknown>>> } }>(schedule(ns));
  const finished = (done.status.items.Interval ?? []).map((entry) => (entry.status === 'InProgress' ? { ...entry, status: 'Successful', finishTimestamp: new Date().toISOString() } : entry));
  await source.mergePatch(schedule(ns), { status: { items: { ...done.status.items, Interval: finished } } });
  const run = await runPromise;
  assert.is(run.code, 0, run.stderr);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);
});

test("run's ScaleDownSource deletes the pods a registration's podsPath lists, as deactivate does", async () => {
  const box = await sandbox();
  const register = async (rest: SandboxRest): Promise<void> => {
    await registerCrd(rest, crdManifest('example.com', 'rings', 'Ring', 'Namespaced', 'v1'));
    await rest.ensure(`${API}/applicationregistrations`, { apiVersion: `${STORK}/v1alpha1`, kind: 'ApplicationRegistration', metadata: { name: 'rings' }, resources: [{ group: 'example.com', version: 'v1', kind: 'Ring', keepStatus: false, suspendOptions: { path: 'spec.paused', type: 'bool', value: 'true' }, podsPath: 'status.members.ready' }] });
  };
  await register(box.rest('source'));
  await register(box.rest('destination'));
  const ns = await seeded(box, 'truth-pods');
  await createIn(box.rest('source'), ns, { apiVersion: 'example.com/v1', kind: 'Ring', metadata: { name: 'ring' }, spec: { paused: false }, status: { members: { ready: ['ring-0'] } } });
  await box.rest('source').create(`/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ring-0' }, spec: { containers: [{ name: 'main', image: 'sandbox/ring' }] } });
  await createIn(box.rest('destination'), ns, { apiVersion: 'example.com/v1', kind: 'Ring', metadata: { name: 'ring', annotations: { [MIGRATED]: 'true' } }, spec: { paused: true } });
  const run = await runFailover(RUN(ns, '--skip-last-mile', '--timeout', '60s'), box.env);
  assert.is(run.code, 0, run.stderr);
  assert.is((await box.rest('source').get<Obj>(`/apis/example.com/v1/namespaces/${ns}/rings/ring`)).spec.paused, true);
  assert.is(await box.rest('source').find(`/api/v1/namespaces/${ns}/pods/ring-0`), undefined, 'the podsPath pod is deleted');
  assert.is((await box.rest('destination').get<Obj>(`/apis/example.com/v1/namespaces/${ns}/rings/ring`)).spec.paused, false);
});

test('applicationActivated: only static copies, only once every write went through; a failback leaves the forward schedule on its source alone', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'truth-activated');
  // A schedule on the destination that replicates onwards (not a static copy) must not be marked.
  await createIn(box.rest('destination'), ns, { ...(staticCopy('onward', [ns]) as object), metadata: { name: 'onward', annotations: {} }, spec: { schedulePolicyName: 'default-migration-policy', suspend: false, template: { spec: { clusterPair: 'third', namespaces: [ns] } } } });
  const run = await runFailover(RUN(ns, '--skip-last-mile', '--timeout', '60s'), box.env);
  assert.is(run.code, 0, run.stderr);
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated, true, 'the static copy is marked');
  assert.not.ok((await box.rest('destination').get<Obj>(schedule(ns, 'onward'))).status?.applicationActivated, 'a replicating schedule is not');

  // A count garbled on the destination after Validations (during the last mile): the scale-up fails, the copy stays unmarked.
  const failing = await seeded(box, 'truth-activated-fail');
  await box.rest('source').mergePatch(schedule(failing), { metadata: { annotations: { [MIGRATION_KNOBS.delayMs]: '700' } } });
  const started = runFailover(RUN(failing, '--timeout', '60s'), box.env);
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await box.rest('source').get<Obj>(schedule(failing))).spec.suspend === true) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await box.rest('destination').mergePatch(sts(failing), { metadata: { annotations: { [MIGRATION_REPLICAS]: 'oops' } } });
  const result = await started;
  assert.is(result.code, 1, result.stderr);
  const report = parse(result.stdout);
  assert.is(stage(report, 'ScaleUpDestination')?.status, 'Failed');
  assert.match(stage(report, 'ScaleUpDestination')?.message ?? '', 'the static copies are not marked activated');
  assert.is((await box.rest('destination').get<Obj>(schedule(failing))).status?.applicationActivated, false, 'not marked after a failed scale-up');
  assert.is((await box.rest('source').get<Obj>(sts(failing))).spec.replicas, 0, 'the source stays down: no split brain');
});

test('dry run: each diff header names its cluster, the source stages before the destination', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'truth-dry');
  const before = await versions(box, ns);
  const dry = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--dry-run=client'], box.env);
  assert.is(dry.code, 0, dry.stderr);
  const sourceAt = dry.stdout.indexOf(`--- source: ${ns}/statefulset/zk (live)`);
  const destinationAt = dry.stdout.indexOf(`--- destination: ${ns}/statefulset/zk (live)`);
  assert.ok(sourceAt >= 0 && destinationAt > sourceAt, dry.stdout);
  assert.match(dry.stdout, `--- source: ${ns}/migrationschedule/migrationschedule (live)`);
  assert.equal(await versions(box, ns), before);
});

test('failback as Stork: waits for a running migration of the reverse schedule, a NamespacedSchedulePolicy first, a missing policy fails, no static copy needed, the last mile named …-lastmile-failback-…', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'truth-failback');
  const over = await runFailover(RUN(ns, '--timeout', '60s'), box.env);
  assert.is(over.code, 0, over.stderr);
  const destination = box.rest('destination');
  // The reverse schedule on the destination with a namespaced policy; no static copy on the source.
  const reverse = { ...(staticCopy('reverse', [ns]) as Record<string, unknown>) };
  const recent = new Date(Date.now() - 60_000).toISOString();
  await createIn(destination, ns, { ...reverse, metadata: { name: 'reverse' }, spec: { schedulePolicyName: 'every-5m', suspend: false, template: { spec: { clusterPair: 'back', namespaces: [ns], includeResources: true, startApplications: false } } }, status: { items: { Interval: [{ name: 'reverse-interval-1', creationTimestamp: recent, finishTimestamp: recent, status: 'Successful' }] } } });

  const missing = await runFailover(['failback', '--from', 'destination', '--to', 'source', '-m', 'reverse', '-n', ns, '-o', 'json'], box.env);
  assert.is(missing.code, 2, missing.stderr);
  assert.ok(parse(missing.stdout).findings.some((finding) => finding.code === 'policy-missing'), missing.stdout);

  // Stork registers NamespacedSchedulePolicy beside SchedulePolicy; the sandbox registers it here.
  await registerCrd(destination, crdManifest(STORK, 'namespacedschedulepolicies', 'NamespacedSchedulePolicy', 'Namespaced', 'v1alpha1'));
  await destination.create(`${API}/namespaces/${ns}/namespacedschedulepolicies`, { apiVersion: `${STORK}/v1alpha1`, kind: 'NamespacedSchedulePolicy', metadata: { name: 'every-5m' }, policy: { interval: { intervalMinutes: 5 } } });
  const back = await runFailover(['failback', '--from', 'destination', '--to', 'source', '-m', 'reverse', '-n', ns, '--timeout', '60s', '-o', 'json'], box.env);
  assert.is(back.code, 0, back.stderr);
  const report = parse(back.stdout);
  assert.is(report.outcome, 'Successful');
  assert.match(report.lastMileMigrations.join(','), `${ns}/reverse-lastmile-failback-`);
  assert.is((await box.rest('source').get<Obj>(sts(ns))).spec.replicas, 3);
  assert.not.ok((await box.rest('source').get<Obj>(schedule(ns))).status?.applicationActivated, 'the forward schedule on the original source is not marked activated');
});

test.after(closeClients);
test.run();
