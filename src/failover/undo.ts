import { getPath, jsonEqual } from '../kube/jsonPath';
import type { Json, KubeObject } from '../kube/objects';
import { planFor } from '../plan/objectPlan';
import type { FieldChange, ObjectPlan, Precondition } from '../plan/types';
import { MIGRATION_SCHEDULE_KEY } from '../stork/kinds';
import type { JournalEntry, JournalField, JournalObject, UndoAction } from './journalModel';

/** One object a run wrote, with each field's value before the run's first write and after its last. */
export interface WrittenObject {
  context: string;
  cluster: 'source' | 'destination';
  resourceKey: string;
  object: JournalObject;
  fields: JournalField[];
  /** The journal lines of the writes folded into it (empty when the caller gave none). */
  lines: number[];
}

const pathKey = (path: readonly string[]): string => JSON.stringify(path);

/**
 * Folds a journal's writes per object: the first "before" and the last "after" of every field;
 * `lines` (parallel to entries, as parseJournalText gives them) says which lines each came from. Pure.
 */
export function writtenObjects(entries: readonly JournalEntry[], lines: readonly number[] = []): WrittenObject[] {
  const objects = new Map<string, WrittenObject>();
  for (const [index, entry] of entries.entries()) {
    if (entry.type !== 'write') continue;
    const key = `${entry.context}|${entry.resourceKey}|${entry.object.namespace ?? ''}|${entry.object.name}`;
    const known = objects.get(key) ?? { context: entry.context, cluster: entry.cluster, resourceKey: entry.resourceKey, object: entry.object, fields: [], lines: [] };
    const line = lines[index];
    if (line !== undefined) known.lines.push(line);
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

/** What undo found of one object the run wrote: the object as it is now, gone, or unreadable. */
export type UndoRead =
  | { written: WrittenObject; live: KubeObject }
  /** Deleted since the run, or its kind no longer served: nothing to put back. */
  | { written: WrittenObject; absent: string }
  /** Could not be read (RBAC, a server error): undo cannot know what it would do. */
  | { written: WrittenObject; unreadable: string };

/** One object of undo's plan. `blocked`: it stops the whole undo (nothing is written). */
export interface UndoStep {
  written: WrittenObject;
  action: UndoAction | 'blocked';
  /** restore: the change (undoPlan); otherwise a plan that writes nothing, its reason saying why. */
  plan: ObjectPlan;
  /** The object as read now (absent when it is gone or could not be read). */
  live?: KubeObject;
}

export interface RunUndoPlan {
  /** Destination first: it goes down before the source comes up. */
  steps: UndoStep[];
  /** Set when nothing may be written: what stopped it, and what to do. */
  refusal?: string;
  /** One line per object left or held, for stderr and the report. */
  warnings: string[];
}

/** Where an object is, in messages: "statefulset zookeeper/zk on destination". */
export function describeWritten(written: WrittenObject): string {
  const { kind, namespace, name } = written.object;
  return `${kind.toLowerCase()} ${namespace ? `${namespace}/` : ''}${name} on ${written.cluster}`;
}

const identity = (written: WrittenObject): string => `${written.resourceKey}|${written.object.namespace ?? ''}|${written.object.name}`;

function stubOf(written: WrittenObject): KubeObject {
  return { apiVersion: written.object.apiVersion, kind: written.object.kind, metadata: { name: written.object.name, ...(written.object.namespace ? { namespace: written.object.namespace } : {}) } };
}

/** "journal line 7", "journal lines 7, 12": where an object's writes are recorded. */
export function journalLines(lines: readonly number[]): string {
  return lines.length === 0 ? '' : `journal line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}`;
}

/** A plan that writes nothing, saying why (for rows that are left, held or blocked). */
function noWrite(written: WrittenObject, live: KubeObject | undefined, action: ObjectPlan['action'], reason: string): ObjectPlan {
  return planFor(live ?? stubOf(written), written.resourceKey, { action, reason });
}

/**
 * Whether an object the run wrote on the destination may run its app as it is now: its replicas
 * above zero, its CronJob not suspended, its VM running; for kinds without those fields (a custom
 * resource), any field the run wrote that is not back at its value before the run. Schedules run
 * no app. Returns what shows it runs ("spec.replicas is 5"), or undefined.
 */
export function runningEvidence(written: WrittenObject, live: KubeObject): string | undefined {
  if (written.resourceKey === MIGRATION_SCHEDULE_KEY) return undefined;
  const is = (path: readonly string[]): string => `${path.join('.')} is ${JSON.stringify(getPath(live, path) ?? null)}`;
  const known = written.fields.filter((field) => RUNS.has(field.path.join('.')));
  if (known.length > 0) {
    const running = known.find((field) => RUNS.get(field.path.join('.'))?.(getPath(live, field.path)));
    return running ? is(running.path) : undefined;
  }
  const replicas = getPath(live, ['spec', 'replicas']);
  if (typeof replicas === 'number') return replicas > 0 ? is(['spec', 'replicas']) : undefined;
  const moved = written.fields.find((field) => !jsonEqual(getPath(live, field.path) ?? null, field.before));
  return moved ? `${is(moved.path)}, not ${JSON.stringify(moved.before)} as before the run` : undefined;
}

/** The fields that say whether a workload runs, and the values that mean it does: replicas, a CronJob's suspend, a VirtualMachine's running or runStrategy. */
const RUNS: ReadonlyMap<string, (value: Json | undefined) => boolean> = new Map([
  ['spec.replicas', (value: Json | undefined) => typeof value === 'number' && value > 0],
  ['spec.suspend', (value: Json | undefined) => value === false],
  ['spec.running', (value: Json | undefined) => value === true],
  ['spec.runStrategy', (value: Json | undefined) => value !== undefined && value !== 'Halted'],
]);

/**
 * undo's plan, all or nothing: every object the run wrote, read afresh on both clusters, is put
 * back (restore), already is (unchanged), or was changed by someone since (or deleted). Any such
 * change refuses the whole undo, naming every one, unless --force, which leaves those as they are
 * (leave). Never, though, by leaving both clusters running an app: where a destination object left
 * by --force still runs its app, its source counterpart and the schedules (on both sides) of its
 * namespace are kept as the run left them (hold): the source's stays down, the source's schedule
 * suspended. An object that cannot be read refuses the undo even with --force: what it holds
 * decides what else may be written. Pure.
 */
export function planRunUndo(reads: readonly UndoRead[], options: { force: boolean }): RunUndoPlan {
  const ordered = [...reads].sort((a, b) => (a.written.cluster === b.written.cluster ? 0 : a.written.cluster === 'destination' ? -1 : 1));
  const steps = ordered.map((read): UndoStep => {
    const { written } = read;
    const where = `on ${written.cluster}${written.context ? ` (context ${written.context})` : ''}`;
    const lines = journalLines(written.lines);
    if ('unreadable' in read) return { written, action: 'blocked', plan: noWrite(written, undefined, 'error', `cannot be read: ${read.unreadable}`) };
    if ('absent' in read) {
      return options.force
        ? { written, action: 'leave', plan: noWrite(written, undefined, 'skipped', `${read.absent}: left as it is (--force)`) }
        : { written, action: 'blocked', plan: noWrite(written, undefined, 'error', read.absent) };
    }
    const { live } = read;
    const plan = undoPlan(written, live);
    if (plan.action === 'change') return { written, live, action: 'restore', plan: { ...plan, reason: [where, lines].filter(Boolean).join(', ') } };
    if (plan.action === 'unchanged') return { written, live, action: 'unchanged', plan: { ...plan, reason: `${where}: already as before the run` } };
    const changed = (plan.reason ?? 'changed since the run').replace(/; left as it is$/, '');
    // Left or blocked, it keeps what it holds: its row shows that value, not a change.
    return options.force ? { written, live, action: 'leave', plan: { ...plan, action: 'skipped', to: '', reason: `${changed}; left as it is (--force)` } } : { written, live, action: 'blocked', plan: { ...plan, to: '', reason: changed } };
  });

  const blocked = steps.filter((step) => step.action === 'blocked');
  if (blocked.length > 0) {
    const unreadable = reads.some((read) => 'unreadable' in read);
    const list = blocked.map((step) => `${describeWritten(step.written)}: ${step.plan.reason ?? ''}`).join('; ');
    const next = unreadable ? 'make them readable and run undo again' : 'put them back as the run left them, or pass --force to leave them as they are and undo the rest';
    return {
      steps: steps.map((step) => (step.action === 'restore' ? { ...step, plan: { ...step.plan, reason: `not sent: undo is all or nothing; ${step.plan.reason ?? ''}` } } : step)),
      refusal: `nothing was written: ${blocked.length} object(s) ${unreadable ? 'cannot be planned' : 'changed since the run'} (undo is all or nothing): ${list}; ${next}`,
      warnings: [],
    };
  }

  const running = steps.flatMap((step) => {
    if (step.written.cluster !== 'destination' || step.action !== 'leave' || !step.live) return [];
    const evidence = runningEvidence(step.written, step.live);
    return evidence ? [{ step, why: `${describeWritten(step.written)} runs (${evidence}; changed since the run, left by --force)` }] : [];
  });
  return withHolds({ steps, warnings: steps.filter((step) => step.action === 'leave').map((step) => `${describeWritten(step.written)}: ${step.plan.reason ?? ''}`) }, running);
}

/**
 * After the destination's writes: a destination app whose undo write did not go through (failed,
 * unknown, not sent) may still run, so its source counterpart and its namespace's source schedules
 * are held too, before the source is written (the destination's steps, done, stay as they are). Pure.
 */
export function holdAfterDestination(plan: RunUndoPlan, results: ReadonlyArray<{ step: UndoStep; outcome: string; message?: string | undefined }>): RunUndoPlan {
  const running = results.flatMap(({ step, outcome, message }) => {
    if (step.written.cluster !== 'destination' || step.action !== 'restore' || step.written.resourceKey === MIGRATION_SCHEDULE_KEY || outcome === 'changed' || outcome === 'unchanged') return [];
    return [{ step, why: `${describeWritten(step.written)} may still run (its undo was ${outcome}${message ? `: ${message}` : ''})` }];
  });
  return withHolds(plan, running, 'source');
}

/** Holds what must stay as the run left it while these destination apps run: their source counterparts, and the schedules of their namespaces. */
function withHolds(plan: RunUndoPlan, running: ReadonlyArray<{ step: UndoStep; why: string }>, on: 'both' | 'source' = 'both'): RunUndoPlan {
  if (running.length === 0) return plan;
  const apps = new Map(running.map((entry) => [identity(entry.step.written), entry.why]));
  const namespaces = new Map<string, string>();
  for (const entry of running) if (!namespaces.has(entry.step.written.object.namespace ?? '')) namespaces.set(entry.step.written.object.namespace ?? '', entry.why);
  const warnings = [...plan.warnings];
  const steps = plan.steps.map((step): UndoStep => {
    // Not undo's doing, but the one thing this rule exists to prevent: said, not hidden.
    const twin = step.written.cluster === 'source' && step.action !== 'restore' && step.live ? apps.get(identity(step.written)) : undefined;
    const evidence = twin !== undefined && step.live ? runningEvidence(step.written, step.live) : undefined;
    if (twin !== undefined && evidence !== undefined) warnings.push(`${describeWritten(step.written)} runs too (${evidence}), not put so by this undo, while ${twin}: the app runs on both clusters`);
    if (step.action !== 'restore' || (on === 'source' && step.written.cluster !== 'source')) return step;
    const counterpart = step.written.cluster === 'source' ? apps.get(identity(step.written)) : undefined;
    const schedule = step.written.resourceKey === MIGRATION_SCHEDULE_KEY ? scheduleHold(step.plan.live, namespaces) : undefined;
    const why = counterpart ?? schedule;
    if (why === undefined) return step;
    const kept = step.written.resourceKey === MIGRATION_SCHEDULE_KEY ? (step.written.cluster === 'source' ? 'stays suspended' : 'stays activated') : 'stays as the run left it (down)';
    const reason = `held: ${kept}, since ${why}; putting it back would run the app on both clusters`;
    warnings.push(`${describeWritten(step.written)} ${reason.slice('held: '.length)}`);
    return { ...step, action: 'hold', plan: { ...step.plan, action: 'skipped', to: '', reason } };
  });
  return { ...plan, steps, warnings };
}

/** Why a schedule must stay as the run left it: it migrates (or may migrate, by label) a namespace whose app runs on the destination. */
function scheduleHold(schedule: KubeObject, namespaces: ReadonlyMap<string, string>): string | undefined {
  const listed = getPath(schedule, ['spec', 'template', 'spec', 'namespaces']);
  for (const [namespace, why] of namespaces) if (Array.isArray(listed) && listed.includes(namespace)) return why;
  // Labels select namespaces undo does not read: such a schedule may migrate it, so it is held.
  const selectors = getPath(schedule, ['spec', 'template', 'spec', 'namespaceSelectors']);
  const [first] = namespaces.values();
  if (selectors && typeof selectors === 'object' && Object.keys(selectors).length > 0 && first !== undefined) return `${first} (it selects namespaces by label)`;
  return undefined;
}
