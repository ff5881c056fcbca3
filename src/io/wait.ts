import { beforeDeadline, type Clock } from '../core/clock';
import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { ApiError, ConnectionError, UnexpectedAnswerError, isNotFound } from '../kube/errors';
import { listAll } from '../kube/list';
import { refKey, refOf, type KubeObject, type ObjectRef } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import { replicaReadiness } from '../plan/readiness';
import type { Direction } from '../plan/types';
import { mapWithConcurrency } from '../util/concurrency';

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
  /** Waiting stopped on an error that retrying cannot fix (403, 401…, or the server stopped answering). */
  error?: string;
  /** Cut short by ^C or SIGTERM. */
  interrupted?: boolean;
}

export interface WaitOptions {
  direction: Direction;
  timeoutMs: number;
  clock: Clock;
  /** The user's -l: lists are filtered by it. */
  labelSelector?: string | undefined;
  /** First pause between polls; it grows by half each time up to maxIntervalMs. */
  initialIntervalMs?: number;
  maxIntervalMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** Aborted on ^C or SIGTERM: the wait ends at once with what it saw. */
  signal?: AbortSignal;
}

/** Up to this many pending objects are read one by one (GET by name); beyond, one LIST per kind and namespace. */
const BY_NAME_LIMIT = 32;
/** With a label selector, beyond this many namespaces one LIST per kind for the cluster is fewer requests. */
const SELECTOR_CLUSTER_WIDE_THRESHOLD = 8;
const READ_CONCURRENCY = 8;

type Pending = Map<string, { target: WaitTarget; detail: string }>;

/**
 * Polls until every target is ready (activate) or scaled down (deactivate), or the deadline
 * passes. The deadline bounds each poll too, so one hung request cannot stretch the wait. Reads
 * only what it waits for. Transient failures (5xx, 429, connection) are retried until the
 * deadline; others stop the wait with `error`. Never throws: the writes before it stand.
 */
export async function waitForWorkloads(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, targets: readonly WaitTarget[], options: WaitOptions): Promise<WaitResult> {
  const started = options.clock.now();
  const deadline = started + options.timeoutMs;
  const pending: Pending = new Map(targets.map((target) => [refKey(target.ref), { target, detail: 'not yet observed' }]));
  const total = targets.length;
  let interval = options.initialIntervalMs ?? 250;
  const maxInterval = options.maxIntervalMs ?? 5_000;
  const result = (extra: { timedOut: boolean; error?: string; interrupted?: boolean }): WaitResult => ({
    total,
    done: total - pending.size,
    elapsedMs: options.clock.now() - started,
    pending: [...pending.values()].map(({ target, detail }) => ({ ref: target.ref, detail })),
    ...extra,
  });

  for (;;) {
    let answered: { value: void } | undefined;
    try {
      answered = await beforeDeadline(options.clock, deadline, pollOnce(api, resources, pending, options), options.signal);
    } catch (error) {
      if (!isTransient(error)) return result({ timedOut: false, error: oneLine(error) });
      for (const entry of pending.values()) entry.detail = `last read failed: ${oneLine(error)}`;
    }
    if (answered) options.onProgress?.(total - pending.size, total);
    if (pending.size === 0) return result({ timedOut: false });
    if (options.signal?.aborted) return result({ timedOut: false, interrupted: true });
    const remaining = deadline - options.clock.now();
    if (!answered && remaining <= 0) {
      for (const entry of pending.values()) if (entry.detail === 'not yet observed') entry.detail = 'no answer from the API server in time';
    }
    if (remaining <= 0) return result({ timedOut: true });
    await options.clock.sleep(Math.min(interval, remaining), options.signal);
    if (options.signal?.aborted) return result({ timedOut: false, interrupted: true });
    interval = Math.min(maxInterval, Math.round(interval * 1.5));
  }
}

/** Worth polling again: a failure that may pass. A server the client stopped sending to (ServerDownError) is not. */
function isTransient(error: unknown): boolean {
  if (error instanceof ConnectionError || error instanceof UnexpectedAnswerError) return true;
  return error instanceof ApiError && (error.statusCode >= 500 || error.statusCode === 429);
}

async function pollOnce(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, pending: Pending, options: WaitOptions): Promise<void> {
  const observed = pending.size <= BY_NAME_LIMIT ? await readByName(api, resources, pending) : await readByList(api, resources, pending, options.labelSelector);
  for (const [key, object] of observed) {
    const entry = pending.get(key);
    if (!entry) continue;
    if (object === undefined) {
      entry.detail = 'not found';
      continue;
    }
    const state = replicaReadiness(object, options.direction);
    if (state.done) pending.delete(key);
    else entry.detail = state.detail;
  }
}

async function readByName(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, pending: Pending): Promise<Map<string, KubeObject | undefined>> {
  const entries = [...pending.entries()];
  const objects = await mapWithConcurrency(entries, READ_CONCURRENCY, async ([, { target }]) => {
    const resource = resources.get(target.resourceKey);
    if (!resource) return undefined;
    try {
      const object = await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, target.ref.name, target.ref.namespace) });
      return { ...object, apiVersion: target.ref.apiVersion, kind: target.ref.kind };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  return new Map(entries.map(([key], index) => [key, objects[index]]));
}

async function readByList(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, pending: Pending, labelSelector: string | undefined): Promise<Map<string, KubeObject | undefined>> {
  const byKind = new Map<string, Set<string>>();
  for (const { target } of pending.values()) {
    const namespaces = byKind.get(target.resourceKey) ?? new Set<string>();
    namespaces.add(target.ref.namespace ?? '');
    byKind.set(target.resourceKey, namespaces);
  }
  const reads: Array<{ resource: ApiResource; namespace?: string }> = [];
  for (const [resourceKey, namespaces] of byKind) {
    const resource = resources.get(resourceKey);
    if (!resource) continue;
    if (labelSelector && namespaces.size > SELECTOR_CLUSTER_WIDE_THRESHOLD) reads.push({ resource });
    else for (const namespace of namespaces) reads.push({ resource, namespace });
  }
  const lists = await mapWithConcurrency(reads, READ_CONCURRENCY, ({ resource, namespace }) => listAll(api, resource, { ...(namespace ? { namespace } : {}), labelSelector }));
  const seen = new Map<string, KubeObject | undefined>([...pending.keys()].map((key) => [key, undefined]));
  for (const object of lists.flat()) {
    const key = refKey(refOf(object));
    if (seen.has(key)) seen.set(key, object);
  }
  return seen;
}
