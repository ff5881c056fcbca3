import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  GZIP_KEY,
  MAX_JOURNAL_BYTES,
  MAX_STORED_BYTES,
  RUN_ID_LABEL,
  RecordAnnotation,
  TEXT_KEY,
  decodeJournal,
  encodeJournal,
  readRecordEntry,
  recordAnnotations,
  recordConfigMap,
  type RunRecordEntry,
} from '../../src/plan/runRecord';

// The pure half of the run record: how a journal is stored in a ConfigMap, and reading one back
// that anyone may have written or edited.

const line = (index: number): string => `${JSON.stringify({ type: 'write', runId: '0123456789', time: '2024-05-01T10:00:00.000Z', stage: 'ScaleUpDestination', cluster: 'destination', object: { kind: 'StatefulSet', namespace: 'zk', name: `zk-${index}` }, fields: [{ path: ['spec', 'replicas'], before: 0, after: 3 }] })}\n`;
const journal = (lines: number): string => Array.from({ length: lines }, (_, index) => line(index)).join('');

function stored(text: string, meta = { user: 'alice', host: 'laptop-a', started: '2024-05-01T10:00:00.000Z' }): unknown {
  const encoded = encodeJournal(text);
  return recordConfigMap('zk', '0123456789', encoded, recordAnnotations(meta, encoded, '2024-05-01T10:05:00.000Z'));
}

function entryOf(value: unknown): RunRecordEntry {
  const read = readRecordEntry(value);
  if ('problem' in read) throw new Error(read.problem);
  return read.entry;
}

test('a journal that fits is stored as text, readable with kubectl, and reads back the same', () => {
  const text = journal(10);
  const configMap = stored(text) as { metadata: { name: string; labels: Record<string, string> }; data: Record<string, string> };
  assert.is(configMap.metadata.name, 'kubectl-failover-run-0123456789');
  assert.equal(configMap.metadata.labels, { 'app.kubernetes.io/managed-by': 'kubectl-failover', [RUN_ID_LABEL]: '0123456789' });
  assert.is(configMap.data[TEXT_KEY], text);
  const entry = entryOf(configMap);
  assert.equal(entry, {
    namespace: 'zk',
    name: 'kubectl-failover-run-0123456789',
    runId: '0123456789',
    meta: { user: 'alice', host: 'laptop-a', started: '2024-05-01T10:00:00.000Z' },
    problems: [],
    saved: '2024-05-01T10:05:00.000Z',
    encoding: 'text',
    bytes: Buffer.byteLength(text),
  });
  assert.equal(decodeJournal(configMap, entry), { text });
});

test('over 1 MB: gzip in binaryData, far smaller, and reads back the same', () => {
  const text = journal(6000);
  assert.ok(Buffer.byteLength(text) > MAX_STORED_BYTES);
  const encoded = encodeJournal(text);
  assert.is(encoded.encoding, 'gzip');
  assert.ok(encoded.storedBytes < encoded.bytes / 10, `${encoded.storedBytes} of ${encoded.bytes}`);
  assert.equal(Object.keys(encoded.binaryData), [GZIP_KEY]);
  const configMap = stored(text);
  assert.equal(decodeJournal(configMap, entryOf(configMap)), { text });
});

test('too large even compressed: omitted, and loading says where the journal is', () => {
  const text = randomBytes(1_200_000).toString('base64');
  const encoded = encodeJournal(text);
  assert.equal({ ...encoded, data: undefined, binaryData: undefined }, { encoding: 'omitted', bytes: text.length, storedBytes: 0, data: undefined, binaryData: undefined });
  const configMap = stored(text);
  const decoded = decodeJournal(configMap, entryOf(configMap));
  assert.equal(decoded, { problem: `the run record zk/kubectl-failover-run-0123456789 does not hold the journal: at ${text.length} bytes it was too large for a ConfigMap even compressed; it is in the journal file on laptop-a` });
});

test('annotations we write are one printable line each', () => {
  const encoded = encodeJournal('');
  const annotations = recordAnnotations({ summary: 'a\nb\u001b[31m', outcome: 'Succeeded' }, encoded, '2024-05-01T10:05:00.000Z');
  assert.is(annotations[RecordAnnotation.summary], 'a b [31m');
  assert.is(annotations[RecordAnnotation.outcome], 'Succeeded');
  assert.is(annotations[RecordAnnotation.user], undefined);
});

test('read back: not a record (wrong label, wrong name), and garbled annotations left out and named', () => {
  const base = stored(journal(1)) as { metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> } };
  const withLabel = (value: string) => ({ ...base, metadata: { ...base.metadata, labels: { ...base.metadata.labels, [RUN_ID_LABEL]: value } } });
  assert.match(JSON.stringify(readRecordEntry(withLabel('zzz'))), 'label is not a run id');
  assert.match(JSON.stringify(readRecordEntry(withLabel('aaaaaaaaaa'))), "labelled as run aaaaaaaaaa's record, but named otherwise");
  assert.match(JSON.stringify(readRecordEntry({ metadata: { name: 'x' } })), 'not a namespaced object');
  const garbled = { ...base, metadata: { ...base.metadata, annotations: { ...base.metadata.annotations, [RecordAnnotation.user]: 'x\u0007', [RecordAnnotation.started]: 'yesterday', [RecordAnnotation.encoding]: 'zip', [RecordAnnotation.size]: '-1' } } };
  const entry = entryOf(garbled);
  assert.equal(entry.meta, { host: 'laptop-a' });
  assert.is(entry.encoding, undefined);
  assert.is(entry.bytes, undefined);
  assert.equal(entry.problems.length, 3);
  assert.match(JSON.stringify(decodeJournal(garbled, entry)), 'does not say how its journal is stored');
});

test('read back: a gzip member that is not base64, not gzip, or inflates past the bound is refused, not read', () => {
  const configMap = stored(journal(6000)) as { binaryData: Record<string, string> };
  const entry = entryOf(configMap);
  const withData = (value: string) => ({ ...configMap, binaryData: { [GZIP_KEY]: value } });
  assert.match(JSON.stringify(decodeJournal(withData('not base64!'), entry)), 'has no base64');
  assert.match(JSON.stringify(decodeJournal(withData(Buffer.from('plain text').toString('base64')), entry)), 'does not decompress');
  // The bound (MAX_JOURNAL_BYTES by default) holds whatever the compressed size.
  const bomb = gzipSync(Buffer.alloc(4 << 20, 0x61)).toString('base64');
  assert.ok(bomb.length < 10_000);
  assert.match(JSON.stringify(decodeJournal(withData(bomb), entry, 1 << 20)), 'does not decompress');
  assert.ok(MAX_JOURNAL_BYTES >= 32 << 20);
  assert.match(JSON.stringify(decodeJournal({ ...configMap, data: { other: 'x' } }, { ...entry, encoding: 'text' })), `has no ${TEXT_KEY}`);
});

test.run();
