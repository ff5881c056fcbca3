import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../core/clock';
import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { ApiError, isNotFound } from '../kube/errors';
import { coreV1Body, eventName, eventNamespace, eventsV1Body, type FailoverEvent } from '../plan/events';
import { mapWithConcurrency } from '../util/concurrency';

/**
 * Events a run leaves on the clusters, so `kubectl get events -n NS` says who failed it over, when,
 * and what changed. Best effort: an Event that cannot be written (forbidden, no answer) is a
 * warning, never a failure of the run.
 *
 *   const warnings = await recordFailoverEvents(destination, stageEvents({ name: 'ScaleUpDestination', reason: 'FailoverScaleUp' }, { runId, user }, tallies(results)));
 */

export type { EventRegarding, FailoverEvent, FailoverReason, WriteTally } from '../plan/events';
export { stageEvents } from '../plan/events';

export interface EventOptions {
  /** reportingInstance (default: this machine's name). */
  host?: string;
  clock?: Clock;
}

/** Which Events API a server takes, learnt from its first answer, so a batch does not ask twice. */
const eventsApi = new WeakMap<KubeApi, 'events.k8s.io/v1' | 'v1'>();

/**
 * Writes one Event (events.k8s.io/v1, or core/v1 where that is not served). Returns undefined when
 * written, else a one-line warning; never throws.
 */
export async function recordFailoverEvent(api: KubeApi, event: FailoverEvent, options: EventOptions = {}): Promise<string | undefined> {
  const clock = options.clock ?? systemClock;
  const host = options.host ?? hostname();
  const namespace = eventNamespace(event);
  const now = clock.now();
  const name = eventName(event.regarding, now, randomBytes(3).toString('hex'));
  try {
    if (eventsApi.get(api) !== 'v1') {
      try {
        await api.request({ method: 'POST', path: `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/events`, body: eventsV1Body(event, host, now, name) });
        eventsApi.set(api, 'events.k8s.io/v1');
        return undefined;
      } catch (error) {
        // 404 for a missing namespace is final; any other 404 means events.k8s.io/v1 is not served (before 1.19).
        if (!isNotFound(error) || isNamespaceMissing(error)) throw error;
        eventsApi.set(api, 'v1');
      }
    }
    await api.request({ method: 'POST', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, body: coreV1Body(event, host, now, name) });
    return undefined;
  } catch (error) {
    const { kind, namespace: objectNamespace, name: objectName } = event.regarding;
    return `could not record the event ${event.reason} for ${kind.toLowerCase()}/${objectName}${objectNamespace ? ` in namespace ${objectNamespace}` : ''}: ${oneLine(error)}`;
  }
}

function isNamespaceMissing(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 404 && error.status.details?.kind === 'namespaces';
}

/** Writes several Events (a stage's, one per namespace) a few at a time; returns the warnings, in order. Never throws. */
export async function recordFailoverEvents(api: KubeApi, events: readonly FailoverEvent[], options: EventOptions & { concurrency?: number } = {}): Promise<string[]> {
  const warnings = await mapWithConcurrency(events, options.concurrency ?? 8, (event) => recordFailoverEvent(api, event, options));
  return warnings.filter((warning): warning is string => warning !== undefined);
}

/** A stage's apply results as the tallies stageEvents counts (structural: any { plan.ref, outcome }). */
export function tallies(results: ReadonlyArray<{ plan: { ref: { kind: string; namespace?: string } }; outcome: string }>): Array<{ kind: string; namespace?: string; outcome: string }> {
  return results.map((result) => ({ kind: result.plan.ref.kind, ...(result.plan.ref.namespace ? { namespace: result.plan.ref.namespace } : {}), outcome: result.outcome }));
}
