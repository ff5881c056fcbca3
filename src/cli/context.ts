import type { KubeClient } from '../kube/client';
import type { ResolvedContext } from '../kube/kubeconfig';

/** Where a command writes. Tests pass in-memory twins. */
export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Streams {
  stdout: OutputStream;
  stderr: OutputStream;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A cluster the command talks to: resolved kubeconfig context plus its client. */
export interface ClusterSession {
  context: ResolvedContext;
  client: KubeClient;
}

/** Everything a command needs from its surroundings, passed in rather than reached for. */
export interface CommandContext {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Colours and spinners: only on a TTY, never with NO_COLOR or --no-color. */
  color: boolean;
  interactive: boolean;
  /** Connects to the cluster of a kubeconfig context (default: the --context flag) on first use. */
  cluster(contextName?: string): Promise<ClusterSession>;
  /** Closes every connection opened. */
  close(): void;
}
