import type { Clock } from '../cli/context';
import type { KubeClient } from '../kube/client';
import { listAll } from '../kube/list';
import { refKey, refOf, type ObjectRef } from '../kube/objects';
import type { ApiResource } from '../kube/resources';
import type { Direction } from '../plan/types';
import { replicaReadiness } from '../plan/readiness';

export interface WaitTarget {
  ref: ObjectRef;
  resourceKey: string;
}

export interface WaitResult {
  total: number;
  done: number;
  timedOut: boolean;
  elapsedMs: number;
  /** The ones not there in time, with why. */
  pending: Array<{ ref: ObjectRef; detail: string }>;
}

export interface WaitOptions {
  direction: Direction;
  timeoutMs: number;
  clock: Clock;
  pollIntervalMs?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Beyond this many namespaces one cluster-wide LIST per kind is cheaper than one per namespace. */
const CLUSTER_WIDE_LIST_THRESHOLD = 8;

/**
 * Polls with LISTs (one per kind, cluster-wide or per namespace, whichever is fewer requests)
 * until every target is ready or the timeout passes.
 */
export async function waitForWorkloads(client: KubeClient, resources: ReadonlyMap<string, ApiResource>, targets: readonly WaitTarget[], options: WaitOptions): Promise<WaitResult> {
  const started = options.clock.now();
  const pending = new Map<string, { target: WaitTarget; detail: string }>(targets.map((target) => [refKey(target.ref), { target, detail: 'not yet observed' }]));
  const total = targets.length;
  const interval = options.pollIntervalMs ?? 500;
  for (;;) {
    await pollOnce(client, resources, pending, options.direction);
    options.onProgress?.(total - pending.size, total);
    const elapsedMs = options.clock.now() - started;
    if (pending.size === 0 || elapsedMs >= options.timeoutMs) {
      return {
        total,
        done: total - pending.size,
        timedOut: pending.size > 0,
        elapsedMs,
        pending: [...pending.values()].map(({ target, detail }) => ({ ref: target.ref, detail })),
      };
    }
    await options.clock.sleep(Math.min(interval, Math.max(0, options.timeoutMs - elapsedMs)));
  }
}

async function pollOnce(
  client: KubeClient,
  resources: ReadonlyMap<string, ApiResource>,
  pending: Map<string, { target: WaitTarget; detail: string }>,
  direction: Direction,
): Promise<void> {
  const byKind = new Map<string, Set<string>>();
  for (const { target } of pending.values()) {
    const namespaces = byKind.get(target.resourceKey) ?? new Set<string>();
    namespaces.add(target.ref.namespace ?? '');
    byKind.set(target.resourceKey, namespaces);
  }
  const lists = await Promise.all(
    [...byKind].map(async ([resourceKey, namespaces]) => {
      const resource = resources.get(resourceKey);
      if (!resource) return [];
      if (namespaces.size > CLUSTER_WIDE_LIST_THRESHOLD) return listAll(client, resource);
      return (await Promise.all([...namespaces].map((namespace) => listAll(client, resource, { namespace })))).flat();
    }),
  );
  for (const object of lists.flat()) {
    const key = refKey(refOf(object));
    const entry = pending.get(key);
    if (!entry) continue;
    const state = replicaReadiness(object, direction);
    if (state.done) pending.delete(key);
    else entry.detail = state.detail;
  }
}
