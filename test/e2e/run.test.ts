import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, migrationSchedule, MIGRATION_REPLICAS, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closedPort, listen, writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, settled, uniqueNamespace, type Sandbox } from '../support/sandbox';

// `kubectl failover run` on the sandbox's two real API servers, with the Stork stand-ins
// completing Migrations as Stork's controller would.

interface Obj {
  metadata: { resourceVersion: string; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean };
  status?: { applicationActivated?: boolean };
}
interface Report {
  apiVersion: string;
  kind: string;
  runId: string;
  outcome: string;
  source: { reachable: boolean; error?: string };
  stages: Array<{ name: string; status: string; message?: string; objects: Array<{ name: string; result: string }> }>;
  lastMileMigrations: string[];
  dataLossWindow: Array<{ schedule: string; ageSeconds: number | null }>;
  namespaceResults: Array<{ namespace: string; result: string }>;
}

const sts = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const schedule = (ns: string, name = 'migrationschedule'): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;
const migrations = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrations`;
const stage = (report: Report, name: string) => report.stages.find((entry) => entry.name === name);

/** The zookeeper seed in its own namespace, plus a source-only app the destination never activates. */
async function seeded(box: Sandbox, prefix: string): Promise<string> {
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  await createIn(box.rest('source'), ns, deployment('source-only', 2));
  return ns;
}

/** Every object's resourceVersion on both clusters, to prove that nothing was written. */
async function versions(box: Sandbox, ns: string): Promise<string[]> {
  // The status simulator writes status after each change: let it catch up first.
  await Promise.all([settled(box.rest('source'), sts(ns, 'zk')), settled(box.rest('source'), dep(ns, 'source-only')), settled(box.rest('destination'), sts(ns, 'zk'))]);
  return Promise.all([
    box.rest('source').get<Obj>(sts(ns, 'zk')),
    box.rest('source').get<Obj>(dep(ns, 'source-only')),
    box.rest('source').get<Obj>(schedule(ns)),
    box.rest('destination').get<Obj>(sts(ns, 'zk')),
    box.rest('destination').get<Obj>(schedule(ns)),
  ]).then((objects) => objects.map((object) => object.metadata.resourceVersion));
}

test('source up: source scaled down only where the destination activates, count recorded, schedule suspended, last mile migrated, destination up', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run');
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--timeout', '90s', '-o', 'json'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, /^Run ID: [0-9a-f]{10}\n/);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal([report.apiVersion, report.kind, report.outcome], ['kubectl-failover.dev/v1alpha1', 'FailoverReport', 'Successful']);
  assert.equal(
    report.stages.map((entry) => [entry.name, entry.status]),
    [
      ['Validations', 'Successful'],
      ['ScaleDownSource', 'Successful'],
      ['WaitAfterScaleDown', 'Successful'],
      ['LastMileMigration', 'Successful'],
      ['ScaleUpDestination', 'Successful'],
      ['ScaleUpSource', 'Skipped'],
    ],
  );
  const source = box.rest('source');
  const zk = await source.get<Obj>(sts(ns, 'zk'));
  assert.is(zk.spec.replicas, 0);
  assert.is(zk.metadata.annotations?.[MIGRATION_REPLICAS], '3');
  assert.is((await source.get<Obj>(dep(ns, 'source-only'))).spec.replicas, 2, 'an app the destination does not activate is left running');
  assert.is((await source.get<Obj>(schedule(ns))).spec.suspend, true);
  const lastMile = await source.get<{ items: Array<{ metadata: { name: string }; spec: { namespaces: string[]; startApplications: boolean }; status?: { status?: string } }> }>(migrations(ns));
  assert.is(lastMile.items.length, 1);
  assert.is(lastMile.items[0]?.metadata.name, `migrationschedule-lastmile-failover-${report.runId.slice(0, 7)}`);
  assert.equal([lastMile.items[0]?.spec.namespaces, lastMile.items[0]?.spec.startApplications, lastMile.items[0]?.status?.status], [[ns], false, 'Successful']);
  assert.equal(report.lastMileMigrations, [`${ns}/${lastMile.items[0]?.metadata.name}`]);
  const destination = box.rest('destination');
  assert.is((await destination.get<Obj>(sts(ns, 'zk'))).spec.replicas, 3);
  assert.is((await destination.get<Obj>(schedule(ns))).status?.applicationActivated, true);
  assert.ok((report.dataLossWindow[0]?.ageSeconds ?? -1) >= 0);
  assert.equal(report.namespaceResults, [{ namespace: ns, result: 'active-on-destination' }]);
});

test('dry runs (client and server) leave every resourceVersion on both clusters unchanged and plan every stage', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-dry');
  const before = await versions(box, ns);
  for (const mode of ['client', 'server']) {
    const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, `--dry-run=${mode}`], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /Scale Down \(on source\)\s+Planned/);
    assert.match(run.stdout, /statefulset\/zk\s+3 → 0\s+would-change/);
    assert.match(run.stdout, /statefulset\/zk\s+0 → 3\s+would-change/);
    assert.match(run.stdout, /would create migration .*-lastmile-failover-/);
    assert.match(run.stdout, mode === 'server' ? 'server dry run' : 'planned');
  }
  assert.equal(await versions(box, ns), before);
  assert.is((await box.rest('source').get<{ items: unknown[] }>(migrations(ns))).items.length, 0);
});

test('a last-mile migration that fails rolls the source back exactly; exit 1, the destination untouched', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-rollback');
  // The last-mile Migration copies its schedule's annotations: the stand-in fails it.
  await box.rest('source').mergePatch(schedule(ns), { metadata: { annotations: { 'sandbox.kubectl-failover.dev/migration-outcome': 'Failed' } } });
  const sourceBefore = await box.rest('source').get<Obj>(sts(ns, 'zk'));
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--timeout', '90s', '-o', 'json'], box.env);
  assert.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.is(report.outcome, 'RollbackSuccessful');
  assert.equal([stage(report, 'LastMileMigration')?.status, stage(report, 'ScaleUpSource')?.status, stage(report, 'ScaleUpDestination')?.status], ['Failed', 'Successful', 'NotStarted']);
  assert.match(stage(report, 'LastMileMigration')?.message ?? '', 'failed with status Failed');
  const zk = await box.rest('source').get<Obj>(sts(ns, 'zk'));
  assert.is(zk.spec.replicas, 3);
  assert.equal(zk.metadata.annotations?.[MIGRATION_REPLICAS], sourceBefore.metadata.annotations?.[MIGRATION_REPLICAS], 'the record is as it was');
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, false);
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 0);
});

test('the source unreachable: refused with nothing written, naming --skip-source-operations; with it, the destination comes up', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-down');
  const destinationInfo = box.cluster('destination');
  const gone = writeKubeconfig({ name: 'gone', cluster: { server: `https://127.0.0.1:${await closedPort()}`, 'insecure-skip-tls-verify': true }, user: { token: destinationInfo.adminToken } });
  const env = { ...box.env, KUBECONFIG: [box.kubeconfig, gone].join(path.delimiter) };
  const before = await settled<{ metadata: { resourceVersion: string; generation?: number }; status?: { observedGeneration?: number } }>(box.rest('destination'), sts(ns, 'zk'));
  const refused = await runFailover(['run', '--from', 'gone', '--to', 'destination', '-n', ns, '-o', 'json'], env);
  assert.is(refused.code, 1);
  const report = JSON.parse(refused.stdout) as Report;
  assert.is(report.source.reachable, false);
  assert.match(stage(report, 'Validations')?.message ?? '', '--skip-source-operations');
  assert.match(report.source.error ?? '', 'connection refused');
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).metadata.resourceVersion, before.metadata.resourceVersion);

  const forced = await runFailover(['run', '--from', 'gone', '--to', 'destination', '-n', ns, '--skip-source-operations', '--timeout', '60s'], env);
  assert.is(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, 'warning: source context gone is unreachable');
  assert.match(forced.stdout, /Scale Down \(on source\)\s+Skipped/);
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 3);
});

test('a silent source is bounded by --source-timeout', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-silent');
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  const quiet = writeKubeconfig({ name: 'quiet', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, user: { token: 'x' } });
  const started = Date.now();
  const run = await runFailover(['run', '--from', 'quiet', '--to', 'destination', '-n', ns, '--source-timeout', '2s', '-o', 'json'], { ...box.env, KUBECONFIG: [box.kubeconfig, quiet].join(path.delimiter) });
  const elapsed = Date.now() - started;
  sockets.forEach((socket) => socket.destroy());
  silent.close();
  assert.is(run.code, 1);
  assert.match((JSON.parse(run.stdout) as Report).source.error ?? '', 'no answer within 2s (--source-timeout)');
  assert.ok(elapsed < 60_000, `took ${elapsed} ms`);
});

test('--max-rpo: an older last success is refused with nothing written; --force goes ahead', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('run-rpo');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  // The source's schedule last succeeded two hours ago.
  const old = migrationSchedule('migrationschedule', [ns], { lastSuccess: new Date(Date.now() - 2 * 3_600_000) }) as { status: unknown };
  await box.rest('source').mergePatch(schedule(ns), { status: old.status });
  const before = await versions2(box, ns);
  const refused = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--max-rpo', '30m', '-o', 'json'], box.env);
  assert.is(refused.code, 2, 'a refusal of the request, with its report');
  assert.match(stage(JSON.parse(refused.stdout) as Report, 'Validations')?.message ?? '', 'beyond --max-rpo 30m');
  assert.equal(await versions2(box, ns), before);
  const forced = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--max-rpo', '30m', '--force', '--skip-last-mile', '--timeout', '60s'], box.env);
  assert.is(forced.code, 0, forced.stderr);
  assert.match(forced.stderr, 'warning: --force: data-loss window beyond --max-rpo');
  assert.match(forced.stdout, /Last Mile Migration .*Skipped/);
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 3);
});

async function versions2(box: Sandbox, ns: string): Promise<string[]> {
  await Promise.all([settled(box.rest('source'), sts(ns, 'zk')), settled(box.rest('destination'), sts(ns, 'zk'))]);
  const objects = await Promise.all([box.rest('source').get<Obj>(sts(ns, 'zk')), box.rest('destination').get<Obj>(sts(ns, 'zk')), box.rest('destination').get<Obj>(schedule(ns))]);
  return objects.map((object) => object.metadata.resourceVersion);
}

test('split brain: --skip-source-operations while the source answers and runs the apps is refused (exit 2) unless --allow-split-brain', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-split');
  const refused = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--skip-source-operations'], box.env);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, `the source answers and still runs ${ns}/statefulset/zk (3)`);
  assert.match(refused.stderr, '--allow-split-brain');
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 0);
  const allowed = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--skip-source-operations', '--allow-split-brain', '--wait=false'], box.env);
  assert.is(allowed.code, 0, allowed.stderr);
  assert.is((await box.rest('source').get<Obj>(sts(ns, 'zk'))).spec.replicas, 3);
  assert.is((await box.rest('destination').get<Obj>(sts(ns, 'zk'))).spec.replicas, 3);
});

test('RBAC denied on the source is caught in Validations: nothing written on either cluster', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'run-rbac');
  const before = await versions(box, ns);
  const run = await runFailover(['run', '--from', 'source-readonly', '--to', 'destination', '-n', ns, '-o', 'json'], box.env);
  assert.is(run.code, 2, 'refused before any write');
  const message = stage(JSON.parse(run.stdout) as Report, 'Validations')?.message ?? '';
  assert.match(message, `source-readonly: patch statefulsets.apps in namespace ${ns}`);
  assert.match(message, `create migrations.stork.libopenstorage.org in namespace ${ns}`);
  assert.equal(await versions(box, ns), before);
});

test('bad input: unknown context, same context twice, include without -m, unknown schedule', async () => {
  const box = await sandbox();
  const unknown = await runFailover(['run', '--from', 'nowhere', '--to', 'destination', '-n', 'default'], box.env);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, 'error: context "nowhere" not found in kubeconfig');
  const same = await runFailover(['run', '--from', 'destination', '--to', 'destination'], box.env);
  assert.is(same.code, 2);
  const include = await runFailover(['run', '--from', 'source', '--to', 'destination', '--include-namespaces', 'a'], box.env);
  assert.is(include.code, 2);
  assert.match(include.stderr, 'need -m/--migration-schedule');
  const missing = await runFailover(['run', '--from', 'source', '--to', 'destination', '-m', 'nope', '-n', 'default'], box.env);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'error: migrationschedule "nope" not found in namespace default');
});

test.after(closeClients);
test.run();
