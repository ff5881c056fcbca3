import type { Clock } from '../core/clock';
import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { isNotFound } from '../kube/errors';
import { getPath } from '../kube/jsonPath';
import { listAll } from '../kube/list';
import { refKey, refOf, type KubeObject } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import { breaksHold, holdBreach, type HoldBreach, type HoldTarget } from '../plan/hold';
import { mapWithConcurrency } from '../util/concurrency';
import type { ObjectResult } from './apply';

export type { HoldBreach, HoldTarget } from '../plan/hold';

export interface HoldOptions {
  /** How long to leave the reconcilers before re-reading; 0 skips the check. */
  holdMs: number;
  clock: Clock;
  /** ^C or SIGTERM, or the caller giving up: the check ends at once, unchecked (interrupted). */
  signal?: AbortSignal;
  /** Told of the breaches as soon as they are known (to cut a parallel wait short). */
  onBreach?: (breaches: readonly HoldBreach[]) => void;
}

export interface HoldResult {
  holdMs: number;
  /** Objects re-read. */
  checked: number;
  /** Those whose change someone undid (scaled down: running again; scaled up: at 0 or gone), with who. */
  breaches: HoldBreach[];
  /** Those whose count moved but not across 0 (an autoscaler at work): warnings, not failures. */
  drifted?: HoldBreach[];
  /** Stopped before re-reading: nothing was checked. */
  interrupted?: boolean;
  /** Some could not be re-read: they are not proven to hold. */
  error?: string;
}

/** The objects a write set spec.replicas on, with the value set (what the hold check re-reads). Pure. */
export function holdTargets(results: readonly ObjectResult[]): HoldTarget[] {
  return results.flatMap((result): HoldTarget[] => {
    if (result.outcome !== 'changed' || result.plan.operation !== 'patch') return [];
    const change = result.plan.changes.find((candidate) => candidate.path.length === 2 && candidate.path[0] === 'spec' && candidate.path[1] === 'replicas');
    const written = result.after ? getPath(result.after, ['spec', 'replicas']) : change?.to;
    if (!change || typeof written !== 'number') return [];
    return [{ ref: result.plan.ref, resourceKey: result.plan.resourceKey, replicas: written }];
  });
}

/** Up to this many objects are read one by one; beyond, one LIST per kind and namespace. */
const BY_NAME_LIMIT = 32;
const READ_CONCURRENCY = 8;

/**
 * Proves the writes held: waits `holdMs` (the time a reconciler needs to undo them), then re-reads
 * every target once and reports each whose spec.replicas is no longer what we wrote, naming the
 * field manager that wrote it since (argocd-controller, kustomize-controller, keda-operator…): a
 * breach when that undoes the change (see breaksHold), else a drift.
 * Never throws, so it can run beside another wait (Promise.all): a failed re-read is `error`.
 */
export async function checkHold(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, targets: readonly HoldTarget[], options: HoldOptions): Promise<HoldResult> {
  const base = { holdMs: options.holdMs, checked: 0, breaches: [] };
  if (options.holdMs <= 0 || targets.length === 0) return base;
  if (options.signal?.aborted) return { ...base, interrupted: true };
  await options.clock.sleep(options.holdMs, options.signal);
  if (options.signal?.aborted) return { ...base, interrupted: true };
  let found: Map<string, KubeObject | undefined>;
  try {
    found = targets.length <= BY_NAME_LIMIT ? await readByName(api, resources, targets) : await readByList(api, resources, targets);
  } catch (error) {
    return { ...base, error: `could not re-read the objects written: ${oneLine(error)}` };
  }
  const changed = targets.flatMap((target) => {
    const key = refKey(target.ref);
    if (!found.has(key)) return [];
    const breach = holdBreach(target, found.get(key));
    return breach ? [breach] : [];
  });
  const breaches = changed.filter(breaksHold);
  const drifted = changed.filter((breach) => !breaksHold(breach));
  const unread = targets.filter((target) => !found.has(refKey(target.ref)));
  if (breaches.length > 0) options.onBreach?.(breaches);
  return {
    holdMs: options.holdMs,
    checked: targets.length - unread.length,
    breaches,
    ...(drifted.length > 0 ? { drifted } : {}),
    ...(unread.length > 0 ? { error: `${unread.length} object(s) could not be re-read (kind not served): not checked` } : {}),
  };
}

async function readByName(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, targets: readonly HoldTarget[]): Promise<Map<string, KubeObject | undefined>> {
  const found = new Map<string, KubeObject | undefined>();
  await mapWithConcurrency(targets, READ_CONCURRENCY, async (target) => {
    const resource = resources.get(target.resourceKey);
    if (!resource) return;
    try {
      const object = await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, target.ref.name, target.ref.namespace) });
      found.set(refKey(target.ref), { ...object, apiVersion: target.ref.apiVersion, kind: target.ref.kind });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      found.set(refKey(target.ref), undefined);
    }
  });
  return found;
}

async function readByList(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, targets: readonly HoldTarget[]): Promise<Map<string, KubeObject | undefined>> {
  const reads = new Map<string, { resource: ApiResource; namespace: string | undefined }>();
  for (const target of targets) {
    const resource = resources.get(target.resourceKey);
    if (resource) reads.set(`${target.resourceKey}|${target.ref.namespace ?? ''}`, { resource, namespace: target.ref.namespace });
  }
  const lists = await mapWithConcurrency([...reads.values()], READ_CONCURRENCY, ({ resource, namespace }) => listAll(api, resource, namespace ? { namespace } : {}));
  const listed = new Map(lists.flat().map((object) => [refKey(refOf(object)), object]));
  const found = new Map<string, KubeObject | undefined>();
  for (const target of targets) {
    if (!resources.has(target.resourceKey)) continue;
    found.set(refKey(target.ref), listed.get(refKey(target.ref)));
  }
  return found;
}
