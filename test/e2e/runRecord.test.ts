import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureNamespace } from '../../scripts/sandbox/seeds';
import { UsageError } from '../../src/core/errors';
import { listRunRecords, loadRunRecord, readRunRecord, RunRecordError, RunRecordNotFoundError, saveRunRecord } from '../../src/io/runRecord';
import { RecordAnnotation } from '../../src/plan/runRecord';
import { closeSandboxApis, sandboxApi } from '../support/sandboxApi';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// Run records against a real API server: a run's journal kept in a ConfigMap on the destination,
// listed by label (cluster-wide, or namespace by namespace where RBAC allows only that), loaded
// back byte for byte, and a journal too large for a ConfigMap.

const journal = (runId: string, lines: number): string =>
  Array.from({ length: lines }, (_, index) => `${JSON.stringify({ type: 'write', runId, time: new Date(1_700_000_000_000 + index).toISOString(), stage: 'ScaleUpDestination', object: { kind: 'StatefulSet', namespace: 'zk', name: `zk-${index}` }, fields: [{ path: ['spec', 'replicas'], before: 0, after: 3 }] })}\n`).join('');

async function namespace(prefix: string): Promise<string> {
  const box = await sandbox();
  const name = uniqueNamespace(prefix);
  await ensureNamespace(box.rest('destination'), name);
  return name;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

test('save, list, load: the journal comes back byte for byte; a second save replaces it and adds the outcome', async () => {
  const box = await sandbox();
  const ns = await namespace('record');
  const api = await sandboxApi(box, 'destination');
  const text = journal('0a0a0a0a0a', 5) + '{"type":"end","note":"ünïcödé ✓"}\n';
  const saved = await saveRunRecord(api, ns, '0a0a0a0a0a', text, { user: 'alice', host: 'laptop-a', started: '2024-05-01T10:00:00.000Z', summary: 'source → destination, namespace zk' });
  assert.equal(saved, { encoding: 'text', bytes: Buffer.byteLength(text), storedBytes: Buffer.byteLength(text) });
  assert.is(await loadRunRecord(api, ns, '0a0a0a0a0a'), text);

  const listed = await listRunRecords(api, { namespace: ns });
  assert.equal(listed.warnings, []);
  assert.equal(listed.records.map((record) => [record.runId, record.meta, record.encoding, record.bytes]), [['0a0a0a0a0a', { user: 'alice', host: 'laptop-a', started: '2024-05-01T10:00:00.000Z', summary: 'source → destination, namespace zk' }, 'text', Buffer.byteLength(text)]]);

  const longer = `${text}${journal('0a0a0a0a0a', 2)}`;
  await saveRunRecord(api, ns, '0a0a0a0a0a', longer, { user: 'alice', host: 'laptop-a', started: '2024-05-01T10:00:00.000Z', outcome: 'Succeeded' });
  const { entry, journalText } = await readRunRecord(api, ns, '0a0a0a0a0a');
  assert.is(journalText, longer);
  assert.is(entry.meta.outcome, 'Succeeded');
  assert.is(entry.meta.summary, 'source → destination, namespace zk', 'kept from the first save');

  // kubectl shows it: the label selects it, the text is readable as is.
  const raw = await box.rest('destination').get<{ items: Array<{ metadata: { name: string }; data: Record<string, string> }> }>(`/api/v1/namespaces/${ns}/configmaps?labelSelector=kubectl-failover.dev/run-id`);
  assert.equal(raw.items.map((item) => item.metadata.name), ['kubectl-failover-run-0a0a0a0a0a']);
  assert.is(raw.items[0]?.data['journal.jsonl'], longer);
});

test('cluster-wide listing finds every namespace’s records, newest first', async () => {
  const box = await sandbox();
  const [first, second] = [await namespace('wide-a'), await namespace('wide-b')];
  const api = await sandboxApi(box, 'destination');
  await saveRunRecord(api, first, '1b1b1b1b1b', journal('1b1b1b1b1b', 1), { user: 'alice', host: 'a', started: '2024-05-01T10:00:00.000Z' });
  await saveRunRecord(api, second, '2c2c2c2c2c', journal('2c2c2c2c2c', 1), { user: 'bob', host: 'b', started: '2024-05-02T10:00:00.000Z' });
  const { records, warnings } = await listRunRecords(api, { all: true });
  assert.equal(warnings, []);
  const mine = records.filter((record) => record.namespace === first || record.namespace === second);
  assert.equal(mine.map((record) => `${record.namespace}/${record.runId}`), [`${second}/2c2c2c2c2c`, `${first}/1b1b1b1b1b`]);
});

test('a user allowed into some namespaces only: the cluster-wide LIST is forbidden, each allowed namespace is listed, the others named', async () => {
  const box = await sandbox();
  const [allowed, other, hidden] = [await namespace('rbac-ok'), await namespace('rbac-ok2'), await namespace('rbac-no')];
  const admin = await sandboxApi(box, 'destination');
  for (const ns of [allowed, other, hidden]) await saveRunRecord(admin, ns, '3d3d3d3d3d', journal('3d3d3d3d3d', 1), { user: 'alice', host: 'a' });
  const rest = box.rest('destination');
  for (const ns of [allowed, other]) {
    await rest.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, { metadata: { name: 'records' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
    await rest.create(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      metadata: { name: 'records' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'records' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'ns-operator' }],
    });
  }
  const operator = await sandboxApi(box, 'destination', { user: 'ns-operator' });
  // Neither ConfigMaps nor Namespaces may be listed cluster-wide: say so, name what to do.
  assert.equal(await listRunRecords(operator, { all: true }), { records: [], warnings: ['cannot list ConfigMaps in all namespaces nor list the namespaces (forbidden): name the namespace'] });
  const some = await listRunRecords(operator, { all: true, namespaces: [allowed, other, hidden] });
  assert.equal(some.records.map((record) => record.namespace).sort(), [allowed, other].sort());
  assert.equal(some.warnings, [`cannot list ConfigMaps in namespace ${hidden} (forbidden): its run records are not shown`]);
  assert.is(await loadRunRecord(operator, allowed, '3d3d3d3d3d'), journal('3d3d3d3d3d', 1));
  const refused = await rejection(loadRunRecord(operator, hidden, '3d3d3d3d3d'));
  assert.instance(refused, UsageError);
  assert.match(refused.message, `cannot read run 3d3d3d3d3d's record in namespace ${hidden}`);
});

test('the read-only identity lists and loads; saving is forbidden and says so', async () => {
  const box = await sandbox();
  const ns = await namespace('readonly');
  const admin = await sandboxApi(box, 'destination');
  await saveRunRecord(admin, ns, '4e4e4e4e4e', journal('4e4e4e4e4e', 2), { user: 'alice', host: 'a' });
  const readonly = await sandboxApi(box, 'destination-readonly');
  assert.equal((await listRunRecords(readonly, { all: true })).records.filter((record) => record.namespace === ns).length, 1);
  assert.is(await loadRunRecord(readonly, ns, '4e4e4e4e4e'), journal('4e4e4e4e4e', 2));
  const refused = await rejection(saveRunRecord(readonly, ns, '4e4e4e4e4e', 'x', {}));
  assert.match(refused.message, /forbidden/i);
});

test('a journal over 1 MB is stored compressed, with a warning, and loads back whole', async () => {
  const box = await sandbox();
  const ns = await namespace('big');
  const api = await sandboxApi(box, 'destination');
  const text = journal('5f5f5f5f5f', 8000);
  assert.ok(Buffer.byteLength(text) > 1_048_576, 'more than a ConfigMap holds');
  const saved = await saveRunRecord(api, ns, '5f5f5f5f5f', text, { user: 'alice', host: 'a' });
  assert.is(saved.encoding, 'gzip');
  assert.match(saved.warning ?? '', `run 5f5f5f5f5f's journal (${Buffer.byteLength(text)} bytes) is stored compressed in ConfigMap ${ns}/kubectl-failover-run-5f5f5f5f5f`);
  assert.is(await loadRunRecord(api, ns, '5f5f5f5f5f'), text);
  // Smaller again (switching back to text): the compressed copy does not linger.
  await saveRunRecord(api, ns, '5f5f5f5f5f', 'short\n', {});
  const raw = await box.rest('destination').get<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/kubectl-failover-run-5f5f5f5f5f`);
  assert.equal(raw.data, { 'journal.jsonl': 'short\n' });
  assert.is(raw.binaryData, undefined);
});

test('a journal too large even compressed: the record names the run, says the journal is elsewhere, and loading says where', async () => {
  const box = await sandbox();
  const ns = await namespace('huge');
  const api = await sandboxApi(box, 'destination');
  const text = randomBytes(1_200_000).toString('base64');
  const saved = await saveRunRecord(api, ns, '6a6a6a6a6a', text, { user: 'alice', host: 'laptop-a' });
  assert.is(saved.encoding, 'omitted');
  assert.match(saved.warning ?? '', 'too large for a ConfigMap even compressed');
  const { records } = await listRunRecords(api, { namespace: ns });
  assert.equal(records.map((record) => [record.runId, record.encoding, record.bytes]), [['6a6a6a6a6a', 'omitted', text.length]]);
  const error = await rejection(loadRunRecord(api, ns, '6a6a6a6a6a'));
  assert.instance(error, RunRecordError);
  assert.match(error.message, 'it is in the journal file on laptop-a');
});

test('not there, a bad run id, and a ConfigMap of that name that is not a record: refused, never overwritten', async () => {
  const box = await sandbox();
  const ns = await namespace('foreign');
  const api = await sandboxApi(box, 'destination');
  const missing = await rejection(loadRunRecord(api, ns, '7b7b7b7b7b'));
  assert.instance(missing, RunRecordNotFoundError);
  assert.is(missing.message, `no record of run 7b7b7b7b7b in namespace ${ns} (ConfigMap kubectl-failover-run-7b7b7b7b7b)`);
  assert.instance(await rejection(saveRunRecord(api, ns, '../etc', 'x', {})), UsageError);
  assert.instance(await rejection(loadRunRecord(api, ns, 'ABC')), UsageError);

  await box.rest('destination').create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'kubectl-failover-run-8c8c8c8c8c' }, data: { mine: 'keep' } });
  const clobber = await rejection(saveRunRecord(api, ns, '8c8c8c8c8c', 'x', {}));
  assert.instance(clobber, RunRecordError);
  assert.match(clobber.message, 'exists but is not run 8c8c8c8c8c');
  const kept = await box.rest('destination').get<{ data: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/kubectl-failover-run-8c8c8c8c8c`);
  assert.equal(kept.data, { mine: 'keep' });
  assert.instance(await rejection(loadRunRecord(api, ns, '8c8c8c8c8c')), RunRecordError);

  // Labelled as a record by hand, with garbage: listed with a warning, not as a record.
  await box.rest('destination').create(`/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'lookalike', labels: { 'app.kubernetes.io/managed-by': 'kubectl-failover', 'kubectl-failover.dev/run-id': '9d9d9d9d9d' }, annotations: { [RecordAnnotation.user]: 'eve' } } });
  const listed = await listRunRecords(api, { namespace: ns });
  assert.equal(listed.records, []);
  assert.equal(listed.warnings, [`not a run record: ConfigMap ${ns}/lookalike: labelled as run 9d9d9d9d9d's record, but named otherwise`]);
});

test.after(() => {
  closeSandboxApis();
  closeClients();
});
test.run();
