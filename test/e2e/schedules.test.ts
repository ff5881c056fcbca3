import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, ensureNamespace, migrationSchedule } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Schedule {
  metadata: { resourceVersion: string };
  spec: { suspend: boolean };
}

const path = (ns: string, name: string): string => `/apis/stork.libopenstorage.org/v1alpha1/namespaces/${ns}/migrationschedules/${name}`;

test('suspend one, several, by cluster pair; dry runs change nothing; resume; idempotent', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('sched');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('daily', [ns]));
  await createIn(rest, ns, migrationSchedule('hourly', [ns]));
  await createIn(rest, ns, migrationSchedule('other-pair', [ns], { clusterPair: 'backup-site' }));
  const before = await rest.get<Schedule>(path(ns, 'daily'));

  for (const mode of ['client', 'server']) {
    const dry = await runFailover(['suspend', 'daily', '-n', ns, '--context', 'source', `--dry-run=${mode}`], box.env);
    assert.is(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, '-  suspend: false\n+  suspend: true');
  }
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).metadata.resourceVersion, before.metadata.resourceVersion);

  const one = await runFailover(['suspend', 'daily', '-n', ns, '--context', 'source'], box.env);
  assert.is(one.code, 0, one.stderr);
  assert.match(one.stdout, /NAME\s+POLICYNAME\s+CLUSTERPAIR\s+SUSPEND\s+LAST-SUCCESS-TIME\s+LAST-SUCCESS-DURATION\s+RESULT/);
  assert.match(one.stdout, /daily\s+default-migration-policy\s+remotecluster\s+true\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+42s\s+changed/);
  assert.is((await rest.get<Schedule>(path(ns, 'hourly'))).spec.suspend, false);

  const byPair = await runFailover(['suspend', '-n', ns, '--context', 'source', '--cluster-pair', 'remotecluster'], box.env);
  assert.is(byPair.code, 0, byPair.stderr);
  assert.match(byPair.stdout, /daily\s.*unchanged/);
  assert.match(byPair.stdout, /hourly\s.*changed/);
  assert.is((await rest.get<Schedule>(path(ns, 'other-pair'))).spec.suspend, false);

  const resume = await runFailover(['resume', 'daily', 'hourly', '-n', ns, '--context', 'source', '-o', 'json'], box.env);
  assert.is(resume.code, 0, resume.stderr);
  const report = JSON.parse(resume.stdout) as { summary: { changed: number } };
  assert.is(report.summary.changed, 2);
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).spec.suspend, false);
  assert.is((await rest.get<Schedule>(path(ns, 'hourly'))).spec.suspend, false);

  // Idempotent: nothing left to resume is success, with every row unchanged.
  const again = await runFailover(['resume', '-n', ns, '--context', 'source', '-o', 'json'], box.env);
  assert.is(again.code, 0, again.stderr);
  assert.equal((JSON.parse(again.stdout) as { objects: Array<{ name: string; result: string }> }).objects.map((row) => [row.name, row.result]), [
    ['daily', 'unchanged'],
    ['hourly', 'unchanged'],
    ['other-pair', 'unchanged'],
  ]);
});

test('suspend --dry-run=server as a read-only user: refused rows show the schedule as it is (not as predicted), failed, exit 1', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('sched');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('daily', [ns]));
  await createIn(rest, ns, migrationSchedule('paused', [ns], { suspend: true }));
  const run = await runFailover(['suspend', '-n', ns, '--context', 'source-readonly', '--dry-run=server'], box.env);
  assert.is(run.code, 1, run.stderr);
  // SUSPEND is what the server holds: false for the refused one, though the plan would make it true.
  assert.match(run.stdout, /\ndaily\s+default-migration-policy\s+remotecluster\s+false\s.*failed\s+migrationschedules.stork.libopenstorage.org "daily" is forbidden/);
  assert.match(run.stdout, /\npaused\s+default-migration-policy\s+remotecluster\s+true\s.*unchanged/);
  assert.not.match(run.stdout, '+  suspend: true', 'no diff for a refused write');
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).spec.suspend, false);

  // The admin's server dry run: accepted, so the row shows the server's answer (true), nothing written.
  const accepted = await runFailover(['suspend', '-n', ns, '--context', 'source', '--dry-run=server'], box.env);
  assert.is(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /\ndaily\s+default-migration-policy\s+remotecluster\s+true\s.*would-change/);
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).spec.suspend, false);
});

test('suspend NAME -l SEL: a schedule that exists but does not match is said so (not "not found"), exit 2, nothing changed', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('sched');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('daily', [ns], { labels: { tier: 'gold' } }));
  await createIn(rest, ns, migrationSchedule('hourly', [ns], { labels: { tier: 'silver' } }));
  const run = await runFailover(['suspend', 'hourly', '-n', ns, '-l', 'tier=gold', '--context', 'source'], box.env);
  assert.is(run.code, 2);
  assert.is(run.stderr.split('\n').filter((line) => line.startsWith('error:')).join('\n'), 'error: migrationschedule "hourly" does not match the selector "tier=gold"');
  assert.is(run.stdout, '');
  for (const name of ['daily', 'hourly']) assert.is((await rest.get<Schedule>(path(ns, name))).spec.suspend, false, name);
  // A name that matches is suspended; one that does not exist is still "not found".
  const matching = await runFailover(['suspend', 'daily', '-n', ns, '-l', 'tier=gold', '--context', 'source'], box.env);
  assert.is(matching.code, 0, matching.stderr);
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).spec.suspend, true);
  const missing = await runFailover(['suspend', 'weekly', '-n', ns, '-l', 'tier=gold', '--context', 'source'], box.env);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, `error: migrationschedule "weekly" not found in namespace ${ns}`);
});

test('unknown schedule name: exit 2, nothing changed; read-only user: forbidden, exit 1', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace('sched');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('daily', [ns]));
  const unknown = await runFailover(['suspend', 'daily', 'weekly', '-n', ns, '--context', 'source'], box.env);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, `error: migrationschedule "weekly" not found in namespace ${ns}`);
  assert.is((await rest.get<Schedule>(path(ns, 'daily'))).spec.suspend, false);
  const forbidden = await runFailover(['suspend', '-n', ns, '--context', 'source-readonly'], box.env);
  assert.is(forbidden.code, 1);
  assert.match(forbidden.stdout, /daily\s.*failed\s+migrationschedules.stork.libopenstorage.org "daily" is forbidden/);
});

test('suspend -A -l: every matching schedule in every namespace, others untouched; table names the namespace', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const first = uniqueNamespace('sched-all');
  const second = uniqueNamespace('sched-all');
  const mine = { run: first };
  for (const ns of [first, second]) {
    await ensureNamespace(rest, ns);
    await createIn(rest, ns, migrationSchedule('dr', [ns], { labels: mine }));
  }
  await createIn(rest, second, migrationSchedule('unlabelled', [second]));
  const run = await runFailover(['suspend', '-A', '-l', `run=${mine.run}`, '--context', 'source'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^NAMESPACE\s+NAME\s+POLICYNAME/);
  assert.match(run.stdout, new RegExp(`${first}\\s+dr\\s+.*true.*changed`));
  assert.match(run.stdout, new RegExp(`${second}\\s+dr\\s+.*true.*changed`));
  for (const ns of [first, second]) assert.is((await rest.get<Schedule>(path(ns, 'dr'))).spec.suspend, true);
  assert.is((await rest.get<Schedule>(path(second, 'unlabelled'))).spec.suspend, false);
});

test('suspend in a namespace that does not exist: one line, exit 2 (not "nothing matched")', async () => {
  const box = await sandbox();
  const run = await runFailover(['suspend', '-n', 'no-such-namespace', '--context', 'source'], box.env);
  assert.is(run.code, 2);
  assert.is(run.stderr.split('\n').filter((line) => line.startsWith('error:')).join('\n'), 'error: namespace "no-such-namespace" not found');
  assert.is(run.stdout, '');
});

test.after(() => closeClients());
test.run();
