import { getPath, jsonEqual } from '../../kube/jsonPath';
import type { Json, KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { parseTypedValue, type RegisteredKind, type SuspendOption } from '../../stork/applicationRegistration';
import { planFor } from '../objectPlan';
import type { Direction, FieldChange, ObjectPlan, Precondition } from '../types';

type Wanted = { ok: true; path: string[]; value: Json; record?: { key: string; value: string } } | { ok: false; problem: string } | { ok: 'absent' };

/**
 * Custom resources registered through an ApplicationRegistration, as Stork handles them:
 * - bool suspend paths: deactivation writes the registration's value (the suspended state, true when
 *   unparsable), activation its opposite;
 * - int and string paths are restored on activation to the first part of the annotation
 *   `stork.libopenstorage.org/<path>` ("<active>,<suspended>"; older objects:
 *   migrationCRDActivate), and on deactivation set to the registration's suspend value, with the
 *   current value recorded in that annotation in the same request so it is never lost.
 */
export function planRegisteredResource(object: KubeObject, resourceKey: string, direction: Direction, kind: RegisteredKind): ObjectPlan {
  const wanted = kind.suspendOptions.map((option) => wantedValue(object, option, direction));
  const problem = wanted.find((entry): entry is { ok: false; problem: string } => entry.ok === false);
  if (problem) return planFor(object, resourceKey, { action: 'error', reason: problem.problem });
  const known = wanted.filter((entry): entry is Extract<Wanted, { ok: true }> => entry.ok === true);
  if (known.length === 0) {
    return planFor(object, resourceKey, { action: 'skipped', reason: `not migrated by Stork (no ${StorkAnnotation.prefix}<path> or ${StorkAnnotation.migrated} annotation)` });
  }
  const changes: FieldChange[] = [];
  const preconditions: Precondition[] = [];
  for (const { path, value, record } of known) {
    const current = getPath(object, path);
    if (jsonEqual(current, value)) continue;
    changes.push({ path, from: current, to: value });
    if (current !== undefined) preconditions.push({ path, value: current });
    if (record) {
      const recorded = object.metadata.annotations?.[record.key];
      if (recorded !== record.value) changes.push({ path: ['metadata', 'annotations', record.key], from: recorded, to: record.value });
      // Held like the field itself: a value recorded meanwhile by someone else fails the patch instead of being overwritten.
      preconditions.push({ path: ['metadata', 'annotations', record.key], value: recorded ?? null });
    }
  }
  const describe = (values: readonly (Json | undefined)[]): string => values.map((value) => (value === undefined ? '<unset>' : JSON.stringify(value))).join(',');
  const from = describe(known.map(({ path }) => getPath(object, path)));
  const to = describe(known.map(({ value }) => value));
  if (changes.length === 0) return planFor(object, resourceKey, { action: 'unchanged', from, to });
  return planFor(object, resourceKey, { action: 'change', from, to, changes, preconditions });
}

function wantedValue(object: KubeObject, option: SuspendOption, direction: Direction): Wanted {
  const annotations = object.metadata.annotations ?? {};
  const key = `${StorkAnnotation.prefix}${option.path}`;
  const path = option.path.split('.');
  const migrated = annotations[StorkAnnotation.migrated] !== undefined || annotations[key] !== undefined;
  // Deactivation runs only in namespaces Stork protects (protection.ts), where the source's originals carry no annotation.
  if (option.type === 'bool') {
    if (!migrated && direction === 'activate') return { ok: 'absent' };
    // As Stork: the registration's value is the suspended state (true when it does not parse); activation writes its opposite.
    const suspendedValue = option.value.trim() === 'false' ? false : true;
    return { ok: true, path, value: direction === 'deactivate' ? suspendedValue : !suspendedValue };
  }
  if (direction === 'deactivate') {
    // Stork suspends int paths to 0, and string paths to the suspended half of "<active>,<suspended>" when recorded.
    const recordedSuspended = annotations[key]?.split(',')[1];
    const rawSuspended = option.type === 'int' ? option.value.trim() || '0' : (recordedSuspended ?? option.value);
    const suspended = parseTypedValue(rawSuspended, option.type);
    if (!suspended.ok) return { ok: false, problem: `registration ${option.path} suspend value ${suspended.problem}` };
    const current = getPath(object, path);
    if (current === undefined || jsonEqual(current, suspended.value)) return { ok: true, path, value: suspended.value };
    return { ok: true, path, value: suspended.value, record: { key, value: `${String(current)},${rawSuspended}` } };
  }
  const recorded = annotations[key] ?? annotations[StorkAnnotation.crdActivate];
  if (recorded === undefined) return { ok: 'absent' };
  const active = recorded.split(',')[0] ?? '';
  const parsed = parseTypedValue(active, option.type);
  if (!parsed.ok) return { ok: false, problem: `annotation ${annotations[key] !== undefined ? key : StorkAnnotation.crdActivate} "${recorded}": ${parsed.problem} (type ${option.type})` };
  return { ok: true, path, value: parsed.value };
}
