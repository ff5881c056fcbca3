import type { ObjectResult } from '../io/apply';
import { applyChanges } from '../plan/jsonPatch';
import type { ObjectPlan } from '../plan/types';

/**
 * The plan that undoes one write exactly: every field back to the value it had, written only if
 * the object still holds what we wrote (so a newer edit is never undone). Pure.
 */
export function inversePlan(result: ObjectResult): ObjectPlan {
  const written = result.after ?? applyChanges(result.plan.live, result.plan.changes);
  return {
    ...result.plan,
    action: 'change',
    live: written,
    changes: [...result.plan.changes].reverse().map((change) => ({ path: change.path, from: change.to, to: change.from })),
    preconditions: result.plan.changes.map((change) => ({ path: change.path, value: change.to ?? null })),
    from: result.plan.to,
    to: result.plan.from,
    readiness: 'none',
  };
}
