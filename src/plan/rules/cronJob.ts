import { getPath } from '../../kube/jsonPath';
import type { KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { planFor } from '../objectPlan';
import type { Direction, ObjectPlan } from '../types';

const SUSPEND = ['spec', 'suspend'] as const;

/**
 * CronJobs: activation resumes only CronJobs Stork migrated (storkctl resumes every CronJob of the
 * namespace, including ones a user suspended on purpose). Deactivation suspends every CronJob in
 * scope: on the source the originals carry no Stork annotation, and a CronJob left running there
 * keeps writing while the destination takes over.
 */
export function planCronJob(object: KubeObject, resourceKey: string, direction: Direction): ObjectPlan {
  const suspended = getPath(object, SUSPEND) === true;
  const state = (isSuspended: boolean): string => (isSuspended ? 'suspended' : 'active');
  if (direction === 'activate') {
    if (object.metadata.annotations?.[StorkAnnotation.migrated] === undefined) {
      return planFor(object, resourceKey, { action: 'skipped', from: state(suspended), reason: `not migrated by Stork (no ${StorkAnnotation.migrated} annotation)` });
    }
    if (!suspended) return planFor(object, resourceKey, { action: 'unchanged', from: 'active', to: 'active' });
    return planFor(object, resourceKey, {
      action: 'change',
      from: 'suspended',
      to: 'active',
      changes: [{ path: SUSPEND, from: true, to: false }],
      preconditions: [{ path: SUSPEND, value: true }],
    });
  }
  if (suspended) return planFor(object, resourceKey, { action: 'unchanged', from: 'suspended', to: 'suspended' });
  const from = getPath(object, SUSPEND);
  return planFor(object, resourceKey, {
    action: 'change',
    from: 'active',
    to: 'suspended',
    changes: [{ path: SUSPEND, from, to: true }],
    preconditions: from === undefined ? [] : [{ path: SUSPEND, value: from }],
  });
}
