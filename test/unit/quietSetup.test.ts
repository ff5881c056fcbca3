import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Provisioning prints one line per phase; the tools' noise goes to a log file an error names, and
// stdout stays free for the one thing callers read from it (provision-k8s.sh: the folder).
function phaseRun(command: string): { status: number | null; stdout: string; stderr: string; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-quiet-'));
  try {
    const log = path.join(dir, 'logs', 'setup.log');
    const script = `set -euo pipefail; source scripts/lib/quiet.sh; KF_LOG="$1"; ${command}; echo done`;
    const result = spawnSync('bash', ['-c', script, 'quiet', log], { encoding: 'utf8' });
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      // no phase ran
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr.replaceAll(log, '<log>'), log: text };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a phase prints its one line; the tool output goes to the log, not to stdout or stderr', () => {
  const run = phaseRun(`phase "unpacking" bash -c 'echo Selecting previously unselected package; echo warning: noise >&2'`);
  assert.is(run.status, 0);
  assert.is(run.stdout, 'done\n');
  assert.is(run.stderr, '[provision] unpacking\n');
  assert.match(run.log, 'Selecting previously unselected package');
  assert.match(run.log, 'warning: noise');
});

test('a failing phase names the log file, shows its last lines and stops the script', () => {
  const run = phaseRun(`phase "compiling" bash -c 'echo step one; echo "fatal: no space left" >&2; exit 3'`);
  assert.is(run.status, 1);
  assert.is(run.stdout, '');
  assert.match(run.stderr, '[provision] compiling\n[provision] error: compiling failed; full log: <log>\n');
  assert.match(run.stderr, '  | fatal: no space left');
});

test('provision-k8s.sh with KUBEBUILDER_ASSETS prints the folder alone on stdout and nothing else', () => {
  const assets = mkdtempSync(path.join(tmpdir(), 'kf-assets-'));
  try {
    for (const name of ['kube-apiserver', 'etcd']) {
      writeFileSync(path.join(assets, name), '#!/bin/sh\n');
      chmodSync(path.join(assets, name), 0o755);
    }
    mkdirSync(path.join(assets, 'cache'));
    const result = spawnSync('bash', ['scripts/provision-k8s.sh'], { encoding: 'utf8', env: { ...process.env, KUBEBUILDER_ASSETS: assets, XDG_CACHE_HOME: path.join(assets, 'cache') } });
    assert.is(result.status, 0, result.stderr);
    assert.is(result.stdout, `${assets}\n`);
    // openssl and time are there already (the sandbox tests need them): nothing to say.
    assert.is(result.stderr, '');
  } finally {
    rmSync(assets, { recursive: true, force: true });
  }
});

test.run();
