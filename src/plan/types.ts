import type { Json, KubeObject, ObjectRef } from '../kube/objects';

export type Direction = 'activate' | 'deactivate';

/** One field an object will have changed: JSON path segments, the value seen, the value wanted. */
export interface FieldChange {
  path: readonly string[];
  from: Json | undefined;
  to: Json | undefined;
}

/** A value the object must still hold when we write, so a concurrent edit is not clobbered. */
export interface Precondition {
  path: readonly string[];
  value: Json;
}

export type PlanAction =
  /** Fields will change. */
  | 'change'
  /** Already in the wanted state. */
  | 'unchanged'
  /** Out of scope for this verb (no annotation, owned by a controller, not migrated). */
  | 'skipped'
  /** Cannot be planned: the data it depends on is unusable (garbled annotation, …). */
  | 'error';

/** How to tell, after a change, that the object is really up. */
export type Readiness = 'replicas' | 'none';

/**
 * How a planned change is written: a JSON patch of `changes` guarded by `preconditions` (most
 * objects), creating `live` (a custom resource restored from its stash), or deleting the object
 * (`preconditions` may hold its metadata.uid, so a namesake created since is never deleted).
 */
export type PlanOperation = 'patch' | 'create' | 'delete';

export interface ObjectPlan {
  ref: ObjectRef;
  /** Discovery key (kind.group) of the resource, to address the object. */
  resourceKey: string;
  action: PlanAction;
  operation: PlanOperation;
  /** patch: the fields to change; create and delete: none. */
  changes: FieldChange[];
  preconditions: Precondition[];
  /** Short human form of the change: "0 → 3", "suspended → active". */
  from: string;
  to: string;
  /** Why it is skipped/unchanged/in error; one line. */
  reason?: string;
  readiness: Readiness;
  /** The object as read (patch, delete), or as it will be created (create): what diffs start from. */
  live: KubeObject;
}

/** An object read from the cluster, filed under its discovery key. */
export interface Workload {
  object: KubeObject;
  resourceKey: string;
}

/** Which namespaces a command covers: every one (-A) or the named ones. */
export type NamespaceSelection = { all: true } | { all: false; names: readonly string[] };
