import { getPath } from '../../kube/jsonPath';
import type { KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { planFor } from '../objectPlan';
import type { Direction, ObjectPlan } from '../types';

const ACTIVATED = ['status', 'applicationActivated'] as const;

/**
 * Stork's autoSuspend reads status.applicationActivated: true on a schedule whose apps were
 * activated here stops it from migrating over them. Deactivation clears it only on the
 * destination's static copies, never on an original schedule.
 */
export function planScheduleActivation(schedule: KubeObject, resourceKey: string, direction: Direction): ObjectPlan {
  const current = getPath(schedule, ACTIVATED);
  const activated = current === true;
  const want = direction === 'activate';
  const describe = (value: boolean): string => (value ? 'activated' : 'not activated');
  if (!want && schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true') {
    return planFor(schedule, resourceKey, { action: 'skipped', from: describe(activated), reason: 'not a static copy: deactivate leaves original schedules alone' });
  }
  if (activated === want) return planFor(schedule, resourceKey, { action: 'unchanged', from: describe(activated), to: describe(want) });
  return planFor(schedule, resourceKey, {
    action: 'change',
    from: describe(activated),
    to: describe(want),
    changes: [{ path: ACTIVATED, from: current, to: want }],
    preconditions: current === undefined ? [] : [{ path: ACTIVATED, value: current }],
  });
}
