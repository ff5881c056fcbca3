import { appendFileSync } from 'node:fs';
import { KubeClient } from '../kube/client';
import { resolveContext } from '../kube/kubeconfig';
import { parseDuration } from '../util/duration';
import { systemClock, type ClusterSession, type CommandContext, type Streams } from './context';
import type { GlobalOptions } from './globalOptions';

/** Upper bound on parallel connections; writes are bounded separately by --concurrency. */
const MAX_SOCKETS = 32;

/** Decides colour once: a terminal, no NO_COLOR, no --no-color. */
export function colorEnabled(streams: Streams, env: NodeJS.ProcessEnv, colorFlag: boolean): boolean {
  return colorFlag && !('NO_COLOR' in env && env.NO_COLOR !== '') && Boolean(streams.stdout.isTTY);
}

export function createCommandContext(io: Streams & { env: NodeJS.ProcessEnv }, options: GlobalOptions): CommandContext {
  const sessions = new Map<string, Promise<ClusterSession>>();
  const requestTimeoutMs = parseDuration(options.requestTimeout) ?? 30_000;
  const noColor = 'NO_COLOR' in io.env && io.env.NO_COLOR !== '';
  const context: CommandContext = {
    streams: { stdout: io.stdout, stderr: io.stderr },
    env: io.env,
    clock: systemClock,
    color: colorEnabled(io, io.env, options.color),
    // A terminal of unknown width (`script` without a size) would make spinners redraw forever.
    interactive: Boolean(io.stderr.isTTY) && (io.stderr.columns ?? 0) > 0 && !noColor && options.color,
    cluster(contextName) {
      const key = contextName ?? options.context ?? '';
      let session = sessions.get(key);
      if (!session) {
        session = (async () => {
          const resolved = await resolveContext({ kubeconfigPath: options.kubeconfig, contextName: contextName ?? options.context, env: io.env });
          const client = await KubeClient.connect(resolved, { requestTimeoutMs, maxSockets: MAX_SOCKETS });
          return { context: resolved, client };
        })();
        sessions.set(key, session);
      }
      return session;
    },
    close() {
      for (const session of sessions.values()) {
        session
          .then(({ client, context: resolved }) => {
            recordRequestStats(io.env, resolved.contextName, client);
            client.close();
          })
          .catch(() => undefined);
      }
    },
  };
  return context;
}

/** The benchmark counts API requests by verb: KUBECTL_FAILOVER_REQUEST_STATS names a file to append a JSON line to. */
function recordRequestStats(env: NodeJS.ProcessEnv, contextName: string, client: KubeClient): void {
  const file = env.KUBECTL_FAILOVER_REQUEST_STATS;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ context: contextName, requests: Object.fromEntries(client.requestCounts) })}\n`);
}
