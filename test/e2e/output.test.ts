import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { mapWithConcurrency } from '../../src/util/concurrency';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// What reaches a terminal: strings from the cluster cannot forge rows or drive it, and long lists
// are cut to what a person reads (the full list with -v and in -o json).

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

test('annotation values holding a newline or escape sequences are escaped in the table and on stderr; -o json keeps them exact', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('hostile');
  await ensureNamespace(rest, ns);
  const forged = `1\n${ns}   deployment/evil   0 → 9   changed`;
  const terminal = '\u001b]0;pwned\u0007\u001b[2J2';
  await createIn(rest, ns, deployment('forge', 0, { [MIGRATION_REPLICAS]: forged }));
  await createIn(rest, ns, deployment('term', 0, { [MIGRATION_REPLICAS]: terminal }));

  const table = await runFailover(['activate', '-n', ns, '--context', 'destination', '--wait=false'], box.env);
  assert.is(table.code, 1);
  assert.not.match(table.stdout, CONTROL);
  assert.not.match(table.stderr, CONTROL);
  // Two objects, two rows: the forged one stays inside its cell.
  assert.is(table.stdout.split('\n').filter((line) => line.startsWith(ns)).length, 2);
  assert.match(table.stdout, `annotation ${MIGRATION_REPLICAS} "1\\n${ns}   deployment/evil   0 → 9   changed" is not an integer`);
  assert.match(table.stdout, '"\\u001b]0;pwned\\u0007\\u001b[2J2" is not an integer');

  const json = await runFailover(['activate', '-n', ns, '--context', 'destination', '--wait=false', '-o', 'json'], box.env);
  const report = JSON.parse(json.stdout) as { objects: Array<{ name: string; message?: string }> };
  assert.match(report.objects.find((object) => object.name === 'forge')?.message ?? '', forged);
  assert.match(report.objects.find((object) => object.name === 'term')?.message ?? '', terminal);

  // status quotes the same values in its warnings.
  const status = await runFailover(['status', '-n', ns, '--context', 'destination'], box.env);
  assert.not.match(status.stdout, CONTROL);
  assert.match(status.stdout, '\\u001b]0;pwned');
});

test('the wait-timeout summary names ten objects and how many more; -v and -o json name them all', async () => {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('manyslow');
  await ensureNamespace(rest, ns);
  const names = Array.from({ length: 12 }, (_, index) => `slow-${String(index).padStart(2, '0')}`);
  await mapWithConcurrency(names, 6, (name) => createIn(rest, ns, deployment(name, 0, { [MIGRATION_REPLICAS]: '1', 'sandbox.kubectl-failover.dev/never-ready': 'true' })));

  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '2s'], box.env);
  assert.is(run.code, 3, run.stderr);
  const summary = run.stdout.trimEnd().split('\n').pop() ?? '';
  assert.is(summary.match(/deployment\/slow-\d+ \(/g)?.length, 10);
  assert.match(summary, /\) and 2 more \(-v lists them\)$/);

  const verbose = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '2s', '-v'], box.env);
  assert.is(verbose.stdout.trimEnd().split('\n').pop()?.match(/deployment\/slow-\d+ \(/g)?.length, 12);
  const json = await runFailover(['activate', '-n', ns, '--context', 'destination', '--timeout', '2s', '-o', 'json'], box.env);
  assert.is((JSON.parse(json.stdout) as { wait: { notReady: unknown[] } }).wait.notReady.length, 12);
});

test.after(() => closeClients());
test.run();
