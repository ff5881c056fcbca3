import { getPath } from '../kube/jsonPath';
import type { KubeObject, ObjectRef } from '../kube/objects';
import { specReplicas } from '../stork/kinds';
import { FIELD_MANAGER, FORCED_FIELD_MANAGER } from './protection';

/** An object whose spec.replicas we wrote, and the value written. */
export interface HoldTarget {
  ref: ObjectRef;
  resourceKey: string;
  replicas: number;
}

/** Who last wrote a field, from metadata.managedFields. */
export interface FieldWriter {
  manager: string;
  /** Update or Apply. */
  operation?: string;
  /** When (RFC 3339), as the server recorded it. */
  time?: string;
  /** The subresource written through ("scale": kubectl scale, an HPA). */
  subresource?: string;
}

/** Found not as written: the value now (null: the object is gone) and who wrote it. */
export interface HoldBreach {
  ref: ObjectRef;
  resourceKey: string;
  wrote: number;
  found: number | null;
  writer?: FieldWriter;
}

const OURS: ReadonlySet<string> = new Set([FIELD_MANAGER, FORCED_FIELD_MANAGER]);

/**
 * The field manager that last wrote spec.replicas, other than us. A write through the API server
 * (update, patch, apply, /scale) takes the field over, so the manager holding it is who set the
 * value we find; where several share it (equal values applied), the latest one.
 */
export function replicasWriter(object: KubeObject): FieldWriter | undefined {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return undefined;
  let latest: FieldWriter | undefined;
  for (const entry of entries) {
    const manager = getPath(entry, ['manager']);
    if (typeof manager !== 'string' || OURS.has(manager)) continue;
    if (getPath(entry, ['fieldsV1', 'f:spec', 'f:replicas']) === undefined) continue;
    const time = getPath(entry, ['time']);
    const operation = getPath(entry, ['operation']);
    const subresource = getPath(entry, ['subresource']);
    const writer: FieldWriter = { manager, ...(typeof operation === 'string' ? { operation } : {}), ...(typeof time === 'string' ? { time } : {}), ...(typeof subresource === 'string' && subresource !== '' ? { subresource } : {}) };
    if (!latest || (writer.time ?? '') >= (latest.time ?? '')) latest = writer;
  }
  return latest;
}

/** Whether the object still holds what we wrote; the breach, if not (`object` undefined: it is gone). Pure. */
export function holdBreach(target: HoldTarget, object: KubeObject | undefined): HoldBreach | undefined {
  if (!object) return { ref: target.ref, resourceKey: target.resourceKey, wrote: target.replicas, found: null };
  // An absent spec.replicas counts as the server's default for the kind.
  const found = specReplicas(object);
  if (found === target.replicas) return undefined;
  const writer = replicasWriter(object);
  return { ref: target.ref, resourceKey: target.resourceKey, wrote: target.replicas, found, ...(writer ? { writer } : {}) };
}

/** "back to 2 by argocd-controller", "deleted", for a report row. */
export function describeBreach(breach: HoldBreach): string {
  if (breach.found === null) return `not held: deleted after we set replicas to ${breach.wrote}`;
  const by = breach.writer ? ` by ${breach.writer.manager}${breach.writer.subresource ? ` (through /${breach.writer.subresource})` : ''}` : ' (who wrote it is not recorded)';
  return `not held: replicas set back to ${breach.found}${by}`;
}
