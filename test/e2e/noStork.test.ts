// A real API server where Stork is not installed (the sandbox's `no-stork` context): no
// MigrationSchedule or ApplicationRegistration resource is served there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

test('suspend and resume: "Stork is not installed" in one line, exit 2', async () => {
  const box = await sandbox();
  for (const verb of ['suspend', 'resume']) {
    const run = await runFailover([verb, '-A', '--context', 'no-stork'], box.env);
    assert.is(run.code, 2, verb);
    assert.is(run.stderr, 'error: Stork is not installed on context no-stork: migrationschedules.stork.libopenstorage.org is not served\n');
    assert.is(run.stdout, '');
  }
});

test('activate: warns that no schedule can be marked, changes nothing unannotated, exit 0', async () => {
  const box = await sandbox();
  const rest = box.rest('no-stork');
  const ns = uniqueNamespace('nostork');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 2));
  const run = await runFailover(['activate', '-n', ns, '--context', 'no-stork'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, 'warning: Stork CRDs are not installed on this cluster: no MigrationSchedule is updated\n');
  assert.match(run.stdout, 'nothing to activate in 1 namespace(s); 1 skipped (-v lists them)');
  assert.is((await rest.get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas, 2);

  const deactivate = await runFailover(['deactivate', '-n', ns, '--context', 'no-stork'], box.env);
  assert.is(deactivate.code, 2);
  assert.match(deactivate.stderr, `error: refusing to deactivate namespace "${ns}": not protected`);
  assert.is((await rest.get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas, 2);
});

test('status: the namespace is "not protected", exit 0', async () => {
  const box = await sandbox();
  const rest = box.rest('no-stork');
  const ns = uniqueNamespace('nostork');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 1));
  const run = await runFailover(['status', '-n', ns, '--context', 'no-stork', '-o', 'json'], box.env);
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { namespaces: Array<{ namespace: string; cluster: string; verdict: string }> };
  assert.equal(report.namespaces.map((entry) => [entry.cluster, entry.verdict]), [['no-stork', 'not protected']]);
});

test.after(() => closeClients());
test.run();
