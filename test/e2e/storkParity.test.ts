// Scenarios ported from Stork's own storkctl tests (libopenstorage/stork pkg/storkctl/migration_test.go),
// each named after the test it mirrors, run against the sandbox's real API server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdManifest, registerCrd } from '../../scripts/sandbox/crds';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATION_REPLICAS, replicaSet, statefulSet } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Scaled {
  spec: { replicas: number };
}

test('TestActivateDeactivateMigrations: Deployment, StatefulSet, ReplicaSet and DeploymentConfig with -n, then -A', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  // OpenShift's DeploymentConfig, served here through a CRD so discovery finds apps.openshift.io/v1.
  await registerCrd(rest, crdManifest('apps.openshift.io', 'deploymentconfigs', 'DeploymentConfig', 'Namespaced', 'v1'));
  const dep = uniqueNamespace('dep');
  const sts = uniqueNamespace('sts');
  const depconf = uniqueNamespace('depconf');
  const rs = uniqueNamespace('rs');
  for (const ns of [dep, sts, depconf, rs]) await ensureNamespace(rest, ns);
  // Other tests leave garbled annotations on this cluster: -A runs are kept to this test's objects by a label.
  const mine = { run: dep };
  await createIn(rest, dep, deployment('migrateddeployment', 0, { [MIGRATION_REPLICAS]: '1' }, mine));
  await createIn(rest, sts, statefulSet('migratedstatefulset', 0, { [MIGRATION_REPLICAS]: '3' }, mine));
  await createIn(rest, rs, replicaSet('migratedreplicaset', 0, { [MIGRATION_REPLICAS]: '1' }, mine));
  await createIn(rest, depconf, { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', metadata: { name: 'migrateddeploymentconfig', labels: mine, annotations: { [MIGRATION_REPLICAS]: '1' } }, spec: { replicas: 0 } });
  const paths = {
    [dep]: `/apis/apps/v1/namespaces/${dep}/deployments/migrateddeployment`,
    [sts]: `/apis/apps/v1/namespaces/${sts}/statefulsets/migratedstatefulset`,
    [depconf]: `/apis/apps.openshift.io/v1/namespaces/${depconf}/deploymentconfigs/migrateddeploymentconfig`,
    [rs]: `/apis/apps/v1/namespaces/${rs}/replicasets/migratedreplicaset`,
  };
  const expected: Record<string, number> = { [dep]: 1, [sts]: 3, [depconf]: 1, [rs]: 1 };
  const replicas = async (ns: string): Promise<number> => (await rest.get<Scaled>(paths[ns] ?? '')).spec.replicas;
  // DeploymentConfigs have no controller here: their readiness is not awaited.
  const flags = ['--context', 'destination', '--wait=false'];

  for (const ns of [dep, rs, depconf, sts]) {
    const run = await runFailover(['activate', '-n', ns, ...flags], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.is(await replicas(ns), expected[ns]);
  }
  for (const ns of [dep, rs, depconf, sts]) {
    const run = await runFailover(['deactivate', '-n', ns, ...flags], box.env);
    assert.is(run.code, 0, run.stderr);
    assert.is(await replicas(ns), 0);
  }
  const all = await runFailover(['activate', '-A', '-l', `run=${mine.run}`, ...flags], box.env);
  assert.is(all.code, 0, all.stderr);
  assert.match(all.stdout, '4 changed, 0 unchanged, 0 failed in 4 namespace(s)');
  for (const ns of [dep, sts, depconf, rs]) assert.is(await replicas(ns), expected[ns]);
  const none = await runFailover(['deactivate', '-A', '-l', `run=${mine.run}`, ...flags], box.env);
  assert.is(none.code, 0, none.stderr);
  for (const ns of [dep, sts, depconf, rs]) assert.is(await replicas(ns), 0);
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

  // By cluster pair (storkctl's -c), then an unknown name (storkctl: NotFound, exit 1; here a usage error, exit 2, nothing changed).
  assert.is((await runFailover(['suspend', '--cluster-pair', 'clusterpair1', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await rest.get<{ spec: { suspend: boolean } }>(path)).spec.suspend, true);
  assert.is((await runFailover(['resume', '--cluster-pair', 'clusterpair1', '-n', ns, '--context', 'source'], box.env)).code, 0);
  assert.is((await rest.get<{ spec: { suspend: boolean } }>(path)).spec.suspend, false);
  for (const verb of ['suspend', 'resume']) {
    const invalid = await runFailover([verb, 'invalidschedule', '-n', ns, '--context', 'source'], box.env);
    assert.is(invalid.code, 2);
    assert.match(invalid.stderr, `error: migrationschedule "invalidschedule" not found in namespace ${ns}`);
  }

  // A second schedule of the same pair: both are listed, each with its result.
  await createIn(rest, ns, migrationSchedule('testmigrationschedule-2', ['namespace1'], { clusterPair: 'clusterpair1' }));
  const both = await runFailover(['suspend', '--cluster-pair', 'clusterpair1', '-n', ns, '--context', 'source'], box.env);
  assert.is(both.code, 0, both.stderr);
  assert.match(both.stdout, /\ntestmigrationschedule\s+default-migration-policy\s+clusterpair1\s+true\s.*changed\s*\ntestmigrationschedule-2\s+default-migration-policy\s+clusterpair1\s+true\s.*changed/);
  const resumed = await runFailover(['resume', '--cluster-pair', 'clusterpair1', '-n', ns, '--context', 'source', '-o', 'json'], box.env);
  assert.equal((JSON.parse(resumed.stdout) as { objects: Array<{ name: string; result: string }> }).objects.map((row) => [row.name, row.result]), [
    ['testmigrationschedule', 'changed'],
    ['testmigrationschedule-2', 'changed'],
  ]);
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

test('TestActivateDeactivateMigrationsAutoSuspend: static-copy schedules in an admin namespace, only the one migrating the namespace', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  const adminNs = uniqueNamespace('adminns');
  const dep = uniqueNamespace('dep');
  const sts = uniqueNamespace('sts');
  for (const ns of [adminNs, dep, sts]) await ensureNamespace(rest, ns);
  const migrationNamespace = { 'stork.libopenstorage.org/migrationNamespace': adminNs };
  await createIn(rest, dep, deployment('migrateddeployment', 0, { [MIGRATION_REPLICAS]: '1', ...migrationNamespace }));
  await createIn(rest, sts, statefulSet('migratedstatefulset', 0, { [MIGRATION_REPLICAS]: '3', ...migrationNamespace }));
  const staticCopy = { annotations: { 'stork.libopenstorage.org/static-copy': 'true' }, clusterPair: 'clusterpair1' };
  await createIn(rest, adminNs, migrationSchedule('test-migrationschedule-1', [dep], staticCopy));
  await createIn(rest, adminNs, migrationSchedule('test-migrationschedule-2', [sts], staticCopy));
  const activated = async (name: string): Promise<boolean | undefined> =>
    (await rest.get<{ status?: { applicationActivated?: boolean } }>(`/apis/stork.libopenstorage.org/v1alpha1/namespaces/${adminNs}/migrationschedules/${name}`)).status?.applicationActivated;
  const stsReplicas = async (): Promise<number> => (await rest.get<Scaled>(`/apis/apps/v1/namespaces/${sts}/statefulsets/migratedstatefulset`)).spec.replicas;

  const activate = await runFailover(['activate', '-n', dep, '--context', 'destination', '--wait=false'], box.env);
  assert.is(activate.code, 0, activate.stderr);
  assert.match(activate.stdout, /deployment\/migrateddeployment\s+0 → 1\s+changed/);
  assert.match(activate.stdout, new RegExp(`${adminNs}\\s+migrationschedule/test-migrationschedule-1\\s+not activated → activated\\s+changed`));
  assert.not.match(activate.stdout, 'test-migrationschedule-2');
  assert.is(await activated('test-migrationschedule-1'), true);
  assert.is(await activated('test-migrationschedule-2'), false);
  assert.is(await stsReplicas(), 0, 'the sts namespace is untouched');

  const deactivate = await runFailover(['deactivate', '-n', dep, '--context', 'destination', '--wait=false'], box.env);
  assert.is(deactivate.code, 0, deactivate.stderr);
  assert.match(deactivate.stdout, /deployment\/migrateddeployment\s+1 → 0\s+changed/);
  assert.is(await activated('test-migrationschedule-1'), false);
  assert.is(await activated('test-migrationschedule-2'), false);
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
