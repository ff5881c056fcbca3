import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { systemClock, type Clock } from '../core/clock';
import { UsageError, oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { ApiError, UnexpectedAnswerError, isAlreadyExists, isForbidden, isNotFound, isPreconditionFailure } from '../kube/errors';
import { listAll } from '../kube/list';
import {
  DEFAULT_LEASE_DURATION_SECONDS,
  RUN_LEASE_NAME,
  claimIdentity,
  describeHolder,
  describeWait,
  expiresAt,
  isOlderThan,
  judgeLease,
  newLease,
  readLease,
  renewalPatch,
  takenLease,
  type LeaseClaim,
  type LeaseHolderInfo,
  type RunHolder,
} from '../plan/runLease';
import { NamespaceResource } from '../stork/kinds';
import { mapWithConcurrency } from '../util/concurrency';
import { authenticatedUser } from './whoAmI';

/**
 * One run at a time, per namespace: before its first write a run takes the Lease
 * `kubectl-failover` (coordination.k8s.io/v1) in every namespace of its scope, on each cluster it
 * writes to; it renews them while it lives and deletes them at the end. A second run whose scope
 * shares a namespace is refused (RunLeaseHeldError, exit 2) with the holder's run, user, host and
 * age. A Lease not renewed for longer than its duration (a crashed run) is taken over, with a
 * warning. Creates and takeovers are optimistic (create fails with 409 if the name is taken, an
 * update carries the resourceVersion read), so of two runs racing exactly one gets each Lease,
 * and the older claim wins a scope both hold parts of (plan/runLease.ts isOlderThan).
 *
 * Usage, per cluster:
 *   const lease = await acquireRunLease(api, { cluster: 'destination', namespaces, holder, onRenewFailure });
 *   warnings.push(...lease.warnings);
 *   await lease.update('ScaleUpDestination');   // each stage
 *   warnings.push(...await lease.release());    // at the end, also after a failure or an interrupt
 */

export interface AcquireRunLeaseOptions {
  /** Which cluster, for messages ("destination", "source"). */
  cluster: string;
  /** Every namespace the run writes to on this cluster (for -A: resolveLeaseNamespaces). */
  namespaces: readonly string[];
  holder: RunHolder;
  /** The stage the run is in as it acquires, shown to whoever is refused. */
  stage?: string;
  /** How long a Lease lives without a renewal (default 60 s); it is renewed every third of that. */
  durationSeconds?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /**
   * How long to wait for a younger run that holds part of this scope to back off (default: 3 s,
   * or twice the time the first pass over the scope took if longer, since the younger needs about
   * that long to meet this run's Leases and release its own). The younger of two overlapping runs
   * always backs off, so the wait runs out only when the younger meets none of this run's Leases
   * (it had taken its whole scope before this run came): then it goes on, and this run is
   * refused. Too short a wait can only refuse both, never let both through.
   */
  contentionWaitMs?: number;
  /** Told of every renewal round that failed for some namespaces: a failure to renew never throws. */
  onRenewFailure?: (failures: readonly LeaseRenewFailure[]) => void;
  clock?: Clock;
  /** Tests: this process's id, and whether a process of this host is alive. */
  pid?: number;
  processAlive?: (pid: number) => boolean;
}

/** A namespace whose Lease could not be renewed. Lost: someone else holds it now (or deleted it); it is no longer renewed. */
export interface LeaseRenewFailure {
  namespace: string;
  lost: boolean;
  message: string;
}

/** The Leases a run holds on one cluster. */
export interface RunLease {
  readonly cluster: string;
  /** This process's spec.holderIdentity. */
  readonly identity: string;
  /** The namespaces held (sorted), minus any lost since. */
  readonly namespaces: readonly string[];
  /** Namespaces of the scope that do not exist on this cluster: nothing to write there, nothing held. */
  readonly absentNamespaces: readonly string[];
  /** One line per Lease taken over from an expired or abandoned run. */
  readonly warnings: readonly string[];
  /** Records the stage on every Lease held (and renews them). Never throws. */
  update(stage: string): Promise<LeaseRenewFailure[]>;
  /** One renewal round now (the timer does them every duration/3). Never throws. */
  renew(): Promise<LeaseRenewFailure[]>;
  /** Stops renewing and deletes every Lease still held. Never throws: what could not be deleted is a warning (it expires on its own). */
  release(): Promise<string[]>;
}

/** A conflict: a namespace held by another live run, or holding a Lease that cannot be read. */
export interface LeaseConflict {
  namespace: string;
  holder?: LeaseHolderInfo;
  /** Epoch ms at which a held Lease expires unless renewed. */
  expiresAt?: number;
  /** Why an unreadable Lease cannot be judged. */
  problem?: string;
}

/**
 * Another run holds part of this run's scope: nothing was written (exit 2). The message names the
 * first conflict's namespace, run, user, host, age and stage, and how many more there are.
 */
export class RunLeaseHeldError extends UsageError {
  constructor(
    readonly cluster: string,
    readonly conflicts: readonly LeaseConflict[],
    now: number,
  ) {
    super(describeConflicts(cluster, conflicts, now));
    this.name = 'RunLeaseHeldError';
  }
}

function describeConflicts(cluster: string, conflicts: readonly LeaseConflict[], now: number): string {
  const [first] = conflicts;
  if (!first) return `another failover run holds this scope on ${cluster}`;
  const more = conflicts.length > 1 ? ` (and ${conflicts.length - 1} more namespace${conflicts.length > 2 ? 's' : ''})` : '';
  if (first.holder) {
    const expiry = first.expiresAt === undefined ? '' : `; its lease expires in ${describeWait(first.expiresAt - now)} unless renewed`;
    return `namespace ${first.namespace} on ${cluster} is held by another failover run: ${describeHolder(first.holder)}${expiry}${more}; nothing was changed`;
  }
  return `namespace ${first.namespace} on ${cluster} holds a Lease ${RUN_LEASE_NAME} that cannot be read (${first.problem ?? 'unreadable'})${more}; nothing was changed. If no failover is under way there, delete it: kubectl delete lease ${RUN_LEASE_NAME} -n ${first.namespace}`;
}

/**
 * The holder a run's Leases name: its user (--as if given, else the user the API server
 * authenticates the credentials as, else the local account), this host, the run id.
 */
export async function runHolder(api: KubeApi, runId: string, options: { impersonatedUser?: string; host?: string } = {}): Promise<RunHolder> {
  const user = options.impersonatedUser ?? (await authenticatedUser(api)) ?? localAccount();
  return { runId, user, host: options.host ?? hostname() };
}

function localAccount(): string {
  try {
    return `${userInfo().username} (local account)`;
  } catch {
    return 'unknown';
  }
}

/**
 * The namespaces a run's Leases cover: the named ones, or for -A (names undefined) every
 * namespace of the cluster, so that an -A run and an -n run meet in the namespace they share.
 */
export async function resolveLeaseNamespaces(api: KubeApi, names: readonly string[] | undefined): Promise<string[]> {
  const all = names ?? (await listAll(api, NamespaceResource)).map((namespace) => namespace.metadata.name);
  return [...new Set(all)].filter((name) => typeof name === 'string' && name !== '').sort();
}

/**
 * Who holds the run Lease in each namespace, without taking any (a dry run's check, `runs`):
 * the live holders and the unreadable Leases, as a refusal would name them. Expired Leases and
 * namespaces without one are left out. Throws the API's error (a 403 with the rights needed).
 */
export async function findRunLeaseHolders(api: KubeApi, cluster: string, namespaces: readonly string[], options: { concurrency?: number; clock?: Clock } = {}): Promise<LeaseConflict[]> {
  const now = (options.clock ?? systemClock).now();
  const found = await mapWithConcurrency([...new Set(namespaces)].sort(), options.concurrency ?? DEFAULT_CONCURRENCY, async (namespace): Promise<LeaseConflict | undefined> => {
    let read: unknown;
    try {
      read = await api.request<unknown>({ method: 'GET', path: leasePath(namespace) });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw leaseFailure(cluster, namespace, error, 'read');
    }
    const reading = readLease(read);
    if (!reading) throw new UnexpectedAnswerError(api.serverUrl, 'GET', leasePath(namespace), 200, JSON.stringify(read).slice(0, 200));
    if (reading.state === 'unreadable') return { namespace, problem: reading.problem };
    if (reading.state === 'free' || now > expiresAt(reading.holder)) return undefined;
    return { namespace, holder: reading.holder, expiresAt: expiresAt(reading.holder) };
  });
  return found.filter((conflict): conflict is LeaseConflict => conflict !== undefined);
}

const DEFAULT_CONCURRENCY = 16;
const DEFAULT_CONTENTION_WAIT_MS = 3_000;
const CONTENTION_POLL_MS = 250;
/** Reads and writes of one Lease before giving up: each retry means someone else wrote it meanwhile. */
const MAX_ATTEMPTS = 5;

function leasesPath(namespace: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
}

function leasePath(namespace: string): string {
  return `${leasesPath(namespace)}/${RUN_LEASE_NAME}`;
}

interface HeldLease {
  uid: string;
  resourceVersion: string;
}

type Attempt =
  | { kind: 'acquired'; namespace: string; lease: HeldLease; previous?: LeaseHolderInfo; abandoned?: boolean }
  | { kind: 'absent'; namespace: string }
  | { kind: 'held'; namespace: string; holder: LeaseHolderInfo; expiresAt: number }
  | { kind: 'unreadable'; namespace: string; problem: string }
  | { kind: 'error'; namespace: string; error: unknown };

/** The uid and resourceVersion of a Lease the server returned; the request's answer is input too. */
function heldFrom(api: KubeApi, namespace: string, answer: unknown, method = 'GET'): HeldLease {
  const metadata = (answer as { metadata?: { uid?: unknown; resourceVersion?: unknown } } | undefined)?.metadata;
  if (typeof metadata?.uid !== 'string' || typeof metadata.resourceVersion !== 'string') {
    throw new UnexpectedAnswerError(api.serverUrl, method, leasePath(namespace), 200, JSON.stringify(answer).slice(0, 200));
  }
  return { uid: metadata.uid, resourceVersion: metadata.resourceVersion };
}

/** A create refused because the namespace itself does not exist (not because Leases are not served). */
function isNamespaceMissing(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 404 && error.status.details?.kind === 'namespaces';
}

interface Context {
  api: KubeApi;
  claim: LeaseClaim;
  stage: string | undefined;
  clock: Clock;
  processAlive: (pid: number) => boolean;
}

/** Takes one namespace's Lease if it is free, expired, abandoned or already ours; else says who holds it. */
async function acquireOne(context: Context, namespace: string): Promise<Attempt> {
  const { api, claim, stage, clock } = context;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let read: unknown;
    try {
      read = await api.request<unknown>({ method: 'GET', path: leasePath(namespace) });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      read = undefined;
    }
    if (read === undefined) {
      try {
        const created = await api.request<unknown>({ method: 'POST', path: leasesPath(namespace), body: newLease(namespace, claim, stage, clock.now()) });
        return { kind: 'acquired', namespace, lease: heldFrom(api, namespace, created, 'POST') };
      } catch (error) {
        if (isAlreadyExists(error)) continue; // another run created it between our read and our create: read it
        if (isNamespaceMissing(error)) return { kind: 'absent', namespace };
        if (isNotFound(error)) throw new UsageError(`the API server ${api.serverUrl} does not serve Leases (coordination.k8s.io/v1, Kubernetes 1.14 and later), which kubectl-failover uses so that two runs never overlap`);
        throw error;
      }
    }
    const reading = readLease(read);
    if (!reading) throw new UnexpectedAnswerError(api.serverUrl, 'GET', leasePath(namespace), 200, JSON.stringify(read).slice(0, 200));
    const verdict = judgeLease(reading, claim, clock.now(), context.processAlive);
    switch (verdict.kind) {
      case 'held':
        return { kind: 'held', namespace, holder: verdict.holder, expiresAt: verdict.expiresAt };
      case 'unreadable':
        return { kind: 'unreadable', namespace, problem: verdict.problem };
      case 'ours':
        return { kind: 'acquired', namespace, lease: heldFrom(api, namespace, read) };
      default:
        try {
          const taken = await api.request<unknown>({ method: 'PUT', path: leasePath(namespace), body: takenLease(read, claim, stage, clock.now()) });
          const lease = heldFrom(api, namespace, taken, 'PUT');
          if (verdict.kind === 'free') return { kind: 'acquired', namespace, lease };
          return { kind: 'acquired', namespace, lease, previous: verdict.previous, abandoned: verdict.kind === 'abandoned' };
        } catch (error) {
          // 409: someone wrote it since we read it (most likely took it); 404: deleted meanwhile. Read again.
          if (isPreconditionFailure(error) || isNotFound(error)) continue;
          throw error;
        }
    }
  }
  throw new Error(`the Lease ${RUN_LEASE_NAME} in namespace ${namespace} changed ${MAX_ATTEMPTS} times while being acquired; run again`);
}

/**
 * Takes the run Lease in every namespace given, or none: on a conflict, or any failure, the ones
 * taken are released before it throws (RunLeaseHeldError for a conflict, UsageError naming the
 * rights for a 403, the transport's error otherwise). Starts the renewal timer, which does not
 * keep the process alive.
 */
export async function acquireRunLease(api: KubeApi, options: AcquireRunLeaseOptions): Promise<RunLease> {
  const clock = options.clock ?? systemClock;
  const pid = options.pid ?? process.pid;
  const durationSeconds = options.durationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
  if (!Number.isInteger(durationSeconds) || durationSeconds < 1) throw new UsageError(`invalid lease duration ${durationSeconds}: use whole seconds, at least 1`);
  const claim: LeaseClaim = { holder: options.holder, identity: claimIdentity(options.holder, pid, randomBytes(4).toString('hex')), pid, since: clock.now(), durationSeconds };
  const context: Context = { api, claim, stage: options.stage, clock, processAlive: options.processAlive ?? processAlive };
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const held = new Map<string, HeldLease>();
  const absent: string[] = [];
  const warnings: string[] = [];
  let waitUntil: number | undefined;
  let pending = [...new Set(options.namespaces)].sort();
  const giveUp = async (error: Error): Promise<never> => {
    await releaseAll(api, claim, held, concurrency, options.cluster);
    throw error;
  };

  for (;;) {
    // Once this run must give up (an older holder, an unreadable Lease, a failure), the pass takes
    // no more Leases: the fewer it holds, the sooner a run it contends with can go on.
    let stop = false;
    const attempts = await mapWithConcurrency(pending, concurrency, async (namespace): Promise<Attempt | undefined> => {
      if (stop) return undefined;
      const attempt = await acquireOne(context, namespace).catch((error: unknown): Attempt => ({ kind: 'error', namespace, error }));
      if (attempt.kind === 'error' || attempt.kind === 'unreadable' || (attempt.kind === 'held' && isOlderThan(attempt.holder, claim))) stop = true;
      return attempt;
    });
    const blocked: Array<Extract<Attempt, { kind: 'held' | 'unreadable' }>> = [];
    let failed: Extract<Attempt, { kind: 'error' }> | undefined;
    for (const attempt of attempts) {
      if (!attempt) continue;
      if (attempt.kind === 'acquired') {
        held.set(attempt.namespace, attempt.lease);
        if (attempt.previous) warnings.push(takeoverWarning(options.cluster, attempt.namespace, attempt.previous, attempt.abandoned === true));
      } else if (attempt.kind === 'absent') absent.push(attempt.namespace);
      else if (attempt.kind === 'error') failed ??= attempt;
      else blocked.push(attempt);
    }
    if (failed) return giveUp(leaseFailure(options.cluster, failed.namespace, failed.error));
    if (blocked.length === 0) break;
    const conflicts = blocked.map((attempt): LeaseConflict => (attempt.kind === 'held' ? { namespace: attempt.namespace, holder: attempt.holder, expiresAt: attempt.expiresAt } : { namespace: attempt.namespace, problem: attempt.problem }));
    // Back off from an older run (or one whose age is unreadable); wait a little for younger ones, which back off from us.
    const mustYield = blocked.some((attempt) => attempt.kind === 'unreadable' || isOlderThan(attempt.holder, claim));
    waitUntil ??= clock.now() + (options.contentionWaitMs ?? Math.max(DEFAULT_CONTENTION_WAIT_MS, 2 * (clock.now() - claim.since)));
    if (mustYield || clock.now() >= waitUntil) return giveUp(new RunLeaseHeldError(options.cluster, conflicts, clock.now()));
    await clock.sleep(CONTENTION_POLL_MS);
    pending = blocked.map((attempt) => attempt.namespace);
  }
  return new ActiveRunLease(api, claim, options, held, absent.sort(), warnings, concurrency);
}

function takeoverWarning(cluster: string, namespace: string, previous: LeaseHolderInfo, abandoned: boolean): string {
  const why = abandoned ? 'its process on this host is gone' : `not renewed for ${previous.durationSeconds}s`;
  return `took over the run lease in namespace ${namespace} on ${cluster} from ${describeHolder(previous)} (${why}): check that run did not leave work half done`;
}

function leaseFailure(cluster: string, namespace: string, error: unknown, doing: 'take' | 'read' = 'take'): Error {
  if (isForbidden(error)) {
    return new UsageError(`cannot ${doing} the run lease in namespace ${namespace} on ${cluster}: ${oneLine(error)}; kubectl-failover needs get, create, update, patch and delete on leases (coordination.k8s.io) in the namespaces it fails over`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Deletes each Lease still ours: the delete carries the uid and resourceVersion we last saw, so a
 * Lease taken over meanwhile is left to its new holder. Returns warnings, never throws.
 */
async function releaseAll(api: KubeApi, claim: LeaseClaim, held: Map<string, HeldLease>, concurrency: number, cluster: string): Promise<string[]> {
  const warnings: string[] = [];
  await mapWithConcurrency([...held.entries()], concurrency, async ([namespace, lease]) => {
    try {
      await releaseOne(api, claim, namespace, lease);
    } catch (error) {
      warnings.push(`could not release the run lease in namespace ${namespace} on ${cluster}: ${oneLine(error)}; it expires on its own ${claim.durationSeconds}s after its last renewal`);
    }
    held.delete(namespace);
  });
  return warnings;
}

async function releaseOne(api: KubeApi, claim: LeaseClaim, namespace: string, lease: HeldLease): Promise<void> {
  let current = lease;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      await api.request({
        method: 'DELETE',
        path: leasePath(namespace),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: current.uid, resourceVersion: current.resourceVersion } },
      });
      return;
    } catch (error) {
      if (isNotFound(error)) return;
      if (!isPreconditionFailure(error)) throw error;
    }
    // Changed since we last wrote it: delete it only if it is still ours.
    let read: unknown;
    try {
      read = await api.request<unknown>({ method: 'GET', path: leasePath(namespace) });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const reading = readLease(read);
    if (reading?.state !== 'held' || reading.holder.identity !== claim.identity) return;
    current = heldFrom(api, namespace, read);
  }
}

class ActiveRunLease implements RunLease {
  private readonly timer: NodeJS.Timeout;
  private round: Promise<LeaseRenewFailure[]> | undefined;
  private released = false;

  constructor(
    private readonly api: KubeApi,
    private readonly claim: LeaseClaim,
    private readonly options: AcquireRunLeaseOptions,
    private readonly held: Map<string, HeldLease>,
    readonly absentNamespaces: readonly string[],
    readonly warnings: readonly string[],
    private readonly concurrency: number,
  ) {
    // A third of the duration: two renewals can fail (a slow server, a blip) before another run may take over.
    this.timer = setInterval(() => {
      if (this.round) return; // the previous round is still going: skip, do not pile up
      void this.renew()
        .then((failures) => {
          if (failures.length > 0) this.options.onRenewFailure?.(failures);
        })
        // A callback that throws must not end the run from a timer (an unhandled rejection would).
        .catch(() => undefined);
    }, (claim.durationSeconds * 1000) / 3);
    // The timer must never be what keeps the process alive after the run is done.
    this.timer.unref();
  }

  get cluster(): string {
    return this.options.cluster;
  }

  get identity(): string {
    return this.claim.identity;
  }

  get namespaces(): readonly string[] {
    return [...this.held.keys()].sort();
  }

  renew(): Promise<LeaseRenewFailure[]> {
    return this.patchAll(undefined);
  }

  update(stage: string): Promise<LeaseRenewFailure[]> {
    return this.patchAll(stage);
  }

  /** One round over every Lease held, one request each; rounds never overlap. */
  private async patchAll(stage: string | undefined): Promise<LeaseRenewFailure[]> {
    while (this.round) await this.round;
    if (this.released) return [];
    const round = (async (): Promise<LeaseRenewFailure[]> => {
      const failures: LeaseRenewFailure[] = [];
      const clock = this.options.clock ?? systemClock;
      await mapWithConcurrency([...this.held.entries()], this.concurrency, async ([namespace, lease]) => {
        try {
          const answer = await this.api.request<unknown>({ method: 'PATCH', path: leasePath(namespace), body: renewalPatch(this.claim, clock.now(), stage), contentType: 'application/json-patch+json' });
          const fresh = heldFrom(this.api, namespace, answer, 'PATCH');
          lease.resourceVersion = fresh.resourceVersion;
        } catch (error) {
          if (isPreconditionFailure(error) || isNotFound(error)) {
            this.held.delete(namespace);
            failures.push({ namespace, lost: true, message: await this.lostMessage(namespace, error) });
          } else {
            failures.push({ namespace, lost: false, message: `could not renew the run lease in namespace ${namespace} on ${this.cluster}: ${oneLine(error)}` });
          }
        }
      });
      return failures.sort((a, b) => a.namespace.localeCompare(b.namespace));
    })();
    this.round = round;
    try {
      return await round;
    } finally {
      this.round = undefined;
    }
  }

  /** Who holds a Lease this run lost, read once: the caller stops writing there. */
  private async lostMessage(namespace: string, error: unknown): Promise<string> {
    const lost = `lost the run lease in namespace ${namespace} on ${this.cluster}`;
    if (isNotFound(error)) return `${lost}: it was deleted`;
    try {
      const reading = readLease(await this.api.request<unknown>({ method: 'GET', path: leasePath(namespace) }));
      if (reading?.state === 'held') return `${lost}: it is held by ${describeHolder(reading.holder)}`;
      return `${lost}: it was released by someone else`;
    } catch (readError) {
      return isNotFound(readError) ? `${lost}: it was deleted` : `${lost}: ${oneLine(readError)}`;
    }
  }

  async release(): Promise<string[]> {
    clearInterval(this.timer);
    while (this.round) await this.round.catch(() => []);
    if (this.released) return [];
    this.released = true;
    return releaseAll(this.api, this.claim, this.held, this.concurrency, this.cluster);
  }
}
