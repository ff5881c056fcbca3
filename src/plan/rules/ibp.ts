import type { KubeObject } from '../../kube/objects';
import type { Direction, ObjectPlan } from '../types';
import { planScaledWorkload } from './scaledWorkload';

export const IBP_NO_WAIT = 'no readiness wait: IBP kinds report no ready count';

/**
 * IBM Blockchain Platform kinds (IBPPeer, IBPCA, IBPOrderer, IBPConsole): the same rule as a
 * Deployment's (spec.replicas ⇄ migrationReplicas, the count recorded on deactivate). Their status
 * has no ready count, so nothing waits for them, and the report says so.
 */
export function planIbpObject(object: KubeObject, resourceKey: string, direction: Direction): ObjectPlan {
  const plan = planScaledWorkload(object, resourceKey, direction);
  if (plan.readiness !== 'replicas') return plan;
  return { ...plan, readiness: 'none', reason: plan.reason ? `${plan.reason}; ${IBP_NO_WAIT}` : IBP_NO_WAIT };
}
