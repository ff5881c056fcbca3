import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTION_KNOBS } from '../../scripts/sandbox/actionController';
import { MIGRATION_KNOBS } from '../../scripts/sandbox/migrationController';
import { createIn, MIGRATION_REPLICAS, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { spawnFailover } from './childCli';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace, withoutStorkCrd, type Sandbox } from '../support/sandbox';

// `kubectl failover run --via-stork` and `status` with Actions, on the sandbox's real API servers.
// The action-controller stand-in (scripts/sandbox/actionController.ts) plays Stork's controller:
// it moves each Action through Stork's stages; its knobs, set on the schedule the Action refers
// to, make it fail, roll back or hang. Waits are bounded; nothing asserts how long a step takes.

const API = `/apis/${STORK}/v1alpha1`;

interface Stage {
  name: string;
  display: string;
  status: string;
  message?: string;
}
interface Report {
  kind: string;
  runId: string;
  outcome: string;
  source: { context: string; reachable: boolean | null; clusterPair?: string };
  stages: Stage[];
  namespaces: string[];
  namespaceResults: Array<{ namespace: string; result: string; status?: string; message?: string }>;
  lastMileMigrations: string[];
  action: { name: string; namespace: string; actionType: string; stage: string; status: string; reason: string; moreInfo: string };
}
interface ActionObject {
  metadata: { name: string; uid: string };
  spec: unknown;
  status?: { stage?: string; status?: string };
}

const statuses = (report: Report): string[][] => report.stages.map((stage) => [stage.name, stage.status]);
const schedulePath = (ns: string): string => `${API}/namespaces/${ns}/migrationschedules/migrationschedule`;
const actions = async (box: Sandbox, ns: string): Promise<ActionObject[]> => (await box.rest('destination').get<{ items: ActionObject[] }>(`${API}/namespaces/${ns}/actions`)).items;

/**
 * The zookeeper seed, plus the ClusterPair storkctl perform requires on the destination, and the
 * stand-in's knobs on the destination's static copy of the schedule (the Action's reference).
 */
async function seeded(box: Sandbox, prefix: string, knobs: Record<string, string> = {}): Promise<string> {
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  await createIn(box.rest('destination'), ns, { apiVersion: `${STORK}/v1alpha1`, kind: 'ClusterPair', metadata: { name: 'remotecluster' }, spec: { options: { token: 'x' } } });
  if (Object.keys(knobs).length > 0) await box.rest('destination').mergePatch(schedulePath(ns), { metadata: { annotations: knobs } });
  return ns;
}

const viaStork = (ns: string, ...more: string[]): string[] => ['run', '--via-stork', '--to', 'destination', '-m', 'migrationschedule', '-n', ns, '--timeout', '120s', ...more];

test('success: the Action storkctl would create, followed stage by stage to Completed; status lists it', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via');
  const run = await runFailover([...viaStork(ns), '-o', 'json'], box.env);
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.equal([report.kind, report.outcome, report.namespaces], ['FailoverReport', 'Successful', [ns]]);
  assert.equal(statuses(report), [
    ['Validations', 'Successful'],
    ['ScaleDownSource', 'Successful'],
    ['WaitAfterScaleDown', 'Successful'],
    ['LastMileMigration', 'Successful'],
    ['ScaleUpDestination', 'Successful'],
    ['ScaleUpSource', 'Skipped'],
  ]);
  assert.ok(report.stages.every((stage) => !stage.message?.includes('not seen')), 'the watch saw every stage');
  assert.equal(report.namespaceResults, [{ namespace: ns, result: 'active-on-destination', status: 'Successful', message: `scaling up apps in namespace ${ns} successful` }]);
  assert.equal([report.action.stage, report.action.status, report.action.moreInfo], ['Final', 'Successful', 'Scaled up Apps in : 1/1 namespaces']);
  assert.equal(report.source, { context: '', reachable: true, clusterPair: 'remotecluster' });

  // Exactly what storkctl perform failover creates, named as it names it.
  const [created, ...others] = await actions(box, ns);
  assert.is(others.length, 0);
  assert.match(created?.metadata.name ?? '', /^failover-migrationschedule-\d{4}-\d{2}-\d{2}-\d{6}$/);
  assert.is(report.runId, created?.metadata.name);
  assert.equal(created?.spec, {
    actionType: 'failover',
    actionParameter: {
      failoverParameter: { failoverNamespaces: [ns], migrationScheduleReference: 'migrationschedule', skipSourceOperations: false },
      failbackParameter: { failbackNamespaces: null, migrationScheduleReference: '' },
    },
  });
  assert.equal(report.lastMileMigrations, [`${ns}/migrationschedule-lastmile-failover-${created?.metadata.uid.slice(0, 7)}`]);
  // One progress line per stage, storkctl's names, in Stork's order.
  const lines = run.stderr.split('\n');
  const order = ['Validations (', 'Scale Down (on source) (', 'Waiting for Apps to Scale Down (on source) (', 'Last Mile Migration (from source -> destination) (', 'Scale Up (on destination) ('].map((prefix) => lines.findIndex((line) => line.startsWith(prefix)));
  assert.ok(order.every((index, position) => index >= 0 && (position === 0 || index > (order[position - 1] ?? -1))), run.stderr);

  const status = await runFailover(['status', '-n', ns, '--context', 'destination'], box.env);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /NAME\s+CREATED\s+STAGE\s+STATUS\s+MORE INFO/);
  assert.match(status.stdout, new RegExp(`${created?.metadata.name}\\s+\\d{2} \\w{3} \\d{2} \\d{2}:\\d{2} \\S+\\s+Completed\\s+Successful\\s+Scaled up Apps in : 1/1 namespaces`));
});

test('a failed last mile rolls back (RollbackSuccessful, exit 1); a failed wait whose rollback fails is RollbackFailed', async () => {
  const box = await sandbox();
  const lastMile = await seeded(box, 'via-lm', { [MIGRATION_KNOBS.outcome]: 'Failed' });
  const run = await runFailover([...viaStork(lastMile), '-o', 'json'], box.env);
  assert.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.is(report.outcome, 'RollbackSuccessful');
  assert.equal(statuses(report).slice(3), [
    ['LastMileMigration', 'Failed'],
    ['ScaleUpDestination', 'NotStarted'],
    ['ScaleUpSource', 'Successful'],
  ]);
  assert.match(report.stages[3]?.message ?? '', /^The failover operation is aborted because the last mile migration migrationschedule-lastmile-failover-\w{7} failed with status Failed$/);
  assert.equal(report.namespaceResults.map((entry) => [entry.result, entry.status]), [['rolled-back', 'RollbackSuccessful']]);
  assert.match(report.action.moreInfo, /^Rolled back Apps in : 1\/1 namespaces ; The failover operation is aborted/);

  const wait = await seeded(box, 'via-wait', { [ACTION_KNOBS.failStage]: 'WaitAfterScaleDown', [ACTION_KNOBS.rollback]: 'Failed' });
  const failed = await runFailover(viaStork(wait), box.env);
  assert.is(failed.code, 1, failed.stderr);
  assert.match(failed.stdout, /Waiting for Apps to Scale Down \(on source\)\s+Failed\s+[\d.]+s\s+pods using PVCs from migration are not getting terminated for last 15m0s/);
  assert.match(failed.stdout, /Rolling Back Scale Down \(on source\)\s+Failed/);
  assert.match(failed.stdout, new RegExp(`${wait}\\s+failed\\s+RollbackFailed\\s+scaling up apps in namespace ${wait} failed`));
  assert.match(failed.stdout, /outcome: RollbackFailed/);
});

test('a hang is bounded by --timeout: exit 3, the stage TimedOut, how to follow again; the Action goes on', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-hang', { [ACTION_KNOBS.hangStage]: 'LastMileMigration' });
  const started = Date.now();
  const run = await runFailover([...viaStork(ns).slice(0, -2), '--timeout', '8s', '-o', 'json'], box.env);
  const elapsed = Date.now() - started;
  assert.is(run.code, 3, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.is(report.outcome, 'InProgress');
  assert.equal(report.stages.find((stage) => stage.name === 'LastMileMigration')?.status, 'TimedOut');
  assert.match(run.stderr, `warning: stopped following after --timeout 8s; the Action goes on in the Stork controller: follow it again with \`kubectl failover run --via-stork --follow ${report.runId} -n ${ns} --destination-context destination\``);
  assert.ok(elapsed < 150_000, `ended after ${elapsed} ms`);
  const [action] = await actions(box, ns);
  assert.equal([action?.status?.stage, action?.status?.status], ['LastMileMigration', 'In-Progress'], 'not deleted, still running');
});

test('^C stops following (exit 130) and says how to follow again; --follow NAME then follows it to the end', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-int', { [ACTION_KNOBS.hangStage]: 'LastMileMigration' });
  const child = spawnFailover([...viaStork(ns), '-o', 'json'], box.env);
  // Wait on the cluster: the Action held in the last mile by the stand-in.
  let name = '';
  const deadline = Date.now() + 180_000;
  for (;;) {
    const [action] = await actions(box, ns);
    if (action?.status?.stage === 'LastMileMigration' && action.status.status === 'In-Progress') {
      name = action.metadata.name;
      break;
    }
    assert.ok(Date.now() < deadline, `the Action did not reach the last mile; stderr: ${child.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await child.until(({ stderr }) => stderr.includes('Waiting for Apps to Scale Down (on source) ('), 'the wait stage ended');
  child.kill('SIGINT');
  assert.is(await child.exited, 130, child.stderr());
  const followAgain = `kubectl failover run --via-stork --follow ${name} -n ${ns} --destination-context destination`;
  assert.match(child.stderr(), `error: stopped following action ${ns}/${name}; it keeps running in the Stork controller: follow it again with \`${followAgain}\`\n`);
  const interrupted = JSON.parse(child.stdout()) as Report;
  assert.equal([interrupted.outcome, interrupted.stages.find((stage) => stage.name === 'LastMileMigration')?.status], ['InProgress', 'In-Progress']);
  assert.is((await actions(box, ns)).length, 1, 'the Action is left to run');

  await box.rest('destination').mergePatch(schedulePath(ns), { metadata: { annotations: { [ACTION_KNOBS.hangStage]: null } } });
  const followed = await runFailover([...followAgain.split(' ').slice(2), '-o', 'json'], box.env);
  assert.is(followed.code, 0, followed.stderr);
  const report = JSON.parse(followed.stdout) as Report;
  assert.equal([report.outcome, report.runId, report.action.status], ['Successful', name, 'Successful']);
  assert.is(report.stages.find((stage) => stage.name === 'ScaleUpDestination')?.status, 'Successful');
});

test('a failback: its stages by storkctl names, the apps active on the source', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-back');
  const run = await runFailover([...viaStork(ns), '--failback'], box.env);
  assert.is(run.code, 0, run.stderr);
  for (const stage of ['Scale Down (on destination)', 'Waiting for Apps to Scale Down (on destination)', 'Last Mile Migration (from destination -> source)', 'Scale Up (on source)']) {
    assert.match(run.stdout, new RegExp(`${stage.replace(/[()]/g, '\\$&')}\\s+Successful`));
  }
  assert.match(run.stdout, new RegExp(`${ns}\\s+active-on-source\\s+Successful`));
  const [action] = await actions(box, ns);
  assert.match(action?.metadata.name ?? '', /^failback-migrationschedule-/);
});

test("storkctl's validations, in its order and words: exit 2, one error line, no Action created", async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-bad');
  const bare = uniqueNamespace('via-nopair');
  await seedZookeeper(box.rest('source'), box.rest('destination'), bare);
  const cases: Array<[string[], string]> = [
    [['run', '--via-stork', '--to', 'destination', '-n', ns], 'reference MigrationSchedule name needs to be provided for failover'],
    [['run', '--via-stork', '--to', 'destination', '-n', ns, '--failback'], 'reference MigrationSchedule name needs to be provided for failback'],
    [['run', '--via-stork', '--to', 'destination', '-m', 'nope', '-n', ns], `unable to find the reference MigrationSchedule nope in the ${ns} namespace`],
    // The source's schedule is not Stork's static copy: the failover is run on the wrong cluster.
    [['run', '--via-stork', '--to', 'source', '-m', 'migrationschedule', '-n', ns], 'ensure that `kubectl failover run --via-stork` is run in the cluster you want to failover to'],
    [['run', '--via-stork', '--to', 'destination', '-m', 'migrationschedule', '-n', bare], `unable to find the ClusterPair remotecluster in the ${bare} namespace`],
    [[...viaStork(ns), '--include-namespaces', ns, '--exclude-namespaces', ns], 'can provide only one of --include-namespaces or --exclude-namespaces values at once'],
    [[...viaStork(ns), '--include-namespaces', `${ns},ghost,spook`], 'provided namespaces [ghost spook] are not a subset of the namespaces being migrated by the given MigrationSchedule'],
    [[...viaStork(ns), '--skip-last-mile', '--max-rpo', '5m'], '--via-stork leaves the failover to the Stork controller: --max-rpo, --skip-last-mile do not apply'],
    [['run', '--failback', '--from', 'source', '--to', 'destination', '-n', ns], '--failback needs --via-stork'],
  ];
  for (const [args, message] of cases) {
    const run = await runFailover(args, box.env);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, `error: ${message}`);
    assert.is(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
  }
  // Without a ClusterPair, skipping the source needs none (storkctl's rule), and --from is ignored with a note.
  const skipped = await runFailover(['run', '--via-stork', '--from', 'source', '--to', 'destination', '-m', 'migrationschedule', '-n', bare, '--skip-source-operations', '--timeout', '120s'], box.env);
  assert.is(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stderr, 'warning: --source-context source is not used with --via-stork');
  assert.match(skipped.stdout, /Scale Down \(on source\)\s+Skipped/);
  assert.not.match(skipped.stderr, 'may still run the apps', 'asked for, not a surprise');
  // Dry runs pass the same checks and create nothing (server: the API server accepts the Action).
  for (const mode of ['client', 'server']) {
    const dry = await runFailover([...viaStork(ns), `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`Validations\\s+Planned\\s+would create action ${ns}/failover-migrationschedule-\\d{4}-\\d{2}-\\d{2}-\\d{6}: failover of ${ns} \\(skipSourceOperations false\\)`));
    assert.match(dry.stdout, /outcome: DryRun/);
  }
  assert.is((await actions(box, ns)).length, 0);
});

test('no Action CRD on the destination (Stork before 24): one line naming what is needed and that run without --via-stork works', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-nocrd');
  const run = await withoutStorkCrd(box.rest('destination'), 'actions', () => runFailover(viaStork(ns), box.env));
  assert.is(run.code, 2);
  assert.is(run.stderr, 'error: actions.stork.libopenstorage.org is not served on context destination: --via-stork needs Stork 24 or later with its action controller running there; `kubectl failover run` without --via-stork works without it\n');
  assert.is(run.stdout, '');
});

test('status -w piped: one JSON report per change, none repeated; ^C ends it with 130', async () => {
  const box = await sandbox();
  const ns = await seeded(box, 'via-watch');
  const child = spawnFailover(['status', '-n', ns, '--context', 'destination', '-w', '-o', 'json'], box.env);
  const reports = (): Array<{ namespaces: Array<{ workloads: Array<{ name: string; replicas: number; recorded: string }> }> }> =>
    child
      .stdout()
      .split(/\n(?=\{)/)
      .filter((text) => text.trimEnd().endsWith('\n}'))
      .map((text) => JSON.parse(text) as ReturnType<typeof reports>[number]);
  const zk = (report: ReturnType<typeof reports>[number]) => report.namespaces[0]?.workloads.find((workload) => workload.name === 'zk');
  await child.until(() => reports().length >= 1, 'a first report');
  assert.equal([zk(reports()[0]!)?.replicas, zk(reports()[0]!)?.recorded], [0, '3']);

  const destination = box.rest('destination');
  await destination.mergePatch(`/apis/apps/v1/namespaces/${ns}/statefulsets/zk`, { spec: { replicas: 1 } });
  await child.until(() => reports().some((report) => zk(report)?.replicas === 1), 'a report of the first change');
  await destination.mergePatch(`/apis/apps/v1/namespaces/${ns}/statefulsets/zk`, { metadata: { annotations: { [MIGRATION_REPLICAS]: '5' } } });
  await child.until(() => reports().some((report) => zk(report)?.recorded === '5'), 'a report of the second change');
  child.kill('SIGINT');
  assert.is(await child.exited, 130, child.stderr());
  const texts = child.stdout().split(/\n(?=\{)/);
  assert.ok(texts.every((text, index) => index === 0 || text !== texts[index - 1]), 'a report is printed only when something changed');
  assert.is(child.stderr(), '');
});

test.after(closeClients);
test.run();
