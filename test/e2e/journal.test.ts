import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATION_REPLICAS, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

// The journal of `run`, and what reads it: `runs`, `undo`, `run --resume`.

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean };
  status?: { observedGeneration?: number; applicationActivated?: boolean };
}

const sts = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/zk`;
const schedule = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/migrationschedule`;

test('the journal records every write before it is sent; runs lists it; undo refuses a completed run, then --force puts both clusters back', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('journal');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  await createIn(box.rest('source'), ns, deployment('other', 1));
  const state = mkdtempSync(path.join(tmpdir(), 'kf-state-'));
  const env = { ...box.env, XDG_STATE_HOME: state };
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--timeout', '90s', '-o', 'json'], env);
  assert.is(run.code, 0, run.stderr);
  const runId = (JSON.parse(run.stdout) as { runId: string }).runId;
  const file = path.join(state, 'kubectl-failover', `${runId}.jsonl`);
  const entries = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; stage?: string; object?: { name: string }; fields?: Array<{ path: string[]; before: unknown; after: unknown }> });
  assert.is(entries[0]?.type, 'start');
  assert.is(entries.at(-1)?.type, 'end');
  const zkDown = entries.find((entry) => entry.type === 'write' && entry.stage === 'ScaleDownSource' && entry.object?.name === 'zk');
  assert.equal(zkDown?.fields?.find((field) => field.path.join('.') === 'spec.replicas'), { path: ['spec', 'replicas'], before: 3, after: 0 });
  assert.ok(entries.some((entry) => entry.type === 'create'), 'the last-mile Migration is recorded');

  const runs = await runFailover(['runs'], env);
  assert.is(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, new RegExp(`${runId}\\s+\\S+\\s+source → destination, namespace ${ns}\\s+ScaleUpDestination\\s+Successful`));

  const refused = await runFailover(['undo', runId], env);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, 'completed: undoing it scales the destination down and the source up again');
  const undone = await runFailover(['undo', runId, '--force', '-o', 'json'], env);
  assert.is(undone.code, 0, undone.stderr);
  assert.match(undone.stderr, `-lastmile-failover-`);
  await settled(box.rest('source'), sts(ns));
  const source = await box.rest('source').get<Obj>(sts(ns));
  assert.is(source.spec.replicas, 3);
  assert.is(source.metadata.annotations?.[MIGRATION_REPLICAS], undefined, 'the record the run added is gone again');
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, false);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 0);
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated, false);
});

test('a journal that cannot be written stops the run before its first write', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('journal-ro');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const blocker = path.join(mkdtempSync(path.join(tmpdir(), 'kf-state-')), 'not-a-folder');
  writeFileSync(blocker, 'a file where the journal folder should be');
  const before = await settled<Obj>(box.rest('source'), sts(ns));
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--journal', path.join(blocker, 'run.jsonl')], box.env);
  assert.is(run.code, 2);
  assert.match(run.stderr, 'error: cannot write the journal');
  assert.is((await box.rest('source').get<Obj>(sts(ns))).metadata.resourceVersion, before.metadata.resourceVersion);
});

test('resume: a run whose journal ended is refused; an interrupted one (no end) is finished with the same end state', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('journal-resume');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const state = mkdtempSync(path.join(tmpdir(), 'kf-state-'));
  const env = { ...box.env, XDG_STATE_HOME: state };
  // A run cut short after scaling the source down: its journal has no end (as after a kill).
  const first = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--skip-last-mile', '--wait=false', '-o', 'json'], env);
  assert.is(first.code, 0, first.stderr);
  const runId = (JSON.parse(first.stdout) as { runId: string }).runId;
  const file = path.join(state, 'kubectl-failover', `${runId}.jsonl`);
  const again = await runFailover(['run', '--resume', runId], env);
  assert.is(again.code, 2);
  assert.match(again.stderr, `run ${runId} already ended: Successful`);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const cut = lines.findIndex((line) => line.includes('"stage":"ScaleUpDestination"'));
  writeFileSync(file, `${lines.slice(0, cut).join('\n')}\n`);
  await box.rest('destination').mergePatch(sts(ns), { spec: { replicas: 0 } });
  const resumed = await runFailover(['run', '--resume', runId, '--timeout', '60s'], env);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, `Run ID: ${runId} (resumed)`);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);
  assert.is((await box.rest('source').get<Obj>(sts(ns))).spec.replicas, 0);
});

test.after(closeClients);
test.run();
