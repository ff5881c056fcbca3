import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATED, MIGRATION_REPLICAS, migrationSchedule, staticCopy, STORK } from '../../scripts/sandbox/seeds';
import { registerReconcilerCrds, unregisterReconcilerCrds } from '../../scripts/sandbox/crds';
import { MIGRATION_KNOBS } from '../../scripts/sandbox/migrationController';
import { GIT_REPLICAS, startReconcilerStandIn } from '../../scripts/sandbox/reconcilerStandIn';
import type { SandboxRest } from '../../scripts/sandbox/rest';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace, type Sandbox } from '../support/sandbox';

// Issue 25 through `run`: an Argo CD Application with automated self-heal on the source would scale
// the app back up after ScaleDownSource. run refuses, pauses on request (and the rollback restores
// the pause exactly), or, told to ignore it, catches it in the hold check and rolls back.

interface Obj {
  metadata: { resourceVersion: string; generation?: number; annotations?: Record<string, string> };
  spec: { replicas?: number; syncPolicy?: Record<string, unknown>; suspend?: boolean };
}
interface Report {
  outcome: string;
  stages: Array<{ name: string; status: string; message?: string }>;
  findings: Array<{ code: string; severity: string; message: string }>;
}

const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const application = (name: string): string => `/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/${name}`;
const schedule = (ns: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/dr`;
const stage = (report: Report, name: string) => report.stages.find((entry) => entry.name === name);
const syncPolicy = { automated: { selfHeal: true, prune: true }, syncOptions: ['CreateNamespace=true'] };

/** Applications this file made: deleted at the end, so a later `deactivate -A` on the shared sandbox meets none of them. */
const made: string[] = [];

let crds: Promise<void> | undefined;
async function withCrds(rest: SandboxRest): Promise<void> {
  crds ??= (async () => {
    await registerReconcilerCrds(rest);
    await ensureNamespace(rest, 'argocd');
  })();
  await crds;
}

/** web, tracked by an Argo CD Application with self-heal on the source; its migrated copy at 0 on the destination. */
async function seeded(box: Sandbox, prefix: string): Promise<{ ns: string; app: string }> {
  const source = box.rest('source');
  const destination = box.rest('destination');
  await withCrds(source);
  await source.ensure(`/apis/${STORK}/v1alpha1/schedulepolicies`, { apiVersion: `${STORK}/v1alpha1`, kind: 'SchedulePolicy', metadata: { name: 'default-migration-policy' }, policy: { interval: { intervalMinutes: 15 } } });
  const ns = uniqueNamespace(prefix);
  const app = `${ns}-shop`;
  made.push(app);
  await ensureNamespace(source, ns);
  await createIn(source, ns, migrationSchedule('dr', [ns]));
  await createIn(source, ns, deployment('web', 2, { 'argocd.argoproj.io/tracking-id': `${app}:apps/Deployment:${ns}/web` }));
  await createIn(source, 'argocd', { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app, annotations: { [GIT_REPLICAS]: '2' } }, spec: { project: 'default', syncPolicy } });
  await ensureNamespace(destination, ns);
  await createIn(destination, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '2', [MIGRATED]: 'true' }));
  await createIn(destination, ns, staticCopy('dr', [ns]));
  return { ns, app };
}

test('an Argo CD Application with self-heal on the source: run is refused in Validations (exit 2), nothing written, naming it and both flags', async () => {
  const box = await sandbox();
  const { ns, app } = await seeded(box, 'runrec-refused');
  const before = (await settled<Obj>(box.rest('source'), dep(ns, 'web'))).metadata.resourceVersion;
  const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '-o', 'json'], box.env);
  assert.is(run.code, 2, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const finding = report.findings.find((entry) => entry.code === 'reconciler-active' && entry.severity === 'error');
  assert.ok(finding, JSON.stringify(report.findings));
  assert.match(finding?.message ?? '', `Argo CD Application argocd/${app}`);
  assert.match(finding?.message ?? '', '--pause-reconcilers');
  assert.match(finding?.message ?? '', '--ignore-reconcilers');
  assert.is((await box.rest('source').get<Obj>(dep(ns, 'web'))).metadata.resourceVersion, before);
  assert.is((await box.rest('source').get<Obj>(schedule(ns))).spec.suspend, false);
});

test('--pause-reconcilers: paused first, the failover holds against the running controller; a rollback restores the pause exactly', async () => {
  const box = await sandbox();
  const source = box.rest('source');
  const { ns, app } = await seeded(box, 'runrec-pause');
  const controller = startReconcilerStandIn([{ cluster: 'source', rest: source }], { namespaces: [ns] });
  try {
    const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--pause-reconcilers', '--hold', '3s', '--skip-last-mile', '--timeout', '60s', '-o', 'json'], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.is((await source.get<Obj>(application(app))).spec.syncPolicy?.automated, undefined, 'automated sync removed');
    assert.is((await source.get<Obj>(dep(ns, 'web'))).spec.replicas, 0, 'held at 0 against the stand-in');
    assert.is((await box.rest('destination').get<Obj>(dep(ns, 'web'))).spec.replicas, 2);

    const again = await seeded(box, 'runrec-pause-back');
    const againController = startReconcilerStandIn([{ cluster: 'source', rest: source }], { namespaces: [again.ns] });
    try {
      await source.mergePatch(schedule(again.ns), { metadata: { annotations: { [MIGRATION_KNOBS.outcome]: 'Failed' } } });
      const failed = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', again.ns, '--pause-reconcilers', '--hold', '1s', '--timeout', '60s', '-o', 'json'], box.env);
      assert.is(failed.code, 1, failed.stderr);
      assert.is((JSON.parse(failed.stdout) as Report).outcome, 'RollbackSuccessful');
      assert.equal((await source.get<Obj>(application(again.app))).spec.syncPolicy, syncPolicy, 'the Application is as it was, automated and all');
    } finally {
      await againController.stop();
    }
  } finally {
    await controller.stop();
  }
});

test('--ignore-reconcilers with the controller running: the hold check names argocd-controller, WaitAfterScaleDown fails, the source is rolled back', async () => {
  const box = await sandbox();
  const source = box.rest('source');
  const { ns } = await seeded(box, 'runrec-ignore');
  const controller = startReconcilerStandIn([{ cluster: 'source', rest: source }], { namespaces: [ns] });
  try {
    const run = await runFailover(['run', '--from', 'source', '--to', 'destination', '-n', ns, '--ignore-reconcilers', '--hold', '4s', '--skip-last-mile', '--timeout', '60s', '-o', 'json'], box.env);
    assert.is(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as Report;
    assert.is(stage(report, 'WaitAfterScaleDown')?.status, 'Failed');
    assert.match(stage(report, 'WaitAfterScaleDown')?.message ?? '', 'argocd-controller');
    assert.is(report.outcome, 'RollbackSuccessful', JSON.stringify(report.stages));
    const web = await source.get<Obj>(dep(ns, 'web'));
    assert.equal([web.spec.replicas, web.metadata.annotations?.[MIGRATION_REPLICAS]], [2, undefined], 'the source as before the run');
    assert.is((await box.rest('destination').get<Obj>(dep(ns, 'web'))).spec.replicas, 0, 'the destination was never scaled up');
  } finally {
    await controller.stop();
  }
});

test.after(async () => {
  const source = (await sandbox()).rest('source');
  await Promise.all(made.map((app) => source.delete(application(app)).catch(() => undefined)));
  if (crds) await unregisterReconcilerCrds(source);
  await closeClients();
});
test.run();
