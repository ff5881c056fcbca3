import type { Clock } from '../core/clock';
import { beforeDeadline } from '../core/clock';
import type { KubeApi } from '../kube/client';
import { isNotFound } from '../kube/errors';
import type { KubeObject } from '../kube/objects';
import { apiVersionOf, collectionPath, objectPath, type ApiResource } from '../kube/resources';

/** Between reads when the API cannot watch, and after a failed read or watch. */
export const FOLLOW_POLL_MS = 1_000;
/** The longest single watch: it is then resumed from where it was, so no connection is held unbounded. */
export const WATCH_SECONDS = 60;

export type FollowEnd = 'done' | 'timed-out' | 'interrupted' | 'deleted';

export interface FollowOptions {
  clock: Clock;
  /** When to stop following (clock time). */
  deadline: number;
  signal: AbortSignal;
  /** Each state read, in order; returns true when following is done. */
  onObject(object: KubeObject): boolean;
  /** A read that failed (the next one is tried after FOLLOW_POLL_MS, until the deadline). */
  onReadError?(error: unknown): void;
}

/**
 * Follows one object until onObject says done, the deadline passes, the signal aborts, or the
 * object is deleted. A GET first (the state now), then a watch from its resourceVersion, so every
 * update the server records is seen in order (each watch is bounded by WATCH_SECONDS and resumed;
 * a 410 Gone or a dropped watch falls back to a GET). An API that cannot watch is polled every
 * FOLLOW_POLL_MS. Read errors do not end it: a cluster that stops answering for a while is
 * followed again when it is back, within the deadline.
 */
export async function followObject(api: KubeApi, resource: ApiResource, name: string, namespace: string, options: FollowOptions): Promise<FollowEnd> {
  const { clock, deadline, signal } = options;
  for (;;) {
    if (signal.aborted) return 'interrupted';
    if (clock.now() >= deadline) return 'timed-out';
    let resourceVersion: string | undefined;
    try {
      const read = await beforeDeadline(clock, deadline, api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, namespace) }), signal);
      if (!read) continue;
      if (options.onObject(withKindOf(resource, read.value))) return 'done';
      resourceVersion = read.value.metadata.resourceVersion;
    } catch (error) {
      if (isNotFound(error)) return 'deleted';
      options.onReadError?.(error);
      await clock.sleep(Math.min(FOLLOW_POLL_MS, Math.max(0, deadline - clock.now())), signal);
      continue;
    }
    if (!api.watch || resourceVersion === undefined) {
      await clock.sleep(Math.min(FOLLOW_POLL_MS, Math.max(0, deadline - clock.now())), signal);
      continue;
    }
    const ended = await watchFrom(api, resource, name, namespace, resourceVersion, options);
    if (ended) return ended;
  }
}

/** One bounded watch from a resourceVersion: an end of following, or undefined to read again. */
async function watchFrom(api: KubeApi, resource: ApiResource, name: string, namespace: string, resourceVersion: string, options: FollowOptions): Promise<FollowEnd | undefined> {
  const { clock, deadline, signal } = options;
  const remaining = deadline - clock.now();
  const stop = new AbortController();
  // The deadline cuts a watch short too (the server's timeoutSeconds is in whole seconds).
  void clock.sleep(remaining, stop.signal).then(() => stop.abort());
  let end: FollowEnd | undefined;
  try {
    await api.watch?.(
      { path: collectionPath(resource, namespace), query: { fieldSelector: `metadata.name=${name}`, resourceVersion, timeoutSeconds: Math.max(1, Math.min(WATCH_SECONDS, Math.ceil(remaining / 1000)))} },
      (event) => {
        if (event.type === 'DELETED') end = 'deleted';
        else if ((event.type === 'ADDED' || event.type === 'MODIFIED') && isObject(event.object) && options.onObject(withKindOf(resource, event.object))) end = 'done';
        // ERROR (410 Gone: the resourceVersion is too old): read the object again.
        return end === undefined && event.type !== 'ERROR';
      },
      AbortSignal.any([signal, stop.signal]),
    );
  } catch (error) {
    options.onReadError?.(error);
    await clock.sleep(Math.min(FOLLOW_POLL_MS, Math.max(0, deadline - clock.now())), signal);
  } finally {
    stop.abort();
  }
  return end;
}

function isObject(value: unknown): value is KubeObject {
  return value !== null && typeof value === 'object' && 'metadata' in value;
}

function withKindOf(resource: ApiResource, object: KubeObject): KubeObject {
  return { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind };
}
