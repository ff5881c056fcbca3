// Flag values, checked end to end against the sandbox's real API servers: a bad value is a usage
// error (exit 2) naming what is allowed and sends nothing; a good one reaches the cluster intact.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, ensureNamespace, migrationSchedule, seedZookeeper } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Versioned {
  metadata: { resourceVersion: string };
  spec: { suspend?: boolean; replicas?: number };
}

const schedulePath = (ns: string, name: string): string => `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;

test('suspend/resume --concurrency abc: usage error naming the allowed values, exit 2, the schedule untouched', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('flags');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('daily', [ns]));
  const before = await rest.get<Versioned>(schedulePath(ns, 'daily'));
  for (const verb of ['suspend', 'resume']) {
    const run = await runFailover([verb, '-n', ns, '--context', 'source', '--concurrency', 'abc'], box.env);
    assert.is(run.code, 2, `${verb}: ${run.stderr}`);
    assert.is(run.stderr, 'error: invalid --concurrency "abc": use a whole number of at least 1, e.g. 16\n');
    assert.is(run.stdout, '');
  }
  const after = await rest.get<Versioned>(schedulePath(ns, 'daily'));
  assert.is(after.metadata.resourceVersion, before.metadata.resourceVersion);
  assert.is(after.spec.suspend, false);
});

test('activate --concurrency 0 and status --stale-factor abc: usage errors, exit 2', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('flags');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const zero = await runFailover(['activate', '-n', ns, '--context', 'destination', '--concurrency', '0'], box.env);
  assert.is(zero.code, 2);
  assert.is(zero.stderr, 'error: invalid --concurrency "0": use a whole number of at least 1, e.g. 16\n');
  assert.is((await box.rest('destination').get<Versioned>(`/apis/apps/v1/namespaces/${ns}/statefulsets/zk`)).spec.replicas, 0);
  const stale = await runFailover(['status', '-n', ns, '--context', 'destination', '--stale-factor', 'abc'], box.env);
  assert.is(stale.code, 2);
  assert.is(stale.stderr, 'error: invalid --stale-factor "abc": use a number greater than 0, e.g. 3\n');
  assert.is(stale.stdout, '');
});

test('--request-timeout 600h (beyond setTimeout range) is a long limit, not an immediate one: the run succeeds', async () => {
  const box = await sandbox();
  const ns = uniqueNamespace('flags');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--request-timeout', '600h', '--wait=false'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /statefulset\/zk\s+0 → 3\s+changed/);
  assert.is((await box.rest('destination').get<Versioned>(`/apis/apps/v1/namespaces/${ns}/statefulsets/zk`)).spec.replicas, 3);
  const status = await runFailover(['status', '-n', ns, '--context', 'destination', '--request-timeout', '600h'], box.env);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, `${ns} on destination: active`);
});

test('-n given twice: the last one wins, as in kubectl (the error names it alone, not "a,b")', async () => {
  const box = await sandbox();
  const first = uniqueNamespace('missing-first');
  const last = uniqueNamespace('missing-last');
  const run = await runFailover(['activate', '-n', first, '-n', last, '--context', 'destination'], box.env);
  assert.is(run.code, 2);
  assert.is(run.stderr.split('\n').filter((line) => line.startsWith('error:')).join('\n'), `error: namespace "${last}" not found`);
  assert.not.match(run.stderr, first);
  // And the namespace that does exist, named last, is the one acted on.
  const ns = uniqueNamespace('flags');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const good = await runFailover(['activate', '-n', first, '-n', ns, '--context', 'destination', '--wait=false', '-o', 'json'], box.env);
  assert.is(good.code, 0, good.stderr);
  assert.equal((JSON.parse(good.stdout) as { namespaces: Array<{ name: string }> }).namespaces.map((entry) => entry.name), [ns]);
});

test.after(() => closeClients());
test.run();
