import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JournalError, UsageError } from '../../src/core/errors';
import { summarizeJournal, type JournalEntry, type RunRequest, type RunSummary } from '../../src/failover/journalModel';
import { parseJournalEntry } from '../../src/failover/journalSchema';
import { resumeDecision, type ResumeScopeFlags } from '../../src/failover/resumeGate';
import { checkRunId, isRunId, newRunId } from '../../src/failover/runId';
import { holdAfterDestination, planRunUndo, runningEvidence, writtenObjects, type UndoRead, type WrittenObject } from '../../src/failover/undo';
import { Journal, journalPath, loadJournal, parseJournalText } from '../../src/io/journal';
import { getPath } from '../../src/kube/jsonPath';
import type { KubeObject } from '../../src/kube/objects';
import { applyChanges } from '../../src/plan/jsonPatch';
import { MIGRATION_SCHEDULE_KEY } from '../../src/stork/kinds';

// What the journal's readers trust: the schema of every line, the run id, the resume gates, and
// undo's all-or-nothing plan with its --force rule. All pure: no file, no cluster.

const ID = '0123456789';
const T = '2024-05-01T10:00:00.000Z';
const REQUEST: RunRequest = { sourceContext: 'source', destinationContext: 'destination', namespace: 'zk', allNamespaces: false, skipSourceOperations: false, allowSplitBrain: false, skipLastMile: false, failback: false };
const ZK = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'zk', name: 'zk' };
const SCHEDULE = { apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', namespace: 'zk', name: 'migrationschedule' };
const REPLICAS_KEY = 'stork.libopenstorage.org/migrationReplicas';

/** One of each entry type, as the recorder writes them. */
const GOOD: JournalEntry[] = [
  { type: 'start', runId: ID, time: T, request: REQUEST },
  { type: 'stage', runId: ID, time: T, stage: 'ScaleDownSource', status: 'Started' },
  { type: 'source', runId: ID, time: T, clusterPair: { namespace: 'zk', name: 'remotecluster' } },
  { type: 'write', runId: ID, time: T, stage: 'ScaleDownSource', cluster: 'source', context: 'source', resourceKey: 'StatefulSet.apps', object: ZK, fields: [{ path: ['spec', 'replicas'], before: 3, after: 0 }, { path: ['metadata', 'annotations', REPLICAS_KEY], before: null, after: '3' }], resourceVersion: '42' },
  { type: 'create', runId: ID, time: T, stage: 'LastMileMigration', cluster: 'source', context: 'source', resourceKey: 'Migration.stork.libopenstorage.org', object: { ...SCHEDULE, kind: 'Migration', name: 'm-lastmile' } },
  { type: 'end', runId: ID, time: T, outcome: 'Failed' },
  { type: 'undo', runId: ID, time: T, status: 'Started', forced: true, objects: [{ cluster: 'source', context: 'source', resourceKey: 'StatefulSet.apps', object: ZK, action: 'hold', lines: [4] }] },
  { type: 'undo', runId: ID, time: T, status: 'Successful', forced: true },
];
const text = (entries: readonly unknown[]): string => entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');

test('run ids: one format (10 lowercase hex digits); anything else is a usage error before a path is built', () => {
  assert.ok(isRunId(newRunId()));
  for (const bad of ['', '../x', '../../tmp/x/0123456789', '0123456789.jsonl', 'ABCDEF0123', '012345678', '01234567890', '012345678g', ' 0123456789']) {
    assert.not.ok(isRunId(bad), bad);
    assert.throws(() => checkRunId(bad, 'undo'), (error: unknown) => error instanceof UsageError && /^undo ".*" is not a run id \(10 lowercase hex digits/.test(error.message), bad);
    assert.throws(() => journalPath({ HOME: '/home/x' }, bad), (error: unknown) => error instanceof UsageError, bad);
  }
  assert.is(journalPath({ XDG_STATE_HOME: '/state' }, ID, undefined), `/state/kubectl-failover/${ID}.jsonl`);
});

test('a good journal: every entry type parses to exactly what was written, with its line numbers', () => {
  const parsed = parseJournalText(text(GOOD), 'F');
  assert.equal(parsed.entries, GOOD);
  assert.equal(parsed.lines, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.is(parsed.tornLastLine, undefined);
  assert.equal(parsed.warnings, []);
  assert.equal(parseJournalText('', 'F').entries, []);
  // A whole last entry whose newline never made it is an entry, not a torn line.
  assert.equal(parseJournalText(text(GOOD).slice(0, -1), 'F').entries, GOOD);
});

const line = (entry: Record<string, unknown>): string => JSON.stringify(entry);
const write = GOOD[3] as Extract<JournalEntry, { type: 'write' }>;
/** Each bad line, put in the middle of a good journal (line 2), and the problem the error must name. */
const BAD_LINES: Array<[string, string, RegExp]> = [
  ['not JSON', '{"type":"write","runId"', /^journal F line 2: not JSON \(/],
  ['an empty line', '', /^journal F line 2: empty line/],
  ['a list', '[1,2]', /^journal F line 2: an entry is an object, found a list$/],
  ['null', 'null', /^journal F line 2: an entry is an object, found null$/],
  ['an unknown type', line({ type: 'rewind', runId: ID, time: T }), /^journal F line 2: unknown entry type "rewind" \(this version knows start, stage, write/],
  ['no type', line({ runId: ID, time: T }), /^journal F line 2: unknown entry type undefined/],
  ['a missing field', line({ ...write, fields: undefined }), /^journal F line 2: write entry: fields: missing$/],
  ['a path that is not a list of strings', line({ ...write, fields: [{ path: ['spec', 3], before: 3, after: 0 }] }), /^journal F line 2: write entry: fields\[0\]\.path\[1\]: want a non-empty string, found 3$/],
  ['an empty path', line({ ...write, fields: [{ path: [], before: 3, after: 0 }] }), /^journal F line 2: write entry: fields\[0\]\.path: empty$/],
  ['a path through __proto__', line({ ...write, fields: [{ path: ['__proto__', 'polluted'], before: null, after: true }] }), /write entry: fields\[0\]\.path\[0\]: not a field name$/],
  ['a field without after', line({ ...write, fields: [{ path: ['spec', 'replicas'], before: 3 }] }), /fields\[0\]\.after: missing$/],
  ['an unknown stage', line({ ...write, stage: 'ScaleSideways' }), /^journal F line 2: write entry: stage: want one of Validations, /],
  ['an unknown cluster', line({ ...write, cluster: 'both' }), /write entry: cluster: want one of source, destination, found "both"$/],
  ['a time that is not one', line({ ...write, time: 'yesterday' }), /write entry: time: want an ISO time, found "yesterday"$/],
  ['a number as a string', line({ ...write, resourceVersion: 42 }), /write entry: resourceVersion: want a string, found 42$/],
  ['an object without a name', line({ ...write, object: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'zk' } }), /write entry: object\.name: missing$/],
  ['an unknown field', line({ ...write, replay: true }), /^journal F line 2: write entry: replay: unknown field$/],
  ['a request with a string for a boolean', line({ type: 'start', runId: ID, time: T, request: { ...REQUEST, allNamespaces: 'false' } }), /start entry: request\.allNamespaces: want true or false, found "false"$/],
  ['an unknown stage status', line({ type: 'stage', runId: ID, time: T, stage: 'Validations', status: 'Done' }), /stage entry: status: want one of Started, /],
  ['an unknown outcome', line({ type: 'end', runId: ID, time: T, outcome: 'Fine' }), /end entry: outcome: want one of Successful, /],
  ['an undo without forced', line({ type: 'undo', runId: ID, time: T, status: 'Successful' }), /undo entry: forced: missing$/],
  ['an undo with an unknown action', line({ type: 'undo', runId: ID, time: T, status: 'Started', forced: false, objects: [{ cluster: 'source', context: 's', resourceKey: 'k', object: ZK, action: 'burn', lines: [1] }] }), /undo entry: objects\[0\]\.action: want one of restore, unchanged, leave, hold, found "burn"$/],
  ['an undo with a line that is not one', line({ type: 'undo', runId: ID, time: T, status: 'Started', forced: false, objects: [{ cluster: 'source', context: 's', resourceKey: 'k', object: ZK, action: 'hold', lines: [0] }] }), /objects\[0\]\.lines\[0\]: want a line number, found 0$/],
  ['a runId of another run', line({ ...write, runId: 'fedcba9876' }), /^journal F line 2: runId fedcba9876 is not this journal's run 0123456789$/],
  ['a runId that is not one', line({ ...write, runId: '../x' }), /write entry: runId: want a run id \(10 lowercase hex digits\), found "\.\.\/x"$/],
];

test('a bad line anywhere but last: a JournalError naming the origin and the line, whatever is wrong with it', () => {
  for (const [what, bad, message] of BAD_LINES) {
    const lines = text(GOOD).split('\n');
    lines.splice(1, 0, bad);
    assert.throws(() => parseJournalText(lines.join('\n'), 'F'), (error: unknown) => error instanceof JournalError && error.line === 2 && message.test(error.message), what);
  }
});

test('a bad last line that ends with a newline is not torn: refused like any other', () => {
  for (const [what, bad, message] of BAD_LINES) {
    if (bad === '') continue;
    assert.throws(() => parseJournalText(`${text(GOOD)}${bad}\n`, 'F'), (error: unknown) => error instanceof JournalError && error.line === 9 && message.test(error.message.replace('line 9', 'line 2')), what);
  }
});

test('a torn last line (no newline, not JSON) is left out and named; a whole but invalid one is not torn', () => {
  const torn = parseJournalText(`${text(GOOD)}{"type":"write","runId":"01234`, 'F');
  assert.equal(torn.entries, GOOD);
  assert.is(torn.tornLastLine, 9);
  assert.equal(torn.warnings, ['journal F line 9 is torn (cut short while it was written, so the write it describes was never sent): ignored']);
  assert.throws(() => parseJournalText(`${text(GOOD)}{"type":"rewind"}`, 'F'), /journal F line 9: unknown entry type "rewind"/);
  assert.throws(() => parseJournalText(`${text(GOOD.slice(0, 2))}garbage\n${text(GOOD.slice(2))}{"torn`, 'F'), /journal F line 3: not JSON/, 'a torn last line excuses no other');
});

test('appending to a journal: a torn tail is cut off (multi-byte text before it included), a whole last entry gets its newline', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'kf-journal-'));
  const undone: JournalEntry = { type: 'undo', runId: ID, time: T, status: 'Successful', forced: false };
  const unicode: JournalEntry = { type: 'start', runId: ID, time: T, request: { ...REQUEST, selector: 'app=zoé✓' } };
  for (const [what, tail] of [['torn', '{"type":"wri'], ['whole, no newline', JSON.stringify(GOOD[1])]] as const) {
    const file = path.join(folder, `${what.replace(/\W/g, '')}.jsonl`);
    writeFileSync(file, `${text([unicode])}${tail}`);
    const journal = Journal.open(file);
    journal.append(undone);
    journal.close();
    const expected = what === 'torn' ? [unicode, undone] : [unicode, GOOD[1], undone];
    assert.equal(loadJournal(file, ID).entries, expected, what);
    assert.is(readFileSync(file, 'utf8'), text(expected), what);
  }
});

test('the run id: every entry holds the one the caller expects (the file name), else the first entry\'s', () => {
  assert.throws(() => parseJournalText(text(GOOD), 'configmap zk/journal on context destination', { runId: 'fedcba9876' }), (error: unknown) => error instanceof JournalError && error.message === "journal configmap zk/journal on context destination line 1: runId 0123456789 is not this journal's run fedcba9876");
  assert.equal(parseJournalText(text(GOOD), 'F', { runId: ID }).entries.length, GOOD.length);
});

test('parseJournalEntry builds a fresh value: nothing of the input is passed through unchecked', () => {
  const parsed = parseJournalEntry(JSON.parse(line(write)));
  assert.ok(parsed.ok);
  if (parsed.ok) assert.equal(parsed.value, write);
  assert.not.ok(parseJournalEntry({ ...write, extra: 1 }).ok);
  // JSON.parse makes "__proto__" an own key: refused at the entry's level, kept as a key inside a value.
  assert.not.ok(parseJournalEntry(JSON.parse(`{"__proto__":{"polluted":true},${line(write).slice(1)}`)).ok);
  const odd = parseJournalEntry(JSON.parse(line({ ...write, fields: [{ path: ['spec', 'x'], before: null, after: JSON.parse('{"__proto__":{"a":1}}') }] })));
  assert.ok(odd.ok && odd.value.type === 'write' && JSON.stringify(odd.value.fields[0]?.after) === '{"__proto__":{"a":1}}');
  // Inherited properties are not fields: a prototype cannot supply a missing one.
  const { fields, ...withoutFields } = write;
  const inherited = parseJournalEntry(Object.assign(Object.create({ fields }), withoutFields));
  assert.equal(inherited.ok ? '' : inherited.problem, 'write entry: fields: missing');
});

const summary = (entries: JournalEntry[]): RunSummary => summarizeJournal(ID, entries);
const started: JournalEntry = { type: 'start', runId: ID, time: T, request: REQUEST };
const ended = (outcome: Extract<JournalEntry, { type: 'end' }>['outcome']): JournalEntry => ({ type: 'end', runId: ID, time: T, outcome });
const none: ResumeScopeFlags = { sourceFromClusterPair: false, allNamespaces: false, include: [], exclude: [] };

test('resume gates: unfinished, interrupted, Failed and RollbackFailed runs resume; finished, undone and unstarted ones do not', () => {
  const cases: Array<[string, JournalEntry[], string | undefined]> = [
    ['never ended', [started], undefined],
    ['interrupted', [started, ended('Interrupted')], undefined],
    ['failed', [started, ended('Failed')], undefined],
    ['rollback failed', [started, ended('RollbackFailed')], undefined],
    ['resumed after a failure, then interrupted', [started, ended('Failed'), ended('Interrupted')], undefined],
    ['successful', [started, ended('Successful')], `run ${ID} already ended: Successful; nothing to resume`],
    ['rolled back', [started, ended('RollbackSuccessful')], `run ${ID} already ended: RollbackSuccessful; nothing to resume`],
    ['failed, then undone', [started, ended('Failed'), { type: 'undo', runId: ID, time: '2024-05-02T08:00:00.000Z', status: 'Started', forced: false }, { type: 'undo', runId: ID, time: '2024-05-02T08:00:05.000Z', status: 'Successful', forced: false }], `run ${ID} was undone at 2024-05-02T08:00:00.000Z (kubectl failover undo): it cannot be resumed; start a new run to fail over again`],
    ['an undo that never ended', [started, { type: 'undo', runId: ID, time: T, status: 'Started', forced: true }], `run ${ID} has an undo that started at ${T} and never said how it ended (kubectl failover undo): it cannot be resumed; finish it with "kubectl failover undo ${ID}", then start a new run`],
    ['an undo that failed', [started, { type: 'undo', runId: ID, time: T, status: 'Started', forced: false }, { type: 'undo', runId: ID, time: T, status: 'Failed', forced: false }], `run ${ID} was partly undone at ${T} (the undo failed) (kubectl failover undo): it cannot be resumed; finish it with "kubectl failover undo ${ID}", then start a new run`],
    ['no start entry', [ended('Interrupted')], `the journal F does not say what run ${ID} was asked (no start entry)`],
  ];
  for (const [what, entries, refusal] of cases) {
    const decision = resumeDecision(summary(entries), 'F', none);
    assert.equal(decision.resumable ? undefined : decision.reason, refusal, what);
    if (decision.resumable) assert.equal(decision.request, REQUEST, what);
  }
});

test('resume gates: a scope flag may repeat the journal\'s request, never change it', () => {
  const scheduled: RunRequest = { ...REQUEST, namespace: 'kube-system', schedule: { name: 'dr', namespace: 'kube-system', include: ['a', 'b'], exclude: [] } };
  const cases: Array<[string, RunRequest, Partial<ResumeScopeFlags>, string | undefined]> = [
    ['the same -n', REQUEST, { namespace: 'zk' }, undefined],
    ['the same --from and --to', REQUEST, { sourceContext: 'source', destinationContext: 'destination' }, undefined],
    ['another -n', REQUEST, { namespace: 'other' }, "-n other differs from the run's -n zk"],
    ['-n where the run had none', { ...REQUEST, namespace: undefined }, { namespace: 'zk' }, "-n zk differs from the run's (no -n)"],
    ['-A', REQUEST, { allNamespaces: true }, "-A differs from the run's -n zk"],
    ['-l', REQUEST, { selector: 'app=zk' }, "-l app=zk differs from the run's (no -l)"],
    ['-m', REQUEST, { schedule: 'dr' }, "-m dr differs from the run's (no -m)"],
    ['another -m', scheduled, { schedule: 'other' }, "-m other differs from the run's -m dr"],
    ['the same include list, reordered', scheduled, { schedule: 'dr', include: ['b', 'a'] }, undefined],
    ['another include list', scheduled, { include: ['a'] }, "--include-namespaces a differs from the run's --include-namespaces a,b"],
    ['an exclude list', scheduled, { exclude: ['a'] }, "--exclude-namespaces a differs from the run's (no --exclude-namespaces)"],
    ['another --from', REQUEST, { sourceContext: 'elsewhere' }, "--from elsewhere differs from the run's --from source"],
    ['another --to', REQUEST, { destinationContext: 'source' }, "--to source differs from the run's --to destination"],
    ['--source-from-clusterpair', REQUEST, { sourceFromClusterPair: true }, "--source-from-clusterpair differs from the run's --from source"],
    ['--from for a run through a ClusterPair', { ...REQUEST, sourceContext: '', sourceFromClusterPair: true }, { sourceContext: 'source' }, "--from source differs from the run's --source-from-clusterpair"],
  ];
  for (const [what, request, given, difference] of cases) {
    const decision = resumeDecision(summary([{ type: 'start', runId: ID, time: T, request }]), 'F', { ...none, ...given });
    const expected = difference === undefined ? undefined : `--resume takes run ${ID}'s scope from its journal, and ${difference}: drop the flag (or repeat the run's value)`;
    assert.equal(decision.resumable ? undefined : decision.reason, expected, what);
  }
  const two = resumeDecision(summary([started]), 'F', { ...none, namespace: 'a', selector: 'x=y' });
  assert.ok(!two.resumable && two.reason.includes("-n a differs from the run's -n zk, -l x=y differs from the run's (no -l): drop those flags"));
});

// undo's planner: the run wrote zk and the schedules on both clusters.
const sts = (replicas: number, annotations: Record<string, string> = {}): KubeObject => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'zk', namespace: 'zk', resourceVersion: '1', annotations }, spec: { replicas } });
const schedule = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ apiVersion: SCHEDULE.apiVersion, kind: 'MigrationSchedule', metadata: { name: SCHEDULE.name, namespace: 'zk', resourceVersion: '1' }, spec: { template: { spec: { namespaces: ['zk'] } }, ...spec } as KubeObject['spec'], status: status as KubeObject['status'] });
const RUN: JournalEntry[] = [
  started,
  { type: 'write', runId: ID, time: T, stage: 'ScaleDownSource', cluster: 'source', context: 'source', resourceKey: 'StatefulSet.apps', object: ZK, fields: [{ path: ['spec', 'replicas'], before: 3, after: 0 }, { path: ['metadata', 'annotations', REPLICAS_KEY], before: null, after: '3' }] },
  { type: 'write', runId: ID, time: T, stage: 'ScaleDownSource', cluster: 'source', context: 'source', resourceKey: MIGRATION_SCHEDULE_KEY, object: SCHEDULE, fields: [{ path: ['spec', 'suspend'], before: false, after: true }] },
  { type: 'write', runId: ID, time: T, stage: 'ScaleUpDestination', cluster: 'destination', context: 'destination', resourceKey: 'StatefulSet.apps', object: ZK, fields: [{ path: ['spec', 'replicas'], before: 0, after: 3 }] },
  { type: 'write', runId: ID, time: T, stage: 'ScaleUpDestination', cluster: 'destination', context: 'destination', resourceKey: MIGRATION_SCHEDULE_KEY, object: SCHEDULE, fields: [{ path: ['status', 'applicationActivated'], before: null, after: true }] },
];
const [sourceZk, sourceSchedule, destinationZk, destinationSchedule] = writtenObjects(RUN, [1, 2, 3, 4, 5]) as [WrittenObject, WrittenObject, WrittenObject, WrittenObject];
/** The clusters as the run left them, with changes. */
function reads(changes: { destinationZk?: KubeObject | 'deleted' | 'forbidden'; sourceZk?: KubeObject; sourceSchedule?: KubeObject } = {}): UndoRead[] {
  const destination = changes.destinationZk ?? sts(3);
  return [
    { written: sourceZk, live: changes.sourceZk ?? sts(0, { [REPLICAS_KEY]: '3' }) },
    { written: sourceSchedule, live: changes.sourceSchedule ?? schedule({ suspend: true }) },
    destination === 'deleted' ? { written: destinationZk, absent: 'deleted since the run' } : destination === 'forbidden' ? { written: destinationZk, unreadable: 'statefulsets "zk" is forbidden' } : { written: destinationZk, live: destination },
    { written: destinationSchedule, live: schedule({ suspend: true }, { applicationActivated: true }) },
  ];
}
const actions = (plan: ReturnType<typeof planRunUndo>): string[] => plan.steps.map((step) => `${step.written.cluster} ${step.written.object.kind} ${step.action}`);

test('undo plan: everything as the run left it is put back, the destination first, each step naming its journal lines', () => {
  const plan = planRunUndo(reads(), { force: false });
  assert.is(plan.refusal, undefined);
  assert.equal(actions(plan), ['destination StatefulSet restore', 'destination MigrationSchedule restore', 'source StatefulSet restore', 'source MigrationSchedule restore']);
  assert.equal(plan.steps.map((step) => step.plan.reason), ['on destination (context destination), journal line 4', 'on destination (context destination), journal line 5', 'on source (context source), journal line 2', 'on source (context source), journal line 3']);
  assert.equal(plan.steps[2]?.plan.changes.map((change) => [change.path.join('.'), change.to]), [['spec.replicas', 3], [`metadata.annotations.${REPLICAS_KEY}`, undefined]]);
  assert.equal(plan.warnings, []);
});

test('undo plan: all or nothing: one object changed since the run (or deleted, or unreadable) and nothing is written', () => {
  const cases: Array<[string, Parameters<typeof reads>[0], boolean, RegExp]> = [
    ['destination zk scaled to 5', { destinationZk: sts(5) }, false, /^nothing was written: 1 object\(s\) changed since the run \(undo is all or nothing\): statefulset zk\/zk on destination: changed since the run: spec\.replicas is 5, the run left 3; put them back as the run left them, or pass --force/],
    ['the count annotation edited on the source', { sourceZk: sts(0, { [REPLICAS_KEY]: '7' }) }, false, /statefulset zk\/zk on source: changed since the run: metadata\.annotations\.stork\.libopenstorage\.org\/migrationReplicas is "7", the run left "3"/],
    ['the source schedule resumed by hand', { sourceSchedule: schedule({ suspend: 'maybe' }) }, false, /migrationschedule zk\/migrationschedule on source: changed since the run: spec\.suspend is "maybe", the run left true/],
    ['two at once: both named', { destinationZk: sts(5), sourceZk: sts(1, { [REPLICAS_KEY]: '3' }) }, false, /2 object\(s\) changed since the run.*on destination.*on source/],
    ['destination zk deleted', { destinationZk: 'deleted' }, false, /statefulset zk\/zk on destination: deleted since the run/],
    ['destination zk unreadable, even with --force', { destinationZk: 'forbidden' }, true, /^nothing was written: 1 object\(s\) cannot be planned .*cannot be read: statefulsets "zk" is forbidden; make them readable and run undo again$/],
  ];
  for (const [what, changes, force, refusal] of cases) {
    const plan = planRunUndo(reads(changes), { force });
    assert.match(plan.refusal ?? '', refusal, what);
    for (const step of plan.steps.filter((entry) => entry.action === 'restore')) assert.match(step.plan.reason ?? '', /^not sent: undo is all or nothing/, what);
  }
});

test('undo --force: a destination app left running keeps its source counterpart down and its schedules suspended (source) and activated (destination)', () => {
  const plan = planRunUndo(reads({ destinationZk: sts(5) }), { force: true });
  assert.is(plan.refusal, undefined);
  assert.equal(actions(plan), ['destination StatefulSet leave', 'destination MigrationSchedule hold', 'source StatefulSet hold', 'source MigrationSchedule hold']);
  assert.equal(plan.steps.map((step) => step.plan.action), ['skipped', 'skipped', 'skipped', 'skipped'], 'nothing written');
  const why = 'statefulset zk/zk on destination runs (spec.replicas is 5; changed since the run, left by --force)';
  assert.equal(plan.warnings, [
    'statefulset zk/zk on destination: changed since the run: spec.replicas is 5, the run left 3; left as it is (--force)',
    `migrationschedule zk/migrationschedule on destination stays activated, since ${why}; putting it back would run the app on both clusters`,
    `statefulset zk/zk on source stays as the run left it (down), since ${why}; putting it back would run the app on both clusters`,
    `migrationschedule zk/migrationschedule on source stays suspended, since ${why}; putting it back would run the app on both clusters`,
  ]);
});

test('undo --force: a changed destination object that runs nothing holds nothing; a deleted one neither', () => {
  // The run also wrote an annotation on the destination's zk: someone scaled zk back to 0 and edited it.
  const withAnnotation = writtenObjects([{ ...(RUN[3] as Extract<JournalEntry, { type: 'write' }>), fields: [{ path: ['spec', 'replicas'], before: 0, after: 3 }, { path: ['metadata', 'annotations', 'x'], before: null, after: 'z' }] }])[0] as WrittenObject;
  const edited = reads().map((read): UndoRead => (read.written === destinationZk ? { written: withAnnotation, live: sts(0, { x: 'y' }) } : read));
  for (const [what, changed] of [['scaled to 0 by hand, annotation edited', edited], ['deleted', reads({ destinationZk: 'deleted' })]] as const) {
    const plan = planRunUndo(changed, { force: true });
    assert.equal(actions(plan), ['destination StatefulSet leave', 'destination MigrationSchedule restore', 'source StatefulSet restore', 'source MigrationSchedule restore'], what);
  }
});

test('undo --force: a schedule that selects namespaces by label is held too (undo cannot tell it does not cover the namespace)', () => {
  const bySelector = schedule({ suspend: true, template: { spec: { namespaceSelectors: { team: 'zk' } } } });
  const plan = planRunUndo(reads({ destinationZk: sts(5), sourceSchedule: bySelector }), { force: true });
  assert.is(plan.steps.find((step) => step.written === sourceSchedule)?.action, 'hold');
});

test('undo --force: the source already running an app the destination runs is said, not hidden', () => {
  const plan = planRunUndo(reads({ destinationZk: sts(5), sourceZk: sts(2, { [REPLICAS_KEY]: '3' }) }), { force: true });
  assert.ok(plan.warnings.some((warning) => warning.startsWith('statefulset zk/zk on source runs too (spec.replicas is 2), not put so by this undo')), plan.warnings.join('\n'));
});

test('undo: a destination app whose undo write failed holds its source counterpart and schedule; the destination\'s steps stay as they were', () => {
  const plan = planRunUndo(reads(), { force: false });
  const [zk, destinationCopy] = plan.steps;
  const after = holdAfterDestination(plan, [
    { step: zk ?? plan.steps[0]!, outcome: 'failed', message: 'changed concurrently twice' },
    { step: destinationCopy ?? plan.steps[1]!, outcome: 'changed' },
  ]);
  assert.equal(actions(after), ['destination StatefulSet restore', 'destination MigrationSchedule restore', 'source StatefulSet hold', 'source MigrationSchedule hold']);
  assert.match(after.steps[2]?.plan.reason ?? '', 'statefulset zk/zk on destination may still run (its undo was failed: changed concurrently twice)');
  assert.equal(actions(holdAfterDestination(plan, [{ step: zk ?? plan.steps[0]!, outcome: 'changed' }])), actions(plan), 'all went down: nothing held');
});

test('a path read back never reaches a prototype: "constructor" reads as absent, "__proto__" is written as a key', () => {
  const crafted = writtenObjects([{ ...write, fields: [{ path: ['metadata', 'annotations', 'constructor'], before: null, after: 'x' }, { path: ['__proto__', 'polluted'], before: true, after: null }] }])[0] as WrittenObject;
  const plan = planRunUndo([{ written: crafted, live: sts(0, { constructor: 'x' }) }], { force: false });
  assert.is(plan.steps[0]?.action, 'restore');
  const after = applyChanges(plan.steps[0]?.plan.live ?? sts(0), plan.steps[0]?.plan.changes ?? []);
  assert.is(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
  assert.is(Object.getPrototypeOf(after), Object.prototype);
  assert.equal(Object.keys(after).includes('__proto__'), true);
  assert.is(getPath({ metadata: { annotations: {} } }, ['metadata', 'annotations', 'constructor']), undefined);
});

test('whether a destination object runs its app: replicas, a CronJob\'s suspend, a VM, else any field the run wrote not back at its before; schedules never', () => {
  const object = (resourceKey: string, path: string[], before: unknown, after: unknown): WrittenObject => ({ context: 'd', cluster: 'destination', resourceKey, object: ZK, fields: [{ path, before: before as null, after: after as null }], lines: [] });
  const live = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: spec as KubeObject['spec'] });
  const cases: Array<[string, WrittenObject, KubeObject, string | undefined]> = [
    ['replicas 5', object('StatefulSet.apps', ['spec', 'replicas'], 0, 3), live({ replicas: 5 }), 'spec.replicas is 5'],
    ['replicas 0', object('StatefulSet.apps', ['spec', 'replicas'], 0, 3), live({ replicas: 0 }), undefined],
    ['a CronJob resumed', object('CronJob.batch', ['spec', 'suspend'], true, false), live({ suspend: false }), 'spec.suspend is false'],
    ['a CronJob suspended', object('CronJob.batch', ['spec', 'suspend'], true, false), live({ suspend: true }), undefined],
    ['a VM running', object('VirtualMachine.kubevirt.io', ['spec', 'running'], false, true), live({ running: true }), 'spec.running is true'],
    ['a VM halted', object('VirtualMachine.kubevirt.io', ['spec', 'runStrategy'], 'Halted', 'Always'), live({ runStrategy: 'Halted' }), undefined],
    ['a custom resource moved off its before', object('Thing.example.com', ['spec', 'size'], 'off', 'on'), live({ size: 'big' }), 'spec.size is "big", not "off" as before the run'],
    ['a custom resource at its before', object('Thing.example.com', ['spec', 'size'], 'off', 'on'), live({ size: 'off' }), undefined],
    ['a schedule', object(MIGRATION_SCHEDULE_KEY, ['spec', 'suspend'], true, false), live({ suspend: false }), undefined],
    ['a path named like an Object method', object('Thing.example.com', ['constructor'], null, 'x'), live({}), undefined],
  ];
  for (const [what, written, object_, evidence] of cases) assert.is(runningEvidence(written, object_), evidence, what);
});

test.run();
