import { getPath } from '../../kube/jsonPath';
import type { KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { specReplicas } from '../../stork/kinds';
import { annotationPath, planFor } from '../objectPlan';
import type { Direction, FieldChange, ObjectPlan } from '../types';
import { parseReplicaCount } from './replicaCount';

const REPLICAS = ['spec', 'replicas'] as const;

/**
 * Deployments, StatefulSets, standalone ReplicaSets and DeploymentConfigs: activation sets
 * spec.replicas to the count Stork recorded; deactivation records the current count in the same
 * request that scales to 0, so the count can never be lost.
 */
export function planScaledWorkload(object: KubeObject, resourceKey: string, direction: Direction): ObjectPlan {
  const owner = object.metadata.ownerReferences?.find((reference) => reference.controller) ?? object.metadata.ownerReferences?.[0];
  if (owner) {
    return planFor(object, resourceKey, { action: 'skipped', reason: `owned by ${owner.kind.toLowerCase()}/${owner.name}` });
  }
  const current = currentReplicas(object);
  const recorded = object.metadata.annotations?.[StorkAnnotation.migrationReplicas];
  return direction === 'activate' ? planActivation(object, resourceKey, current, recorded) : planDeactivation(object, resourceKey, current, recorded);
}

function currentReplicas(object: KubeObject): number {
  return specReplicas(object);
}

function planActivation(object: KubeObject, resourceKey: string, current: number, recorded: string | undefined): ObjectPlan {
  if (recorded === undefined) {
    return planFor(object, resourceKey, { action: 'skipped', from: String(current), reason: `no ${StorkAnnotation.migrationReplicas} annotation` });
  }
  const parsed = parseReplicaCount(recorded);
  if (!parsed.ok) {
    return planFor(object, resourceKey, { action: 'error', from: String(current), reason: `annotation ${StorkAnnotation.migrationReplicas} ${parsed.problem}` });
  }
  const fields = { from: String(current), to: String(parsed.count), readiness: 'replicas' as const };
  if (current === parsed.count) return planFor(object, resourceKey, { action: 'unchanged', ...fields });
  return planFor(object, resourceKey, {
    action: 'change',
    ...fields,
    changes: [{ path: REPLICAS, from: getPath(object, REPLICAS), to: parsed.count }],
    preconditions: [
      { path: REPLICAS, value: getPath(object, REPLICAS) ?? null },
      { path: annotationPath(StorkAnnotation.migrationReplicas), value: recorded },
    ],
  });
}

function planDeactivation(object: KubeObject, resourceKey: string, current: number, recorded: string | undefined): ObjectPlan {
  if (current === 0) {
    // Never overwrite a recorded count with 0: the object keeps its annotation as it is.
    const reason = recorded === undefined ? `already at 0 and no ${StorkAnnotation.migrationReplicas} recorded` : undefined;
    return planFor(object, resourceKey, { action: 'unchanged', from: '0', to: '0', ...(reason ? { reason } : {}) });
  }
  const changes: FieldChange[] = [{ path: REPLICAS, from: getPath(object, REPLICAS), to: 0 }];
  const countText = String(current);
  if (recorded !== countText) {
    changes.push({ path: annotationPath(StorkAnnotation.migrationReplicas), from: recorded, to: countText });
  }
  // Where the app runs, the live count is the truth; an older or garbled record is replaced, and the report says so.
  const reason = recorded !== undefined && recorded !== countText ? `recorded count "${recorded}" replaced by the live count ${countText}` : undefined;
  return planFor(object, resourceKey, {
    action: 'change',
    from: countText,
    to: '0',
    readiness: 'replicas',
    changes,
    // The record is held too, even when it is not rewritten: a count someone records between our read
    // and our write must fail the patch (and be re-read), not be left beside a workload we scaled to 0.
    // A missing record is held by a test of null, which the API server accepts for an absent member.
    preconditions: [
      { path: REPLICAS, value: getPath(object, REPLICAS) ?? null },
      { path: annotationPath(StorkAnnotation.migrationReplicas), value: recorded ?? null },
    ],
    ...(reason ? { reason } : {}),
  });
}
