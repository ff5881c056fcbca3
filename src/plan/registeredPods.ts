import { kindKey } from '../kube/discovery';
import { refOf, type KubeObject } from '../kube/objects';
import type { RegisteredKind } from '../stork/applicationRegistration';
import { POD_KEY } from '../stork/kinds';
import type { FollowUp } from './followUps';
import { planFor } from './objectPlan';
import { planPodDeletion, podNamesAt } from './rules/podDeletion';
import type { ObjectPlan } from './types';

/**
 * Deactivation of registered resources whose ApplicationRegistration names a podsPath: once the
 * resource is suspended, the pods listed there (as read) are deleted, as Stork does. A podsPath
 * that is not a list of names is an error row of its own. Pure.
 */
export function planRegisteredPods(plans: readonly ObjectPlan[], registeredKinds: readonly RegisteredKind[], pods: readonly KubeObject[]): FollowUp[] {
  const followUps: FollowUp[] = [];
  for (const plan of plans) {
    if (plan.action === 'skipped') continue;
    const kind = registeredKinds.find((candidate) => kindKey(candidate.group, candidate.kind) === plan.resourceKey);
    if (!kind?.podsPath) continue;
    const owner = plan.live;
    const after = refOf(owner);
    const names = podNamesAt(owner, kind.podsPath);
    if (!names.ok) {
      const stub: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: `(${kind.podsPath} of ${owner.kind.toLowerCase()}/${owner.metadata.name})`, ...(owner.metadata.namespace ? { namespace: owner.metadata.namespace } : {}) } };
      followUps.push({ kind: 'delete-pod', after, plan: planFor(stub, POD_KEY, { action: 'error', operation: 'delete', reason: names.problem }) });
      continue;
    }
    for (const name of names.names) {
      const pod = pods.find((candidate) => candidate.metadata.namespace === owner.metadata.namespace && candidate.metadata.name === name);
      followUps.push({ kind: 'delete-pod', after, plan: planPodDeletion(pod, name, owner, kind.podsPath) });
    }
  }
  return followUps;
}
