import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATION_REPLICAS, STORK } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, settled, uniqueNamespace } from '../support/sandbox';

interface Obj {
  metadata: { resourceVersion: string; generation?: number };
  spec: { replicas?: number; suspend?: boolean };
  status?: { applicationActivated?: boolean; observedGeneration?: number };
}

const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const schedulePath = (ns: string, name: string): string => `/apis/${STORK}/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;

/**
 * Destination: an admin namespace holding the static copy of schedule `dr`, which lists `listed`
 * (and a namespace this cluster does not have) and selects `gold1`, `gold2` by label; `other` is
 * outside it. Each holds a migrated Deployment `app` at 0 recording 2.
 */
async function seed() {
  const box = await sandbox();
  const rest = box.rest('destination');
  const label = `tier-${uniqueNamespace('t')}`;
  const ns = { admin: uniqueNamespace('admin'), listed: uniqueNamespace('listed'), gold1: uniqueNamespace('gold'), gold2: uniqueNamespace('gold'), other: uniqueNamespace('other'), gone: uniqueNamespace('gone') };
  await ensureNamespace(rest, ns.admin);
  await ensureNamespace(rest, ns.listed);
  await ensureNamespace(rest, ns.gold1, { [label]: 'gold' });
  await ensureNamespace(rest, ns.gold2, { [label]: 'gold' });
  await ensureNamespace(rest, ns.other, { [label]: 'bronze' });
  await createIn(rest, ns.admin, migrationSchedule('dr', [ns.listed, ns.gone], { suspend: true, selectors: { [label]: 'gold' }, annotations: { [`${STORK}/static-copy`]: 'true' } }));
  for (const namespace of [ns.listed, ns.gold1, ns.gold2, ns.other]) await createIn(rest, namespace, deployment('app', 0, { [MIGRATION_REPLICAS]: '2' }));
  // The status simulator's first write must not count as ours in resourceVersion comparisons.
  for (const namespace of [ns.listed, ns.gold1, ns.gold2, ns.other]) await settled(rest, dep(namespace, 'app'));
  return { box, rest, ns };
}

test('activate -m: the namespaces the schedule lists and selects, minus --exclude-namespaces; dry runs change nothing; a missing one is a warning', async () => {
  const { box, rest, ns } = await seed();
  const base = ['activate', '-m', 'dr', '-n', ns.admin, '--context', 'destination', '--exclude-namespaces', ns.gold2, '--wait=false'];
  const before = await Promise.all([ns.listed, ns.gold1, ns.gold2, ns.other].map((namespace) => rest.get<Obj>(dep(namespace, 'app'))));
  const scheduleBefore = await rest.get<Obj>(schedulePath(ns.admin, 'dr'));
  for (const mode of ['client', 'server']) {
    const dry = await runFailover([...base, `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr);
    // The scope, with why each namespace is in or out.
    assert.match(dry.stdout, new RegExp(`^${ns.listed}\\s+included\\s+migrated by migrationschedule ${ns.admin}/dr$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^${ns.gold2}\\s+left out\\s+left out by --exclude-namespaces$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^${ns.gone}\\s+left out\\s+not found on this cluster$`, 'm'));
    assert.match(dry.stdout, `+++ ${ns.gold1}/deployment/app (${mode === 'server' ? 'server dry run' : 'planned'})`);
    assert.not.match(dry.stdout, `${ns.gold2}/deployment/app`);
    assert.not.match(dry.stdout, `${ns.other}/deployment/app`);
    assert.match(dry.stdout, '3 would change');
  }
  const after = await Promise.all([ns.listed, ns.gold1, ns.gold2, ns.other].map((namespace) => rest.get<Obj>(dep(namespace, 'app'))));
  assert.equal(after.map((object) => object.metadata.resourceVersion), before.map((object) => object.metadata.resourceVersion));
  assert.is((await rest.get<Obj>(schedulePath(ns.admin, 'dr'))).metadata.resourceVersion, scheduleBefore.metadata.resourceVersion);

  const real = await runFailover([...base, '-o', 'json'], box.env);
  assert.is(real.code, 0, real.stderr);
  assert.match(real.stderr, `warning: namespace ${ns.gone} is migrated by migrationschedule ${ns.admin}/dr but does not exist on context destination: left out`);
  const report = JSON.parse(real.stdout) as { migrationSchedule: string; objects: Array<{ namespace: string; kind: string; result: string }> };
  assert.is(report.migrationSchedule, `${ns.admin}/dr`);
  assert.equal(report.objects.map((row) => `${row.namespace}/${row.kind}:${row.result}`).sort(), [`${ns.admin}/MigrationSchedule:changed`, `${ns.gold1}/Deployment:changed`, `${ns.listed}/Deployment:changed`].sort());
  const replicas = async (namespace: string): Promise<number | undefined> => (await rest.get<Obj>(dep(namespace, 'app'))).spec.replicas;
  assert.equal([await replicas(ns.listed), await replicas(ns.gold1), await replicas(ns.gold2), await replicas(ns.other)], [2, 2, 0, 0]);
  assert.is((await rest.get<Obj>(schedulePath(ns.admin, 'dr'))).status?.applicationActivated, true);

  // --include-namespaces and storkctl's --migration-reference name: only the one asked for.
  const include = await runFailover(['activate', '--migration-reference', 'dr', '-n', ns.admin, '--context', 'destination', '--include-namespaces', ns.gold2, '--wait=false'], box.env);
  assert.is(include.code, 0, include.stderr);
  assert.equal([await replicas(ns.gold2), await replicas(ns.other)], [2, 0]);

  // deactivate -m acts on exactly those namespaces too.
  const down = await runFailover(['deactivate', '-m', 'dr', '-n', ns.admin, '--context', 'destination', '--include-namespaces', `${ns.listed},${ns.gold1}`, '--wait=false'], box.env);
  assert.is(down.code, 0, down.stderr);
  assert.equal([await replicas(ns.listed), await replicas(ns.gold1), await replicas(ns.gold2)], [0, 0, 2]);
});

test('status -m reports the schedule\'s namespaces; suspend/resume -m name the schedule', async () => {
  const { box, rest, ns } = await seed();
  const status = await runFailover(['status', '-m', 'dr', '-n', ns.admin, '--context', 'destination', '-o', 'json'], box.env);
  assert.is(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as { namespaces: Array<{ namespace: string }>; warnings: string[] };
  assert.equal(report.namespaces.map((entry) => entry.namespace), [ns.gold1, ns.gold2, ns.listed].sort());
  assert.match(report.warnings.join('\n'), `namespace ${ns.gone} is migrated by migrationschedule`);

  const resume = await runFailover(['resume', '-m', 'dr', '-n', ns.admin, '--context', 'destination'], box.env);
  assert.is(resume.code, 0, resume.stderr);
  assert.is((await rest.get<Obj>(schedulePath(ns.admin, 'dr'))).spec.suspend, false);
  const subset = await runFailover(['suspend', '-m', 'dr', '-n', ns.admin, '--context', 'destination', '--include-namespaces', ns.listed], box.env);
  assert.is(subset.code, 2);
  assert.is(subset.stderr, 'error: --include-namespaces does not apply to suspend: a MigrationSchedule is suspended as a whole\n');
});

test('-m bad inputs: unknown schedule, both lists, a namespace outside the schedule, -A: exit 2, nothing changed', async () => {
  const { box, rest, ns } = await seed();
  const before = await rest.get<Obj>(dep(ns.listed, 'app'));
  const cases: Array<[string[], string]> = [
    [['activate', '-m', 'nope'], `error: migrationschedule "nope" not found in namespace ${ns.admin}\n`],
    [['status', '-m', 'nope'], `error: migrationschedule "nope" not found in namespace ${ns.admin}\n`],
    [['deactivate', '-m', 'dr', '--include-namespaces', ns.listed, '--exclude-namespaces', ns.gold1], 'error: can provide only one of --include-namespaces or --exclude-namespaces values at once\n'],
    [['activate', '-m', 'dr', '--include-namespaces', `${ns.listed},${ns.other}`], `error: provided namespaces [${ns.other}] are not a subset of the namespaces being migrated by the given MigrationSchedule (migrationschedule ${ns.admin}/dr migrates ${[ns.gold1, ns.gold2, ns.gone, ns.listed].sort().join(', ')})\n`],
    [['activate', '--include-namespaces', ns.listed], 'error: --include-namespaces needs -m/--migration-schedule: it chooses among the namespaces of a MigrationSchedule\n'],
    [['suspend', '-m', 'nope'], `error: migrationschedule "nope" not found in namespace ${ns.admin}\n`],
  ];
  for (const [args, stderr] of cases) {
    const run = await runFailover([...args, '-n', ns.admin, '--context', 'destination'], box.env);
    assert.is(run.code, 2, args.join(' '));
    assert.is(run.stderr.split('\n').filter((line) => line.startsWith('error:')).join('\n') + '\n', stderr, args.join(' '));
  }
  const all = await runFailover(['activate', '-m', 'dr', '-A', '--context', 'destination'], box.env);
  assert.is(all.code, 2);
  assert.match(all.stderr, 'cannot be combined');
  assert.is((await rest.get<Obj>(dep(ns.listed, 'app'))).metadata.resourceVersion, before.metadata.resourceVersion);
});

test.after(() => closeClients());
test.run();
