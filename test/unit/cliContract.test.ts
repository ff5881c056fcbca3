import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { overridesFrom } from '../../src/cli/globalOptions';
import { normalizeVerbosity, parseVerbosity } from '../../src/cli/verbosity';
import { executeVersion } from '../../src/commands/version/execute';
import { installShim, pluginPath, SHIM_NAME } from '../../src/completion/install';
import { completionScript } from '../../src/completion/scripts';
import { UsageError } from '../../src/core/errors';
import { formatRequestLog } from '../../src/present/requestLog';
import { renderVersion } from '../../src/present/versionTable';
import { runFailover } from '../e2e/cliHarness';

test('-v in every kubectl spelling becomes --verbose=LEVEL; a following word is the level only if it is a number', () => {
  assert.equal(normalizeVerbosity(['-v', 'activate']), ['--verbose=', 'activate']);
  assert.equal(normalizeVerbosity(['activate', '-v']), ['activate', '--verbose=']);
  assert.equal(normalizeVerbosity(['-v', '6', 'activate']), ['--verbose=6', 'activate']);
  assert.equal(normalizeVerbosity(['-v=6']), ['--verbose=6']);
  assert.equal(normalizeVerbosity(['-v6']), ['--verbose=6']);
  assert.equal(normalizeVerbosity(['--v=8']), ['--verbose=8']);
  assert.equal(normalizeVerbosity(['--verbose', 'status']), ['--verbose=', 'status']);
  assert.equal(normalizeVerbosity(['-Av', 'activate']), ['-A', '--verbose=', 'activate']);
  assert.equal(normalizeVerbosity(['suspend', '--', '-v', '6']), ['suspend', '--', '-v', '6']);
  assert.equal([parseVerbosity(undefined), parseVerbosity(''), parseVerbosity('6'), parseVerbosity(false)], [0, 1, 6, 0]);
  assert.throws(() => parseVerbosity('loud'), (error: Error) => error instanceof UsageError && error.message === 'invalid -v "loud": use -v alone, or a level such as -v=6 (requests logged on stderr)');
});

test('-v levels through the CLI: -v alone runs the verb (not taken as a level), a bad level is a usage error', async () => {
  const alone = await runFailover(['-v', 'version', '-o', 'json'], {});
  assert.is(alone.code, 0, alone.stderr);
  assert.match(alone.stdout, '"kind": "Version"');
  const bad = await runFailover(['version', '-v=loud'], {});
  assert.equal([bad.code, bad.stderr], [2, 'error: invalid -v "loud": use -v alone, or a level such as -v=6 (requests logged on stderr)\n']);
});

test('--as-group needs --as; empty override values are refused', () => {
  assert.throws(() => overridesFrom({ 'as-group': ['system:masters'] }), /--as-group needs --as/);
  assert.throws(() => overridesFrom({ token: '' }), /--token needs a non-empty value/);
  assert.equal(overridesFrom({ as: 'oncall', 'as-group': ['a', 'b'], server: 'https://x' }), { server: 'https://x', impersonate: { user: 'oncall', groups: ['a', 'b'] } });
});

test('a request log line: method, URL, status, milliseconds; a failure says why', () => {
  assert.is(formatRequestLog({ method: 'GET', url: 'https://127.0.0.1:6443/api/v1/namespaces?limit=500', status: 200, ms: 12 }), 'GET https://127.0.0.1:6443/api/v1/namespaces?limit=500 200 OK in 12 milliseconds');
  assert.is(formatRequestLog({ method: 'PATCH', url: 'https://h/apis/apps/v1/x', status: 403, ms: 3 }), 'PATCH https://h/apis/apps/v1/x 403 Forbidden in 3 milliseconds');
  assert.is(formatRequestLog({ method: 'GET', url: 'https://h/api', error: 'connection refused', ms: 1 }), 'GET https://h/api failed (connection refused) in 1 milliseconds');
});

test('version: the build, its commit and date, Node.js and the platform in Go names; -o json has apiVersion and kind', async () => {
  const { report } = executeVersion({ version: '1.2.3', gitCommit: 'abc', gitCommitDate: '2026-01-02T03:04:05Z' }, { nodeVersion: 'v20.1.0', platform: 'win32', arch: 'x64' });
  assert.equal(report, { apiVersion: 'kubectl-failover.dev/v1alpha1', kind: 'Version', version: '1.2.3', gitCommit: 'abc', gitCommitDate: '2026-01-02T03:04:05Z', nodeVersion: 'v20.1.0', platform: 'windows/amd64' });
  assert.is(renderVersion(report), 'Version:     1.2.3\nGit commit:  abc\nCommit date: 2026-01-02T03:04:05Z\nNode.js:     v20.1.0\nPlatform:    windows/amd64\n');
  const run = await runFailover(['version', '-o', 'json'], {});
  assert.is(run.code, 0);
  const parsed = JSON.parse(run.stdout) as Record<string, string>;
  assert.equal(Object.keys(parsed), ['apiVersion', 'kind', 'version', 'gitCommit', 'gitCommitDate', 'nodeVersion', 'platform']);
  assert.is(parsed.nodeVersion, process.version);
  // Unbundled (tsx), nothing stamped the commit.
  assert.is(parsed.gitCommit, 'unknown');
  const table = await runFailover(['version'], {});
  assert.match(table.stdout, /^Version: {5}\d+\.\d+\.\d+\n/);
});

test('version and --version answered before yargs loads print exactly what the yargs path prints', async () => {
  for (const args of [['version'], ['version', '-o', 'json'], ['version', '--output=yaml'], ['version', '-o=json'], ['--version']]) {
    const quick = await runFailover(args, {});
    // --no-color changes nothing here, but takes the run through yargs.
    const parsed = await runFailover([...args, '--no-color'], {});
    assert.equal([quick.code, quick.stdout, quick.stderr], [parsed.code, parsed.stdout, parsed.stderr], args.join(' '));
    assert.ok(quick.stdout.length > 0);
  }
  const wide = await runFailover(['version', '-o', 'wide'], {});
  assert.equal([wide.code, wide.stderr], [2, 'error: invalid --output "wide": use one of table, json, yaml\n']);
});

test('completion install: the shim goes next to the plugin kubectl found (not the file a link points to), calls it, and is executable', async () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'kf-bin-'));
  const outcome = installShim(path.join(bin, 'kubectl-failover'), { PATH: `/usr/bin${path.delimiter}${bin}` });
  const shim = path.join(bin, SHIM_NAME);
  assert.equal(outcome.report, { apiVersion: 'kubectl-failover.dev/v1alpha1', kind: 'CompletionInstall', path: shim, plugin: path.join(bin, 'kubectl-failover'), onPath: true, warnings: [] });
  assert.match(readFileSync(shim, 'utf8'), 'exec "${0%/*}/kubectl-failover" __complete "$@"');
  // Run it with a stand-in plugin that prints its arguments.
  const stand = path.join(bin, 'kubectl-failover');
  execFileSync('sh', ['-c', `printf '#!/bin/sh\\necho "$@"\\n' > ${stand}; chmod +x ${stand}`]);
  // With nothing on PATH: the shim needs no other program.
  assert.is(execFileSync(shim, ['activate', '-n', ''], { encoding: 'utf8', env: { PATH: '/nonexistent' } }), '__complete activate -n \n');
  // A folder not on PATH: written, with a warning kubectl will not find it.
  const away = mkdtempSync(path.join(tmpdir(), 'kf-away-'));
  assert.equal(installShim(path.join(away, 'kubectl-failover'), { PATH: '/usr/bin' }).report.warnings, [`${away} is not on PATH, where kubectl looks for ${SHIM_NAME}: add it to PATH`]);
  // A bare name (a shell ran it from PATH) is found on PATH.
  assert.is(pluginPath('kubectl-failover', { PATH: `/nonexistent${path.delimiter}${bin}` }), stand);
});

test('completion install where it cannot write: exit 1, one line with the path and what to do instead', async () => {
  // A "folder" that is a file: refused even to root (the tests may run as root, who writes anywhere else).
  const notADir = path.join(mkdtempSync(path.join(tmpdir(), 'kf-locked-')), 'bin');
  writeFileSync(notADir, '');
  const { runCli } = await import('../../src/cli/app');
  let stderr = '';
  const code = await runCli(['completion', 'install'], { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: { PATH: notADir }, argv0: path.join(notADir, 'kubectl-failover') });
  assert.is(code, 1);
  assert.is(stderr.split('\n').length, 2, stderr);
  assert.match(stderr, `error: cannot write ${path.join(notADir, SHIM_NAME)}: `);
  assert.match(stderr, 'write it by hand');
});

test('completion scripts: each shell has one, an unknown shell lists the allowed ones', async () => {
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    const run = await runFailover(['completion', shell], {});
    assert.is(run.code, 0);
    assert.is(run.stdout, completionScript(shell));
    assert.match(run.stdout, '__complete');
  }
  const bad = await runFailover(['completion', 'tcsh'], {});
  assert.equal([bad.code, bad.stderr], [2, 'error: invalid shell "tcsh": use one of bash, zsh, fish, install\n']);
});

/**
 * The bash script's function, run as bash's programmable completion would run it: COMP_LINE and
 * COMP_POINT as typed, COMP_WORDS split at bash's word breaks (= and : are words of their own).
 * A stand-in kubectl-failover answers in cobra's format, so only the script is under test here;
 * test/e2e/binary.test.ts runs it against the real binary.
 */
function bashComplete(line: string, words: string[]): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-bash-'));
  const program = path.join(dir, 'kubectl-failover');
  writeFileSync(
    program,
    `#!/bin/sh
case "$*" in
  *--output=*) printf 'json\\njsonx\\nyaml\\n:4\\n' ;;
  *--context*) printf 'arn:aws:eks:eu-west-1:1:cluster/prod\\narn:aws:eks:eu-west-1:1:cluster/dr\\n:4\\n' ;;
  *--kubeconfig*) printf ':0\\n' ;;
  *) printf 'activate\\tBring migrated apps up\\nstatus\\n:4\\n' ;;
esac
`,
    { mode: 0o755 },
  );
  const script = path.join(dir, 'completion.bash');
  writeFileSync(script, completionScript('bash'));
  const driver = `source ${script}
COMP_LINE="$1"; COMP_POINT=\${#COMP_LINE}; shift
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
__kubectl_failover_complete 2>/dev/null
printf '%s\\n' "\${COMPREPLY[@]}"`;
  // stdin not a socket: bash would take itself for an ssh session and read ~/.bashrc.
  const out = execFileSync('bash', ['-c', driver, 'driver', line, ...words], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}` } });
  return out.split('\n').filter((value) => value !== '');
}

test('the bash script: candidates without descriptions; --flag=value and a:b:c words replace only what readline replaces', () => {
  assert.equal(bashComplete('kubectl-failover ', ['kubectl-failover', '']), ['activate', 'status']);
  assert.equal(bashComplete('kubectl-failover act', ['kubectl-failover', 'act']), ['activate']);
  // readline keeps "--output=" and replaces what follows it.
  assert.equal(bashComplete('kubectl-failover activate --output=js', ['kubectl-failover', 'activate', '--output', '=', 'js']), ['json', 'jsonx']);
  assert.equal(bashComplete('kubectl-failover activate --output=', ['kubectl-failover', 'activate', '--output', '=']), ['json', 'jsonx', 'yaml']);
  assert.equal(bashComplete('kubectl-failover --context arn:aws:eks:eu-west-1:1:cluster/p', ['kubectl-failover', '--context', 'arn', ':', 'aws', ':', 'eks', ':', 'eu-west-1', ':', '1', ':', 'cluster/p']), ['cluster/prod']);
  assert.equal(bashComplete('kubectl-failover --kubeconfig /tm', ['kubectl-failover', '--kubeconfig', '/tm']), [], 'file names are left to bash (compopt -o default)');
});

test.run();
