#!/usr/bin/env node
// The project's one test command (`npm test`): type check, unit tests, build, release checks,
// end-to-end tests against the sandbox's real API servers. Ends with one line `N passed, N failed`.
//
// Usage: node scripts/test.mjs [suite…]   suites: typecheck unit cli build release e2e (default: all)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const allSuites = ['typecheck', 'unit', 'cli', 'build', 'release', 'e2e'];
const chosen = process.argv.slice(2).length > 0 ? process.argv.slice(2) : allSuites;
for (const suite of chosen) {
  if (!allSuites.includes(suite)) {
    console.error(`error: unknown suite "${suite}" (known: ${allSuites.join(', ')})`);
    process.exit(2);
  }
}

let passed = 0;
let failed = 0;

/** Runs a command with inherited stdin/stderr, echoing stdout while keeping a copy to parse. */
function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('close', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

/** Runs one uvu suite (a folder under test/) and adds its counts. */
async function uvuSuite(folder, env = {}) {
  if (!existsSync(path.join(root, 'test', folder))) return;
  const { code, out } = await run(process.execPath, ['--import', 'tsx', 'node_modules/uvu/bin.js', path.join('test', folder), '\\.test\\.ts$'], env);
  // uvu prints "Total: N", "Passed: N" and "Skipped: N" at the end of a run.
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  if (Number.isNaN(total) || Number.isNaN(ok)) {
    console.error(`error: the ${folder} suite ended without a summary (exit ${code})`);
    failed += 1;
    return;
  }
  passed += ok;
  failed += total - ok;
  if (code !== 0 && total === ok) failed += 1; // a crash after the last test still counts
}

async function step(name, command, args) {
  console.log(`\n== ${name}`);
  const { code } = await run(command, args);
  if (code === 0) passed += 1;
  else {
    failed += 1;
    console.error(`error: ${name} failed (exit ${code})`);
  }
  return code === 0;
}

/** The e2e suite runs against one sandbox, brought up here and always torn down. */
async function e2eSuite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-e2e-sandbox-'));
  const env = { KF_SANDBOX_DIR: dir };
  const down = () => run(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts', 'down'], env);
  const onSignal = () => {
    void down().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const up = await run(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts', 'up', '--seed', 'none'], env);
    if (up.code !== 0) {
      console.error('error: the sandbox could not be brought up (see above); the e2e suite fails');
      failed += 1;
      return;
    }
    await uvuSuite('e2e', env);
  } finally {
    await down();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

for (const suite of chosen) {
  console.log(`\n=== suite: ${suite}`);
  if (suite === 'typecheck') await step('tsc --noEmit', process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']);
  else if (suite === 'build') await step('npm run build', 'npm', ['run', '--silent', 'build']);
  else if (suite === 'e2e') await e2eSuite();
  else await uvuSuite(suite);
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
