import type { Clock } from './clock';
import type { Progress } from './progress';
import type { KubeApi } from '../kube/client';
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

/** A cluster the command talks to: the resolved kubeconfig context and an API to it. */
export interface ClusterSession {
  kubeContext: ResolvedContext;
  api: KubeApi;
}

/**
 * Everything a command needs from its surroundings, passed in rather than reached for: streams,
 * environment, clock, and clusters connected on first use. Tests pass a twin with a fake API.
 */
export interface CommandDeps {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  clock: Clock;
  /** Colours: only on a terminal, never with NO_COLOR or --no-color. */
  color: boolean;
  /** Spinners: an interactive terminal on stderr. */
  interactive: boolean;
  /** Spinners or plain progress lines, on stderr. */
  progress: Progress;
  /**
   * Aborted on ^C or SIGTERM (its reason: the signal's name): stop starting new work, keep what was
   * done for the report.
   */
  signal: AbortSignal;
  /** Connects to the cluster of a kubeconfig context (default: --context, else current-context). */
  cluster(contextName?: string): Promise<ClusterSession>;
  /**
   * Connects with credentials that come from elsewhere than the kubeconfig (a ClusterPair's stored
   * ones), with the same client options, circuit breaker, request log and proxies as cluster().
   * One session per contextName.
   */
  clusterFrom(kubeContext: ResolvedContext): Promise<ClusterSession>;
}
