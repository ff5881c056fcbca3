import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATED, MIGRATION_REPLICAS, statefulSet } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// What a run may touch: a selector that matches part of a namespace (or nothing) leaves its
// MigrationSchedules alone; system namespaces are out of -A's reach whatever a schedule lists.

interface Obj {
  spec: { replicas: number };
  status?: { applicationActivated?: boolean };
}

const schedulePath = (ns: string, name: string): string => `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;
const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const STATIC_COPY = { 'stork.libopenstorage.org/static-copy': 'true' };

test('activate -l that matches nothing flips no schedule (and says why); matching part of the namespace neither; matching all of it does', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('sel');
  await ensureNamespace(rest, ns);
  const migrated = (count: string) => ({ [MIGRATION_REPLICAS]: count, [MIGRATED]: 'true' });
  await createIn(rest, ns, statefulSet('zk', 0, migrated('1'), { app: 'zk', tier: 'data' }));
  await createIn(rest, ns, deployment('web', 0, migrated('1'), { app: 'web', tier: 'front' }));
  await createIn(rest, ns, migrationSchedule('dr', [ns], { suspend: true, annotations: STATIC_COPY }));
  const activated = async (): Promise<boolean | undefined> => (await rest.get<Obj>(schedulePath(ns, 'dr'))).status?.applicationActivated;

  const nothing = await runFailover(['activate', '-n', ns, '--context', 'destination', '-l', 'app=nothing', '--wait=false'], box.env);
  assert.is(nothing.code, 0, nothing.stderr);
  assert.is(await activated(), false);
  assert.match(
    nothing.stderr,
    `warning: migrationschedule ${ns}/dr left as it is: -l selects 0 of the 2 workloads to activate in namespace ${ns} (not selected: ${ns}/deployment/web, ${ns}/statefulset/zk); select them all (or drop -l) to mark it activated`,
  );

  const part = await runFailover(['activate', '-n', ns, '--context', 'destination', '-l', 'tier=front', '--wait=false', '-v'], box.env);
  assert.is(part.code, 0, part.stderr);
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).spec.replicas, 1);
  assert.is(await activated(), false);
  assert.match(part.stdout, /migrationschedule\/dr\s+not activated\s+skipped\s+left as it is: -l selects 1 of the 2 workloads to activate/);

  const all = await runFailover(['activate', '-n', ns, '--context', 'destination', '-l', 'tier in (front,data)', '--wait=false'], box.env);
  assert.is(all.code, 0, all.stderr);
  assert.is(await activated(), true);
  assert.not.match(all.stderr, 'left as it is');

  // deactivate -l selecting part of the namespace leaves the static copy activated.
  const down = await runFailover(['deactivate', '-n', ns, '--context', 'destination', '-l', 'tier=front', '--wait=false'], box.env);
  assert.is(down.code, 0, down.stderr);
  assert.is((await rest.get<Obj>(dep(ns, 'web'))).spec.replicas, 0);
  assert.is(await activated(), true);
  assert.match(down.stderr, `migrationschedule ${ns}/dr left as it is: -l selects 1 of the 2 workloads to deactivate in namespace ${ns} (not selected: ${ns}/statefulset/zk); select them all (or drop -l) to clear applicationActivated`);
});

test('system namespaces: -A never scales workloads there even when an admin schedule in kube-system lists kube-system; its schedules are still activated; only -n … --force reaches them', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('sysns');
  const mark = { run: ns };
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('app', 2, {}, mark));
  await createIn(rest, 'kube-system', deployment(`${ns}-dns`, 2, {}, mark));
  await createIn(rest, 'kube-system', deployment(`${ns}-cache`, 0, { [MIGRATION_REPLICAS]: '2', [MIGRATED]: 'true' }, mark));
  // Stork's default admin namespace is kube-system: an admin schedule there naming kube-system itself.
  await createIn(rest, 'kube-system', migrationSchedule(`${ns}-admin`, ['kube-system', ns]));
  try {
    // -l keeps these real runs to this test's objects on the shared sandbox.
    const down = await runFailover(['deactivate', '-A', '-l', `run=${ns}`, '--context', 'source', '--wait=false'], box.env);
    assert.is(down.code, 0, down.stderr);
    assert.is((await rest.get<Obj>(dep(ns, 'app'))).spec.replicas, 0);
    assert.is((await rest.get<Obj>(dep('kube-system', `${ns}-dns`))).spec.replicas, 2);
    assert.match(down.stdout, 'left out (system namespace; only -n with --force reaches it): kube-system');

    const dry = await runFailover(['deactivate', '-A', '-l', `run=${ns}`, '--context', 'source', '--dry-run=server'], box.env);
    assert.match(dry.stdout, /^kube-system\s+left out\s+system namespace \(Kubernetes' own\)$/m);

    const refused = await runFailover(['deactivate', '-n', 'kube-system', '-l', `run=${ns}`, '--context', 'source'], box.env);
    assert.is(refused.code, 2);
    assert.match(refused.stderr, `error: refusing to deactivate namespace "kube-system": system namespace (Kubernetes' own); pass --force to deactivate it anyway\n`);
    assert.is((await rest.get<Obj>(dep('kube-system', `${ns}-dns`))).spec.replicas, 2);

    const up = await runFailover(['activate', '-A', '-l', `run=${ns}`, '--context', 'source', '--wait=false'], box.env);
    assert.is(up.code, 0, up.stderr);
    assert.is((await rest.get<Obj>(dep('kube-system', `${ns}-cache`))).spec.replicas, 0);
    assert.is((await rest.get<Obj>(dep(ns, 'app'))).spec.replicas, 2);
    assert.match(up.stdout, "left out (system namespace; only -n reaches it): kube-system", up.stdout);
    // The schedule kept in kube-system is read and activated as before.
    assert.is((await rest.get<Obj>(schedulePath('kube-system', `${ns}-admin`))).status?.applicationActivated, true);

    const forced = await runFailover(['deactivate', '-n', 'kube-system', '-l', `run=${ns}`, '--force', '--context', 'source', '--wait=false'], box.env);
    assert.is(forced.code, 0, forced.stderr);
    assert.is((await rest.get<Obj>(dep('kube-system', `${ns}-dns`))).spec.replicas, 0);
  } finally {
    await rest.delete(schedulePath('kube-system', `${ns}-admin`));
    await rest.delete(dep('kube-system', `${ns}-dns`));
    await rest.delete(dep('kube-system', `${ns}-cache`));
  }
});

test.after(() => closeClients());
test.run();
