import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, MIGRATION_REPLICAS, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, settled, uniqueNamespace, type Sandbox } from '../support/sandbox';

// run --source-from-clusterpair through the built binary: the source is reached only through a
// ClusterPair on the destination whose spec.config is the sandbox's source context in client-go's
// form (maps, base64 data), as Stork stores it. The kubeconfig the binary gets knows the destination
// alone, so nothing can reach the source any other way.

const binary = path.resolve('dist/kubectl-failover');

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean; template?: { spec?: { clusterPair?: string } } };
  status?: { observedGeneration?: number; applicationActivated?: boolean };
}
interface Report {
  outcome: string;
  runId: string;
  source: { context: string; clusterPair?: string; reachable: boolean };
  stages: Array<{ name: string; status: string; message?: string }>;
  dataLossWindow: Array<{ cluster: string }>;
}

const sts = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/zk`;
const schedule = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/migrationschedule`;
const clusterPairs = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/clusterpairs`;
const migrations = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrations`;
const stage = (report: Report, name: string) => report.stages.find((entry) => entry.name === name);

async function failover(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  if (!existsSync(binary)) throw new Error('dist/kubectl-failover is missing: run npm run build first');
  return new Promise((resolve) => {
    execFile(binary, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A kubeconfig (v1, lists) context turned into client-go's internal Config as a ClusterPair holds it: maps by name, files inlined as base64 data. */
function storkConfig(kubeconfigFile: string, contextName: string): Record<string, unknown> {
  type Named<T> = { name: string } & T;
  const kubeconfig = JSON.parse(readFileSync(kubeconfigFile, 'utf8')) as {
    clusters: Array<Named<{ cluster: { server: string; 'certificate-authority': string } }>>;
    users: Array<Named<{ user: { token: string } }>>;
    contexts: Array<Named<{ context: { cluster: string; user: string } }>>;
  };
  const context = kubeconfig.contexts.find((entry) => entry.name === contextName);
  const cluster = kubeconfig.clusters.find((entry) => entry.name === context?.context.cluster);
  const user = kubeconfig.users.find((entry) => entry.name === context?.context.user);
  if (!context || !cluster || !user) throw new Error(`no context ${contextName} in ${kubeconfigFile}`);
  return {
    preferences: {},
    clusters: { [cluster.name]: { LocationOfOrigin: kubeconfigFile, server: cluster.cluster.server, 'certificate-authority-data': readFileSync(cluster.cluster['certificate-authority']).toString('base64') } },
    users: { [user.name]: { LocationOfOrigin: kubeconfigFile, token: user.user.token } },
    contexts: { [contextName]: { LocationOfOrigin: kubeconfigFile, cluster: cluster.name, user: user.name } },
    'current-context': contextName,
  };
}

/** The zookeeper seed, the destination's ClusterPair remotecluster (from `fromContext`), and an environment that knows only the destination. */
async function seeded(box: Sandbox, prefix: string, fromContext: 'source' | 'source-readonly' | undefined): Promise<{ ns: string; env: NodeJS.ProcessEnv }> {
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  if (fromContext) await createIn(box.rest('destination'), ns, { apiVersion: `${STORK}/v1alpha1`, kind: 'ClusterPair', metadata: { name: 'remotecluster' }, spec: { config: storkConfig(box.kubeconfig, fromContext), options: { ip: '127.0.0.1', port: '9001', token: 'storage-token' } } });
  const destination = box.cluster('destination');
  const onlyDestination = writeKubeconfig({ name: 'destination', cluster: { server: destination.server, 'certificate-authority': box.state.caFile }, user: { token: destination.adminToken } });
  return { ns, env: { KUBECONFIG: onlyDestination, HOME: tmpdir(), PATH: process.env.PATH, XDG_STATE_HOME: mkdtempSync(path.join(tmpdir(), 'kf-state-')) } };
}

/** Every object's resourceVersion on both clusters, to prove nothing was written. */
async function versions(box: Sandbox, ns: string): Promise<string[]> {
  await Promise.all([settled(box.rest('source'), sts(ns)), settled(box.rest('destination'), sts(ns))]);
  const objects = await Promise.all([box.rest('source').get<Obj>(sts(ns)), box.rest('source').get<Obj>(schedule(ns)), box.rest('destination').get<Obj>(sts(ns)), box.rest('destination').get<Obj>(schedule(ns))]);
  return objects.map((object) => object.metadata.resourceVersion);
}

test('through the ClusterPair: the source scaled down with its count recorded, the last mile migrated, the destination up; the checklist and report name the ClusterPair; undo reaches the source the same way', async () => {
  const box = await sandbox();
  const { ns, env } = await seeded(box, 'cp-run', 'source');
  const run = await failover(['run', '--source-from-clusterpair', '--to', 'destination', '-m', 'migrationschedule', '-n', ns, '--timeout', '90s', '-o', 'json'], env);
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.is(report.outcome, 'Successful');
  assert.equal(report.source, { context: '', clusterPair: `${ns}/remotecluster`, reachable: true });
  const through = `source: through ClusterPair ${ns}/remotecluster (Stork's stored credentials, not yours)`;
  assert.match(stage(report, 'Validations')?.message ?? '', through);
  assert.match(run.stderr, `Validations`);
  assert.match(run.stderr, through);
  assert.equal(report.dataLossWindow.map((window) => window.cluster), [`ClusterPair ${ns}/remotecluster`]);
  const source = box.rest('source');
  const zk = await source.get<Obj>(sts(ns));
  assert.equal([zk.spec.replicas, zk.metadata.annotations?.[MIGRATION_REPLICAS]], [0, '3']);
  assert.is((await source.get<Obj>(schedule(ns))).spec.suspend, true);
  assert.is((await source.get<{ items: unknown[] }>(migrations(ns))).items.length, 1, 'the last mile was created on the source');
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);

  // The journal says how the source was reached; runs and undo read it.
  const journal = readFileSync(path.join(env.XDG_STATE_HOME ?? '', 'kubectl-failover', `${report.runId}.jsonl`), 'utf8');
  assert.match(journal, `"sourceFromClusterPair":true`);
  assert.match(journal, `{"type":"source","runId":"${report.runId}"`);
  const runs = await failover(['runs'], env);
  assert.match(runs.stdout, `ClusterPair ${ns}/remotecluster → destination, migrationschedule ${ns}/migrationschedule`);
  const undone = await failover(['undo', report.runId, '--force'], env);
  assert.is(undone.code, 0, undone.stderr);
  assert.match(undone.stderr, `on the source (through ClusterPair ${ns}/remotecluster) was created by the run`);
  await settled(source, sts(ns));
  const back = await source.get<Obj>(sts(ns));
  assert.equal([back.spec.replicas, back.metadata.annotations?.[MIGRATION_REPLICAS]], [3, undefined]);
  assert.is((await source.get<Obj>(schedule(ns))).spec.suspend, false);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 0);
});

test('without -m the schedules migrating -n name the ClusterPair; a dry run plans the source through it and writes nothing; --resume uses the ClusterPair the journal recorded', async () => {
  const box = await sandbox();
  const { ns, env } = await seeded(box, 'cp-resume', 'source');
  const before = await versions(box, ns);
  const dry = await failover(['run', '--source-from-clusterpair', '--to', 'destination', '-n', ns, '--dry-run=server'], env);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, `Run `);
  assert.match(dry.stdout, `the source (ClusterPair ${ns}/remotecluster) → destination`);
  assert.match(dry.stdout, /statefulset\/zk\s+3 → 0\s+would-change/);
  assert.equal(await versions(box, ns), before);

  const first = await failover(['run', '--source-from-clusterpair', '--to', 'destination', '-n', ns, '--skip-last-mile', '--wait=false', '-o', 'json'], env);
  assert.is(first.code, 0, first.stderr);
  const runId = (JSON.parse(first.stdout) as Report).runId;
  // As if it had been cut short before ScaleUpDestination (journal.test.ts does the same).
  const file = path.join(env.XDG_STATE_HOME ?? '', 'kubectl-failover', `${runId}.jsonl`);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  writeFileSync(file, `${lines.slice(0, lines.findIndex((line) => line.includes('"stage":"ScaleUpDestination"'))).join('\n')}\n`);
  await box.rest('destination').mergePatch(sts(ns), { spec: { replicas: 0 } });
  // The schedule now names another ClusterPair: choosing again would fail; the recorded one is used.
  await box.rest('destination').mergePatch(schedule(ns), { spec: { template: { spec: { clusterPair: 'elsewhere' } } } });
  const resumed = await failover(['run', '--resume', runId, '--timeout', '60s', '-o', 'json'], env);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as Report).source, { context: '', clusterPair: `${ns}/remotecluster`, reachable: true });
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);
  assert.is((await box.rest('source').get<Obj>(sts(ns))).spec.replicas, 0);
});

test('--from with --source-from-clusterpair is exit 2; a missing ClusterPair is exit 2 with nothing written on either cluster', async () => {
  const box = await sandbox();
  const { ns, env } = await seeded(box, 'cp-missing', undefined);
  const both = await failover(['run', '--source-from-clusterpair', '--from', 'source', '--to', 'destination', '-n', ns], env);
  assert.equal([both.code, both.stderr], [2, 'error: --source-from-clusterpair and --source-context (--from) cannot be used together: the source is reached either through the ClusterPair or through your context\n']);
  const before = await versions(box, ns);
  assert.is((await box.rest('destination').get<{ items: unknown[] }>(clusterPairs(ns))).items.length, 0);
  const missing = await failover(['run', '--source-from-clusterpair', '--to', 'destination', '-m', 'migrationschedule', '-n', ns], env);
  assert.is(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, `error: clusterpair ${ns}/remotecluster not found on context destination\n`);
  assert.is(missing.stdout, '');
  assert.equal(await versions(box, ns), before);
  assert.is((await box.rest('source').get<{ items: unknown[] }>(migrations(ns))).items.length, 0);
});

test("a ClusterPair holding read-only credentials: the RBAC check refuses before any write, naming Stork's identity", async () => {
  const box = await sandbox();
  const { ns, env } = await seeded(box, 'cp-readonly', 'source-readonly');
  const before = await versions(box, ns);
  const run = await failover(['run', '--source-from-clusterpair', '--to', 'destination', '-m', 'migrationschedule', '-n', ns, '-o', 'json'], env);
  assert.is(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const message = stage(report, 'Validations')?.message ?? '';
  assert.match(message, `not allowed to ClusterPair ${ns}/remotecluster (Stork's stored credentials, user "source-readonly"): patch statefulsets.apps in namespace ${ns}`);
  assert.match(message, `create migrations.stork.libopenstorage.org in namespace ${ns}`);
  assert.match(message, "nothing was changed; the source is reached with Stork's stored credentials, not yours");
  assert.not.match(message, 'destination: ');
  assert.equal(report.source, { context: '', clusterPair: `${ns}/remotecluster`, reachable: true });
  assert.equal(await versions(box, ns), before);
});

test.after(closeClients);
test.run();
