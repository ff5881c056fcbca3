// npm run demo: the ZooKeeper failover end to end, against two real API servers, with the real binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTERS, restFor, startSandbox, stopSandbox } from './sandbox/cluster';
import { seedZookeeper } from './sandbox/seeds';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const binary = path.join(root, 'dist', 'kubectl-failover');

function banner(text: string): void {
  process.stdout.write(`\n\u001b[1m### ${text}\u001b[22m\n`);
}

/** Runs a command with its real output; the demo goes on only if it succeeds. */
function show(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  process.stdout.write(`$ ${path.basename(command)} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { env, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} exited ${result.status}`);
}

const dir = mkdtempSync(path.join(tmpdir(), 'kf-demo-'));
try {
  banner('Building the standalone binary');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  banner('Bringing up two clusters (source, destination) with the ZooKeeper seed');
  const state = await startSandbox(dir, { noStorkCluster: false });
  const [source, destination] = CLUSTERS.map((cluster) => restFor(state, cluster));
  if (!source || !destination) throw new Error('sandbox has no clusters');
  await seedZookeeper(source, destination);
  source.close();
  destination.close();
  const env = { ...process.env, KUBECONFIG: state.kubeconfig, PATH: `${path.dirname(binary)}${path.delimiter}${process.env.PATH ?? ''}` };

  banner('Before: the source runs zk, the destination holds the migrated copy at 0');
  show('kubectl', ['--context', 'source', 'get', 'statefulsets,migrationschedules', '-n', 'zookeeper'], env);
  show('kubectl', ['--context', 'destination', 'get', 'statefulsets', '-n', 'zookeeper'], env);
  banner('The whole failover, planned first: every stage on both clusters, checked by both API servers');
  show('kubectl', ['failover', 'run', '--from', 'source', '--to', 'destination', '-n', 'zookeeper', '--dry-run=server'], env);
  banner('Fail zookeeper over: stop replication and the source, migrate the last mile, bring the destination up');
  show('kubectl', ['failover', 'run', '--from', 'source', '--to', 'destination', '-n', 'zookeeper'], env);
  banner('After: pods on the destination');
  show('kubectl', ['--context', 'destination', 'get', 'pods', '-n', 'zookeeper'], env);
} finally {
  await stopSandbox(dir);
}
