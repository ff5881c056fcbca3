// A smoke run of `npm run bench` with a tiny seed, so the benchmark keeps working. It asserts what
// was measured and counted, never how fast: speed belongs to the benchmark itself.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const run = promisify(execFile);

interface Row {
  name: string;
  runs: number;
  requests: string;
  ratio: string;
}

test('npm run bench -- --namespaces 2 --workloads 4 --runs 1: every case measured, requests at the floor', async () => {
  const results = path.join(mkdtempSync(path.join(tmpdir(), 'kf-bench-smoke-')), 'results.json');
  const { stdout } = await run('npm', ['run', '--silent', 'bench', '--', '--namespaces', '2', '--workloads', '4', '--runs', '1', '--results', results], { maxBuffer: 1 << 22 });
  assert.match(stdout, '2 namespaces × 4 workloads = 8 objects');
  const report = JSON.parse(readFileSync(results, 'utf8')) as { rows: Row[] };
  const byName = Object.fromEntries(report.rows.map((row) => [row.name, row]));
  assert.equal(Object.keys(byName), [
    'activate -A --dry-run=server',
    'activate -A',
    'deactivate -A',
    'run -A --wait=false --skip-last-mile',
    'kubectl scale/patch loop (baseline)',
    'node -e 0 (start-up baseline)',
    'kubectl-failover --help',
    'kubectl-failover --version',
    'kubectl-failover version',
  ]);
  // 8 objects: one PATCH each, one LIST per kind read (namespaces, registrations, 4 workload kinds, schedules;
  // activate also the stash ConfigMaps).
  for (const [name, lists] of [['activate -A --dry-run=server', 8], ['activate -A', 8], ['deactivate -A', 7]] as const) {
    assert.match(byName[name]?.requests ?? '', new RegExp(`^\\d+ \\(discovery \\d+, list ${lists}, patch 8\\)$`), name);
  }
  // run: both clusters; 8 activations on the destination and the source's 2 schedules suspended.
  assert.match(byName['run -A --wait=false --skip-last-mile']?.requests ?? '', /patch 10\b/);
  assert.match(byName['run -A --wait=false --skip-last-mile']?.ratio ?? '', /× \(activate -A \+ deactivate -A\)$/);
  assert.is(byName['kubectl scale/patch loop (baseline)']?.requests, '8 (patch 8)');
  assert.is(byName['kubectl-failover --help']?.runs, 10);
  assert.is(byName['kubectl-failover version']?.runs, 10);
});

test.run();
