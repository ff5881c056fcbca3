import { beforeDeadline, type Clock } from '../core/clock';
import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';

export type Reachability = { reachable: true } | { reachable: false; error: string };

/**
 * Whether a cluster answers within a time limit, whatever the way it fails (refused, DNS, silent):
 * one GET of /version. The request itself is left to the client's own timeout if it outlives us.
 */
export async function probeCluster(connect: () => Promise<KubeApi>, clock: Clock, timeoutMs: number): Promise<Reachability> {
  const deadline = clock.now() + timeoutMs;
  try {
    const answered = await beforeDeadline(
      clock,
      deadline,
      connect().then((api) => api.request<unknown>({ method: 'GET', path: '/version', verb: 'discovery' })),
    );
    return answered ? { reachable: true } : { reachable: false, error: `no answer within ${timeoutMs / 1000}s (--source-timeout)` };
  } catch (error) {
    return { reachable: false, error: oneLine(error) };
  }
}
