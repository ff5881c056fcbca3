import { getPath } from '../../kube/jsonPath';
import type { KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { planFor } from '../objectPlan';
import type { Direction, ObjectPlan } from '../types';

const RUNNING = ['spec', 'running'] as const;
const RUN_STRATEGY = ['spec', 'runStrategy'] as const;

/**
 * KubeVirt VirtualMachines are started or stopped through whichever field the object uses:
 * spec.runStrategy (Always/Halted) when set, else the older spec.running boolean.
 */
export function planVirtualMachine(object: KubeObject, resourceKey: string, direction: Direction): ObjectPlan {
  const strategy = getPath(object, RUN_STRATEGY);
  const running = getPath(object, RUNNING);
  const usesStrategy = typeof strategy === 'string';
  const isRunning = usesStrategy ? strategy !== 'Halted' : running === true;
  const state = (on: boolean): string => (on ? 'running' : 'stopped');
  if (direction === 'activate' && object.metadata.annotations?.[StorkAnnotation.migrated] === undefined) {
    return planFor(object, resourceKey, { action: 'skipped', from: state(isRunning), reason: `not migrated by Stork (no ${StorkAnnotation.migrated} annotation)` });
  }
  const want = direction === 'activate';
  if (isRunning === want) return planFor(object, resourceKey, { action: 'unchanged', from: state(isRunning), to: state(want) });
  const path = usesStrategy ? RUN_STRATEGY : RUNNING;
  const from = usesStrategy ? strategy : running;
  const to = usesStrategy ? (want ? 'Always' : 'Halted') : want;
  return planFor(object, resourceKey, {
    action: 'change',
    from: state(isRunning),
    to: state(want),
    changes: [{ path, from, to }],
    preconditions: from === undefined ? [] : [{ path, value: from }],
  });
}
