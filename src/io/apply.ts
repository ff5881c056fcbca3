import type { KubeApi } from '../kube/client';
import { isAlreadyExists, isNotFound, isPreconditionFailure } from '../kube/errors';
import type { KubeObject } from '../kube/objects';
import { collectionPath, objectPath, type ApiResource } from '../kube/resources';
import { oneLine } from '../core/errors';
import { buildJsonPatch, type JsonPatchOp } from '../plan/jsonPatch';
import { FIELD_MANAGER } from '../plan/protection';
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
}

/**
 * Writes every planned change with bounded parallelism. Each write is a JSON patch whose `test`
 * ops hold the values the plan saw; if someone edited the object in between, it is re-read once
 * and re-planned. One object failing never stops the others.
 */
export async function applyPlans(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, plans: readonly ObjectPlan[], options: ApplyOptions): Promise<ObjectResult[]> {
  return mapWithConcurrency(plans, options.concurrency, async (plan) => {
    const result = await applyOne(client, resources, plan, options);
    options.onResult?.(result, plan);
    return result;
  });
}

async function applyOne(client: KubeApi, resources: ReadonlyMap<string, ApiResource>, plan: ObjectPlan, options: ApplyOptions): Promise<ObjectResult> {
  if (plan.action === 'unchanged') return { plan, outcome: 'unchanged', ...(plan.reason ? { message: plan.reason } : {}) };
  if (plan.action === 'skipped') return { plan, outcome: 'skipped', ...(plan.reason ? { message: plan.reason } : {}) };
  if (plan.action === 'error') return { plan, outcome: 'failed', message: plan.reason ?? 'cannot be planned' };
  const resource = resources.get(plan.resourceKey);
  if (!resource) return { plan, outcome: 'failed', message: `resource ${plan.resourceKey} is not served` };
  if (plan.operation === 'create') return createOne(client, resource, plan, options);
  if (plan.operation === 'delete') return deleteOne(client, resource, plan, options);
  const path = objectPath(resource, plan.ref.name, plan.ref.namespace);

  const send = async (current: ObjectPlan): Promise<{ patch: JsonPatchOp[]; after: KubeObject }> => {
    const patch = buildJsonPatch(current.live, current.changes, current.preconditions);
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
    if (!isPreconditionFailure(error)) return { plan, outcome: 'failed', message: oneLine(error) };
  }

  // Someone changed the object since we read it: read it again and decide afresh.
  let fresh: KubeObject;
  try {
    fresh = await client.request<KubeObject>({ method: 'GET', path });
  } catch (error) {
    return { plan, outcome: 'failed', message: `changed concurrently, then could not be re-read: ${oneLine(error)}` };
  }
  const replanned = options.replan({ ...fresh, apiVersion: plan.ref.apiVersion, kind: plan.ref.kind }, plan);
  const note = `re-planned after a concurrent edit (planned ${plan.from} → ${plan.to}, found ${replanned.from})`;
  if (replanned.action !== 'change') {
    const outcome: Outcome = replanned.action === 'error' ? 'failed' : replanned.action;
    return { plan: replanned, outcome, message: `${note}: ${replanned.reason ?? replanned.action}` };
  }
  try {
    const { patch, after } = await send(replanned);
    return { plan: replanned, outcome: 'changed', patch, after, message: note };
  } catch (error) {
    return { plan: replanned, outcome: 'failed', message: isPreconditionFailure(error) ? 'changed concurrently twice; run the command again' : oneLine(error) };
  }
}

/** Creates `plan.live`. One that already exists is left as it is (unchanged), and read, so what follows knows its uid. */
async function createOne(client: KubeApi, resource: ApiResource, plan: ObjectPlan, options: ApplyOptions): Promise<ObjectResult> {
  const note = plan.reason ? `; ${plan.reason}` : '';
  try {
    const after = await client.request<KubeObject>({
      method: 'POST',
      path: collectionPath(resource, plan.ref.namespace),
      body: plan.live,
      query: { dryRun: options.serverDryRun ? 'All' : undefined, fieldManager: options.fieldManagerFor?.(plan) ?? FIELD_MANAGER },
    });
    return { plan, outcome: 'changed', after, ...(plan.reason ? { message: plan.reason } : {}) };
  } catch (error) {
    if (!isAlreadyExists(error)) return { plan, outcome: 'failed', message: oneLine(error) };
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
    return { plan, outcome: 'failed', message: oneLine(error) };
  }
}

/** --dry-run=client: the outcome the plan predicts, with the patch that would be sent. Nothing is sent. */
export function predictResult(plan: ObjectPlan): ObjectResult {
  const base = plan.reason ? { message: plan.reason } : {};
  switch (plan.action) {
    case 'change':
      if (plan.operation !== 'patch') return { plan, outcome: 'changed', ...base };
      return { plan, outcome: 'changed', patch: buildJsonPatch(plan.live, plan.changes, plan.preconditions), ...base };
    case 'error':
      return { plan, outcome: 'failed', ...base };
    default:
      return { plan, outcome: plan.action, ...base };
  }
}
