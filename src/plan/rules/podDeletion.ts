import { getPath } from '../../kube/jsonPath';
import { displayName, refOf, type KubeObject } from '../../kube/objects';
import { POD_KEY } from '../../stork/kinds';
import { planFor } from '../objectPlan';
import type { ObjectPlan } from '../types';

/** The API server's default when a pod does not say (spec.terminationGracePeriodSeconds). */
const DEFAULT_GRACE_SECONDS = 30;

export type PodNames = { ok: true; names: string[] } | { ok: false; problem: string };

/** The pod names at a registration's podsPath (e.g. status.members.ready): absent is none; anything but a list of names is a problem. */
export function podNamesAt(object: KubeObject, podsPath: string): PodNames {
  const value = getPath(object, podsPath.split('.'));
  if (value === undefined || value === null) return { ok: true, names: [] };
  if (!Array.isArray(value) || !value.every((name): name is string => typeof name === 'string')) {
    return { ok: false, problem: `podsPath ${podsPath} is not a list of pod names (found ${JSON.stringify(value).slice(0, 60)})` };
  }
  return { ok: true, names: [...new Set(value)] };
}

/**
 * A pod a registered resource lists at its podsPath, deleted once the resource is suspended (as
 * Stork does) but with the pod's own grace period: Stork forces 0, which on a partitioned node can
 * leave two copies of a member writing. Its uid is held, so a namesake created since is not deleted.
 */
export function planPodDeletion(pod: KubeObject | undefined, name: string, owner: KubeObject, podsPath: string): ObjectPlan {
  const listed = `listed in ${podsPath} of ${displayName(refOf(owner))}`;
  if (!pod) {
    const stub: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...(owner.metadata.namespace ? { namespace: owner.metadata.namespace } : {}) } };
    return planFor(stub, POD_KEY, { action: 'unchanged', operation: 'delete', from: 'absent', to: 'absent', reason: `already gone; ${listed}` });
  }
  const phase = getPath(pod, ['status', 'phase']);
  const from = typeof phase === 'string' ? phase : 'present';
  if (pod.metadata.deletionTimestamp) return planFor(pod, POD_KEY, { action: 'unchanged', operation: 'delete', from: 'terminating', to: 'terminating', reason: `already being deleted; ${listed}` });
  const grace = getPath(pod, ['spec', 'terminationGracePeriodSeconds']);
  const seconds = typeof grace === 'number' ? grace : DEFAULT_GRACE_SECONDS;
  return planFor(pod, POD_KEY, {
    action: 'change',
    operation: 'delete',
    from,
    to: 'deleted',
    preconditions: pod.metadata.uid ? [{ path: ['metadata', 'uid'], value: pod.metadata.uid }] : [],
    reason: `${listed}; grace period ${seconds}s (the pod's own)`,
  });
}
