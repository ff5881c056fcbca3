// The pure parts of `run --via-stork` and of the Actions in `status`: the Action storkctl would
// create and its name, storkctl's stage names and MORE INFO, storkctl perform's namespace rules,
// and following an Action's stages from the states read of it (docs/stork-behaviour.md §7).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { actionOutcome, newTracker, observe, type ActionTracker, type TrackerEvent } from '../../src/failover/actionFlow';
import { actionNamespaceResults, completeReport, trackedStages } from '../../src/failover/actionReport';
import type { FailoverReport } from '../../src/failover/report';
import { STAGE_DISPLAY } from '../../src/failover/stages';
import type { KubeObject } from '../../src/kube/objects';
import { actionRows } from '../../src/plan/statusModel';
import { performNamespaces } from '../../src/plan/scheduleScope';
import { screenRows } from '../../src/present/redraw';
import { rfc822 } from '../../src/present/time';
import { actionName, buildAction, moreInfo, readAction, stageDisplay, type ActionSummaryItem, type ActionView } from '../../src/stork/action';
import type { StatusReport } from '../../src/commands/status/execute';
import { statusChangeKey } from '../../src/commands/status/changeKey';
import { knobAnnotations } from '../../scripts/sandbox/actionController';

test('actionName: storkctl getActionName, <type>-<reference>-<local 2006-01-02-150405>, at most 253 characters', () => {
  const newYear = new Date(2024, 0, 1, 0, 0, 0);
  assert.is(actionName('failover', 'test-migrationschedule', newYear), 'failover-test-migrationschedule-2024-01-01-000000');
  assert.is(actionName('failback', 'dr', new Date(2026, 10, 25, 9, 8, 7)), 'failback-dr-2026-11-25-090807');
  const long = actionName('failover', 'x'.repeat(300), newYear);
  assert.is(long.length, 253);
  assert.ok(long.startsWith('failover-xxx') && long.endsWith('x-2024-01-01-000000'));
});

test('buildAction: what storkctl createActionCR sends, both parameter blocks, skipSourceOperations always set for a failover', () => {
  const failover = buildAction({ actionType: 'failover', name: 'failover-dr-2024-01-01-000000', namespace: 'admin', reference: 'dr', namespaces: ['app1', 'app2'], skipSourceOperations: false });
  assert.equal(failover, {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'Action',
    metadata: { name: 'failover-dr-2024-01-01-000000', namespace: 'admin' },
    spec: {
      actionType: 'failover',
      actionParameter: {
        failoverParameter: { failoverNamespaces: ['app1', 'app2'], migrationScheduleReference: 'dr', skipSourceOperations: false },
        failbackParameter: { failbackNamespaces: null, migrationScheduleReference: '' },
      },
    },
    status: { stage: '', status: '', finishTimestamp: null, summary: null, reason: '' },
  });
  const failback = buildAction({ actionType: 'failback', name: 'failback-dr-x', namespace: 'admin', reference: 'dr', namespaces: ['app1'], skipSourceOperations: false });
  assert.equal(failback.spec?.actionParameter, {
    failoverParameter: { failoverNamespaces: null, migrationScheduleReference: '', skipSourceOperations: null },
    failbackParameter: { failbackNamespaces: ['app1'], migrationScheduleReference: 'dr' },
  });
  const view = readAction(failover);
  assert.equal([view.actionType, view.reference, view.namespaces, view.skipSourceOperations, view.stage, view.summary], ['failover', 'dr', ['app1', 'app2'], false, '', null]);
  assert.equal(readAction(failback).namespaces, ['app1']);
});

test('stageDisplay: storkctl prettyDRStageNames for both directions; anything else raw', () => {
  const failover = ['', 'ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination', 'ScaleUpSource', 'Final'].map((stage) => stageDisplay(stage, 'failover'));
  assert.equal(failover, [
    'Validations',
    'Scale Down (on source)',
    'Waiting for Apps to Scale Down (on source)',
    'Last Mile Migration (from source -> destination)',
    'Scale Up (on destination)',
    'Rolling Back Scale Down (on source)',
    'Completed',
  ]);
  const failback = ['ScaleDownDestination', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpSource', 'ScaleUpDestination'].map((stage) => stageDisplay(stage, 'failback'));
  assert.equal(failback, ['Scale Down (on destination)', 'Waiting for Apps to Scale Down (on destination)', 'Last Mile Migration (from destination -> source)', 'Scale Up (on source)', 'Rolling Back Scale Down (on destination)']);
  assert.is(stageDisplay('WaitAfterScaleDown', 'nearsyncFailover'), 'WaitAfterScaleDown');
  assert.is(stageDisplay('SomethingNew', 'failover'), 'SomethingNew');
  assert.is(STAGE_DISPLAY.ScaleUpSource, 'Rolling Back Scale Down (on source)', 'run uses the same names');
});

const item = (namespace: string, status: string, reason = ''): ActionSummaryItem => ({ namespace, status, reason });

test('moreInfo: storkctl MORE INFO: the reason, or the summary counted (rolled back, with the reason; else scaled up)', () => {
  assert.is(moreInfo({ summary: null, reason: 'Unable to fetch the MigrationSchedule a/b needed for the failover operation.' }), 'Unable to fetch the MigrationSchedule a/b needed for the failover operation.');
  assert.is(moreInfo({ summary: [item('a', 'Successful'), item('b', 'Failed')], reason: '' }), 'Scaled up Apps in : 1/2 namespaces');
  assert.is(
    moreInfo({ summary: [item('a', 'RollbackSuccessful'), item('b', 'RollbackFailed')], reason: 'Failing failover operation as the last mile migration m failed: status Failed' }),
    'Rolled back Apps in : 1/2 namespaces ; Failing failover operation as the last mile migration m failed: status Failed',
  );
  assert.is(moreInfo({ summary: [item('a', 'RollbackSuccessful')], reason: '' }), 'Rolled back Apps in : 1/1 namespaces');
  // storkctl prints no row for an empty summary; we show the reason.
  assert.is(moreInfo({ summary: [], reason: 'why' }), 'why');
});

test('performNamespaces: storkctl perform, include as typed, exclude in the schedule order, one of the two, subsets only ([a b] as Go prints)', () => {
  const migrated = ['c', 'a', 'b'];
  assert.equal(performNamespaces(migrated, { include: [], exclude: [] }), { ok: true, names: ['c', 'a', 'b'] });
  assert.equal(performNamespaces(migrated, { include: ['b', 'c'], exclude: [] }), { ok: true, names: ['b', 'c'] });
  assert.equal(performNamespaces(migrated, { include: [], exclude: ['a'] }), { ok: true, names: ['c', 'b'] });
  assert.equal(performNamespaces(migrated, { include: ['a'], exclude: ['b'] }), { ok: false, problem: 'can provide only one of --include-namespaces or --exclude-namespaces values at once' });
  assert.equal(performNamespaces(migrated, { include: ['x', 'a', 'y'], exclude: [] }), { ok: false, problem: 'provided namespaces [x y] are not a subset of the namespaces being migrated by the given MigrationSchedule' });
  assert.equal(performNamespaces(migrated, { include: [], exclude: ['z'] }), { ok: false, problem: 'provided namespaces [z] are not a subset of the namespaces being migrated by the given MigrationSchedule' });
});

// --- following an Action ---

function view(stage: string, status: string, extra: Partial<ActionView> = {}): ActionView {
  return { name: 'failover-dr-2024-01-01-000000', namespace: 'admin', uid: '353342c1-0000-4000-8000-000000000000', created: '2024-01-01T00:00:00Z', actionType: 'failover', reference: 'dr', namespaces: ['app'], skipSourceOperations: false, stage, status, reason: '', summary: null, ...extra };
}

/** Feeds states (stage/status) to a tracker, one second apart; returns every event as "kind stage outcome". */
function feed(tracker: ActionTracker, states: ActionView[]): string[] {
  // Events carry the tracker's live records: each is described when it comes, as the progress lines are.
  const describe = (event: TrackerEvent): string => (event.kind === 'final' ? `final ${event.action.status}` : `${event.kind} ${event.stage.stage || 'Validations'} ${event.kind === 'status' ? event.stage.status : event.stage.outcome}`);
  return states.flatMap((state, index) => observe(tracker, state, 1000 * index).map(describe));
}

const outcomes = (tracker: ActionTracker): string[] => tracker.stages.map((stage) => `${stage.stage || 'Validations'}=${stage.outcome}${stage.seen ? '' : ' (inferred)'}`);
const SUCCESS = [item('app', 'Successful', 'scaling up apps in namespace app successful')];

test('following every state Stork writes: one start and one end per stage, in order; Final Successful', () => {
  const tracker = newTracker('failover');
  const states = [
    view('', ''),
    view('', 'Scheduled'),
    view('', 'Successful'),
    ...['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination'].flatMap((stage) => [view(stage, ''), view(stage, 'In-Progress'), view(stage, 'Successful', stage === 'ScaleUpDestination' ? { summary: SUCCESS } : {})]),
    view('Final', 'Successful', { summary: SUCCESS }),
  ];
  const events = feed(tracker, states);
  assert.equal(events.slice(0, 5), ['started Validations In-Progress', 'status Validations Scheduled', 'status Validations Successful', 'ended Validations Successful', 'started ScaleDownSource In-Progress']);
  assert.is(events.at(-1), 'final Successful');
  assert.equal(outcomes(tracker), ['Validations=Successful', 'ScaleDownSource=Successful', 'WaitAfterScaleDown=Successful', 'LastMileMigration=Successful', 'ScaleUpDestination=Successful']);
  assert.is(actionOutcome(tracker), 'Successful');
  assert.equal(actionNamespaceResults(tracker), [{ namespace: 'app', result: 'active-on-destination', status: 'Successful', message: 'scaling up apps in namespace app successful' }]);
  assert.equal(
    trackedStages(tracker, 'done').map((stage) => [stage.name, stage.status, stage.cluster]),
    [
      ['Validations', 'Successful', 'both'],
      ['ScaleDownSource', 'Successful', 'source'],
      ['WaitAfterScaleDown', 'Successful', 'source'],
      ['LastMileMigration', 'Successful', 'source'],
      ['ScaleUpDestination', 'Successful', 'destination'],
      ['ScaleUpSource', 'Skipped', 'source'],
    ],
  );
});

test('reads that miss states: the stages in between are inferred from Stork order (not seen), never reordered', () => {
  const tracker = newTracker('failover');
  feed(tracker, [view('', 'Scheduled'), view('LastMileMigration', 'In-Progress'), view('Final', 'Successful', { summary: SUCCESS })]);
  assert.equal(outcomes(tracker), [
    'Validations=Successful',
    'ScaleDownSource=Successful (inferred)',
    'WaitAfterScaleDown=Successful (inferred)',
    'LastMileMigration=Successful',
    'ScaleUpDestination=Successful (inferred)',
  ]);
  assert.match(trackedStages(tracker, 'done').find((stage) => stage.name === 'ScaleDownSource')?.message ?? '', 'not seen');
});

test('a source skipped by Stork (read directly, or skipSourceOperations): the source stages are Skipped; across a gap they ran', () => {
  const direct = newTracker('failover');
  feed(direct, [view('', 'Scheduled'), view('ScaleUpDestination', ''), view('Final', 'Successful', { summary: SUCCESS })]);
  assert.equal(outcomes(direct), ['Validations=Successful', 'ScaleDownSource=Skipped (inferred)', 'WaitAfterScaleDown=Skipped (inferred)', 'LastMileMigration=Skipped (inferred)', 'ScaleUpDestination=Successful']);
  const report = emptyReport();
  completeReport(report, direct, 'done');
  assert.is(report.source.reachable, false, 'Stork skips the source when it does not answer');
  assert.match(report.warnings.join('\n'), 'the source may still run the apps');

  const asked = newTracker('failover');
  feed(asked, [view('Final', 'Successful', { summary: SUCCESS, skipSourceOperations: true })]);
  assert.ok(outcomes(asked).includes('ScaleDownSource=Skipped (inferred)'));
  const quiet = emptyReport();
  completeReport(quiet, asked, 'done');
  assert.not.match(quiet.warnings.join('\n'), 'may still run', 'asked for: no warning');

  // --follow of a finished Action that did not skip: the source stages ran.
  const followed = newTracker('failover');
  feed(followed, [view('Final', 'Successful', { summary: SUCCESS })]);
  assert.equal(outcomes(followed), [
    'Validations=Successful (inferred)',
    'ScaleDownSource=Successful (inferred)',
    'WaitAfterScaleDown=Successful (inferred)',
    'LastMileMigration=Successful (inferred)',
    'ScaleUpDestination=Successful (inferred)',
  ]);
});

test('a failed last mile rolls back: RollbackSuccessful or RollbackFailed from the summary; the rollback stage inferred when missed', () => {
  const reason = 'The failover operation is aborted because the last mile migration dr-lastmile-failover-353342c failed with status Failed';
  const rolledBack = newTracker('failover');
  feed(rolledBack, [view('LastMileMigration', 'In-Progress'), view('LastMileMigration', 'Failed', { reason }), view('ScaleUpSource', 'In-Progress', { reason }), view('Final', 'Failed', { reason, summary: [item('app', 'RollbackSuccessful', 'scaling up apps in namespace app successful')] })]);
  assert.equal(outcomes(rolledBack).slice(-2), ['LastMileMigration=Failed', 'ScaleUpSource=Successful']);
  assert.is(actionOutcome(rolledBack), 'RollbackSuccessful');
  assert.equal(actionNamespaceResults(rolledBack).map((entry) => entry.result), ['rolled-back']);
  assert.equal(trackedStages(rolledBack, 'done').map((stage) => stage.status).slice(-2), ['NotStarted', 'Successful'], 'the scale-up never ran; the rollback did');

  const failedRollback = newTracker('failover');
  feed(failedRollback, [view('WaitAfterScaleDown', 'In-Progress'), view('Final', 'Failed', { reason: 'pods using PVCs from migration are not getting terminated for last 15m0s', summary: [item('app', 'RollbackFailed', 'scaling up apps in namespace app failed: x')] })]);
  assert.equal(outcomes(failedRollback).slice(-2), ['WaitAfterScaleDown=Failed', 'ScaleUpSource=Failed (inferred)']);
  assert.is(actionOutcome(failedRollback), 'RollbackFailed');
  assert.equal(actionNamespaceResults(failedRollback).map((entry) => [entry.result, entry.status]), [['failed', 'RollbackFailed']]);
});

test('a failure without rollback: Validations leaves the namespaces unchanged; a failed scale-down says some apps may be down', () => {
  const refused = newTracker('failover');
  feed(refused, [view('', 'Scheduled'), view('', 'Failed', { reason: 'The MigrationSchedule admin/dr provided is not generated by Stork.' }), view('Final', 'Failed', { reason: 'The MigrationSchedule admin/dr provided is not generated by Stork.' })]);
  assert.is(actionOutcome(refused), 'Failed');
  assert.equal(actionNamespaceResults(refused), [{ namespace: 'app', result: 'unchanged', message: 'The MigrationSchedule admin/dr provided is not generated by Stork.' }]);
  assert.equal(trackedStages(refused, 'done').map((stage) => stage.status), ['Failed', 'NotStarted', 'NotStarted', 'NotStarted', 'NotStarted', 'NotStarted']);

  const scaleDown = newTracker('failover');
  feed(scaleDown, [view('ScaleDownSource', 'In-Progress'), view('Final', 'Failed', { reason: 'Failed to scale down replicas in cluster h : x' })]);
  assert.equal(outcomes(scaleDown).at(-1), 'ScaleDownSource=Failed');
  assert.is(actionOutcome(scaleDown), 'Failed');
  assert.match(actionNamespaceResults(scaleDown)[0]?.message ?? '', 'some apps may be scaled down');
});

test('following stopped before Final: the running stage is TimedOut (--timeout) or In-Progress (^C); outcome InProgress', () => {
  const tracker = newTracker('failover');
  feed(tracker, [view('', 'Successful'), view('LastMileMigration', 'In-Progress')]);
  assert.is(actionOutcome(tracker), 'InProgress');
  assert.equal(trackedStages(tracker, 'timed-out').map((stage) => stage.status), ['Successful', 'Successful', 'Successful', 'TimedOut', 'NotStarted', 'NotStarted']);
  assert.equal(trackedStages(tracker, 'interrupted').map((stage) => stage.status)[3], 'In-Progress');
  assert.equal(actionNamespaceResults(tracker), []);
  const report = emptyReport();
  completeReport(report, tracker, 'timed-out');
  assert.equal([report.outcome, report.lastMileMigrations], ['InProgress', ['admin/dr-lastmile-failover-353342c']]);
});

test('a failback: its own stages and names; Successful namespaces are active on the source', () => {
  const tracker = newTracker('failback');
  const states = ['', 'ScaleDownDestination', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpSource'].map((stage) => view(stage, 'Successful', { actionType: 'failback' }));
  feed(tracker, [...states, view('Final', 'Successful', { actionType: 'failback', summary: SUCCESS })]);
  const stages = trackedStages(tracker, 'done');
  assert.equal(
    stages.map((stage) => [stage.display, stage.status]),
    [
      ['Validations', 'Successful'],
      ['Scale Down (on destination)', 'Successful'],
      ['Waiting for Apps to Scale Down (on destination)', 'Successful'],
      ['Last Mile Migration (from destination -> source)', 'Successful'],
      ['Scale Up (on source)', 'Successful'],
      ['Rolling Back Scale Down (on destination)', 'Skipped'],
    ],
  );
  assert.equal(actionNamespaceResults(tracker)[0]?.result, 'active-on-source');
});

function emptyReport(): FailoverReport {
  return { apiVersion: 'kubectl-failover.dev/v1alpha1', kind: 'FailoverReport', runId: 'x', source: { context: '', reachable: null }, destination: { context: 'd' }, dryRun: 'none', namespaces: [], dataLossWindow: [], lastMileMigrations: [], stages: [], outcome: 'InProgress', namespaceResults: [], findings: [], warnings: [] };
}

// --- status ---

function actionObject(name: string, created: string, fields: { type?: string; namespace?: string; stage?: string; status?: string } = {}): KubeObject {
  return {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'Action',
    metadata: { name, namespace: fields.namespace ?? 'app', creationTimestamp: created },
    spec: { actionType: fields.type ?? 'failover' },
    status: { stage: fields.stage ?? 'Final', status: fields.status ?? 'Successful', reason: '', summary: null },
  };
}

test('status Actions: failover and failback of the namespace only, newest first, five at most, storkctl stage names', () => {
  const actions = [
    ...Array.from({ length: 7 }, (_, index) => actionObject(`failover-dr-2024-01-0${index + 1}-000000`, `2024-01-0${index + 1}T00:00:00Z`)),
    actionObject('failback-dr-2024-02-01-000000', '2024-02-01T00:00:00Z', { type: 'failback', stage: 'ScaleUpSource', status: 'In-Progress' }),
    actionObject('near', '2024-03-01T00:00:00Z', { type: 'nearsyncFailover' }),
    actionObject('elsewhere', '2024-03-01T00:00:00Z', { namespace: 'other' }),
  ];
  const rows = actionRows(actions, 'app');
  assert.equal(rows.map((row) => row.name), ['failback-dr-2024-02-01-000000', 'failover-dr-2024-01-07-000000', 'failover-dr-2024-01-06-000000', 'failover-dr-2024-01-05-000000', 'failover-dr-2024-01-04-000000']);
  assert.equal([rows[0]?.stageDisplay, rows[0]?.status, rows[1]?.stageDisplay], ['Scale Up (on source)', 'In-Progress', 'Completed']);
});

test('CREATED as storkctl prints it (Go RFC822); a status change key ignores ages', () => {
  assert.is(rfc822('2024-09-01T00:05:00Z', 'UTC'), '01 Sep 24 00:05 UTC');
  assert.is(rfc822('', 'UTC'), '');
  const report = (age: number, status: string): StatusReport => ({
    apiVersion: 'kubectl-failover.dev/v1alpha1',
    kind: 'StatusReport',
    namespaces: [
      {
        cluster: 'c',
        namespace: 'app',
        verdict: 'standby',
        schedules: [{ namespace: 'app', name: 'dr', policy: 'p', clusterPair: 'cp', suspended: true, lastSuccess: '2024-01-01T00:00:00.000Z', lastSuccessAgeSeconds: age, applicationActivated: false }],
        workloads: [],
        actions: [{ name: 'a', actionType: 'failover', created: '', stage: '', stageDisplay: 'Validations', status, moreInfo: '' }],
        warnings: [],
      },
    ],
  });
  assert.is(statusChangeKey(report(10, 'Scheduled')), statusChangeKey(report(12, 'Scheduled')));
  assert.is.not(statusChangeKey(report(10, 'Scheduled')), statusChangeKey(report(10, 'Successful')));
});

test('redraw: rows a text takes on a terminal, long lines wrapped, colours taking no width', () => {
  assert.is(screenRows('a\nb\n', 80), 2);
  assert.is(screenRows(`${'x'.repeat(81)}\n`, 80), 2);
  assert.is(screenRows(`\u001b[32m${'x'.repeat(80)}\u001b[39m\n`, 80), 1);
  assert.is(screenRows('\n\n', 80), 2);
});

test('sandbox stand-in: Action knobs come from the reference schedule too, the Action own ones win', () => {
  const schedule = { metadata: { name: 'dr', namespace: 'app', annotations: { 'sandbox.kubectl-failover.dev/action-fail-stage': 'LastMileMigration', 'sandbox.kubectl-failover.dev/migration-outcome': 'Failed', other: 'x' } } };
  const action = { metadata: { name: 'a', namespace: 'app', annotations: { 'sandbox.kubectl-failover.dev/action-rollback': 'Failed' } } };
  assert.equal(knobAnnotations(action, schedule), { 'sandbox.kubectl-failover.dev/action-fail-stage': 'LastMileMigration', 'sandbox.kubectl-failover.dev/action-rollback': 'Failed' });
  assert.equal(knobAnnotations({ metadata: { name: 'a', namespace: 'app', annotations: { 'sandbox.kubectl-failover.dev/action-fail-stage': 'Initial' } } }, schedule), { 'sandbox.kubectl-failover.dev/action-fail-stage': 'Initial' });
});

test.run();
