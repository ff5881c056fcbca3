import { systemClock, type Clock } from '../core/clock';
import { UsageError, oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { isAlreadyExists, isForbidden, isNotFound, isPreconditionFailure } from '../kube/errors';
import { listIfAllowed } from '../kube/list';
import { toPointer } from '../kube/jsonPath';
import { isRunId } from '../plan/marks';
import {
  RUN_ID_LABEL,
  RUN_RECORD_SELECTOR,
  decodeJournal,
  encodeJournal,
  readRecordEntry,
  recordAnnotations,
  recordConfigMap,
  recordName,
  type JournalEncoding,
  type RunRecordEntry,
  type RunRecordMeta,
} from '../plan/runRecord';
import { ConfigMapResource, NamespaceResource } from '../stork/kinds';
import { mapWithConcurrency } from '../util/concurrency';

/**
 * A run's record in the cluster: its journal text in a ConfigMap `kubectl-failover-run-<id>` on
 * the destination, labelled so every run can be listed, so an operator on another machine can
 * see, resume or undo it. The journal is opaque here (io/journal.ts parses and validates it).
 *
 *   await saveRunRecord(destination, scheduleNamespace, runId, journalText, { user, host, started, summary });
 *   const { records, warnings } = await listRunRecords(destination, { all: true });
 *   const text = await loadRunRecord(destination, record.namespace, record.runId);
 */

export type { RunRecordEntry, RunRecordMeta } from '../plan/runRecord';

/** Records listed per page: each may hold up to 1 MiB of journal. */
const PAGE_SIZE = 50;
const DEFAULT_CONCURRENCY = 8;

function configMapsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
}

function recordPath(namespace: string, runId: string): string {
  return `${configMapsPath(namespace)}/${recordName(runId)}`;
}

/** No record of that run in that namespace: the id or the namespace given is wrong (exit 2). */
export class RunRecordNotFoundError extends UsageError {
  constructor(
    readonly namespace: string,
    readonly runId: string,
  ) {
    super(`no record of run ${runId} in namespace ${namespace} (ConfigMap ${recordName(runId)})`);
    this.name = 'RunRecordNotFoundError';
  }
}

/** A record that is there but cannot be used: not ours, garbled, or without its journal (exit 1). */
export class RunRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRecordError';
  }
}

function checkRunId(runId: string): void {
  if (!isRunId(runId)) throw new UsageError(`invalid run id "${runId}": run ids are 10 hexadecimal digits, as "kubectl failover runs" lists them`);
}

export interface SaveResult {
  encoding: JournalEncoding;
  /** The journal's size in bytes, and what the ConfigMap holds of it. */
  bytes: number;
  storedBytes: number;
  /** Set when the journal was compressed, or left out (too large even compressed). */
  warning?: string;
}

/**
 * Creates or replaces run `runId`'s record in `namespace` with the whole journal text (call it
 * after each stage and at the end). A replace is one JSON patch whose `test` holds the run-id
 * label, so a ConfigMap of that name that is not this run's record is never overwritten. Journals
 * over 1 MB are stored gzip-compressed; one too large even so is left out, with a warning, and the
 * record says so. Throws the API's error when the record cannot be written.
 */
export async function saveRunRecord(api: KubeApi, namespace: string, runId: string, journalText: string, meta: RunRecordMeta, clock: Clock = systemClock): Promise<SaveResult> {
  checkRunId(runId);
  const encoded = encodeJournal(journalText);
  const annotations = recordAnnotations(meta, encoded, new Date(clock.now()).toISOString());
  const result: SaveResult = { encoding: encoded.encoding, bytes: encoded.bytes, storedBytes: encoded.storedBytes };
  if (encoded.encoding === 'gzip') result.warning = `run ${runId}'s journal (${encoded.bytes} bytes) is stored compressed in ConfigMap ${namespace}/${recordName(runId)} (${encoded.storedBytes} bytes)`;
  if (encoded.encoding === 'omitted') result.warning = `run ${runId}'s journal (${encoded.bytes} bytes) is too large for a ConfigMap even compressed: the record in ${namespace}/${recordName(runId)} names the run but not its writes; the journal file on this host has them`;
  const patch = [
    { op: 'test', path: toPointer(['metadata', 'labels', RUN_ID_LABEL]), value: runId },
    ...Object.entries(annotations).map(([key, value]) => ({ op: 'add', path: toPointer(['metadata', 'annotations', key]), value })),
    { op: 'add', path: '/data', value: encoded.data },
    { op: 'add', path: '/binaryData', value: encoded.binaryData },
  ];
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await api.request({ method: 'PATCH', path: recordPath(namespace, runId), body: patch, contentType: 'application/json-patch+json' });
      return result;
    } catch (error) {
      if (isPreconditionFailure(error)) throw new RunRecordError(`ConfigMap ${namespace}/${recordName(runId)} exists but is not run ${runId}'s record (or its labels or annotations were removed): not overwritten`);
      if (!isNotFound(error)) throw error;
    }
    try {
      await api.request({ method: 'POST', path: configMapsPath(namespace), body: recordConfigMap(namespace, runId, encoded, annotations) });
      return result;
    } catch (error) {
      // Created meanwhile (by this run's previous save that got no answer, say): replace it.
      if (!isAlreadyExists(error)) throw error;
    }
  }
  throw new RunRecordError(`ConfigMap ${namespace}/${recordName(runId)} kept appearing and disappearing while being saved`);
}

export interface RunRecordList {
  /** Newest first (by start, then by last save). */
  records: RunRecordEntry[];
  /** What could not be read: namespaces RBAC hides, ConfigMaps labelled as records that are not. */
  warnings: string[];
}

export type RecordScope =
  | { namespace: string }
  /**
   * Every namespace: one LIST for the cluster. Where RBAC forbids it, one LIST per namespace:
   * of `namespaces` if given, else of every namespace the cluster lists.
   */
  | { all: true; namespaces?: readonly string[] };

/** The run records in a namespace or the whole cluster, without their journals (loadRunRecord reads one). */
export async function listRunRecords(api: KubeApi, scope: RecordScope, options: { concurrency?: number } = {}): Promise<RunRecordList> {
  const warnings: string[] = [];
  let objects: unknown[];
  if ('namespace' in scope) {
    objects = await listOrForbidden(api, scope.namespace, warnings);
  } else {
    const wide = await listIfAllowed(api, ConfigMapResource, { labelSelector: RUN_RECORD_SELECTOR, pageSize: PAGE_SIZE });
    if (wide) objects = wide;
    else {
      const namespaces = scope.namespaces ?? (await namespaceNames(api));
      if (!namespaces) {
        return { records: [], warnings: ['cannot list ConfigMaps in all namespaces nor list the namespaces (forbidden): name the namespace'] };
      }
      const perNamespace = await mapWithConcurrency(namespaces, options.concurrency ?? DEFAULT_CONCURRENCY, (namespace) => listOrForbidden(api, namespace, warnings));
      objects = perNamespace.flat();
    }
  }
  const records: RunRecordEntry[] = [];
  for (const object of objects) {
    const read = readRecordEntry(object);
    if ('problem' in read) warnings.push(`not a run record: ${read.problem}`);
    else records.push(read.entry);
  }
  records.sort((a, b) => (b.meta.started ?? '').localeCompare(a.meta.started ?? '') || (b.saved ?? '').localeCompare(a.saved ?? '') || a.runId.localeCompare(b.runId));
  return { records, warnings: warnings.sort() };
}

async function listOrForbidden(api: KubeApi, namespace: string, warnings: string[]): Promise<unknown[]> {
  const found = await listIfAllowed(api, ConfigMapResource, { namespace, labelSelector: RUN_RECORD_SELECTOR, pageSize: PAGE_SIZE });
  if (!found) warnings.push(`cannot list ConfigMaps in namespace ${namespace} (forbidden): its run records are not shown`);
  return found ?? [];
}

/** Every namespace's name, or undefined where listing them is forbidden. */
async function namespaceNames(api: KubeApi): Promise<string[] | undefined> {
  const namespaces = await listIfAllowed(api, NamespaceResource);
  return namespaces?.map((namespace) => namespace.metadata.name).sort();
}

/**
 * The journal text of run `runId`'s record in `namespace`, as saved (decompressed if need be).
 * Throws RunRecordNotFoundError when there is none, RunRecordError when it cannot be used.
 */
export async function loadRunRecord(api: KubeApi, namespace: string, runId: string): Promise<string> {
  return (await readRunRecord(api, namespace, runId)).journalText;
}

/** loadRunRecord, with what the record says about the run. */
export async function readRunRecord(api: KubeApi, namespace: string, runId: string): Promise<{ entry: RunRecordEntry; journalText: string }> {
  checkRunId(runId);
  let object: unknown;
  try {
    object = await api.request<unknown>({ method: 'GET', path: recordPath(namespace, runId) });
  } catch (error) {
    if (isNotFound(error)) throw new RunRecordNotFoundError(namespace, runId);
    if (isForbidden(error)) throw new UsageError(`cannot read run ${runId}'s record in namespace ${namespace}: ${oneLine(error)}; it needs get on configmaps there`);
    throw error;
  }
  const read = readRecordEntry(object);
  if ('problem' in read) throw new RunRecordError(`ConfigMap ${namespace}/${recordName(runId)} is not a usable run record: ${read.problem}`);
  if (read.entry.runId !== runId) throw new RunRecordError(`ConfigMap ${namespace}/${recordName(runId)} is the record of run ${read.entry.runId}, not ${runId}`);
  const decoded = decodeJournal(object, read.entry);
  if ('problem' in decoded) throw new RunRecordError(decoded.problem);
  return { entry: read.entry, journalText: decoded.text };
}
