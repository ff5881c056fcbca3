import net from 'node:net';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATED, MIGRATION_REPLICAS, migrationSchedule, seedZookeeper, staticCopy, statefulSet, STORK } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closedPort, listen, writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace, type Sandbox } from '../support/sandbox';

// `kubectl failover check` on the sandbox's two API servers: each finding code produced by a real
// condition, the exit codes, a silent cluster, and the Prometheus output parsed back.

interface Finding {
  code: string;
  severity: string;
  cluster: string;
  namespace?: string;
  message: string;
}
interface Readiness {
  apiVersion: string;
  kind: string;
  ready: boolean;
  source: { reachable: boolean };
  destination: { reachable: boolean; error?: string };
  namespaces: Array<{ namespace: string; ready: boolean; dataLossWindowSeconds: number | null; findings: string[] }>;
  findings: Finding[];
}

const API = `/apis/${STORK}/v1alpha1`;
const schedule = (ns: string, name = 'migrationschedule'): string => `${API}/namespaces/${ns}/migrationschedules/${name}`;
const CHECK = (ns: string, ...more: string[]): string[] => ['check', '--from', 'source', '--to', 'destination', '-n', ns, '-o', 'json', ...more];

async function seeded(box: Sandbox, prefix: string): Promise<string> {
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  return ns;
}

async function check(box: Sandbox, args: string[], env = box.env): Promise<{ code: number; report: Readiness; stderr: string }> {
  const run = await runFailover(args, env);
  assert.ok(run.stdout.startsWith('{'), `${args.join(' ')}: ${run.stderr}`);
  return { code: run.code, report: JSON.parse(run.stdout) as Readiness, stderr: run.stderr };
}

function codes(report: Readiness, severity?: string): string[] {
  return report.findings.filter((finding) => severity === undefined || finding.severity === severity).map((finding) => finding.code);
}

test('a healthy pair is ready: exit 0, no findings, the window per namespace; nothing written', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'check-ok');
  const before = (await box.rest('source').get<{ metadata: { resourceVersion: string } }>(schedule(ns))).metadata.resourceVersion;
  const { code, report } = await check(box, CHECK(ns));
  assert.is(code, 0, JSON.stringify(report.findings));
  assert.equal([report.apiVersion, report.kind, report.ready], ['kubectl-failover.dev/v1alpha1', 'ReadinessReport', true]);
  assert.equal(report.findings, []);
  assert.is(report.namespaces[0]?.namespace, ns);
  assert.ok((report.namespaces[0]?.dataLossWindowSeconds ?? 0) >= 300, 'the seed succeeded 5 minutes ago');
  assert.is((await box.rest('source').get<{ metadata: { resourceVersion: string } }>(schedule(ns))).metadata.resourceVersion, before);
  const table = await runFailover(['check', '--from', 'source', '--to', 'destination', '-n', ns], box.env);
  assert.is(table.code, 0);
  assert.match(table.stdout, /^READY: source → destination/);
});

test('the source side: schedule-suspended, migration-failed, policy-missing, rpo-exceeded (--max-rpo and --stale-factor), clusterpair-not-ready', async () => {
  const box = await sandbox();
  const source = box.rest('source');
  const suspended = await seeded(box, 'check-susp');
  await source.mergePatch(schedule(suspended), { spec: { suspend: true } });
  assert.equal(codes((await check(box, CHECK(suspended))).report, 'error'), ['schedule-suspended']);

  const failed = await seeded(box, 'check-failed');
  const old = new Date(Date.now() - 60_000).toISOString();
  await source.mergePatch(schedule(failed), { status: { items: { Interval: [{ name: 'a', creationTimestamp: old, finishTimestamp: old, status: 'Successful' }, { name: 'b', creationTimestamp: new Date().toISOString(), finishTimestamp: new Date().toISOString(), status: 'Failed' }] } } });
  const failedRun = await check(box, CHECK(failed));
  assert.is(failedRun.code, 1);
  assert.equal(codes(failedRun.report, 'error'), ['migration-failed']);

  const nopolicy = await seeded(box, 'check-nopolicy');
  await source.mergePatch(schedule(nopolicy), { spec: { schedulePolicyName: 'gone' } });
  assert.equal(codes((await check(box, CHECK(nopolicy))).report, 'error'), ['policy-missing']);

  const stale = await seeded(box, 'check-stale');
  const twoHours = migrationSchedule('migrationschedule', [stale], { lastSuccess: new Date(Date.now() - 2 * 3_600_000) }) as { status: unknown };
  await source.mergePatch(schedule(stale), { status: twoHours.status });
  assert.equal(codes((await check(box, CHECK(stale))).report, 'error'), ['rpo-exceeded'], '2h > 3 × 15m');
  assert.equal(codes((await check(box, CHECK(stale, '--stale-factor', '10'))).report, 'error'), [], '2h < 10 × 15m');
  assert.equal(codes((await check(box, CHECK(stale, '--max-rpo', '1h'))).report, 'error'), ['rpo-exceeded']);
  assert.equal(codes((await check(box, CHECK(stale, '--max-rpo', '3h'))).report, 'error'), []);

  const pair = await seeded(box, 'check-pair');
  await source.mergePatch(`${API}/namespaces/${pair}/clusterpairs/remotecluster`, { status: { schedulerStatus: 'Error', storageStatus: 'NotProvided' } });
  const pairRun = await check(box, CHECK(pair));
  assert.equal(codes(pairRun.report, 'error'), ['clusterpair-not-ready']);
  assert.match(pairRun.report.findings[0]?.message ?? '', 'schedulerStatus Error');
});

test('the destination side: static-copy-missing, static-copy-not-suspended (a warning; --strict fails on it), count-missing, count-invalid, stash-invalid', async () => {
  const box = await sandbox();
  const destination = box.rest('destination');
  const nocopy = await seeded(box, 'check-nocopy');
  await destination.delete(schedule(nocopy));
  assert.ok(codes((await check(box, CHECK(nocopy))).report, 'error').includes('static-copy-missing'));

  const unsuspended = await seeded(box, 'check-copy');
  await destination.mergePatch(schedule(unsuspended), { spec: { suspend: false } });
  const lenient = await check(box, CHECK(unsuspended));
  assert.is(lenient.code, 0, 'a warning alone is ready');
  assert.equal(codes(lenient.report, 'warning'), ['static-copy-not-suspended']);
  const strict = await check(box, CHECK(unsuspended, '--strict'));
  assert.is(strict.code, 1);
  assert.is(strict.report.ready, false);

  const counts = await seeded(box, 'check-counts');
  await createIn(destination, counts, deployment('nocount', 0, { [MIGRATED]: 'true' }));
  await createIn(destination, counts, statefulSet('garbled', 0, { [MIGRATION_REPLICAS]: '1e9', [MIGRATED]: 'true' }));
  const countRun = await check(box, CHECK(counts));
  assert.is(countRun.code, 1);
  assert.equal(codes(countRun.report, 'error').sort(), ['count-invalid', 'count-missing']);

  const stash = await seeded(box, 'check-stash');
  await destination.create(`/api/v1/namespaces/${stash}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stash-bad', labels: { 'stash-cr': 'true', 'resource-kind': 'Nope' } }, data: { 'cr-runtime-object': '{not json', name: 'stash-bad' } });
  assert.ok(codes((await check(box, CHECK(stash))).report, 'error').includes('stash-invalid'));
});

test('the pair and the request: rbac-denied, same-cluster, schedule-missing, namespace-missing', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'check-rbac');
  const rbac = await check(box, ['check', '--from', 'source-readonly', '--to', 'destination', '-n', ns, '-o', 'json']);
  assert.is(rbac.code, 1);
  assert.equal(codes(rbac.report, 'error'), ['rbac-denied']);
  assert.match(rbac.report.findings[0]?.message ?? '', `patch statefulsets.apps in namespace ${ns}`);

  const source = box.cluster('source');
  const alias = writeKubeconfig({ name: 'source-again', cluster: { server: source.server, 'insecure-skip-tls-verify': true }, user: { token: source.adminToken } });
  const same = await check(box, ['check', '--from', 'source', '--to', 'source-again', '-n', ns, '-o', 'json'], { ...box.env, KUBECONFIG: [box.kubeconfig, alias].join(path.delimiter) });
  assert.is(same.code, 1);
  assert.ok(codes(same.report, 'error').includes('same-cluster'));

  const nosched = await seeded(box, 'check-nosched');
  await box.rest('source').delete(schedule(nosched));
  assert.ok(codes((await check(box, CHECK(nosched))).report, 'error').includes('schedule-missing'));

  const only = uniqueNamespace('check-only');
  const destination = box.rest('destination');
  await destination.ensure('/api/v1/namespaces', { metadata: { name: only } });
  await createIn(destination, only, statefulSet('zk', 0, { [MIGRATION_REPLICAS]: '1', [MIGRATED]: 'true' }));
  await createIn(destination, only, staticCopy('migrationschedule', [only]));
  assert.ok(codes((await check(box, CHECK(only))).report, 'error').includes('namespace-missing'));
});

test('a cluster that does not answer is a finding, not a crash, and the other is still checked; a bad request is exit 2', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'check-silent');
  await box.rest('source').mergePatch(schedule(ns), { spec: { suspend: true } });
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  const quiet = writeKubeconfig({ name: 'quiet', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true }, user: { token: 'x' } });
  const gone = writeKubeconfig({ name: 'gone', cluster: { server: `https://127.0.0.1:${await closedPort()}`, 'insecure-skip-tls-verify': true }, user: { token: 'x' } });
  const env = { ...box.env, KUBECONFIG: [box.kubeconfig, quiet, gone].join(path.delimiter) };
  try {
    const destinationSilent = await check(box, ['check', '--from', 'source', '--to', 'quiet', '-n', ns, '-o', 'json', '--source-timeout', '2s'], env);
    assert.is(destinationSilent.code, 1);
    assert.is(destinationSilent.report.destination.reachable, false);
    assert.ok(codes(destinationSilent.report).includes('destination-unreadable'));
    assert.ok(codes(destinationSilent.report).includes('schedule-suspended'), 'the source was still checked');

    const sourceGone = await check(box, ['check', '--from', 'gone', '--to', 'destination', '-n', ns, '-o', 'json', '--source-timeout', '2s'], env);
    assert.is(sourceGone.code, 1);
    assert.ok(codes(sourceGone.report).includes('source-unreachable'));
    assert.is(sourceGone.report.destination.reachable, true);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    silent.close();
  }
  const unknown = await runFailover(['check', '--from', 'nowhere', '--to', 'destination', '-n', ns], box.env);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, 'error: context "nowhere" not found in kubeconfig');
  const noTo = await runFailover(['check', '--from', 'source'], { ...box.env, KUBECONFIG: box.kubeconfig });
  assert.is(noTo.code, 2);
});

/** A parser of the text exposition format's lines (HELP, TYPE, samples with escaped label values). */
function parsePrometheus(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  const declared = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(meta[3] ?? ''), line);
        declared.set(meta[2] ?? '', meta[3] ?? '');
      }
      continue;
    }
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.eE+]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(match, `not a sample line: ${line}`);
    const [, name = '', body = '', value = ''] = match;
    assert.ok(declared.has(name), `${name} has no TYPE line before it`);
    const labels: Record<string, string> = {};
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;
    let at = 0;
    while (at < body.length) {
      label.lastIndex = at;
      const found = label.exec(body);
      assert.ok(found, `bad labels in: ${line}`);
      labels[found[1] ?? ''] = (found[2] ?? '').replace(/\\(["\\n])/g, (_, escaped: string) => (escaped === 'n' ? '\n' : escaped));
      at = label.lastIndex;
    }
    samples.push({ name, labels, value: Number(value) });
  }
  return samples;
}

test('-o prometheus parses as the text exposition format: ready, window and findings per namespace', async () => {
  const box = await sandbox();
  const good = await seeded(box, 'check-prom-ok');
  const bad = await seeded(box, 'check-prom-bad');
  await box.rest('source').mergePatch(schedule(bad), { spec: { suspend: true } });
  for (const [ns, ready] of [
    [good, 1],
    [bad, 0],
  ] as const) {
    const run = await runFailover(['check', '--from', 'source', '--to', 'destination', '-n', ns, '-o', 'prometheus'], box.env);
    assert.is(run.code, ready === 1 ? 0 : 1);
    const samples = parsePrometheus(run.stdout);
    const readySample = samples.find((sample) => sample.name === 'kubectl_failover_ready');
    assert.equal(readySample, { name: 'kubectl_failover_ready', labels: { source: 'source', destination: 'destination', namespace: ns }, value: ready });
    assert.ok((samples.find((sample) => sample.name === 'kubectl_failover_data_loss_window_seconds')?.value ?? 0) >= 300);
    const findings = samples.filter((sample) => sample.name === 'kubectl_failover_findings');
    if (ready === 0) assert.equal(findings.map((sample) => [sample.labels.severity, sample.labels.code, sample.value]), [['error', 'schedule-suspended', 1]]);
    else assert.equal(findings, []);
  }
  const wrong = await runFailover(['status', '-o', 'prometheus', '--context', 'destination'], box.env);
  assert.is(wrong.code, 2, 'prometheus is check\'s alone');
});

test.after(closeClients);
test.run();
