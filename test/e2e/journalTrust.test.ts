import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATED, MIGRATION_REPLICAS, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

// What `runs`, `undo` and `run --resume` trust of a journal, against the real API servers: a bad
// line stops them before anything is written, a torn last line is named and tolerated, run ids are
// checked, undo is all or nothing and its --force never leaves both clusters running an app, and
// the resume gates follow how the run ended (and whether it was undone).

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean };
  status?: { observedGeneration?: number; applicationActivated?: boolean };
}

const sts = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/zk`;
const web = (ns: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/web`;
const schedule = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/migrationschedule`;

/** zookeeper and a web Deployment seeded on both clusters, a journal folder of its own. */
async function world(prefix: string): Promise<{ ns: string; env: NodeJS.ProcessEnv; state: string }> {
  const box = await sandbox();
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  await createIn(box.rest('source'), ns, deployment('web', 1));
  await createIn(box.rest('destination'), ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '1', [MIGRATED]: 'true' }));
  const state = mkdtempSync(path.join(tmpdir(), 'kf-state-'));
  return { ns, env: { ...box.env, XDG_STATE_HOME: state }, state };
}

/** A failover that completes; its run id and journal file. */
async function failover(ns: string, env: NodeJS.ProcessEnv, state: string, extra: readonly string[] = []): Promise<{ runId: string; file: string }> {
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--timeout', '90s', '-o', 'json', ...extra], env);
  assert.is(run.code, 0, run.stderr);
  const runId = (JSON.parse(run.stdout) as { runId: string }).runId;
  return { runId, file: path.join(state, 'kubectl-failover', `${runId}.jsonl`) };
}

const journalLines = (file: string): string[] => readFileSync(file, 'utf8').trimEnd().split('\n');

/** The journal as if the run had stopped before `stage` started (a kill): what follows is cut. */
function cutBefore(file: string, stage: string, then: readonly object[] = []): void {
  const lines = journalLines(file);
  const cut = lines.findIndex((line) => line.includes(`"stage":"${stage}"`));
  assert.ok(cut > 0, `no ${stage} in the journal`);
  writeFileSync(file, [...lines.slice(0, cut), ...then.map((entry) => JSON.stringify(entry))].map((line) => `${line}\n`).join(''));
}

/** Every object the run and undo write, on both clusters: their resourceVersions, once the status simulator is done with them. */
async function versions(ns: string): Promise<Record<string, string>> {
  const box = await sandbox();
  const result: Record<string, string> = {};
  for (const cluster of ['source', 'destination'] as const) {
    for (const [name, where] of [['zk', sts(ns)], ['web', web(ns)]] as const) result[`${cluster} ${name}`] = (await settled<Obj>(box.rest(cluster), where)).metadata.resourceVersion;
    result[`${cluster} schedule`] = (await box.rest(cluster).get<Obj>(schedule(ns))).metadata.resourceVersion;
  }
  return result;
}

test('a garbled middle line (the write of deployment/web): runs, undo --force and run --resume exit 1 naming file and line; nothing is written', async () => {
  const { ns, env, state } = await world('trust-garbled');
  const { runId, file } = await failover(ns, env, state);
  const lines = journalLines(file);
  const index = lines.findIndex((line) => line.includes('"type":"write"') && line.includes('"name":"web"') && line.includes('"cluster":"destination"'));
  assert.ok(index > 0 && index < lines.length - 1, 'a middle line');
  lines[index] = (lines[index] ?? '').slice(0, 40);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const where = `journal ${file} line ${index + 1}: not JSON`;
  const before = await versions(ns);

  const runs = await runFailover(['runs'], env);
  assert.is(runs.code, 1, runs.stderr);
  assert.ok(runs.stdout.split('\n').some((line) => line.startsWith(runId) && line.includes(`DAMAGED: ${where}`)), runs.stdout);
  const runsJson = await runFailover(['runs', '-o', 'json'], env);
  assert.is(runsJson.code, 1);
  assert.match((JSON.parse(runsJson.stdout) as { runs: Array<{ damaged?: string }> }).runs[0]?.damaged ?? '', where);

  for (const args of [['undo', runId, '--force'], ['undo', runId, '--force', '--dry-run'], ['run', '--resume', runId]]) {
    const refused = await runFailover(args, env);
    assert.is(refused.code, 1, `${args.join(' ')}: ${refused.stderr}`);
    assert.match(refused.stderr, `error: ${where}`, args.join(' '));
    assert.equal(refused.stdout, '', args.join(' '));
  }
  assert.equal(await versions(ns), before, 'nothing written on either cluster');
});

test('a torn last line is tolerated and named; undo drops it before appending, so the journal stays readable', async () => {
  const box = await sandbox();
  const { ns, env, state } = await world('trust-torn');
  const { runId, file } = await failover(ns, env, state);
  const whole = journalLines(file).length;
  appendFileSync(file, `{"type":"write","runId":"${runId}","time":"2024-`);
  const torn = `warning: journal ${file} line ${whole + 1} is torn (cut short while it was written, so the write it describes was never sent): ignored`;

  const runs = await runFailover(['runs'], env);
  assert.is(runs.code, 0, runs.stderr);
  assert.match(runs.stderr, torn);
  assert.match(runs.stdout, new RegExp(`${runId}\\s.*Successful`));

  const undone = await runFailover(['undo', runId, '--force'], env);
  assert.is(undone.code, 0, undone.stderr);
  assert.match(undone.stderr, torn);
  assert.is((await settled<Obj>(box.rest('source'), sts(ns))).spec.replicas, 3);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 0);

  const after = journalLines(file);
  assert.not.match(readFileSync(file, 'utf8'), '"time":"2024-{', 'the torn fragment is gone');
  assert.equal(after.slice(whole).map((line) => (JSON.parse(line) as { type: string; status: string }).status), ['Started', 'Successful'], 'the undo is recorded after the last whole line');
  const again = await runFailover(['runs'], env);
  assert.equal([again.code, again.stderr], [0, '']);
  assert.match(again.stdout, new RegExp(`${runId}\\s.*Successful; undone `));
});

test('run ids: undo and --resume refuse anything but 10 hex digits with exit 2, before any file or cluster is read', async () => {
  const state = mkdtempSync(path.join(tmpdir(), 'kf-state-'));
  // Where "../x" would lead from the journal folder: a journal today's path join would have read.
  mkdirSync(path.join(state, 'kubectl-failover'));
  writeFileSync(path.join(state, 'x.jsonl'), `${JSON.stringify({ type: 'start', runId: '0123456789', time: '2024-05-01T10:00:00.000Z', request: { sourceContext: 'source', destinationContext: 'destination', allNamespaces: false, skipSourceOperations: false, allowSplitBrain: false, skipLastMile: false, failback: false } })}\n`);
  const env = { KUBECONFIG: '/nonexistent/kubeconfig', XDG_STATE_HOME: state, HOME: tmpdir() };
  for (const [args, where] of [
    [['undo', '../x'], 'undo "../x"'],
    [['undo', '../../tmp/x/0123456789'], 'undo "../../tmp/x/0123456789"'],
    [['undo', 'ABCDEF0123'], 'undo "ABCDEF0123"'],
    [['run', '--resume', '../x'], '--resume "../x"'],
    [['failback', '--resume', '0123456789.jsonl'], '--resume "0123456789.jsonl"'],
  ] as const) {
    const refused = await runFailover(args, env);
    assert.equal([refused.code, refused.stdout, refused.stderr], [2, '', `error: ${where} is not a run id (10 lowercase hex digits, as \`kubectl failover runs\` lists them)\n`], args.join(' '));
  }
});

test('undo is all or nothing: one destination object changed since the run, and nothing is written (exit 1, each one named)', async () => {
  const box = await sandbox();
  const { ns, env, state } = await world('trust-allornothing');
  const { runId, file } = await failover(ns, env, state);
  // The run never said it ended (a kill after its last write): undo needs no --force for that.
  const lines = journalLines(file);
  writeFileSync(file, lines.slice(0, -1).map((line) => `${line}\n`).join(''));
  await box.rest('destination').mergePatch(sts(ns), { spec: { replicas: 5 } });
  const before = await versions(ns);
  const journalBefore = readFileSync(file, 'utf8');

  for (const args of [['undo', runId], ['undo', runId, '--dry-run=server']]) {
    const refused = await runFailover([...args, '-o', 'json'], env);
    assert.is(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, `warning: nothing was written: 1 object(s) changed since the run (undo is all or nothing): statefulset ${ns}/zk on destination: changed since the run: spec.replicas is 5, the run left 3`);
    assert.match(refused.stderr, `undo plan of run ${runId}`);
    const report = JSON.parse(refused.stdout) as { objects: Array<{ kind: string; name: string; result: string }>; summary: { changed: number; wouldChange: number } };
    assert.is(report.summary.changed + report.summary.wouldChange, 0);
    assert.ok(report.objects.some((row) => row.kind === 'Deployment' && row.name === 'web' && row.result === 'not-attempted'), 'web is not undone alone');
  }
  assert.equal(await versions(ns), before, 'nothing written on either cluster');
  assert.is(readFileSync(file, 'utf8'), journalBefore, 'a refused undo records nothing');
});

test('undo --force with zk scaled to 5 on the destination: web is undone; source zk stays 0 and its schedule suspended, and the report says so', async () => {
  const box = await sandbox();
  const { ns, env, state } = await world('trust-force');
  const { runId, file } = await failover(ns, env, state);
  await box.rest('destination').mergePatch(sts(ns), { spec: { replicas: 5 } });

  // The dry run shows the same plan and writes nothing, the journal included.
  const before = await versions(ns);
  const journalBefore = readFileSync(file, 'utf8');
  const dry = await runFailover(['undo', runId, '--force', '--dry-run=client'], env);
  assert.is(dry.code, 0, dry.stderr);
  assert.match(dry.stderr, /undo plan of run \w+ \(journal .*\): \d+ write\(s\), destination first \(dry run: client\)/);
  assert.match(dry.stdout, 'would change');
  assert.equal(await versions(ns), before);
  assert.is(readFileSync(file, 'utf8'), journalBefore);

  const undone = await runFailover(['undo', runId, '--force', '-o', 'json'], env);
  assert.is(undone.code, 0, undone.stderr);
  const report = JSON.parse(undone.stdout) as { objects: Array<{ kind: string; name: string; result: string; message?: string }>; warnings: string[] };
  const left = report.objects.filter((entry) => entry.result === 'skipped' && (entry.message ?? '').endsWith('left as it is (--force)'));
  assert.equal(left.map((entry) => `${entry.kind}/${entry.name}: ${entry.message}`), ['StatefulSet/zk: changed since the run: spec.replicas is 5, the run left 3; left as it is (--force)']);
  const held = report.objects.filter((entry) => entry.result === 'skipped' && (entry.message ?? '').startsWith('held: '));
  assert.equal(held.map((entry) => `${entry.kind}/${entry.name}`).sort(), ['MigrationSchedule/migrationschedule', 'MigrationSchedule/migrationschedule', 'StatefulSet/zk']);
  assert.ok(report.warnings.includes(`migrationschedule ${ns}/migrationschedule on source stays suspended, since statefulset ${ns}/zk on destination runs (spec.replicas is 5; changed since the run, left by --force); putting it back would run the app on both clusters`), report.warnings.join('\n'));
  assert.ok(report.warnings.some((warning) => warning.startsWith(`statefulset ${ns}/zk on source stays as the run left it (down)`)));

  const sourceZk = await settled<Obj>(box.rest('source'), sts(ns));
  assert.is(sourceZk.spec.replicas, 0, 'source zk stays down: zk runs on the destination');
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, true, 'the source schedule stays suspended');
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 5, 'left as someone set it');
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated, true);
  assert.is((await settled<Obj>(box.rest('source'), web(ns))).spec.replicas, 1, 'web is back on the source');
  assert.is((await box.rest('destination').get<Obj>(web(ns))).spec.replicas, 0);
  const recorded = journalLines(file).slice(-2).map((line) => JSON.parse(line) as { type: string; status: string; objects?: Array<{ action: string }> });
  assert.equal(recorded.map((entry) => [entry.type, entry.status]), [['undo', 'Started'], ['undo', 'Successful']]);
  const actions = recorded[0]?.objects?.map((entry) => entry.action) ?? [];
  assert.equal([actions.filter((action) => action === 'leave').length, actions.filter((action) => action === 'hold').length], [1, 3], actions.join(','));
});

test('resume gates: a Failed run is resumed (-n repeating its namespace is fine, another is refused); an undone run is not', async () => {
  const box = await sandbox();
  const { ns, env, state } = await world('trust-resume');
  const { runId, file } = await failover(ns, env, state, ['--skip-last-mile', '--wait=false']);
  // As if ScaleUpDestination had failed: the journal says Failed, the destination is still down.
  cutBefore(file, 'ScaleUpDestination', [{ type: 'end', runId, time: new Date().toISOString(), outcome: 'Failed' }]);
  await box.rest('destination').mergePatch(sts(ns), { spec: { replicas: 0 } });
  await box.rest('destination').mergePatch(web(ns), { spec: { replicas: 0 } });

  const other = await runFailover(['run', '--resume', runId, '-n', 'other'], env);
  assert.equal([other.code, other.stdout], [2, '']);
  assert.is(other.stderr, `error: --resume takes run ${runId}'s scope from its journal, and -n other differs from the run's -n ${ns}: drop the flag (or repeat the run's value)\n`);
  const elsewhere = await runFailover(['run', '--resume', runId, '--to', 'source'], env);
  assert.is(elsewhere.code, 2);
  assert.match(elsewhere.stderr, "--to source differs from the run's --to destination");

  const resumed = await runFailover(['run', '--resume', runId, '-n', ns, '--timeout', '60s', '-o', 'json'], env);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.is((JSON.parse(resumed.stdout) as { outcome: string }).outcome, 'Successful');
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3);

  // Now undone (the run is complete again: --force), and no longer resumable.
  const undone = await runFailover(['undo', runId, '--force'], env);
  assert.is(undone.code, 0, undone.stderr);
  const entries = journalLines(file).map((line) => JSON.parse(line) as { type: string; status?: string; time: string });
  const undoStarted = entries.find((entry) => entry.type === 'undo' && entry.status === 'Started');
  const refused = await runFailover(['run', '--resume', runId], env);
  assert.equal([refused.code, refused.stderr], [2, `error: run ${runId} was undone at ${undoStarted?.time} (kubectl failover undo): it cannot be resumed; start a new run to fail over again\n`]);
  assert.is((await settled<Obj>(box.rest('source'), sts(ns))).spec.replicas, 3, 'the undo stands');
});

test.after(closeClients);
test.run();
