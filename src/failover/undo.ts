import { getPath, jsonEqual } from '../kube/jsonPath';
import type { Json, KubeObject } from '../kube/objects';
import { planFor } from '../plan/objectPlan';
import type { FieldChange, ObjectPlan, Precondition } from '../plan/types';
import type { JournalEntry, JournalField } from './journalModel';

type WriteEntry = Extract<JournalEntry, { type: 'write' }>;

/** One object a run wrote, with each field's value before the run's first write and after its last. */
export interface WrittenObject {
  context: string;
  cluster: 'source' | 'destination';
  resourceKey: string;
  object: WriteEntry['object'];
  fields: JournalField[];
}

const pathKey = (path: readonly string[]): string => JSON.stringify(path);

/** Folds a journal's writes per object: the first "before" and the last "after" of every field. Pure. */
export function writtenObjects(entries: readonly JournalEntry[]): WrittenObject[] {
  const objects = new Map<string, WrittenObject>();
  for (const entry of entries) {
    if (entry.type !== 'write') continue;
    const key = `${entry.context}|${entry.resourceKey}|${entry.object.namespace ?? ''}|${entry.object.name}`;
    const known = objects.get(key) ?? { context: entry.context, cluster: entry.cluster, resourceKey: entry.resourceKey, object: entry.object, fields: [] };
    for (const field of entry.fields) {
      const existing = known.fields.find((candidate) => pathKey(candidate.path) === pathKey(field.path));
      if (existing) existing.after = field.after;
      else known.fields.push({ ...field, path: [...field.path] });
    }
    objects.set(key, known);
  }
  // Fields a later write put back as they were need nothing.
  return [...objects.values()].map((object) => ({ ...object, fields: object.fields.filter((field) => !jsonEqual(field.before, field.after)) })).filter((object) => object.fields.length > 0);
}

/**
 * The plan that puts one object back as the journal found it: every field to its "before", held by
 * the precondition that it still has the run's "after" (so an edit made since is left alone and
 * reported). Pure.
 */
export function undoPlan(written: WrittenObject, live: KubeObject): ObjectPlan {
  const changes: FieldChange[] = [];
  const preconditions: Precondition[] = [];
  const moved: string[] = [];
  for (const field of written.fields) {
    const current = getPath(live, field.path);
    if (jsonEqual(current ?? null, field.before)) continue;
    if (!jsonEqual(current ?? null, field.after)) moved.push(`${field.path.join('.')} is ${JSON.stringify(current ?? null)}, the run left ${JSON.stringify(field.after)}`);
    changes.push({ path: field.path, from: current, to: field.before === null ? undefined : (field.before as Json) });
    preconditions.push({ path: field.path, value: field.after });
  }
  const describe = (values: ReadonlyArray<Json | null | undefined>): string => values.map((value) => (value === undefined || value === null ? '<unset>' : JSON.stringify(value))).join(',');
  const from = describe(written.fields.map((field) => getPath(live, field.path)));
  const to = describe(written.fields.map((field) => field.before));
  if (moved.length > 0) return planFor(live, written.resourceKey, { action: 'error', from, to, reason: `changed since the run: ${moved.join('; ')}; left as it is` });
  if (changes.length === 0) return planFor(live, written.resourceKey, { action: 'unchanged', from, to });
  return planFor(live, written.resourceKey, { action: 'change', from, to, changes, preconditions });
}
