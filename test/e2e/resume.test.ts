import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, MIGRATION_REPLICAS, MIGRATED, migrationSchedule, seedZookeeper, STORK } from '../../scripts/sandbox/seeds';
import { MIGRATION_KNOBS } from '../../scripts/sandbox/migrationController';
import { mapWithConcurrency } from '../../src/util/concurrency';
import { runFailover } from './cliHarness';
import { signalBinaryWhen, type SignalledRun } from './childCli';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

// ^C in each stage of `run`, sent to the built binary, then `run --resume` (or `undo`): the end state
// is the one an uninterrupted run leaves, or the one before the run. And a failback round trip.

const READY_DELAY = 'sandbox.kubectl-failover.dev/ready-delay-ms';

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; suspend?: boolean };
  status?: { observedGeneration?: number; applicationActivated?: boolean };
}

const sts = (ns: string, name = 'zk'): string => `/apis/apps/v1/namespaces/${ns}/statefulsets/${name}`;
const schedule = (ns: string, name = 'migrationschedule'): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;

/** zookeeper seeded on both clusters, a journal folder of its own, and the env the plugin runs with. */
async function world(prefix: string): Promise<{ ns: string; env: NodeJS.ProcessEnv }> {
  const box = await sandbox();
  const ns = uniqueNamespace(prefix);
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  return { ns, env: { ...box.env, XDG_STATE_HOME: mkdtempSync(path.join(tmpdir(), 'kf-state-')), HOME: tmpdir() } };
}

const RUN = (ns: string): string[] => ['run', '--from', 'source', '--to', 'destination', '-n', ns, '--timeout', '90s'];

/** The run ID the interrupt message names, checked against the resume hint it must give. */
function interruptedRunId(ended: SignalledRun, stage: string): string {
  assert.is(ended.code, 130, ended.stderr);
  assert.not.match(ended.stderr, 'DeprecationWarning', 'the binary prints no Node warnings');
  const line = ended.stderr.split('\n').find((entry) => entry.startsWith('error: interrupted in '));
  assert.ok(line, `no interrupt line in:\n${ended.stderr}`);
  assert.ok(line?.startsWith(`error: interrupted in ${stage}`), ended.stderr);
  const runId = /kubectl failover run --resume (\S+)"/.exec(line ?? '')?.[1];
  assert.ok(runId, line);
  assert.match(line ?? '', `"kubectl failover undo ${runId}"`);
  return runId ?? '';
}

/** Both clusters as an uninterrupted failover leaves them. */
async function assertFailedOver(ns: string): Promise<void> {
  const box = await sandbox();
  const source = await settled<Obj>(box.rest('source'), sts(ns));
  assert.is(source.spec.replicas, 0);
  assert.is(source.metadata.annotations?.[MIGRATION_REPLICAS], '3', 'the count is recorded on the source');
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, true);
  const destination = await settled<Obj>(box.rest('destination'), sts(ns));
  assert.is(destination.spec.replicas, 3);
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated, true);
}

/** Both clusters as seeded: nothing of the run left. */
async function assertAsSeeded(ns: string): Promise<void> {
  const box = await sandbox();
  const source = await settled<Obj>(box.rest('source'), sts(ns));
  assert.is(source.spec.replicas, 3);
  assert.is(source.metadata.annotations?.[MIGRATION_REPLICAS], undefined);
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, false);
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 0);
  assert.is((await box.rest('destination').get<Obj>(schedule(ns))).status?.applicationActivated ?? false, false);
}

async function resume(runId: string, env: NodeJS.ProcessEnv): Promise<void> {
  const resumed = await runFailover(['run', '--resume', runId, '--timeout', '90s', '-o', 'json'], env);
  assert.is(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, `Run ID: ${runId} (resumed)`);
  assert.is((JSON.parse(resumed.stdout) as { outcome: string }).outcome, 'Successful');
  const runs = await runFailover(['runs'], env);
  assert.match(runs.stdout, new RegExp(`${runId}\\s.*ScaleUpDestination\\s+Successful`));
}

test('^C in Validations: nothing written on either cluster; --resume finishes the failover', async () => {
  const box = await sandbox();
  const { ns, env } = await world('int-val');
  // What a write would change: spec (generation), annotations; status moves on its own (the status simulator).
  const written = async (): Promise<unknown[]> => {
    const objects = [await box.rest('source').get<Obj>(sts(ns)), await box.rest('destination').get<Obj>(sts(ns)), await box.rest('source').get<Obj>(schedule(ns)), await box.rest('destination').get<Obj>(schedule(ns))];
    return objects.map((object) => [object.metadata.generation, object.metadata.annotations, object.spec, object.status?.applicationActivated]);
  };
  const before = await written();
  const ended = await signalBinaryWhen(RUN(ns), env, (stderr) => stderr.includes('Run ID:'));
  const runId = interruptedRunId(ended, 'Validations');
  assert.equal(await written(), before, 'no write on either cluster');
  await resume(runId, env);
  await assertFailedOver(ns);
});

test('^C in ScaleDownSource (part of the source written): --resume finishes with the same end state', async () => {
  const box = await sandbox();
  const { ns, env } = await world('int-down');
  // Enough writes, one at a time, that the interrupt lands among them.
  const names = Array.from({ length: 24 }, (_, index) => `app-${String(index).padStart(2, '0')}`);
  await mapWithConcurrency(names, 8, async (name) => {
    await createIn(box.rest('source'), ns, deployment(name, 1));
    await createIn(box.rest('destination'), ns, deployment(name, 0, { [MIGRATION_REPLICAS]: '1', [MIGRATED]: 'true' }));
  });
  const scaledDown = async (): Promise<number> => (await box.rest('source').get<{ items: Array<{ spec: { replicas: number } }> }>(`/apis/apps/v1/namespaces/${ns}/deployments`)).items.filter((item) => item.spec.replicas === 0).length;
  const ended = await signalBinaryWhen([...RUN(ns), '--concurrency', '1'], env, async () => (await scaledDown()) >= 2);
  const runId = interruptedRunId(ended, 'ScaleDownSource');
  const partly = await scaledDown();
  assert.ok(partly >= 2 && partly < names.length, `${partly} of ${names.length} scaled down when interrupted`);
  assert.match(ended.stdout, 'not-attempted');
  await resume(runId, env);
  await assertFailedOver(ns);
  assert.is(await scaledDown(), names.length);
  const up = await box.rest('destination').get<{ items: Array<{ spec: { replicas: number } }> }>(`/apis/apps/v1/namespaces/${ns}/deployments`);
  assert.is(up.items.filter((item) => item.spec.replicas === 1).length, names.length, 'every count intact on the destination');
});

test('^C in WaitAfterScaleDown: --resume finishes; a second run interrupted there is put back exactly by undo (no --force needed)', async () => {
  const box = await sandbox();
  for (const then of ['resume', 'undo'] as const) {
    const { ns, env } = await world(`int-wait-${then}`);
    // The source's pods take a while to go: the run sits in WaitAfterScaleDown.
    await box.rest('source').mergePatch(sts(ns), { metadata: { annotations: { [READY_DELAY]: '6000' } } });
    const ended = await signalBinaryWhen(RUN(ns), env, (stderr) => /Scale Down \(on source\) \(/.test(stderr));
    const runId = interruptedRunId(ended, 'WaitAfterScaleDown');
    assert.is((await box.rest('source').get<Obj>(sts(ns))).spec.replicas, 0, 'scaled down before the interrupt');
    if (then === 'resume') {
      await resume(runId, env);
      await assertFailedOver(ns);
    } else {
      const undone = await runFailover(['undo', runId], env);
      assert.is(undone.code, 0, undone.stderr);
      await assertAsSeeded(ns);
    }
  }
});

test('^C in LastMileMigration: --resume follows the same Migration and finishes', async () => {
  const box = await sandbox();
  const { ns, env } = await world('int-mile');
  // The last-mile Migration takes the source schedule's annotations: a slow one.
  await box.rest('source').mergePatch(schedule(ns), { metadata: { annotations: { [MIGRATION_KNOBS.delayMs]: '1500' } } });
  const ended = await signalBinaryWhen(RUN(ns), env, (stderr) => /Waiting for Apps to Scale Down \(on source\) \(/.test(stderr));
  const runId = interruptedRunId(ended, 'LastMileMigration');
  assert.match(ended.stderr, 'is left running on the source (--on-last-mile-timeout=keep)');
  await resume(runId, env);
  await assertFailedOver(ns);
  const migrations = await box.rest('source').get<{ items: Array<{ metadata: { name: string } }> }>(`/apis/${STORK}/v1alpha1/namespaces/${ns}/migrations`);
  assert.is(migrations.items.filter((item) => item.metadata.name.includes('-lastmile-')).length, 1, 'one last-mile Migration, resumed, not a second one');
});

test('^C in ScaleUpDestination (waiting for readiness): --resume finishes', async () => {
  const box = await sandbox();
  const { ns, env } = await world('int-up');
  await box.rest('destination').mergePatch(sts(ns), { metadata: { annotations: { [READY_DELAY]: '6000' } } });
  const ended = await signalBinaryWhen(RUN(ns), env, async () => (await box.rest('destination').get<Obj>(sts(ns))).spec.replicas === 3);
  const runId = interruptedRunId(ended, 'ScaleUpDestination');
  assert.is((await box.rest('destination').get<Obj>(sts(ns))).spec.replicas, 3, 'scaled up before the interrupt');
  await resume(runId, env);
  await assertFailedOver(ns);
});

test('a resumed run whose last mile fails rolls back what the interrupted attempt scaled down', async () => {
  const box = await sandbox();
  const { ns, env } = await world('int-rollback');
  await box.rest('source').mergePatch(sts(ns), { metadata: { annotations: { [READY_DELAY]: '6000' } } });
  const ended = await signalBinaryWhen(RUN(ns), env, (stderr) => /Scale Down \(on source\) \(/.test(stderr));
  const runId = interruptedRunId(ended, 'WaitAfterScaleDown');
  await box.rest('source').mergePatch(schedule(ns), { metadata: { annotations: { [MIGRATION_KNOBS.outcome]: 'Failed' } } });
  const resumed = await runFailover(['run', '--resume', runId, '--timeout', '90s', '-o', 'json'], env);
  assert.is(resumed.code, 1, resumed.stderr);
  assert.is((JSON.parse(resumed.stdout) as { outcome: string }).outcome, 'RollbackSuccessful');
  await assertAsSeeded(ns);
});

test('failback round trip: fail over, then fail back with the reverse schedule: zookeeper runs on the source again, counts intact', async () => {
  const box = await sandbox();
  const { ns, env } = await world('roundtrip');
  // The reverse direction, as Stork sets it up: a schedule on the destination migrating back (with
  // its policy there: Stork's failback fails without one), its static copy on the source.
  await box.rest('destination').ensure(`/apis/${STORK}/v1alpha1/schedulepolicies`, { apiVersion: `${STORK}/v1alpha1`, kind: 'SchedulePolicy', metadata: { name: 'default-migration-policy' }, policy: { interval: { intervalMinutes: 15 } } });
  await createIn(box.rest('destination'), ns, migrationSchedule('reverse', [ns]));
  await createIn(box.rest('source'), ns, migrationSchedule('reverse', [ns], { suspend: true, annotations: { [`${STORK}/static-copy`]: 'true' } }));
  const over = await runFailover([...RUN(ns), '-o', 'json'], env);
  assert.is(over.code, 0, over.stderr);
  await assertFailedOver(ns);

  const back = await runFailover(['failback', '--from', 'destination', '--to', 'source', '-m', 'reverse', '-n', ns, '--timeout', '90s', '-o', 'json'], env);
  assert.is(back.code, 0, back.stderr);
  const report = JSON.parse(back.stdout) as { outcome: string; lastMileMigrations: string[] };
  assert.is(report.outcome, 'Successful');
  assert.match(report.lastMileMigrations.join(','), `${ns}/reverse-lastmile-`);
  const source = await settled<Obj>(box.rest('source'), sts(ns));
  assert.is(source.spec.replicas, 3, 'zookeeper back on the source with its count');
  const destination = await settled<Obj>(box.rest('destination'), sts(ns));
  assert.is(destination.spec.replicas, 0);
  assert.is(destination.metadata.annotations?.[MIGRATION_REPLICAS], '3', 'the destination recorded the count for the next failover');
  assert.is((await box.rest('destination').get<Obj>(schedule(ns, 'reverse'))).spec.suspend, true, 'the reverse schedule is suspended again');
});

test.after(closeClients);
test.run();
