import { displayName, type KubeObject, type ObjectRef } from '../kube/objects';
import type { StashedOwner } from '../stork/stash';
import { planStashOwner } from './rules/stashedResource';
import type { ObjectPlan } from './types';

/**
 * A write that waits for another object's: it is planned or sent only once that one was written
 * (or found already as wanted). Deactivate deletes a registered resource's pods after suspending
 * it; activate makes PVCs owned by a re-created stashed resource, which needs its new uid.
 */
export type FollowUp =
  | { kind: 'delete-pod'; after: ObjectRef; plan: ObjectPlan }
  | { kind: 'own-pvc'; after: ObjectRef; namespace: string; owner: StashedOwner; pvc: KubeObject | undefined; configMap: string };

/** How the write a follow-up waits for ended: written (changed or unchanged), with the object's uid where known; or not. */
export type ParentState = { written: true; uid: string | undefined } | { written: false; why: string };

export interface FollowUpPlan {
  plan: ObjectPlan;
  /** Set when it must not be sent: why (its parent was not written, or its uid is unknown). */
  blocked?: string;
}

/** Plans a follow-up from its parent's state. Pure; also used to re-plan one after a concurrent edit (a fresh PVC). */
export function planFollowUp(followUp: FollowUp, parent: ParentState): FollowUpPlan {
  const parentName = displayName(followUp.after);
  if (followUp.kind === 'delete-pod') {
    if (!parent.written && followUp.plan.action === 'change') return { plan: followUp.plan, blocked: `not deleted: ${parentName} ${parent.why}` };
    return { plan: followUp.plan };
  }
  const uid = parent.written ? parent.uid : undefined;
  const plan = planStashOwner(followUp.namespace, followUp.owner, uid ?? '', followUp.pvc, followUp.configMap);
  if (!parent.written) return { plan, blocked: `not attempted: ${parentName} ${parent.why}` };
  if (uid === undefined) return { plan, blocked: `not attempted: the uid of ${parentName} is unknown` };
  return { plan };
}
