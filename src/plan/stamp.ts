import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import { LAST_RUN_ANNOTATION } from './marks';
import { annotationPath } from './objectPlan';
import type { FieldChange } from './types';

/**
 * Annotations added to every object a write changes, in the same request as the change, so the
 * object itself says which run touched it last (no second write that could fail on its own).
 */
export interface WriteStamp {
  annotations: Readonly<Record<string, string>>;
}

/** The stamp of a run: `kubectl-failover.dev/last-run: <runId>`. */
export function lastRunStamp(runId: string): WriteStamp {
  return { annotations: { [LAST_RUN_ANNOTATION]: runId } };
}

/**
 * The changes with the stamp's annotations appended (after the plan's own, so a plan that creates
 * the annotations map keeps its shape). A key the plan itself changes is left to the plan; a key
 * that already holds the value adds nothing. Without a stamp: the changes as they are.
 */
export function stampChanges(live: KubeObject, changes: readonly FieldChange[], stamp: WriteStamp | undefined): FieldChange[] {
  if (!stamp) return [...changes];
  const stamped = [...changes];
  for (const [key, value] of Object.entries(stamp.annotations)) {
    const path = annotationPath(key);
    if (changes.some((change) => change.path.length === path.length && change.path.every((segment, index) => segment === path[index]))) continue;
    const from = getPath(live, path);
    if (from === value) continue;
    stamped.push({ path, from, to: value });
  }
  return stamped;
}

/**
 * An object to create, with the stamp's annotations added. The stamp wins over a value of the same
 * key the object carries (a stashed copy holds the stamp of the run that stashed it, not this one).
 */
export function stampObject(object: KubeObject, stamp: WriteStamp | undefined): KubeObject {
  if (!stamp) return object;
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, ...stamp.annotations } } };
}
