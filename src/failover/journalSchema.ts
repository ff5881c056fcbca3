import type { Json } from '../kube/objects';
import type { ClusterPairRef } from '../stork/clusterPairConfig';
import type { JournalEntry, JournalField, JournalObject, RunRequest, UndoRecordObject } from './journalModel';
import { isRunId } from './runId';
import { FAILOVER_STAGES, type FailoverOutcome, type StageStatus } from './stages';

/**
 * The journal's schema, checked by hand (no dependency): every entry `run`, `undo` and a ConfigMap
 * store read back is parsed into a fresh, typed value, or refused with the path of what is wrong.
 * A value is never cast: each parser builds its result from checked fields, so TypeScript checks
 * that what it returns is a JournalEntry. Unknown entry types and unknown fields are refused: a
 * journal this version does not fully understand is not one to act on.
 */

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
type Parser<T> = (value: unknown, at: string) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
/** `at` is the path to the value ("fields[0].path"), '' for the entry itself. */
const bad = <T>(at: string, problem: string): Parsed<T> => ({ ok: false, problem: at === '' ? problem : `${at}: ${problem}` });
const child = (at: string, key: string): string => (at === '' ? key : `${at}.${key}`);

/** How a wrong value is named in a problem: its JSON type, with short strings and numbers quoted. */
function shown(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : 'a long string';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

const string: Parser<string> = (value, at) => (typeof value === 'string' ? ok(value) : bad(at, `want a string, found ${shown(value)}`));
const nonEmptyString: Parser<string> = (value, at) => (typeof value === 'string' && value !== '' ? ok(value) : bad(at, `want a non-empty string, found ${shown(value)}`));
const boolean: Parser<boolean> = (value, at) => (typeof value === 'boolean' ? ok(value) : bad(at, `want true or false, found ${shown(value)}`));
const lineNumber: Parser<number> = (value, at) => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? ok(value) : bad(at, `want a line number, found ${shown(value)}`));

/** An ISO time as `new Date().toISOString()` writes it. */
const time: Parser<string> = (value, at) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? ok(value) : bad(at, `want an ISO time, found ${shown(value)}`));

const runId: Parser<string> = (value, at) => (typeof value === 'string' && isRunId(value) ? ok(value) : bad(at, `want a run id (10 lowercase hex digits), found ${shown(value)}`));

function oneOf<T extends string>(values: readonly T[]): Parser<T> {
  return (value, at) => {
    const found = values.find((candidate) => candidate === value);
    return found === undefined ? bad(at, `want one of ${values.join(', ')}, found ${shown(value)}`) : ok(found);
  };
}

function listOf<T>(item: Parser<T>): Parser<T[]> {
  return (value, at) => {
    if (!Array.isArray(value)) return bad(at, `want a list, found ${shown(value)}`);
    const items: T[] = [];
    for (const [index, entry] of value.entries()) {
      const parsed = item(entry, `${at}[${index}]`);
      if (!parsed.ok) return parsed;
      items.push(parsed.value);
    }
    return ok(items);
  };
}

/** Any JSON value (a field's before or after): what JSON.parse returns is one, checked anyway. */
const json: Parser<Json> = (value, at) => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return ok(value);
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : bad(at, 'not a JSON number');
  if (Array.isArray(value)) return listOf(json)(value, at);
  if (isRecord(value)) {
    const result: { [key: string]: Json } = {};
    for (const [key, entry] of Object.entries(value)) {
      const parsed = json(entry, child(at, key));
      if (!parsed.ok) return parsed;
      // Defined, not assigned: a key "__proto__" (JSON.parse makes it an own key) stays a key, not a prototype.
      Object.defineProperty(result, key, { value: parsed.value, enumerable: true, writable: true, configurable: true });
    }
    return ok(result);
  }
  return bad(at, `not JSON: ${shown(value)}`);
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Shape = Record<string, Parser<unknown>>;
type Out<P> = P extends Parser<infer T> ? T : never;
type Built<R extends Shape, O extends Shape> = { [K in keyof R]: Out<R[K]> } & { [K in keyof O]?: Out<O[K]> };

/**
 * An object with these required and optional fields and no others. Optional fields absent from
 * the input stay absent (JSON.stringify drops undefined, so the journal never holds them).
 */
function record<R extends Shape, O extends Shape = Record<never, never>>(required: R, optional?: O): Parser<Built<R, O>> {
  return (value, at) => {
    if (!isRecord(value)) return bad(at, `want an object, found ${shown(value)}`);
    const known = new Set([...Object.keys(required), ...Object.keys(optional ?? {})]);
    const unknown = Object.keys(value).find((key) => !known.has(key));
    if (unknown !== undefined) return bad(child(at, unknown), 'unknown field');
    const result: Record<string, unknown> = {};
    for (const [key, parser] of Object.entries(required)) {
      if (!Object.hasOwn(value, key)) return bad(child(at, key), 'missing');
      const parsed = parser(value[key], child(at, key));
      if (!parsed.ok) return parsed;
      result[key] = parsed.value;
    }
    for (const [key, parser] of Object.entries(optional ?? {})) {
      if (!Object.hasOwn(value, key)) continue;
      const parsed = parser(value[key], child(at, key));
      if (!parsed.ok) return parsed;
      result[key] = parsed.value;
    }
    // Every key of R was checked by its parser, every present key of O by its own: the shape holds.
    return ok(result as Built<R, O>);
  };
}

const cluster = oneOf(['source', 'destination'] as const);
const stage = oneOf(FAILOVER_STAGES);
const STAGE_STATUSES: ReadonlyArray<StageStatus | 'Started'> = ['Started', 'Successful', 'Failed', 'Skipped', 'Planned', 'TimedOut', 'In-Progress', 'NotStarted'];
const OUTCOMES: ReadonlyArray<FailoverOutcome | 'Interrupted'> = ['Successful', 'Failed', 'RollbackSuccessful', 'RollbackFailed', 'DryRun', 'InProgress', 'Interrupted'];

const journalObject: Parser<JournalObject> = record({ apiVersion: nonEmptyString, kind: nonEmptyString, name: nonEmptyString }, { namespace: nonEmptyString });

/** A path segment: a field name or map key. No Kubernetes field or annotation key is "__proto__": refused outright. */
const segment: Parser<string> = (value, at) => (value === '__proto__' ? bad(at, 'not a field name') : nonEmptyString(value, at));

const field: Parser<JournalField> = (value, at) => {
  const parsed = record({ path: listOf(segment), before: json, after: json })(value, at);
  if (parsed.ok && parsed.value.path.length === 0) return bad(child(at, 'path'), 'empty');
  return parsed;
};

const request: Parser<RunRequest> = record(
  { sourceContext: string, destinationContext: nonEmptyString, allNamespaces: boolean, skipSourceOperations: boolean, allowSplitBrain: boolean, skipLastMile: boolean, failback: boolean },
  {
    sourceFromClusterPair: boolean,
    kubeconfig: string,
    schedule: record({ name: nonEmptyString, include: listOf(string), exclude: listOf(string) }, { namespace: nonEmptyString }),
    namespace: nonEmptyString,
    selector: string,
  },
);

const clusterPair: Parser<ClusterPairRef> = record({ namespace: nonEmptyString, name: nonEmptyString });

const undoObject: Parser<UndoRecordObject> = record({ cluster, context: string, resourceKey: nonEmptyString, object: journalObject, action: oneOf(['restore', 'unchanged', 'leave', 'hold'] as const), lines: listOf(lineNumber) });

const common = { runId, time } as const;

/** One parser per entry type: the `type` field picks it. */
const ENTRY_PARSERS: { [T in JournalEntry['type']]: Parser<Extract<JournalEntry, { type: T }>> } = {
  start: record({ type: oneOf(['start'] as const), ...common, request }),
  stage: record({ type: oneOf(['stage'] as const), ...common, stage, status: oneOf(STAGE_STATUSES) }),
  write: record({ type: oneOf(['write'] as const), ...common, stage, cluster, context: string, resourceKey: nonEmptyString, object: journalObject, fields: listOf(field) }, { resourceVersion: string }),
  create: record({ type: oneOf(['create'] as const), ...common, stage, cluster, context: string, resourceKey: nonEmptyString, object: journalObject }),
  end: record({ type: oneOf(['end'] as const), ...common, outcome: oneOf(OUTCOMES) }),
  source: record({ type: oneOf(['source'] as const), ...common, clusterPair }),
  undo: record({ type: oneOf(['undo'] as const), ...common, status: oneOf(['Started', 'Successful', 'Failed'] as const), forced: boolean }, { objects: listOf(undoObject) }),
};

const ENTRY_TYPES = Object.keys(ENTRY_PARSERS) as Array<JournalEntry['type']>;

/** A journal entry, checked field by field; or the problem, naming the field ("write entry: fields[0].path: …"). Pure. */
export function parseJournalEntry(value: unknown): Parsed<JournalEntry> {
  if (!isRecord(value)) return bad('', `an entry is an object, found ${shown(value)}`);
  const type = ENTRY_TYPES.find((candidate) => candidate === value.type);
  if (type === undefined) return bad('', `unknown entry type ${shown(value.type)} (this version knows ${ENTRY_TYPES.join(', ')})`);
  const parsed: Parsed<JournalEntry> = ENTRY_PARSERS[type](value, '');
  return parsed.ok ? parsed : bad('', `${type} entry: ${parsed.problem}`);
}

export type { Parsed };
