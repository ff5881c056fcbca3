import { appendFileSync } from 'node:fs';
import { systemClock } from '../core/clock';
import type { ClusterSession, CommandDeps, Streams } from '../core/command';
import { NEVER_ABORTED } from '../core/interrupt';
import type { KubeClient, RequestLogEntry } from '../kube/client';
import type { ResolvedContext } from '../kube/kubeconfig';
import { createProgress } from '../present/progress';
import { formatRequestLog } from '../present/requestLog';
import type { GlobalOptions } from './globalOptions';

/** Upper bound on parallel connections; writes are bounded separately by --concurrency. */
const MAX_SOCKETS = 32;

/** NO_COLOR set to anything but the empty string turns colours and spinners off (no-color.org). */
export function noColorRequested(env: NodeJS.ProcessEnv): boolean {
  return 'NO_COLOR' in env && env.NO_COLOR !== '';
}

/** Decides colour once: a terminal, no NO_COLOR, no --no-color. */
export function colorEnabled(streams: Streams, env: NodeJS.ProcessEnv, colorFlag: boolean): boolean {
  return colorFlag && !noColorRequested(env) && Boolean(streams.stdout.isTTY);
}

export interface LiveDeps extends CommandDeps {
  /** Closes every connection opened. */
  close(): void;
}

/** The real surroundings of a command: kubeconfig, HTTP clients made on first use, the system clock. */
export async function createDeps(io: Streams & { env: NodeJS.ProcessEnv; signal?: AbortSignal | undefined }, options: GlobalOptions): Promise<LiveDeps> {
  const signal = io.signal ?? NEVER_ABORTED;
  const sessions = new Map<string, Promise<{ session: ClusterSession; client: KubeClient }>>();
  /** One session per key, made on first use: its context resolved, then a client behind a circuit breaker. */
  const open = (key: string, resolve: () => Promise<ResolvedContext>) => {
    let entry = sessions.get(key);
    if (!entry) {
      entry = (async () => {
        // Loaded on first use: --help, version and completion of verbs never evaluate the client.
        const [{ KubeClient }, { CircuitBreaker }] = await Promise.all([import('../kube/client'), import('../kube/breaker')]);
        const kubeContext = await resolve();
        const onRequest = options.logRequests ? (entry: RequestLogEntry) => void io.stderr.write(`${formatRequestLog(entry)}\n`) : undefined;
        const client = await KubeClient.connect(kubeContext, { requestTimeoutMs: options.requestTimeoutMs, maxSockets: MAX_SOCKETS, clock: systemClock, signal, ...(onRequest ? { onRequest } : {}) }, io.env);
        return { session: { kubeContext, api: new CircuitBreaker(client) }, client };
      })();
      sessions.set(key, entry);
    }
    return entry;
  };
  const connect = (contextName: string | undefined) =>
    open(`context:${contextName ?? options.context ?? ''}`, async () => (await import('../kube/kubeconfig')).resolveContext({ kubeconfigPath: options.kubeconfig, contextName: contextName ?? options.context, overrides: options.overrides, env: io.env }));
  // A terminal of unknown width (`script` without a size) would make spinners redraw forever;
  // request lines (-v=6) would be drawn over by them.
  const interactive = Boolean(io.stderr.isTTY) && (io.stderr.columns ?? 0) > 0 && !noColorRequested(io.env) && options.color && !options.logRequests;
  return {
    streams: { stdout: io.stdout, stderr: io.stderr },
    env: io.env,
    clock: systemClock,
    signal,
    color: colorEnabled(io, io.env, options.color),
    interactive,
    progress: await createProgress(interactive, io.stderr, systemClock),
    cluster: async (contextName) => (await connect(contextName)).session,
    clusterFrom: async (kubeContext) => (await open(`given:${kubeContext.contextName}`, async () => kubeContext)).session,
    close() {
      for (const entry of sessions.values()) {
        entry
          .then(({ client, session }) => {
            recordRequestStats(io.env, session.kubeContext.contextName, client);
            client.close();
          })
          .catch(() => undefined);
      }
    },
  };
}

/** The benchmark counts API requests by verb: KUBECTL_FAILOVER_REQUEST_STATS names a file to append a JSON line to. */
function recordRequestStats(env: NodeJS.ProcessEnv, contextName: string, client: KubeClient): void {
  const file = env.KUBECTL_FAILOVER_REQUEST_STATS;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ context: contextName, requests: Object.fromEntries(client.requestCounts) })}\n`);
}
