// npm run bench [-- --large | --namespaces N --workloads M | --runs R | --results FILE]
// npm run bench -- --failover-scale [--namespaces N (default 1000) | --runs R | --results FILE]
// --binary FILE measures another build (an earlier commit's, for a before/after) instead of dist/.
//   (see failoverScale below: `run` against deactivate + activate on a DR pair of N namespaces)
// Measures, side by side in one run against the sandbox's real API servers:
//   activate -A (built binary), activate -A --dry-run=server, deactivate -A,
//   the manual baseline (a loop of one kubectl command per migrated object: scale, or patch for CronJobs),
//   cold start of --help, --version and `version` against `node -e 0` (the same node the binary is built from).
// Reports median wall time, API requests by verb, peak memory, and ratios; writes .bench/results.json
// (or --results FILE).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFailover, markdownTable, median, pluginSample, requestText, timed, FAILOVER_RUN_CASE, PAIR_CASE, type FailoverRound } from './lib/benchMeasure';
import { hostTarget } from './lib/platforms';
import { fetchRuntime } from './lib/runtimes';
import { ToolLog } from './lib/toolLog';
import { restFor, startSandbox, stopSandbox, type SandboxState } from './sandbox/cluster';
import { cronJobApiVersion, resetFailoverScale, seedFailoverScale, seedScale } from './sandbox/seeds';

const BASELINE = 'kubectl scale/patch loop (baseline)';
const RUN_CASE = 'run -A --wait=false --skip-last-mile';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const binaryIndex = args.indexOf('--binary');
const binary = binaryIndex >= 0 && args[binaryIndex + 1] ? path.resolve(args[binaryIndex + 1] ?? '') : path.join(root, 'dist', 'kubectl-failover');
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const large = args.includes('--large');
const failoverScale = args.includes('--failover-scale');
const namespaces = option('namespaces', failoverScale ? 1000 : large ? 500 : 100);
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

function pluginRun(name: string, pluginArgs: string[], env: NodeJS.ProcessEnv, statsFile: string, options: { allContexts?: boolean } = {}): Measure {
  const sample = pluginSample(binary, pluginArgs, env, statsFile, options.allContexts ?? false);
  return { name, seconds: [sample.seconds], requests: sample.requests, peakMb: sample.peakMb };
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
  if (failoverScale) await benchFailoverScale(state);
  else await benchVerbs(state);
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

/**
 * The default bench: activate -A (and its server dry run), deactivate -A and run on the scale seed,
 * the kubectl loop baseline, and start-up.
 */
async function benchVerbs(state: SandboxState): Promise<void> {
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
    const isStart = measure.name.startsWith('kubectl-failover ') || measure.name.startsWith('node');
    const ratio = isStart
      ? `${(seconds / nodeStart).toFixed(2)}× node -e 0`
      : measure.name === RUN_CASE
        ? `${(seconds / singleSteps).toFixed(2)}× (activate -A + deactivate -A)`
        : `${(baseline / seconds).toFixed(1)}× faster than baseline`;
    return { name: measure.name, seconds, runs: measure.seconds.length, requests: requestText(measure.requests), peakMb: Number.isNaN(measure.peakMb) ? '' : measure.peakMb.toFixed(0), ratio };
  });
  const header = ['case', 'median s', 'runs', 'API requests', 'peak MB', 'ratio'];
  const text = markdownTable(header, rows.map((row) => [row.name, row.seconds.toFixed(3), String(row.runs), row.requests, row.peakMb, row.ratio]));
  console.log(`\n${namespaces} namespaces × ${workloads} workloads = ${objects} objects; request floor for activate -A: one LIST per kind + ${objects} PATCH`);
  console.log(text);
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, JSON.stringify({ namespaces, workloads, runs, rows, date: new Date().toISOString() }, null, 2));
}

/**
 * --failover-scale: the whole failover at scale against what it stands for. N namespaces × (4
 * Deployments + 1 StatefulSet) running on the source, replicated by a schedule per namespace (a
 * successful migration 5 minutes ago), at 0 on the destination with Stork's annotations beside the
 * schedules' static copies. Each round measures `run -A --wait=false --skip-last-mile` and the pair
 * `deactivate -A` on the source then `activate -A` on the destination, each from the seeded state
 * (both clusters reset before every measured command, not measured), so each does all the work;
 * the two take turns going first, so a machine busier early or late in a round slows both alike.
 */
async function benchFailoverScale(state: SandboxState): Promise<void> {
  const source = restFor(state, 'source');
  const destination = restFor(state, 'destination');
  const seedStarted = Date.now();
  const names = await seedFailoverScale(source, destination, { prefix: 'dr', namespaces });
  process.stderr.write(`[bench] seeded ${namespaces} namespaces × (4 Deployments + 1 StatefulSet) on both clusters in ${((Date.now() - seedStarted) / 1000).toFixed(1)}s\n`);
  const env = { ...process.env, KUBECONFIG: state.kubeconfig };
  const stats = path.join(dir, 'stats.jsonl');
  const reset = async (): Promise<void> => resetFailoverScale(source, destination, names);
  const runArgs = ['run', '-A', '--from', 'source', '--to', 'destination', '--wait=false', '--skip-last-mile', '-o', 'json'];
  const rounds: FailoverRound[] = [];
  for (let round = 0; round < runs; round++) {
    const pair = async (): Promise<Pick<FailoverRound, 'deactivate' | 'activate'>> => {
      await reset();
      const deactivate = pluginSample(binary, ['deactivate', '-A', '--context', 'source', '--wait=false', '-o', 'json'], env, stats, true);
      const activate = pluginSample(binary, ['activate', '-A', '--context', 'destination', '--wait=false', '-o', 'json'], env, stats, true);
      return { deactivate, activate };
    };
    const failover = async (): Promise<FailoverRound['run']> => {
      await reset();
      return pluginSample(binary, runArgs, env, stats, true);
    };
    if (round % 2 === 0) {
      const verbs = await pair();
      rounds.push({ ...verbs, run: await failover() });
    } else {
      const run = await failover();
      rounds.push({ ...(await pair()), run });
    }
    const latest = rounds[rounds.length - 1];
    if (latest) process.stderr.write(`[bench] round ${round + 1}/${runs}: pair ${(latest.deactivate.seconds + latest.activate.seconds).toFixed(1)}s, run ${latest.run.seconds.toFixed(1)}s\n`);
  }
  source.close();
  destination.close();

  const comparison = compareFailover(rounds);
  const rows = comparison.rows.map((row) => ({ ...row, ratio: row.name === FAILOVER_RUN_CASE ? `${comparison.timeRatio.toFixed(2)}× time, ${comparison.cpuRatio.toFixed(2)}× CPU, ${comparison.memoryRatio.toFixed(2)}× peak memory, ${comparison.requestRatio.toFixed(2)}× requests of the pair` : '' }));
  const header = ['case', 'median s', 'CPU s', 'runs', 'API requests', 'peak MB', 'ratio'];
  console.log(`\n${namespaces} namespaces × (4 Deployments + 1 StatefulSet) = ${namespaces * 5} workloads on each cluster, a MigrationSchedule per namespace; pair = ${PAIR_CASE}`);
  console.log(markdownTable(header, rows.map((row) => [row.name, row.seconds.toFixed(3), row.cpuSeconds.toFixed(2), String(row.runs), requestText(row.requests), row.peakMb.toFixed(0), row.ratio])));
  mkdirSync(path.dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, JSON.stringify({ mode: 'failover-scale', namespaces, runs, rows, timeRatio: comparison.timeRatio, cpuRatio: comparison.cpuRatio, memoryRatio: comparison.memoryRatio, requestRatio: comparison.requestRatio, rounds, date: new Date().toISOString() }, null, 2));
}
