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

/**
 * Whether a change found undoes what the verb was for: a workload scaled down runs again, or one
 * scaled up is down again (or gone). A count moved within "up" (an HPA, KEDA, a GitOps value other
 * than the recorded one) leaves the app running where it should: worth a warning, not a failure.
 */
export function breaksHold(breach: HoldBreach): boolean {
  const running = (replicas: number | null): boolean => replicas !== null && replicas > 0;
  return running(breach.wrote) !== running(breach.found);
}

/** "back to 2 by argocd-controller", "deleted", for a report row. */
export function describeBreach(breach: HoldBreach): string {
  if (breach.found === null) return `not held: deleted after we set replicas to ${breach.wrote}`;
  const by = breach.writer ? ` by ${breach.writer.manager}${breach.writer.subresource ? ` (through /${breach.writer.subresource})` : ''}` : ' (who wrote it is not recorded)';
  return `not held: replicas set back to ${breach.found}${by}`;
}

/** A count that moved without undoing the change, as a warning line. */
export function describeDrift(drift: HoldBreach, holdMs: number): string {
  const name = `${drift.ref.namespace ? `${drift.ref.namespace}/` : ''}${drift.ref.kind.toLowerCase()}/${drift.ref.name}`;
  if (drift.found === null) return `${name}: scaled to ${drift.wrote}, then deleted within ${holdMs / 1000}s`;
  const by = drift.writer ? ` by ${drift.writer.manager}` : '';
  return `${name}: scaled to ${drift.wrote}, then set to ${drift.found}${by} within ${holdMs / 1000}s: something else owns its replica count`;
}
