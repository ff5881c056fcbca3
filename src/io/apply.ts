import type { KubeApi } from '../kube/client';
import { ConnectionError, ServerDownError, isAlreadyExists, isNotFound, isPreconditionFailure } from '../kube/errors';
import type { KubeObject } from '../kube/objects';
import { collectionPath, objectPath, type ApiResource } from '../kube/resources';
import { oneLine } from '../core/errors';
import { buildJsonPatch, type JsonPatchOp } from '../plan/jsonPatch';
import { FIELD_MANAGER } from '../plan/protection';
import { stampChanges, stampObject, type WriteStamp } from '../plan/stamp';
import type { ObjectPlan } from '../plan/types';
import { mapWithConcurrency } from '../util/concurrency';

export type Outcome =
  /** Written (or, with --dry-run=server, accepted by the server). */
  | 'changed'
  | 'unchanged'
  | 'skipped'
  | 'failed'
  /** Sent, but no answer came: the server may or may not have applied it. */
  | 'unknown'
  /** Not sent: the run stopped first (the server stopped answering, an interrupt). */
  | 'not-attempted';

export interface ObjectResult {
  plan: ObjectPlan;
  outcome: Outcome;
  /** One line on failures, re-plans and skips. */
  message?: string;
  /** The JSON patch sent (or that would be sent). */
  patch?: JsonPatchOp[];
  /** The object the server returned (the dry-run answer with --dry-run=server). */
  after?: KubeObject;
}

export interface ApplyOptions {
  serverDryRun: boolean;
  concurrency: number;
  /** Re-plans one object after a concurrent edit; the same pure planner that made the plan. */
  replan: (object: KubeObject, previous: ObjectPlan) => ObjectPlan;
  /** The field manager a write is recorded under (default FIELD_MANAGER). */
  fieldManagerFor?: (plan: ObjectPlan) => string;
  /** Called once per object as it is done, with the plan it started from (a re-plan may differ). */
  onResult?: (result: ObjectResult, planned: ObjectPlan) => void;
  /**
   * Called just before each write is sent (a re-plan's too), with the patch: a journal records it
   * here, flushed, so that a crash after the write still leaves its record. The write waits for a
   * returned promise (the flush); throwing, or a rejected promise, stops that write.
   */
  beforeSend?: (plan: ObjectPlan, patch: JsonPatchOp[]) => void | Promise<void>;
  /** Aborted on ^C or SIGTERM: writes not started yet are not sent (not-attempted); those in flight finish. */
  signal?: AbortSignal;
  /**
   * Annotations (plan/stamp.ts: kubectl-failover.dev/last-run) added to every patch and create, in
   * the same request as the change, so the object says which run wrote it. Without it the
   * requests are exactly the plan's.
   */
  stamp?: WriteStamp;
}

/**
 * Writes every planned change with bounded parallelism. Each write is a JSON patch whose `test`
 * ops hold the values the plan saw; if someone edited the object in between, it is re-read once
 * and re-planned. One object failing never stops the others, but an interrupt, or a server that
 * stopped answering, stops the ones not yet sent (not-attempted). A write that got no answer
 * (unknown) is re-read once at the end, if the server answers again, to say what it found.
 */
export async function applyPlans(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, plans: readonly ObjectPlan[], options: ApplyOptions): Promise<ObjectResult[]> {
  const results = await mapWithConcurrency(plans, options.concurrency, async (plan) => {
    const result = await applyOne(client, resources, plan, options);
    options.onResult?.(result, plan);
    return result;
  });
  return options.signal?.aborted ? results : rereadUnknown(client, resources, results, options);
}

async function applyOne(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, plan: ObjectPlan, options: ApplyOptions): Promise<ObjectResult> {
  if (plan.action === 'unchanged') return { plan, outcome: 'unchanged', ...(plan.reason ? { message: plan.reason } : {}) };
  if (plan.action === 'skipped') return { plan, outcome: 'skipped', ...(plan.reason ? { message: plan.reason } : {}) };
  if (plan.action === 'error') return { plan, outcome: 'failed', message: plan.reason ?? 'cannot be planned' };
  if (options.signal?.aborted) return { plan, outcome: 'not-attempted', message: 'not sent: interrupted' };
  const resource = resources.get(plan.resourceKey);
  if (!resource) return { plan, outcome: 'failed', message: `resource ${plan.resourceKey} is not served` };
  if (plan.operation === 'create') return createOne(client, resource, plan, options);
  if (plan.operation === 'delete') return deleteOne(client, resource, plan, options);
  const path = objectPath(resource, plan.ref.name, plan.ref.namespace);

  const send = async (current: ObjectPlan): Promise<{ patch: JsonPatchOp[]; after: KubeObject }> => {
    const patch = patchOf(current, options.stamp);
    await options.beforeSend?.(current, patch);
    const after = await client.request<KubeObject>({
      method: 'PATCH',
      path,
      body: patch,
      contentType: 'application/json-patch+json',
      query: { dryRun: options.serverDryRun ? 'All' : undefined, fieldManager: options.fieldManagerFor?.(current) ?? FIELD_MANAGER },
    });
    return { patch, after };
  };

  try {
    const { patch, after } = await send(plan);
    return { plan, outcome: 'changed', patch, after, ...(plan.reason ? { message: plan.reason } : {}) };
  } catch (error) {
    if (!isPreconditionFailure(error)) return failure(plan, error, options);
  }

  // Someone changed the object since we read it: read it again and decide afresh.
  if (options.signal?.aborted) return { plan, outcome: 'not-attempted', message: 'changed concurrently, then not re-planned: interrupted' };
  let fresh: KubeObject;
  try {
    fresh = await client.request<KubeObject>({ method: 'GET', path });
  } catch (error) {
    return { plan, outcome: 'failed', message: `changed concurrently, then could not be re-read: ${oneLine(error)}` };
  }
  const replanned = options.replan({ ...fresh, apiVersion: plan.ref.apiVersion, kind: plan.ref.kind }, plan);
  const note = `re-planned after a concurrent edit (planned ${plan.from} → ${plan.to}, found ${replanned.from})${replanned.reason ? `: ${replanned.reason}` : ''}`;
  if (replanned.action !== 'change') {
    const outcome: Outcome = replanned.action === 'error' ? 'failed' : replanned.action;
    return { plan: replanned, outcome, message: replanned.reason ? note : `${note}: ${replanned.action}` };
  }
  try {
    const { patch, after } = await send(replanned);
    return { plan: replanned, outcome: 'changed', patch, after, message: note };
  } catch (error) {
    if (isPreconditionFailure(error)) return { plan: replanned, outcome: 'failed', message: 'changed concurrently twice; run the command again' };
    return failure(replanned, error, options);
  }
}

/**
 * What a failed write amounts to. Not sent at all (the server had stopped answering): not-attempted.
 * Sent over a connection that then gave no answer (a timeout, a reset): unknown, since the server
 * may have applied it, unless it was a dry run, which changes nothing. Anything else: failed.
 */
function failure(plan: ObjectPlan, error: unknown, options: Pick<ApplyOptions, 'serverDryRun' | 'stamp'>): ObjectResult {
  if (error instanceof ServerDownError) return { plan, outcome: 'not-attempted', message: oneLine(error) };
  if (error instanceof ConnectionError && error.maybeDelivered && !options.serverDryRun) {
    // A create or delete has no patch, and is not re-read afterwards: its message says what to do.
    if (plan.operation !== 'patch') return { plan, outcome: 'unknown', message: `no answer (${error.causeText}): the server may have applied it; running again is safe` };
    return { plan, outcome: 'unknown', patch: patchOf(plan, options.stamp), message: `no answer (${error.causeText}): the server may have applied it` };
  }
  return { plan, outcome: 'failed', message: oneLine(error) };
}

/**
 * Re-reads, once, the objects whose write got no answer, and says what each holds now. The first
 * read is a probe (sent even though the server stopped answering); if it gets no answer either,
 * the rest are not tried, so a dead server costs one more --request-timeout, not one per object.
 * The results stay unknown (exit 1): the write may have been applied, or someone else's.
 */
async function rereadUnknown(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, results: ObjectResult[], options: ApplyOptions): Promise<ObjectResult[]> {
  const unknown = results.filter((result) => result.outcome === 'unknown' && result.plan.operation === 'patch');
  const [first, ...rest] = unknown;
  if (!first) return results;
  const found = new Map<ObjectResult, string>();
  const read = async (result: ObjectResult, probe: boolean): Promise<void> => {
    found.set(result, await describeNow(client, resources, result, options, probe));
  };
  try {
    await read(first, true);
  } catch (error) {
    const why = `could not be re-read afterwards: ${oneLine(error)}`;
    return results.map((result) => (unknown.includes(result) ? { ...result, message: `${result.message}; ${why}` } : result));
  }
  await mapWithConcurrency(rest, options.concurrency, (result) => read(result, false).catch((error: unknown) => void found.set(result, `could not be re-read afterwards: ${oneLine(error)}`)));
  return results.map((result) => {
    const now = found.get(result);
    return now === undefined ? result : { ...result, message: `${result.message}; ${now}` };
  });
}

/** What the object holds now, measured against its plan: the change is there, or it is not. */
async function describeNow(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, result: ObjectResult, options: ApplyOptions, probe: boolean): Promise<string> {
  const { plan } = result;
  const resource = resources.get(plan.resourceKey);
  if (!resource) return 'not re-read';
  let fresh: KubeObject;
  try {
    fresh = await client.request<KubeObject>({ method: 'GET', path: objectPath(resource, plan.ref.name, plan.ref.namespace), probe });
  } catch (error) {
    if (isNotFound(error)) return 'not found when re-read afterwards';
    throw error;
  }
  const now = options.replan({ ...fresh, apiVersion: plan.ref.apiVersion, kind: plan.ref.kind }, plan);
  if (now.action === 'unchanged') return `re-read afterwards: found ${now.from}, as planned`;
  if (now.action === 'change') return `re-read afterwards: found ${now.from}, not ${plan.to}: not applied`;
  return `re-read afterwards: found ${now.from || now.action}${now.reason ? ` (${now.reason})` : ''}`;
}

/** Creates `plan.live`. One that already exists is left as it is (unchanged), and read, so what follows knows its uid. */
async function createOne(client: KubeApi, resource: ApiResource, plan: ObjectPlan, options: ApplyOptions): Promise<ObjectResult> {
  const note = plan.reason ? `; ${plan.reason}` : '';
  try {
    const after = await client.request<KubeObject>({
      method: 'POST',
      path: collectionPath(resource, plan.ref.namespace),
      body: stampObject(plan.live, options.stamp),
      query: { dryRun: options.serverDryRun ? 'All' : undefined, fieldManager: options.fieldManagerFor?.(plan) ?? FIELD_MANAGER },
    });
    return { plan, outcome: 'changed', after, ...(plan.reason ? { message: plan.reason } : {}) };
  } catch (error) {
    if (!isAlreadyExists(error)) return failure(plan, error, options);
  }
  try {
    const existing = await client.request<KubeObject>({ method: 'GET', path: objectPath(resource, plan.ref.name, plan.ref.namespace) });
    return { plan, outcome: 'unchanged', message: `already exists${note}`, after: existing };
  } catch (error) {
    return { plan, outcome: 'unchanged', message: `already exists, but could not be read: ${oneLine(error)}` };
  }
}

/**
 * Deletes the object with the server's default grace period for it (a pod's own
 * terminationGracePeriodSeconds). A metadata.uid precondition makes sure the object deleted is the
 * one planned for; one already gone is unchanged.
 */
async function deleteOne(client: KubeApi, resource: ApiResource, plan: ObjectPlan, options: ApplyOptions): Promise<ObjectResult> {
  const uid = plan.preconditions.find((condition) => condition.path.join('.') === 'metadata.uid')?.value;
  try {
    const after = await client.request<KubeObject>({
      method: 'DELETE',
      path: objectPath(resource, plan.ref.name, plan.ref.namespace),
      // With a body, the API server reads the options from it alone: dryRun in the query would be ignored and the pod deleted.
      body: { apiVersion: 'v1', kind: 'DeleteOptions', ...(options.serverDryRun ? { dryRun: ['All'] } : {}), ...(typeof uid === 'string' ? { preconditions: { uid } } : {}) },
    });
    return { plan, outcome: 'changed', after, ...(plan.reason ? { message: plan.reason } : {}) };
  } catch (error) {
    if (isNotFound(error)) return { plan, outcome: 'unchanged', message: 'already gone' };
    if (isPreconditionFailure(error)) return { plan, outcome: 'failed', message: `replaced since it was read (another uid): not deleted` };
    return failure(plan, error, options);
  }
}

/** The JSON patch a planned change is sent as: its own changes, then the stamp's annotations (if any). */
function patchOf(plan: ObjectPlan, stamp: WriteStamp | undefined): JsonPatchOp[] {
  return buildJsonPatch(plan.live, stampChanges(plan.live, plan.changes, stamp), plan.preconditions);
}

/** --dry-run=client: the outcome the plan predicts, with the patch that would be sent. Nothing is sent. */
export function predictResult(plan: ObjectPlan): ObjectResult {
  return predictStamped(plan, undefined);
}

/** --dry-run=client for writes that carry a stamp (ApplyOptions.stamp): the patches show it as applyPlans would send it. */
export function predictResults(plans: readonly ObjectPlan[], stamp: WriteStamp | undefined): ObjectResult[] {
  return plans.map((plan) => predictStamped(plan, stamp));
}

function predictStamped(plan: ObjectPlan, stamp: WriteStamp | undefined): ObjectResult {
  const base = plan.reason ? { message: plan.reason } : {};
  switch (plan.action) {
    case 'change':
      if (plan.operation !== 'patch') return { plan, outcome: 'changed', ...base };
      return { plan, outcome: 'changed', patch: patchOf(plan, stamp), ...base };
    case 'error':
      return { plan, outcome: 'failed', ...base };
    default:
      return { plan, outcome: plan.action, ...base };
  }
}
