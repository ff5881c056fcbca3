import { gunzipSync, gzipSync } from 'node:zlib';
import { parseKubeTime } from '../kube/time';
import { MANAGED_BY, MANAGED_BY_LABEL, MARK_PREFIX, isRunId } from './marks';

// The pure half of the run record (io/runRecord.ts does the requests): a run's journal kept on the
// destination in a ConfigMap, so a second operator can list, resume and undo it. A ConfigMap, not a
// Secret: a journal holds object names and field values (replica counts, annotations), nothing
// secret, and whoever may fail a namespace over may read its ConfigMaps; a Secret would hide it
// from the operators who need it and suggest it holds what it does not.

/** Selects every run record (and only them) in a LIST. */
export const RUN_ID_LABEL = `${MARK_PREFIX}run-id`;
export const RUN_RECORD_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY},${RUN_ID_LABEL}`;

export const RecordAnnotation = {
  user: `${MARK_PREFIX}user`,
  host: `${MARK_PREFIX}host`,
  started: `${MARK_PREFIX}started`,
  outcome: `${MARK_PREFIX}outcome`,
  summary: `${MARK_PREFIX}summary`,
  saved: `${MARK_PREFIX}saved`,
  /** text (data), gzip (binaryData, base64 on the wire) or omitted (too large even compressed). */
  encoding: `${MARK_PREFIX}journal-encoding`,
  /** The journal's size in bytes, before any compression. */
  size: `${MARK_PREFIX}journal-bytes`,
} as const;

export const TEXT_KEY = 'journal.jsonl';
export const GZIP_KEY = 'journal.jsonl.gz';

/**
 * What a ConfigMap may hold (data and binaryData together) is 1 MiB; this leaves room for
 * the metadata, so a record never fails on the limit by a few bytes.
 */
export const MAX_STORED_BYTES = 1_000_000;
/** A gzip member that inflates beyond this is not a journal: refused rather than read into memory. */
export const MAX_JOURNAL_BYTES = 64 * 1024 * 1024;

/** Who ran it and how it went, shown by a listing without reading the journal. Free text, one line each. */
export interface RunRecordMeta {
  user?: string;
  host?: string;
  /** RFC 3339: when the run started. */
  started?: string;
  /** How it ended (Succeeded, Failed, Interrupted, …); absent while it runs. */
  outcome?: string;
  /** One line: what the run was asked ("source → destination, namespace zk"). */
  summary?: string;
}

export type JournalEncoding = 'text' | 'gzip' | 'omitted';

export interface EncodedJournal {
  encoding: JournalEncoding;
  /** The journal's size, in UTF-8 bytes. */
  bytes: number;
  /** What the ConfigMap holds of it (0 when omitted). */
  storedBytes: number;
  data: Record<string, string>;
  binaryData: Record<string, string>;
}

export function recordName(runId: string): string {
  return `kubectl-failover-run-${runId}`;
}

/**
 * The journal as the ConfigMap holds it: as text when it fits (kubectl get -o yaml shows it as
 * is), else gzip-compressed in binaryData (journals are repetitive JSON lines: they compress ten
 * times or more), else omitted, which the listing and a load then say.
 */
export function encodeJournal(text: string): EncodedJournal {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= MAX_STORED_BYTES) return { encoding: 'text', bytes, storedBytes: bytes, data: { [TEXT_KEY]: text }, binaryData: {} };
  const compressed = gzipSync(Buffer.from(text, 'utf8'));
  if (compressed.length <= MAX_STORED_BYTES) return { encoding: 'gzip', bytes, storedBytes: compressed.length, data: {}, binaryData: { [GZIP_KEY]: compressed.toString('base64') } };
  return { encoding: 'omitted', bytes, storedBytes: 0, data: {}, binaryData: {} };
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');
const MAX_TEXT = 1024;

/** An annotation value we write: one printable line, bounded. */
export function annotationText(value: string): string {
  return value.replace(CONTROLS, ' ').slice(0, MAX_TEXT);
}

export function recordAnnotations(meta: RunRecordMeta, encoded: EncodedJournal, savedAt: string): Record<string, string> {
  const annotations: Record<string, string> = { [RecordAnnotation.saved]: savedAt, [RecordAnnotation.encoding]: encoded.encoding, [RecordAnnotation.size]: String(encoded.bytes) };
  for (const key of ['user', 'host', 'started', 'outcome', 'summary'] as const) {
    const value = meta[key];
    if (value !== undefined) annotations[RecordAnnotation[key]] = annotationText(value);
  }
  return annotations;
}

/** The ConfigMap holding a run's record. */
export function recordConfigMap(namespace: string, runId: string, encoded: EncodedJournal, annotations: Record<string, string>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: recordName(runId), namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [RUN_ID_LABEL]: runId }, annotations },
    data: encoded.data,
    binaryData: encoded.binaryData,
  };
}

/** A run record as a listing shows it: what the ConfigMap says about the run, validated, without its journal. */
export interface RunRecordEntry {
  namespace: string;
  name: string;
  runId: string;
  meta: RunRecordMeta;
  /** RFC 3339: when it was last saved. */
  saved?: string;
  encoding?: JournalEncoding;
  /** The journal's size in bytes. */
  bytes?: number;
  /** Annotations that did not validate (left out of meta). */
  problems: string[];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function oneLine(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= MAX_TEXT && !CONTROL.test(value) ? value : undefined;
}

/**
 * Reads a ConfigMap read back as a run record, or says why it is not one (anyone may have
 * written it, or edited it since): its run-id label must be a run id, and its name the one made
 * from it.
 */
export function readRecordEntry(value: unknown): { entry: RunRecordEntry } | { problem: string } {
  const metadata = record(record(value)?.metadata);
  const name = metadata?.name;
  const namespace = metadata?.namespace;
  if (typeof name !== 'string' || typeof namespace !== 'string') return { problem: 'not a namespaced object' };
  const runId = record(metadata?.labels)?.[RUN_ID_LABEL];
  if (!isRunId(runId)) return { problem: `ConfigMap ${namespace}/${name}: its ${RUN_ID_LABEL} label is not a run id` };
  if (name !== recordName(runId)) return { problem: `ConfigMap ${namespace}/${name}: labelled as run ${runId}'s record, but named otherwise` };
  const annotations = record(metadata?.annotations) ?? {};
  const problems: string[] = [];
  const meta: RunRecordMeta = {};
  for (const key of ['user', 'host', 'started', 'outcome', 'summary'] as const) {
    const raw = annotations[RecordAnnotation[key]];
    if (raw === undefined) continue;
    const text = oneLine(raw);
    if (text === undefined || (key === 'started' && parseKubeTime(text) === undefined)) problems.push(`${RecordAnnotation[key]} is not valid`);
    else meta[key] = text;
  }
  const entry: RunRecordEntry = { namespace, name, runId, meta, problems };
  const saved = oneLine(annotations[RecordAnnotation.saved]);
  if (saved !== undefined && parseKubeTime(saved) !== undefined) entry.saved = saved;
  const encoding = annotations[RecordAnnotation.encoding];
  if (encoding === 'text' || encoding === 'gzip' || encoding === 'omitted') entry.encoding = encoding;
  else problems.push(`${RecordAnnotation.encoding} is not text, gzip or omitted`);
  const size = Number(annotations[RecordAnnotation.size]);
  if (typeof annotations[RecordAnnotation.size] === 'string' && Number.isSafeInteger(size) && size >= 0) entry.bytes = size;
  return { entry };
}

/**
 * The journal text a run record holds, or why it cannot be read. The text is returned as is:
 * parsing and validating its entries is the journal's reader's job (io/journal.ts).
 */
export function decodeJournal(value: unknown, entry: RunRecordEntry, maxBytes = MAX_JOURNAL_BYTES): { text: string } | { problem: string } {
  const where = `the run record ${entry.namespace}/${entry.name}`;
  const data = record(record(value)?.data) ?? {};
  const binaryData = record(record(value)?.binaryData) ?? {};
  switch (entry.encoding) {
    case 'text': {
      const text = data[TEXT_KEY];
      return typeof text === 'string' ? { text } : { problem: `${where} has no ${TEXT_KEY}` };
    }
    case 'gzip': {
      const encoded = binaryData[GZIP_KEY];
      if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return { problem: `${where} has no base64 ${GZIP_KEY}` };
      try {
        return { text: gunzipSync(Buffer.from(encoded, 'base64'), { maxOutputLength: maxBytes }).toString('utf8') };
      } catch (error) {
        return { problem: `${where}: ${GZIP_KEY} does not decompress (${error instanceof Error ? error.message : String(error)})` };
      }
    }
    case 'omitted':
      return { problem: `${where} does not hold the journal: at ${entry.bytes ?? '?'} bytes it was too large for a ConfigMap even compressed; it is in the journal file on ${entry.meta.host ?? 'the host that ran it'}` };
    default:
      return { problem: `${where} does not say how its journal is stored` };
  }
}
