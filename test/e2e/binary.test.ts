import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedZookeeper } from '../../scripts/sandbox/seeds';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

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

test('the binary alone in an empty folder, with no node on PATH: --version works', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-alone-'));
  copyFileSync(binary, path.join(dir, 'kubectl-failover'));
  const result = await run(path.join(dir, 'kubectl-failover'), ['--version'], { env: { PATH: '/nonexistent' }, cwd: dir });
  assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
});

test.after(() => closeClients());
test.run();
