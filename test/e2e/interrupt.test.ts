import { tmpdir } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, migrationSchedule } from '../../scripts/sandbox/seeds';
import { mapWithConcurrency } from '../../src/util/concurrency';
import { startFaultProxy, type FaultAction, type FaultProxy } from '../support/faultProxy';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';
import { signalBinaryWhen, type SignalledRun } from './childCli';

// ^C and SIGTERM in the middle of the writes, sent to the built binary: what was done is printed,
// the rest is not-attempted, one error line says how far it got, and the exit code is 128 + signal.

const WORKLOADS = 30;

/** Runs the binary and sends `signal` once the proxy has passed on `afterPatches` writes. */
function interruptMidRun(args: readonly string[], proxy: FaultProxy, signal: NodeJS.Signals, afterPatches: number): Promise<SignalledRun> {
  return signalBinaryWhen(args, { HOME: tmpdir() }, () => proxy.requests.filter((request) => request.method === 'PATCH').length >= afterPatches, signal);
}

async function slowServerFor(prefix: string): Promise<{ ns: string; proxy: FaultProxy }> {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace(prefix);
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  await mapWithConcurrency(
    Array.from({ length: WORKLOADS }, (_, index) => `app-${String(index).padStart(2, '0')}`),
    8,
    (name) => createIn(rest, ns, deployment(name, 1)),
  );
  // A slowed server: each write takes a while, so the run is still writing when the signal comes.
  const proxy = await startFaultProxy({
    target: box.cluster('source'),
    caFile: box.state.caFile,
    namespace: ns,
    onRequest: async (request): Promise<FaultAction> => {
      if (request.method === 'PATCH') await new Promise((resolve) => setTimeout(resolve, 300));
      return 'forward';
    },
  });
  return { ns, proxy };
}

async function scaledDown(ns: string): Promise<number> {
  const box = await sandbox();
  const list = await box.rest('source').get<{ items: Array<{ spec: { replicas: number } }> }>(`/apis/apps/v1/namespaces/${ns}/deployments`);
  return list.items.filter((item) => item.spec.replicas === 0).length;
}

test('^C during the writes: the table of what was done, the rest not-attempted, "interrupted after N of M writes", exit 130', async () => {
  const { ns, proxy } = await slowServerFor('sigint');
  const ended = await interruptMidRun(['deactivate', '--kubeconfig', proxy.kubeconfig, '--concurrency', '2', '--wait=false'], proxy, 'SIGINT', 4);
  await proxy.close();
  assert.is(ended.code, 130, ended.stderr);
  assert.ok(ended.msAfterSignal >= 0 && ended.msAfterSignal < 20_000, `ended ${ended.msAfterSignal} ms after the signal`);
  const lastLine = ended.stderr.trimEnd().split('\n').pop() ?? '';
  const match = /^error: interrupted after (\d+) of (\d+) writes; run the command again to finish$/.exec(lastLine);
  assert.ok(match, `last stderr line: ${lastLine}`);
  const [sent, planned] = [Number(match?.[1]), Number(match?.[2])];
  assert.is(planned, WORKLOADS);
  assert.ok(sent >= 4 && sent < WORKLOADS, `${sent} sent`);
  const rows = ended.stdout.split('\n');
  assert.is(rows.filter((row) => /deployment\/app-\d+\s+1 → 0\s+changed/.test(row)).length, sent);
  assert.is(rows.filter((row) => /deployment\/app-\d+\s+1 → 0\s+not-attempted\s+not sent: interrupted/.test(row)).length, WORKLOADS - sent);
  assert.match(ended.stdout, `${WORKLOADS - sent} not attempted`);
  // The report is the truth: exactly what it calls changed was changed.
  assert.is(await scaledDown(ns), sent);
});

test('SIGTERM during the writes with -o json: the report on stdout (not-attempted counted), exit 143', async () => {
  const { ns, proxy } = await slowServerFor('sigterm');
  const ended = await interruptMidRun(['deactivate', '--kubeconfig', proxy.kubeconfig, '--concurrency', '2', '--wait=false', '-o', 'json'], proxy, 'SIGTERM', 4);
  await proxy.close();
  assert.is(ended.code, 143, ended.stderr);
  const report = JSON.parse(ended.stdout) as { summary: { changed: number; notAttempted: number } };
  assert.ok(report.summary.notAttempted > 0);
  assert.is(report.summary.changed + report.summary.notAttempted, WORKLOADS);
  assert.match(ended.stderr, `error: interrupted after ${report.summary.changed} of ${WORKLOADS} writes; run the command again to finish\n`);
  assert.is(await scaledDown(ns), report.summary.changed);
});

test.after(() => closeClients());
test.run();
