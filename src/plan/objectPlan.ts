import type { KubeObject } from '../kube/objects';
import { refOf } from '../kube/objects';
import type { FieldChange, ObjectPlan, PlanAction, PlanOperation, Precondition, Readiness } from './types';

interface PlanFields {
  action: PlanAction;
  /** Default: patch. */
  operation?: PlanOperation;
  changes?: FieldChange[];
  preconditions?: Precondition[];
  from?: string;
  to?: string;
  reason?: string;
  readiness?: Readiness;
}

/** Builds an ObjectPlan with the object's identity filled in. */
export function planFor(object: KubeObject, resourceKey: string, fields: PlanFields): ObjectPlan {
  const plan: ObjectPlan = {
    ref: refOf(object),
    resourceKey,
    action: fields.action,
    operation: fields.operation ?? 'patch',
    changes: fields.changes ?? [],
    preconditions: fields.preconditions ?? [],
    from: fields.from ?? '',
    to: fields.to ?? '',
    readiness: fields.readiness ?? 'none',
    live: object,
  };
  if (fields.reason) plan.reason = fields.reason;
  return plan;
}

export function annotationPath(key: string): readonly string[] {
  return ['metadata', 'annotations', key];
}
