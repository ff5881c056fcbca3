import { getPath, jsonEqual } from '../../kube/jsonPath';
import type { Json, KubeObject } from '../../kube/objects';
import { StorkAnnotation } from '../../stork/annotations';
import { parseTypedValue, type RegisteredKind, type SuspendOption } from '../../stork/applicationRegistration';
import { planFor } from '../objectPlan';
import type { Direction, FieldChange, ObjectPlan, Precondition } from '../types';

type Wanted = { ok: true; path: string[]; value: Json } | { ok: false; problem: string } | { ok: 'absent' };

/**
 * Custom resources registered through an ApplicationRegistration: each suspend path is restored to
 * its active value on activation and set to its suspended value on deactivation. Stork records both
 * in the annotation `stork.libopenstorage.org/<path>` as "<active>,<suspended>"; older objects carry
 * them in migrationCRDActivate / migrationCRDDeactivate.
 */
export function planRegisteredResource(object: KubeObject, resourceKey: string, direction: Direction, kind: RegisteredKind): ObjectPlan {
  const wanted = kind.suspendOptions.map((option) => wantedValue(object, option, direction));
  const problem = wanted.find((entry): entry is { ok: false; problem: string } => entry.ok === false);
  if (problem) return planFor(object, resourceKey, { action: 'error', reason: problem.problem });
  const known = wanted.filter((entry): entry is { ok: true; path: string[]; value: Json } => entry.ok === true);
  if (known.length === 0) {
    return planFor(object, resourceKey, { action: 'skipped', reason: `no ${StorkAnnotation.prefix}<path> annotation recording the values to set` });
  }
  const changes: FieldChange[] = [];
  const preconditions: Precondition[] = [];
  for (const { path, value } of known) {
    const current = getPath(object, path);
    if (jsonEqual(current, value)) continue;
    changes.push({ path, from: current, to: value });
    if (current !== undefined) preconditions.push({ path, value: current });
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
  let raw: string | undefined;
  const combined = annotations[key];
  if (combined !== undefined) {
    const comma = combined.indexOf(',');
    if (comma === -1) return { ok: false, problem: `annotation ${key} "${combined}" is not "<active>,<suspended>"` };
    raw = direction === 'activate' ? combined.slice(0, comma) : combined.slice(comma + 1);
  } else {
    raw = direction === 'activate' ? annotations[StorkAnnotation.crdActivate] : annotations[StorkAnnotation.crdDeactivate];
    if (raw === undefined && direction === 'deactivate' && annotations[StorkAnnotation.migrated] !== undefined) raw = option.value;
  }
  if (raw === undefined) return { ok: 'absent' };
  const parsed = parseTypedValue(raw, option.type);
  if (!parsed.ok) return { ok: false, problem: `value for ${option.path} ${parsed.problem} (type ${option.type})` };
  return { ok: true, path, value: parsed.value };
}
