import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import type { Direction } from './types';

export interface ReadinessState {
  done: boolean;
  /** "2/3 ready", "1 still running", "waiting for the controller to observe generation 4". */
  detail: string;
}

function count(object: KubeObject, field: string): number {
  const value = getPath(object, ['status', field]);
  return typeof value === 'number' ? value : 0;
}

/**
 * Whether a scaled workload has really reached its target: the controller has observed the
 * current generation and the replica counts match spec.replicas (ready, and for Deployments also
 * updated and available). Deactivation is done when no replica is left.
 */
export function replicaReadiness(object: KubeObject, direction: Direction): ReadinessState {
  const generation = object.metadata.generation ?? 0;
  const observed = getPath(object, ['status', 'observedGeneration']);
  if (typeof observed === 'number' && observed < generation) {
    return { done: false, detail: `waiting for the controller to observe generation ${generation}` };
  }
  if (typeof observed !== 'number' && generation > 1) {
    return { done: false, detail: 'waiting for the controller to report status' };
  }
  const desired = getPath(object, ['spec', 'replicas']);
  const want = typeof desired === 'number' ? desired : 1;
  if (direction === 'deactivate') {
    const left = count(object, 'replicas');
    return left === 0 ? { done: true, detail: 'scaled down' } : { done: false, detail: `${left} still running` };
  }
  const ready = count(object, 'readyReplicas');
  let done = ready >= want;
  if (object.kind === 'Deployment') done = done && count(object, 'updatedReplicas') >= want && count(object, 'availableReplicas') >= want;
  return { done, detail: `${Math.min(ready, want)}/${want} ready` };
}
