import { microTime, secondsTime } from '../kube/time';
import { MANAGED_BY, MARK_PREFIX } from './marks';

// The pure half of the Events a run leaves (io/events.ts sends them): so `kubectl get events -n NS`
// and `kubectl describe` show who failed a namespace over, when, and what changed.

export type FailoverReason = 'FailoverScaleDown' | 'FailoverScaleUp' | 'FailoverRollback' | 'FailoverUndo';

/** What Event.action says for each reason (what was done, as a verb). */
const ACTIONS: Record<FailoverReason, string> = {
  FailoverScaleDown: 'ScaleDown',
  FailoverScaleUp: 'ScaleUp',
  FailoverRollback: 'Rollback',
  FailoverUndo: 'Undo',
};

/** The object an Event is about. */
export interface EventRegarding {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export interface FailoverEvent {
  regarding: EventRegarding;
  reason: FailoverReason;
  /** One line, shown by kubectl as the message. */
  note: string;
  runId: string;
  user: string;
  /** Default: Warning for a rollback, else Normal. */
  type?: 'Normal' | 'Warning';
}

export const EVENT_RUN_ID_ANNOTATION = `${MARK_PREFIX}run-id`;
export const EVENT_USER_ANNOTATION = `${MARK_PREFIX}user`;

/** The server's bounds (k8s.io/kubernetes pkg/apis/core/validation/events.go). */
const NOTE_LIMIT = 1024;
const FIELD_LIMIT = 128;
const NAME_LIMIT = 253;

function bounded(text: string, limit: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
  return line.length <= limit ? line : `${line.slice(0, limit - 1)}…`;
}

/**
 * A name the API server accepts for a new Event (a DNS subdomain), unique per object and moment,
 * as client-go's recorder makes them: "<object name>.<time in hex><random>".
 */
export function eventName(regarding: EventRegarding, now: number, random: string): string {
  const suffix = `.${now.toString(16)}${random}`;
  const base = regarding.name.toLowerCase().replace(/[^a-z0-9.-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'object';
  return `${base.slice(0, NAME_LIMIT - suffix.length).replace(/[.-]+$/, '')}${suffix}`;
}

/** The namespace an Event lives in: its object's (so `kubectl get events -n` shows it), else default. */
export function eventNamespace(event: FailoverEvent): string {
  return event.regarding.namespace || 'default';
}

function typeOf(event: FailoverEvent): 'Normal' | 'Warning' {
  return event.type ?? (event.reason === 'FailoverRollback' ? 'Warning' : 'Normal');
}

function regardingRef(regarding: EventRegarding): Record<string, string> {
  return { apiVersion: regarding.apiVersion, kind: regarding.kind, name: regarding.name, ...(regarding.namespace ? { namespace: regarding.namespace } : {}), ...(regarding.uid ? { uid: regarding.uid } : {}) };
}

function metadata(event: FailoverEvent, name: string): Record<string, unknown> {
  return { name, namespace: eventNamespace(event), annotations: { [EVENT_RUN_ID_ANNOTATION]: event.runId, [EVENT_USER_ANNOTATION]: bounded(event.user, NAME_LIMIT) } };
}

/** An events.k8s.io/v1 Event (Kubernetes 1.19 and later). */
export function eventsV1Body(event: FailoverEvent, host: string, now: number, name: string): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: metadata(event, name),
    eventTime: microTime(now),
    reportingController: MANAGED_BY,
    reportingInstance: bounded(host, FIELD_LIMIT),
    action: ACTIONS[event.reason],
    reason: event.reason,
    regarding: regardingRef(event.regarding),
    note: bounded(event.note, NOTE_LIMIT),
    type: typeOf(event),
  };
}

/** The same Event as a core/v1 one, for servers that do not serve events.k8s.io/v1. */
export function coreV1Body(event: FailoverEvent, host: string, now: number, name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: metadata(event, name),
    involvedObject: regardingRef(event.regarding),
    reason: event.reason,
    message: bounded(event.note, NOTE_LIMIT),
    type: typeOf(event),
    source: { component: MANAGED_BY, host: bounded(host, FIELD_LIMIT) },
    firstTimestamp: secondsTime(now),
    lastTimestamp: secondsTime(now),
    count: 1,
    reportingComponent: MANAGED_BY,
    reportingInstance: bounded(host, FIELD_LIMIT),
    action: ACTIONS[event.reason],
  };
}

/** One write of a stage, as counted in its namespace's Event. */
export interface WriteTally {
  namespace?: string;
  kind: string;
  /** apply's Outcome: changed, unchanged, skipped, failed, unknown, not-attempted. */
  outcome: string;
}

const VERBS: Record<FailoverReason, string> = {
  FailoverScaleDown: 'scaled down',
  FailoverScaleUp: 'scaled up',
  FailoverRollback: 'rolled back',
  FailoverUndo: 'undid',
};

function plural(count: number, kind: string): string {
  const lower = kind.toLowerCase();
  return `${count} ${count === 1 ? lower : lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`}`;
}

/**
 * One Event per namespace for a stage, not one per object: about the Namespace (so it shows in
 * `kubectl get events -n NS` and `kubectl describe namespace NS`), saying the run, the user and
 * the counts ("run 0123456789 by alice, stage ScaleUpDestination: scaled up 3 objects (2
 * statefulsets, 1 deployment); 1 failed"). Namespaces with nothing changed, failed or unknown get
 * none. A Warning when anything failed or is unknown.
 */
export function stageEvents(stage: { name: string; reason: FailoverReason }, run: { runId: string; user: string }, writes: readonly WriteTally[]): FailoverEvent[] {
  const byNamespace = new Map<string, WriteTally[]>();
  for (const write of writes) {
    if (!write.namespace) continue;
    byNamespace.set(write.namespace, [...(byNamespace.get(write.namespace) ?? []), write]);
  }
  const events: FailoverEvent[] = [];
  for (const [namespace, tallies] of [...byNamespace.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const count = (outcome: string): number => tallies.filter((write) => write.outcome === outcome).length;
    const changed = tallies.filter((write) => write.outcome === 'changed');
    const failed = count('failed');
    const unknown = count('unknown');
    if (changed.length === 0 && failed === 0 && unknown === 0) continue;
    const kinds = new Map<string, number>();
    for (const write of changed) kinds.set(write.kind, (kinds.get(write.kind) ?? 0) + 1);
    const byKind = [...kinds.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => plural(n, kind));
    const parts = [`${VERBS[stage.reason]} ${changed.length} object${changed.length === 1 ? '' : 's'}${byKind.length > 0 ? ` (${byKind.join(', ')})` : ''}`];
    if (failed > 0) parts.push(`${failed} failed`);
    if (unknown > 0) parts.push(`${unknown} without an answer`);
    const notAttempted = count('not-attempted');
    if (notAttempted > 0) parts.push(`${notAttempted} not attempted`);
    events.push({
      regarding: { apiVersion: 'v1', kind: 'Namespace', name: namespace, namespace },
      reason: stage.reason,
      note: `run ${run.runId} by ${run.user}, stage ${stage.name}: ${parts.join('; ')}`,
      runId: run.runId,
      user: run.user,
      type: failed > 0 || unknown > 0 || stage.reason === 'FailoverRollback' ? 'Warning' : 'Normal',
    });
  }
  return events;
}
