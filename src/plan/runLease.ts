import { microTime, parseKubeTime } from '../kube/time';
import type { JsonPatchOp } from './jsonPatch';
import { MANAGED_BY, MANAGED_BY_LABEL, MARK_PREFIX, isRunId } from './marks';
import type { NamespaceSelection } from './types';

// The pure half of the run lease (io/runLease.ts does the requests): what a Lease read back says,
// whether this run may take it, the objects and patches to send. One Lease named kubectl-failover
// in each namespace a run writes to, so two runs overlap exactly when their namespaces do, and
// the rights needed stay namespaced.

export const RUN_LEASE_NAME = 'kubectl-failover';
export const DEFAULT_LEASE_DURATION_SECONDS = 60;

export const LeaseAnnotation = {
  runId: `${MARK_PREFIX}run-id`,
  user: `${MARK_PREFIX}user`,
  host: `${MARK_PREFIX}host`,
  stage: `${MARK_PREFIX}stage`,
  /** When the holder started to acquire: the age that decides between two runs contending for overlapping scopes. */
  since: `${MARK_PREFIX}since`,
} as const;

/** Who runs a failover, as a second operator is told: the run, the user the API server knows, the machine. */
export interface RunHolder {
  runId: string;
  user: string;
  host: string;
}

/**
 * This process's claim. The identity (spec.holderIdentity) is unique per process, not per run:
 * a `--resume` of the same run id from another terminal must not slip in beside a live one.
 */
export interface LeaseClaim {
  holder: RunHolder;
  identity: string;
  pid: number;
  /** Epoch ms when this process started to acquire. */
  since: number;
  durationSeconds: number;
}

export function claimIdentity(holder: RunHolder, pid: number, nonce: string): string {
  return `${holder.runId}/${holder.host}/${pid}/${nonce}`;
}

const IDENTITY = /^([0-9a-f]{10})\/([^/]+)\/(\d+)\/[0-9a-f]+$/;

/** A Lease's holder, as read back and validated: the fields that did not validate are absent. */
export interface LeaseHolderInfo {
  identity: string;
  runId?: string;
  user?: string;
  host?: string;
  stage?: string;
  /** Epoch ms. */
  since?: number;
  /** The holding process, when the identity is one kubectl-failover wrote. */
  pid?: number;
  /** Epoch ms of the last renewal. */
  renewedAt: number;
  durationSeconds: number;
}

/** What a Lease read back says. It may have been written by anyone: every field is checked. */
export type LeaseReading =
  /** No holder (released, or never held). */
  | { state: 'free'; resourceVersion: string }
  /** Held; `problems` names annotations that did not validate (the holder is still judged by its spec). */
  | { state: 'held'; resourceVersion: string; holder: LeaseHolderInfo; problems: string[] }
  /** A holder, but no way to tell when it expires: never taken over, never guessed at. */
  | { state: 'unreadable'; resourceVersion: string; problem: string };

/** Longest annotation value shown: the rest is someone else's business. */
const MAX_TEXT = 253;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT && !CONTROL.test(value) ? value : undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Validates a Lease read back; undefined when it is not a Lease at all (no metadata.resourceVersion). */
export function readLease(value: unknown): LeaseReading | undefined {
  const metadata = record(record(value)?.metadata);
  const resourceVersion = metadata?.resourceVersion;
  if (typeof resourceVersion !== 'string' || resourceVersion === '') return undefined;
  const spec = record(record(value)?.spec) ?? {};
  const identity = spec.holderIdentity;
  if (identity === undefined || identity === null || identity === '') return { state: 'free', resourceVersion };
  if (typeof identity !== 'string') return { state: 'unreadable', resourceVersion, problem: 'spec.holderIdentity is not a string' };
  const renewedAt = parseKubeTime(spec.renewTime) ?? parseKubeTime(spec.acquireTime);
  if (renewedAt === undefined) return { state: 'unreadable', resourceVersion, problem: 'it has a holder but no readable spec.renewTime' };
  const durationSeconds = spec.leaseDurationSeconds;
  if (typeof durationSeconds !== 'number' || !Number.isInteger(durationSeconds) || durationSeconds <= 0) {
    return { state: 'unreadable', resourceVersion, problem: 'it has a holder but no readable spec.leaseDurationSeconds' };
  }
  const annotations = record(metadata?.annotations) ?? {};
  const problems: string[] = [];
  const holder: LeaseHolderInfo = { identity: text(identity) ?? JSON.stringify(identity.slice(0, 60)), renewedAt, durationSeconds };
  const field = <K extends 'user' | 'host' | 'stage'>(key: K): void => {
    const raw = annotations[LeaseAnnotation[key]];
    if (raw === undefined) return;
    const value = text(raw);
    if (value === undefined) problems.push(`${LeaseAnnotation[key]} is not a printable string`);
    else holder[key] = value;
  };
  const runId = annotations[LeaseAnnotation.runId];
  if (isRunId(runId)) holder.runId = runId;
  else if (runId !== undefined) problems.push(`${LeaseAnnotation.runId} is not a run id`);
  field('user');
  field('host');
  field('stage');
  const sinceRaw = annotations[LeaseAnnotation.since];
  const since = parseKubeTime(sinceRaw);
  if (since !== undefined) holder.since = since;
  else if (sinceRaw !== undefined) problems.push(`${LeaseAnnotation.since} is not a time`);
  const own = IDENTITY.exec(identity);
  if (own) holder.pid = Number(own[3]);
  return { state: 'held', resourceVersion, holder, problems };
}

/** What this run may do with a Lease it read. */
export type LeaseVerdict =
  | { kind: 'ours' }
  | { kind: 'free' }
  /** Not renewed for longer than its duration: taken over, with a warning naming the previous holder. */
  | { kind: 'expired'; previous: LeaseHolderInfo }
  /** Held for this very run by a process of this host that no longer exists (a resume after a crash): taken over. */
  | { kind: 'abandoned'; previous: LeaseHolderInfo }
  | { kind: 'held'; holder: LeaseHolderInfo; expiresAt: number }
  | { kind: 'unreadable'; problem: string };

export function expiresAt(holder: LeaseHolderInfo): number {
  return holder.renewedAt + holder.durationSeconds * 1000;
}

/**
 * Whether this run may take the Lease. Expiry compares the holder's renewTime, written by its
 * clock, with ours: hosts are assumed to keep time (NTP) to well within the duration.
 */
export function judgeLease(reading: LeaseReading, claim: LeaseClaim, now: number, processAlive: (pid: number) => boolean): LeaseVerdict {
  if (reading.state === 'free') return { kind: 'free' };
  if (reading.state === 'unreadable') return { kind: 'unreadable', problem: reading.problem };
  const { holder } = reading;
  if (holder.identity === claim.identity) return { kind: 'ours' };
  if (now > expiresAt(holder)) return { kind: 'expired', previous: holder };
  const { pid } = holder;
  const sameRunHere = holder.runId === claim.holder.runId && holder.host === claim.holder.host;
  if (sameRunHere && pid !== undefined && pid !== claim.pid && !processAlive(pid)) return { kind: 'abandoned', previous: holder };
  return { kind: 'held', holder, expiresAt: expiresAt(holder) };
}

/**
 * Between two runs that each hold part of an overlapping scope, the older claim (earlier `since`,
 * then the smaller identity) goes on and the younger backs off. Both compare the same stored
 * values, so they agree, and exactly one of them wins. A holder whose age cannot be read counts
 * as older: when in doubt, back off.
 */
export function isOlderThan(holder: LeaseHolderInfo, claim: LeaseClaim): boolean {
  if (holder.since === undefined) return true;
  if (holder.since !== claim.since) return holder.since < claim.since;
  return holder.identity < claim.identity;
}

/** The annotations a claim writes (the stage only when there is one). */
export function claimAnnotations(claim: LeaseClaim, stage: string | undefined): Record<string, string> {
  return {
    [LeaseAnnotation.runId]: claim.holder.runId,
    [LeaseAnnotation.user]: claim.holder.user,
    [LeaseAnnotation.host]: claim.holder.host,
    [LeaseAnnotation.since]: microTime(claim.since),
    ...(stage ? { [LeaseAnnotation.stage]: stage } : {}),
  };
}

/** The Lease to create in a namespace nobody holds. */
export function newLease(namespace: string, claim: LeaseClaim, stage: string | undefined, now: number): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: RUN_LEASE_NAME, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY }, annotations: claimAnnotations(claim, stage) },
    spec: { holderIdentity: claim.identity, leaseDurationSeconds: claim.durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 },
  };
}

/**
 * The Lease as read, taken by this claim: sent as an update carrying the resourceVersion read, so
 * of two runs taking it at once the second gets a 409 and reads again. Other annotations and
 * labels are kept; ours are replaced whole (a previous holder's stage must not linger).
 */
export function takenLease(read: unknown, claim: LeaseClaim, stage: string | undefined, now: number): Record<string, unknown> {
  const object = record(read) ?? {};
  const metadata = record(object.metadata) ?? {};
  const annotations = Object.fromEntries(Object.entries(record(metadata.annotations) ?? {}).filter(([key]) => !Object.values(LeaseAnnotation).includes(key as never)));
  const spec = record(object.spec) ?? {};
  const transitions = typeof spec.leaseTransitions === 'number' && Number.isInteger(spec.leaseTransitions) && spec.leaseTransitions >= 0 ? spec.leaseTransitions : 0;
  const hadHolder = typeof spec.holderIdentity === 'string' && spec.holderIdentity !== '';
  return {
    ...object,
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { ...metadata, annotations: { ...annotations, ...claimAnnotations(claim, stage) } },
    spec: { holderIdentity: claim.identity, leaseDurationSeconds: claim.durationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: hadHolder ? transitions + 1 : transitions },
  };
}

/**
 * A renewal: one JSON patch, applied only while this claim still holds the Lease (the `test`), so
 * a Lease taken over meanwhile is never written back. With a stage, the stage annotation too.
 */
export function renewalPatch(claim: LeaseClaim, now: number, stage?: string): JsonPatchOp[] {
  return [
    { op: 'test', path: '/spec/holderIdentity', value: claim.identity },
    { op: 'replace', path: '/spec/renewTime', value: microTime(now) },
    ...(stage === undefined ? [] : [{ op: 'add' as const, path: `/metadata/annotations/${LeaseAnnotation.stage.replace(/\//g, '~1')}`, value: stage }]),
  ];
}

/** Whether two runs' scopes share a namespace: -A overlaps every scope that has one; named scopes overlap where their names meet. */
export function selectionsOverlap(a: NamespaceSelection, b: NamespaceSelection): boolean {
  if (a.all) return b.all || b.names.length > 0;
  if (b.all) return a.names.length > 0;
  const names = new Set(a.names);
  return b.names.some((name) => names.has(name));
}

/** The namespaces a run leases: the named ones, or for -A every namespace the cluster has. Sorted, once each. */
export function leaseNamespaces(selection: NamespaceSelection, clusterNamespaces: readonly string[]): string[] {
  return [...new Set(selection.all ? clusterNamespaces : selection.names)].sort();
}

function clockTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "run 0123456789 by alice on laptop-1 since 2024-05-01T10:00:03Z (stage ScaleUpDestination)"; what is unreadable is said so. */
export function describeHolder(holder: LeaseHolderInfo): string {
  const run = holder.runId ? `run ${holder.runId}` : `holder ${holder.identity}`;
  const by = holder.user ? ` by ${holder.user}` : ' by an unknown user';
  const on = holder.host ? ` on ${holder.host}` : '';
  const since = holder.since !== undefined ? ` since ${clockTime(holder.since)}` : '';
  const stage = holder.stage ? ` (stage ${holder.stage})` : '';
  return `${run}${by}${on}${since}${stage}`;
}

/** "42s", "60s", "3m10s": how long until a held Lease expires unless renewed. */
export function describeWait(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return seconds <= 90 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
