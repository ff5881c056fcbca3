// npm run sandbox -- up [--seed zookeeper|scale|none] [--namespaces N --workloads M] | down | env [--kubeconfig]
import { CLUSTERS, defaultSandboxDir, readState, restFor, startSandbox, stopSandbox } from './sandbox/cluster';
import { seedScale, seedZookeeper } from './sandbox/seeds';

const [verb = 'help', ...rest] = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const index = rest.indexOf(`--${name}`);
  return index >= 0 ? (rest[index + 1] ?? fallback) : fallback;
};

async function main(): Promise<number> {
  const dir = defaultSandboxDir();
  switch (verb) {
    case 'up': {
      const state = await startSandbox(dir);
      const seed = flag('seed', 'zookeeper');
      const [source, destination] = CLUSTERS.map((cluster) => restFor(state, cluster)) as [ReturnType<typeof restFor>, ReturnType<typeof restFor>];
      if (seed === 'zookeeper') await seedZookeeper(source, destination);
      if (seed === 'scale') await seedScale(source, destination, { prefix: 'scale', namespaces: Number(flag('namespaces', '100')), workloads: Number(flag('workloads', '3')) });
      source.close();
      destination.close();
      console.log(`export KUBECONFIG=${state.kubeconfig}`);
      return 0;
    }
    case 'down':
      await stopSandbox(dir);
      return 0;
    case 'env': {
      const state = readState(dir);
      console.log(rest.includes('--kubeconfig') ? state.kubeconfig : `export KUBECONFIG=${state.kubeconfig}`);
      return 0;
    }
    default:
      console.error('usage: npm run sandbox -- up [--seed zookeeper|scale|none] [--namespaces N --workloads M] | down | env [--kubeconfig]');
      return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
