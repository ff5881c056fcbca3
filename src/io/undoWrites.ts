import { oneLine } from '../core/errors';
import { undoPlan, type UndoRead, type UndoStep, type WrittenObject } from '../failover/undo';
import type { KubeApi } from '../kube/client';
import { discoverKinds } from '../kube/discovery';
import { isNotFound } from '../kube/errors';
import type { KubeObject } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import { planFor } from '../plan/objectPlan';
import type { ObjectPlan } from '../plan/types';
import { applyPlans, predictResult, type ApplyOptions, type ObjectResult } from './apply';

export interface UndoWritesOptions {
  dryRun: 'none' | 'client' | 'server';
  concurrency: number;
  /** Called before each write is sent (the run's journal records its rollback). */
  beforeSend?: ApplyOptions['beforeSend'];
}

/**
 * Puts objects of one cluster back to the values a journal recorded before a run wrote them: each
 * read afresh, planned by undoPlan (held by the precondition that it still has what the run
 * wrote), then written. `undo` and a resumed run's rollback share it.
 */
export async function undoWrites(api: KubeApi, objects: readonly WrittenObject[], options: UndoWritesOptions): Promise<ObjectResult[]> {
  const resources = await discoverKinds(api, objects.map(wantedKind));
  const plans = await Promise.all(objects.map((object) => planUndo(api, resources, object)));
  if (options.dryRun === 'client') return plans.map(predictResult);
  return applyPlans(api, resources, plans, {
    serverDryRun: options.dryRun === 'server',
    concurrency: options.concurrency,
    replan: (object, previous) => {
      const written = objects.find((candidate) => candidate.object.name === previous.ref.name && (candidate.object.namespace ?? '') === (previous.ref.namespace ?? '') && candidate.resourceKey === previous.resourceKey);
      return written ? undoPlan(written, object) : { ...previous, action: 'error', reason: 'changed concurrently' };
    },
    ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
  });
}

function wantedKind(object: WrittenObject): { group: string; kind: string; versions: string[] } {
  const slash = object.object.apiVersion.lastIndexOf('/');
  return { group: slash < 0 ? '' : object.object.apiVersion.slice(0, slash), kind: object.object.kind, versions: [object.object.apiVersion.slice(slash + 1)] };
}

async function planUndo(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, written: WrittenObject): Promise<ObjectPlan> {
  const stub: KubeObject = { apiVersion: written.object.apiVersion, kind: written.object.kind, metadata: { name: written.object.name, ...(written.object.namespace ? { namespace: written.object.namespace } : {}) } };
  const resource = resources.get(written.resourceKey);
  if (!resource) return planFor(stub, written.resourceKey, { action: 'error', reason: `${written.resourceKey} is not served on context ${written.context}` });
  try {
    const live = await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, written.object.name, written.object.namespace) });
    return undoPlan(written, { ...live, apiVersion: written.object.apiVersion, kind: written.object.kind });
  } catch (error) {
    return planFor(stub, written.resourceKey, { action: 'error', reason: isNotFound(error) ? 'deleted since the run' : `cannot be read: ${oneLine(error)}` });
  }
}

/**
 * Reads, on one cluster, every object a run wrote there, before undo plans anything: the object,
 * or why there is none (deleted, kind not served), or why it could not be read. A failed
 * discovery throws (nothing has been written yet).
 */
export async function readWritten(api: KubeApi, objects: readonly WrittenObject[]): Promise<{ resources: ReadonlyMap<string, ApiResource>; reads: UndoRead[] }> {
  const resources = await discoverKinds(api, objects.map(wantedKind));
  const reads = await Promise.all(
    objects.map(async (written): Promise<UndoRead> => {
      const resource = resources.get(written.resourceKey);
      if (!resource) return { written, absent: `${written.resourceKey} is no longer served on ${written.context ? `context ${written.context}` : 'the source'}` };
      try {
        const live = await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, written.object.name, written.object.namespace) });
        return { written, live: { ...live, apiVersion: written.object.apiVersion, kind: written.object.kind } };
      } catch (error) {
        return isNotFound(error) ? { written, absent: 'deleted since the run' } : { written, unreadable: oneLine(error) };
      }
    }),
  );
  return { resources, reads };
}

/**
 * Writes undo's plan on one cluster: the restore steps, each held by the precondition that the
 * object still has what the run wrote (an edit since is re-read and re-planned by undoPlan); the
 * others become results as they are (unchanged, skipped: left or held). Results in step order.
 */
export async function writeUndoSteps(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, steps: readonly UndoStep[], options: Omit<UndoWritesOptions, 'beforeSend'>): Promise<ObjectResult[]> {
  const plans = steps.map((step) => step.plan);
  if (options.dryRun === 'client') return plans.map(predictResult);
  return applyPlans(api, resources, plans, {
    serverDryRun: options.dryRun === 'server',
    concurrency: options.concurrency,
    replan: (object, previous) => {
      const step = steps.find((candidate) => candidate.plan === previous);
      if (!step) return { ...previous, action: 'error', reason: 'changed concurrently' };
      const again = undoPlan(step.written, object);
      return { ...again, ...(previous.reason && again.action === 'change' ? { reason: previous.reason } : {}) };
    },
  });
}
