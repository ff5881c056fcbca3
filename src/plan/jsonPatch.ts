import { existingDepth, getPath, toPointer, withPath } from '../kube/jsonPath';
import type { Json, KubeObject } from '../kube/objects';
import type { FieldChange, Precondition } from './types';

export type JsonPatchOp =
  | { op: 'test'; path: string; value: Json }
  | { op: 'add' | 'replace'; path: string; value: Json }
  | { op: 'remove'; path: string };

/**
 * The JSON patch that makes the planned changes: `test` ops first (the values the plan relied on,
 * as `kubectl scale --current-replicas` does), then the writes. Missing parent objects (an object
 * without annotations, a schedule without status) are created whole, since JSON patch cannot add
 * into a parent that does not exist, and their absence is tested like any other precondition.
 */
export function buildJsonPatch(live: KubeObject, changes: readonly FieldChange[], preconditions: readonly Precondition[]): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  for (const condition of preconditions) {
    // The API server fails a `test` of null whose parent is missing too: hold the absence of the
    // first missing ancestor instead (an absent annotations map holds the absence of every key).
    const path = condition.value === null ? absentAnchor(live, condition.path) : condition.path;
    const pointer = toPointer(path);
    if (!ops.some((op) => op.path === pointer)) ops.push({ op: 'test', path: pointer, value: condition.value });
  }
  const writes: JsonPatchOp[] = [];
  let working: KubeObject = live;
  for (const change of changes) {
    if (change.to === undefined) {
      if (getPath(working, change.path) !== undefined) writes.push({ op: 'remove', path: toPointer(change.path) });
    } else {
      const parentDepth = existingDepth(working, change.path.slice(0, -1));
      if (parentDepth >= change.path.length - 1) {
        const exists = getPath(working, change.path) !== undefined;
        writes.push({ op: exists ? 'replace' : 'add', path: toPointer(change.path), value: change.to });
      } else {
        const anchor = change.path.slice(0, parentDepth + 1);
        const rest = change.path.slice(parentDepth + 1);
        // Adding the parent whole would replace one someone else created meanwhile: hold its absence
        // (the API server's JSON patch accepts a `test` of null for a missing member).
        const pointer = toPointer(anchor);
        if (!ops.some((op) => op.op === 'test' && op.path === pointer)) ops.push({ op: 'test', path: pointer, value: null });
        writes.push({ op: 'add', path: pointer, value: nest(rest, change.to) });
      }
    }
    working = withPath(working, change.path, change.to);
  }
  return [...ops, ...writes];
}

/** The path itself when its parent exists, else its first missing ancestor. */
function absentAnchor(live: KubeObject, path: readonly string[]): readonly string[] {
  const parentDepth = existingDepth(live, path.slice(0, -1));
  return parentDepth >= path.length - 1 ? path : path.slice(0, parentDepth + 1);
}

function nest(path: readonly string[], value: Json): Json {
  return path.reduceRight<Json>((inner, segment) => ({ [segment]: inner }), value);
}

/** The object as it will be after the changes: what a client-side dry run shows. */
export function applyChanges(live: KubeObject, changes: readonly FieldChange[]): KubeObject {
  return changes.reduce((object, change) => withPath(object, change.path, change.to), live);
}
