// npm run bench [-- --large | --namespaces N --workloads M | --runs R | --results FILE]
// Measures, side by side in one run against the sandbox's real API servers:
//   activate -A (built binary), activate -A --dry-run=server, deactivate -A,
//   the manual baseline (a loop of one kubectl command per migrated object: scale, or patch for CronJobs),
//   cold start of --help, --version and `version` against `node -e 0` (the same node the binary is built from).
// Reports median wall time, API requests by verb, peak memory, and ratios; writes .bench/results.json
// (or --results FILE).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTarget } from './lib/platforms';
import { fetchRuntime } from './lib/runtimes';
import { ToolLog } from './lib/toolLog';
import { restFor, startSandbox, stopSandbox } from './sandbox/cluster';
import { cronJobApiVersion, seedScale } from './sandbox/seeds';

const BASELINE = 'kubectl scale/patch loop (baseline)';
const RUN_CASE = 'run -A --wait=false --skip-last-mile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'dist', 'kubectl-failover');
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const large = args.includes('--large');
const namespaces = option('namespaces', large ? 500 : 100);
const workloads = option('workloads', large ? 4 : 3);
const runs = option('runs', 3);
const resultsIndex = args.indexOf('--results');
const resultsFile = resultsIndex >= 0 && args[resultsIndex + 1] ? path.resolve(args[resultsIndex + 1] ?? '') : path.join(root, '.bench', 'results.json');

interface Measure {
  name: string;
  seconds: number[];
  requests: Record<string, number>;
  peakMb: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Runs a command under /usr/bin/time for peak RSS; returns wall seconds and peak MB. */
function timed(command: string, commandArgs: string[], env: NodeJS.ProcessEnv): { seconds: number; peakMb: number } {
  const started = process.hrtime.bigint();
  // stdout (the report) is not needed, and at 2000 objects it outgrows spawnSync's buffer.
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...commandArgs], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.error) throw new Error(`cannot run /usr/bin/time (Debian package "time"): ${result.error.message}`);
  // Every measured run must succeed in full: a partial failure would be measuring something else.
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr}`);
  const peakKb = Number(result.stderr.trim().split('\n').pop());
  return { seconds, peakMb: peakKb / 1024 };
}

function pluginRun(name: string, pluginArgs: string[], env: NodeJS.ProcessEnv, statsFile: string, options: { allContexts?: boolean } = {}): Measure {
  rmSync(statsFile, { force: true });
  const { seconds, peakMb } = timed(binary, pluginArgs, { ...env, KUBECTL_FAILOVER_REQUEST_STATS: statsFile });
  // One line per cluster the command talked to: the last, or (run: both clusters) their sum.
  const lines = readFileSync(statsFile, 'utf8').trim().split('\n').map((text) => (JSON.parse(text) as { requests?: Record<string, number> }).requests ?? {});
  const requests: Record<string, number> = {};
  for (const counts of options.allContexts ? lines : lines.slice(-1)) {
    for (const [verb, count] of Object.entries(counts)) requests[verb] = (requests[verb] ?? 0) + count;
  }
  return { name, seconds: [seconds], requests, peakMb };
}

function merge(into: Measure | undefined, next: Measure): Measure {
  return into ? { ...into, seconds: [...into.seconds, ...next.seconds], peakMb: Math.max(into.peakMb, next.peakMb) } : next;
}

const dir = mkdtempSync(path.join(tmpdir(), 'kf-bench-'));
try {
  // Only the DR pair, and no status simulator or Stork stand-ins: every run uses --wait=false, and a
  // third API server, a simulator creating hundreds of Pods or stand-ins polling for Migrations and
  // Actions would share the two cores with what is measured.
  const state = await startSandbox(dir, { noStorkCluster: false, statusSimulator: false, migrationController: false, actionController: false });
  const source = restFor(state, 'source');
  const destination = restFor(state, 'destination');
  const seedStarted = Date.now();
  await seedScale(source, destination, { prefix: 'bench', namespaces, workloads });
  process.stderr.write(`[bench] seeded ${namespaces} × ${workloads} in ${((Date.now() - seedStarted) / 1000).toFixed(1)}s\n`);
  const env = { ...process.env, KUBECONFIG: state.kubeconfig };
  const stats = path.join(dir, 'stats.jsonl');
  const common = ['-A', '--context', 'destination', '--wait=false', '-o', 'json'];

  const measures = new Map<string, Measure>();
  const add = (measure: Measure): void => void measures.set(measure.name, merge(measures.get(measure.name), measure));
  for (let run = 0; run < runs; run++) {
    add(pluginRun('activate -A --dry-run=server', ['activate', ...common, '--dry-run=server'], env, stats));
    add(pluginRun('activate -A', ['activate', ...common], env, stats));
    add(pluginRun('deactivate -A', ['deactivate', ...common], env, stats));
  }
  // The whole failover over the same objects: both clusters read and planned, the source's schedules
  // suspended, the destination activated. Before each run (not measured) the destination goes back
  // to standby and the source's schedules are resumed.
  for (let run = 0; run < runs; run++) {
    pluginRun('reset: deactivate -A', ['deactivate', ...common], env, stats);
    pluginRun('reset: resume -A', ['resume', '-A', '--context', 'source', '-o', 'json'], env, stats);
    add(pluginRun(RUN_CASE, ['run', '-A', '--from', 'source', '--to', 'destination', '--wait=false', '--skip-last-mile', '-o', 'json'], env, stats, { allContexts: true }));
  }

  // Manual baseline: what an operator scripts today, one kubectl command per migrated object:
  // `kubectl scale` per annotated workload, `kubectl patch` per migrated CronJob.
  const commands: string[][] = [];
  for (const kind of ['deployments', 'statefulsets', 'replicasets']) {
    const list = await destination.get<{ items: Array<{ metadata: { name: string; namespace: string; annotations?: Record<string, string> } }> }>(`/apis/apps/v1/${kind}`);
    for (const item of list.items) {
      const replicas = item.metadata.annotations?.['stork.libopenstorage.org/migrationReplicas'];
      if (replicas) commands.push(['scale', `${kind}/${item.metadata.name}`, '-n', item.metadata.namespace, `--replicas=${replicas}`]);
    }
  }
  const cronJobs = await destination.get<{ items: Array<{ metadata: { name: string; namespace: string; annotations?: Record<string, string> } }> }>(`/apis/${await cronJobApiVersion(destination)}/cronjobs`);
  for (const item of cronJobs.items) {
    if (item.metadata.annotations?.['stork.libopenstorage.org/migrated']) {
      commands.push(['patch', `cronjobs/${item.metadata.name}`, '-n', item.metadata.namespace, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    }
  }
  const loopStarted = process.hrtime.bigint();
  for (const command of commands) {
    const result = spawnSync('kubectl', ['--context', 'destination', ...command], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`kubectl ${command.join(' ')} failed: ${result.stderr}`);
  }
  const loopSeconds = Number(process.hrtime.bigint() - loopStarted) / 1e9;
  measures.set(BASELINE, { name: BASELINE, seconds: [loopSeconds], requests: { patch: commands.length }, peakMb: NaN });

  // Start-up: the cases take turns, ten rounds, so a machine busier at one moment than another
  // slows every case alike and the ratios to `node -e 0` hold.
  const startCases: Array<[string, string, string[]]> = [
    ['node -e 0 (start-up baseline)', embeddedNode(), ['-e', '0']],
    ['kubectl-failover --help', binary, ['--help']],
    ['kubectl-failover --version', binary, ['--version']],
    ['kubectl-failover version', binary, ['version']],
  ];
  for (let round = 0; round < 10; round++) {
    for (const [name, command, commandArgs] of startCases) {
      const sample = timed(command, commandArgs, env);
      add({ name, seconds: [sample.seconds], requests: {}, peakMb: sample.peakMb });
    }
  }
  source.close();
  destination.close();

  const baseline = median(measures.get(BASELINE)?.seconds ?? []);
  const nodeStart = median(measures.get('node -e 0 (start-up baseline)')?.seconds ?? []);
  const singleSteps = median(measures.get('activate -A')?.seconds ?? []) + median(measures.get('deactivate -A')?.seconds ?? []);
  const objects = namespaces * workloads;
  const rows = [...measures.values()].map((measure) => {
    const seconds = median(measure.seconds);
    const total = Object.values(measure.requests).reduce((sum, count) => sum + count, 0);
    const isStart = measure.name.startsWith('kubectl-failover ') || measure.name.startsWith('node');
    const ratio = isStart
      ? `${(seconds / nodeStart).toFixed(2)}× node -e 0`
      : measure.name === RUN_CASE
        ? `${(seconds / singleSteps).toFixed(2)}× (activate -A + deactivate -A)`
        : `${(baseline / seconds).toFixed(1)}× faster than baseline`;
    const requestText = total ? `${total} (${Object.entries(measure.requests).map(([verb, count]) => `${verb} ${count}`).join(', ')})` : '';
    return { name: measure.name, seconds, runs: measure.seconds.length, requests: requestText, peakMb: Number.isNaN(measure.peakMb) ? '' : measure.peakMb.toFixed(0), ratio };
  });
  const header = ['case', 'median s', 'runs', 'API requests', 'peak MB', 'ratio'];
  const table = [header, ...rows.map((row) => [row.name, row.seconds.toFixed(3), String(row.runs), row.requests, row.peakMb, row.ratio])];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const text = table.map((row) => `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`);
  text.splice(1, 0, `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`);
  console.log(`\n${namespaces} namespaces × ${workloads} workloads = ${objects} objects; request floor for activate -A: one LIST per kind + ${objects} PATCH`);
  console.log(text.join('\n'));
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, JSON.stringify({ namespaces, workloads, runs, rows, date: new Date().toISOString() }, null, 2));
} finally {
  await stopSandbox(dir);
}

/**
 * The Node the binary embeds (the build's cached runtime), so start-up is compared with the same
 * Node; where the registry has none for this platform the build used the running node.
 */
function embeddedNode(): string {
  const runtime = hostTarget()?.runtime;
  return runtime ? fetchRuntime(runtime, new ToolLog(path.join(tmpdir(), 'kf-bench-runtime.log'))).node : process.execPath;
}
