import { getPath } from '../../kube/jsonPath';
import type { KubeObject } from '../../kube/objects';
import { planFor } from '../objectPlan';
import type { ObjectPlan } from '../types';

const SUSPEND = ['spec', 'suspend'] as const;

/** suspend / resume: spec.suspend of a MigrationSchedule, tested at write time like every change. */
export function planScheduleSuspend(schedule: KubeObject, resourceKey: string, suspend: boolean): ObjectPlan {
  const current = getPath(schedule, SUSPEND);
  const suspended = current === true;
  const from = String(suspended);
  if (suspended === suspend) return planFor(schedule, resourceKey, { action: 'unchanged', from, to: from });
  return planFor(schedule, resourceKey, {
    action: 'change',
    from,
    to: String(suspend),
    changes: [{ path: SUSPEND, from: current, to: suspend }],
    preconditions: current === undefined ? [] : [{ path: SUSPEND, value: current }],
  });
}
