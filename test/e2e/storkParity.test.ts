// Scenarios ported from Stork's own storkctl tests (libopenstorage/stork pkg/storkctl/migration_test.go),
// each named after the test it mirrors, run against the sandbox's real API server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATION_REPLICAS, statefulSet } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Scaled {
  spec: { replicas: number };
}

test('TestActivateDeactivateMigrations: Deployment, StatefulSet and DeploymentConfig with -n, then -A', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  // OpenShift's DeploymentConfig, served here through a CRD so discovery finds apps.openshift.io/v1.
  await registerCrd(rest, crdManifest('apps.openshift.io', 'deploymentconfigs', 'DeploymentConfig', 'Namespaced', 'v1'));
  const dep = uniqueNamespace('dep');
  const sts = uniqueNamespace('sts');
  const depconf = uniqueNamespace('depconf');
  for (const ns of [dep, sts, depconf]) await ensureNamespace(rest, ns);
  // Other tests leave garbled annotations on this cluster: -A runs are kept to this test's objects by a label.
  const mine = { run: dep };
  await createIn(rest, dep, deployment('migrateddeployment', 0, { [MIGRATION_REPLICAS]: '1' }, mine));
  await createIn(rest, sts, statefulSet('migratedstatefulset', 0, { [MIGRATION_REPLICAS]: '3' }, mine));
  await createIn(rest, depconf, { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'migrateddeploymentconfig', labels: mine, annotations: { [MIGRATION_REPLICAS]: '1' } }, spec: { replicas: 0 } });
  const paths = {
    [dep]: `/apis/apps/v1/namespaces/${dep}/deployments/migrateddeployment`,
    [sts]: `/apis/apps/v1/namespaces/${sts}/statefulsets/migratedstatefulset`,
    [depconf]: `/apis/apps.openshift.io/v1/namespaces/${depconf}/deploymentconfigs/migrateddeploymentconfig`,
  };
  const expected: Record<string, number> = { [dep]: 1, [sts]: 3, [depconf]: 1 };
  const replicas = async (ns: string): Promise<number> => (await rest.get<Scaled>(paths[ns] ?? '')).spec.replicas;
  // DeploymentConfigs have no controller here: their readiness is not awaited.
  const flags = ['--context', 'destination', '--wait=false'];

  for (const ns of [dep, depconf, sts]) {
    const run = await runFailover(['activate', '-n', ns, ...flags], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.is(await replicas(ns), expected[ns]);
  }
  for (const ns of [dep, depconf, sts]) {
    const run = await runFailover(['deactivate', '-n', ns, ...flags], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.is(await replicas(ns), 0);
  }
  const all = await runFailover(['activate', '-A', '-l', `run=${mine.run}`, ...flags], box.env);
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, '3 changed, 0 unchanged, 0 failed in 3 namespace(s)');
  for (const ns of [dep, sts, depconf]) assert.is(await replicas(ns), expected[ns]);
  const none = await runFailover(['deactivate', '-A', '-l', `run=${mine.run}`, ...flags], box.env);
  assert.is(none.code, 0, none.stderr);
  for (const ns of [dep, sts, depconf]) assert.is(await replicas(ns), 0);
  // The counts survived the round trip in the annotation.
  assert.is((await rest.get<{ metadata: { annotations: Record<string, string> } }>(paths[sts] ?? '')).metadata.annotations[MIGRATION_REPLICAS], '3');
});

test('TestSuspendResumeMigrationSchedule: suspend by name, then resume by name', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('default');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('testmigrationschedule', ['namespace1'], { clusterPair: 'clusterpair1' }));
  const path = `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/testmigrationschedule`;
  assert.is((await runFailover(['suspend', 'testmigrationschedule', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await rest.get<{ spec: { suspend: boolean } }>(path)).spec.suspend, true);
  assert.is((await runFailover(['resume', 'testmigrationschedule', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await rest.get<{ spec: { suspend: boolean } }>(path)).spec.suspend, false);
});

test('TestGetMigrationSchedulesWithStatus: the newest success across Daily, Weekly and Monthly, duration as Go prints it', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('default');
  await ensureNamespace(rest, ns);
  const now = Date.now();
  const entry = (name: string, createdMsAgo: number): Record<string, string> => ({
    name,
    creationTimestamp: new Date(now - createdMsAgo).toISOString().replace(/\.\d+Z$/, 'Z'),
    finishTimestamp: new Date(now - createdMsAgo + 5 * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    status: 'Successful',
  });
  const schedule = migrationSchedule('getmigrationschedulestatustest', ['namespace1'], { clusterPair: 'clusterpair1', suspend: true }) as { status: Record<string, unknown> };
  schedule.status = {
    items: {
      Daily: [entry('dailymigration', 3_600_000)],
      Weekly: [entry('weeklymigration', 1_800_000)],
      Monthly: [entry('monthlymigration', 600_000)],
    },
  };
  await createIn(rest, ns, schedule);
  const newest = new Date(now - 600_000 + 5 * 60_000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  // Already suspended: the idempotent suspend prints storkctl's columns without changing anything.
  const run = await runFailover(['suspend', 'getmigrationschedulestatustest', '-n', ns, '--context', 'source'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`getmigrationschedulestatustest\\s+default-migration-policy\\s+clusterpair1\\s+true\\s+${newest}\\s+5m0s\\s+unchanged`));
});

test('admin-namespace schedules (autoSuspend): activate -n marks only the schedules that migrate the namespace, by list or label', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  const admin = uniqueNamespace('admin');
  const app = uniqueNamespace('app');
  const other = uniqueNamespace('other');
  await ensureNamespace(rest, admin);
  await ensureNamespace(rest, app, { tier: `gold-${app}` });
  await ensureNamespace(rest, other);
  await createIn(rest, app, statefulSet('zk', 0, { [MIGRATION_REPLICAS]: '1', 'stork.libopenstorage.org/migrationNamespace': admin }));
  await createIn(rest, admin, migrationSchedule('by-list', [app]));
  await createIn(rest, admin, migrationSchedule('by-label', [], { selectors: { tier: `gold-${app}` } }));
  await createIn(rest, admin, migrationSchedule('unrelated', [other]));
  const run = await runFailover(['activate', '-n', app, '--context', 'destination', '--wait=false'], box.env);
  assert.is(run.code, 0, run.stderr);
  const activated = async (name: string): Promise<boolean | undefined> =>
    (await rest.get<{ status?: { applicationActivated?: boolean } }>(`/apis/stork.libopenstorage.org/v1alpha1/namespaces/${admin}/migrationschedules/${name}`)).status?.applicationActivated;
  assert.is(await activated('by-list'), true);
  assert.is(await activated('by-label'), true);
  assert.is(await activated('unrelated'), false);
});

test.after(() => closeClients());
test.run();
