import { execFile } from 'node:child_process';
import net from 'node:net';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedZookeeper } from '../../scripts/sandbox/seeds';
import { listen } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';
import { readCatalogue } from '../../scripts/lib/runtimes';
import { VERBS } from '../../src/completion/spec';

const run = promisify(execFile);
const binary = path.resolve('dist/kubectl-failover');

/** A PATH holding only kubectl and the plugin, so `kubectl plugin list` is deterministic. */
function pluginPath(): string {
  if (!existsSync(binary)) throw new Error('dist/kubectl-failover is missing: run npm run build first');
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-path-'));
  copyFileSync(binary, path.join(dir, 'kubectl-failover'));
  symlinkSync('/usr/bin/kubectl', path.join(dir, 'kubectl'));
  return dir;
}

test('kubectl finds the plugin on PATH and runs it: plugin list, --version, --help, activate', async () => {
  const box = await sandbox();
  const dir = pluginPath();
  const env = { PATH: dir, KUBECONFIG: box.kubeconfig, HOME: tmpdir() };
  const kubectl = path.join(dir, 'kubectl');
  const list = await run(kubectl, ['plugin', 'list'], { env });
  assert.match(list.stdout, path.join(dir, 'kubectl-failover'));
  const version = await run(kubectl, ['failover', '--version'], { env });
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  const help = await run(kubectl, ['failover', '--help'], { env });
  assert.match(help.stdout, 'kubectl failover activate');
  // Wrapped at word boundaries (yargs' ESM path cut words in two): the text reads whole once joined.
  assert.match(help.stdout.replace(/\s+/g, ' '), 'Bring migrated apps up: scale to the recorded replica counts, resume CronJobs, start VMs, mark schedules activated');

  const ns = uniqueNamespace('binary');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const activate = await run(kubectl, ['failover', 'activate', '-n', ns, '--timeout', '60s'], { env });
  assert.match(activate.stdout, /statefulset\/zk\s+0 → 3\s+changed/);
  assert.match(activate.stderr, 'Activating: 2/2 written');
  const pods = await run(kubectl, ['get', 'pods', '-n', ns, '--no-headers'], { env });
  assert.is(pods.stdout.split('\n').filter((line) => /zk-\d\s+1\/1\s+Running/.test(line)).length, 3);
});

test('first contact through kubectl: bare shows the help (exit 0); version names the commit and its date; bad values list the allowed ones', async () => {
  const box = await sandbox();
  const dir = pluginPath();
  const env = { PATH: dir, KUBECONFIG: box.kubeconfig, HOME: tmpdir() };
  const kubectl = path.join(dir, 'kubectl');
  const bare = await run(kubectl, ['failover'], { env });
  assert.match(bare.stdout, 'kubectl failover <command> [flags]');
  assert.match(bare.stdout, 'kubectl failover completion <shell>');
  const version = await run(kubectl, ['failover', 'version', '-o', 'json'], { env });
  const report = JSON.parse(version.stdout) as Record<string, string>;
  // The binary embeds the pinned Node (scripts/node-runtimes.json), not the one running the tests.
  assert.equal([report.apiVersion, report.kind, report.nodeVersion], ['kubectl-failover.dev/v1alpha1', 'Version', `v${readCatalogue().version}`]);
  assert.match(report.gitCommit ?? '', /^[0-9a-f]{40}$/);
  // Stamped at build time from git: the commit's own date, not the build's.
  const commitDate = (await run('git', ['show', '-s', '--format=%cI', report.gitCommit ?? ''])).stdout.trim();
  assert.is(report.gitCommitDate, commitDate);
  const table = await run(kubectl, ['failover', 'version'], { env });
  assert.match(table.stdout, `Git commit:  ${report.gitCommit}\nCommit date: ${commitDate}\n`);
  for (const [args, expected] of [
    [['activate', '-o', 'wide'], 'error: invalid --output "wide": use one of table, json, yaml\n'],
    [['activate', '--concurrency', 'abc'], 'error: invalid --concurrency "abc": use a whole number of at least 1, e.g. 16\n'],
    [['activate', '--dry-run=maybe'], 'error: invalid --dry-run "maybe": use one of none, client, server\n'],
  ] as const) {
    const failed = await run(kubectl, ['failover', ...args], { env }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal([failed?.code, failed?.stderr], [2, expected], args.join(' '));
  }
});

test('help from the binary (rendered at build time) is what its yargs renders, for the top level and every verb', async () => {
  for (const words of [['--help'], [], ...VERBS.map((verb) => [verb.name, '--help']), ['run', '-h']]) {
    const prebuilt = await run(binary, words);
    // A second --help is not a form the prebuilt texts answer: yargs renders it, in the same binary.
    const rendered = await run(binary, [...(words.length === 0 ? ['--help'] : words), '--help']);
    assert.is(prebuilt.stdout, rendered.stdout, words.join(' ') || '(bare)');
  }
});

test('completion through kubectl: `completion install` puts the shim next to the plugin; kubectl __complete failover … answers verbs, flags, values, contexts, namespaces, schedules', async () => {
  const box = await sandbox();
  const dir = pluginPath();
  const env = { PATH: dir, KUBECONFIG: box.kubeconfig, HOME: tmpdir() };
  const kubectl = path.join(dir, 'kubectl');
  const complete = async (...words: string[]): Promise<string[]> => (await run(kubectl, ['__complete', 'failover', ...words], { env })).stdout.split('\n').filter((line) => line !== '');

  // Without the shim kubectl has nothing to ask.
  assert.equal(await complete(''), [':0']);
  const installed = await run(kubectl, ['failover', 'completion', 'install'], { env });
  assert.match(installed.stdout, `Wrote ${path.join(dir, 'kubectl_complete-failover')}`);
  assert.is(installed.stderr, '');

  assert.equal((await complete('')).map((line) => line.split('\t')[0]), [...VERBS.map((verb) => verb.name), ':4']);
  assert.ok((await complete('activate', '--ti')).includes('--timeout\thow long --wait waits'));
  assert.equal(await complete('activate', '-o', ''), ['table', 'json', 'yaml', ':4']);
  assert.equal(await complete('deactivate', '--dry-run='), ['none', 'client', 'server', ':4']);
  assert.equal(await complete('status', '--context', 'dest'), ['destination', 'destination-readonly', ':4']);

  const ns = uniqueNamespace('complete');
  await seedZookeeper(box.rest('source'), box.rest('destination'), ns);
  const namespaces = await complete('activate', '--context', 'destination', '-n', '');
  assert.ok(namespaces.includes(ns) && namespaces.includes('kube-system'), namespaces.join(' '));
  assert.equal(await complete('activate', '--context', 'destination', '-n', ns), [ns, ':4']);
  assert.equal(await complete('suspend', '--context', 'source', '-n', ns, ''), ['migrationschedule', ':4']);
  assert.equal(await complete('suspend', '--context', 'source', '-n', ns, 'migrationschedule', ''), [':4']);
  // The shim may also be a symlink to the binary: it recognises the name it was started by.
  rmSync(path.join(dir, 'kubectl_complete-failover'));
  symlinkSync(path.join(dir, 'kubectl-failover'), path.join(dir, 'kubectl_complete-failover'));
  assert.equal(await complete('activate', '--output='), ['table', 'json', 'yaml', ':4']);
  // A server that accepts connections and never answers: no candidates, and the process ends
  // (kubectl waits for it) once the look-up gives up after 2s.
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  const port = await listen(silent);
  const started = Date.now();
  assert.equal(await complete('activate', '--server', `https://127.0.0.1:${port}`, '-n', ''), [':4']);
  const elapsed = Date.now() - started;
  sockets.forEach((socket) => socket.destroy());
  silent.close();
  assert.ok(sockets.length > 0, 'the look-up did try the server');
  assert.ok(elapsed < 20_000, `took ${elapsed} ms`);
});

test('the binary alone in an empty folder, with no node on PATH: --version works', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-alone-'));
  copyFileSync(binary, path.join(dir, 'kubectl-failover'));
  const result = await run(path.join(dir, 'kubectl-failover'), ['--version'], { env: { PATH: '/nonexistent' }, cwd: dir });
  assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
});

test.after(() => closeClients());
test.run();
