import type { CommandDeps } from '../../core/command';
import { oneLine } from '../../core/errors';
import { interruptSignalOf } from '../../core/interrupt';
import { REPORT_API_VERSION, type CommandOutcome, type Verdict } from '../../core/report';
import { isBlocking, type Finding } from '../../failover/findings';
import { RunRecorder } from '../../failover/recorder';
import { failoverVerdict, type DataLossWindow, type FailoverReport } from '../../failover/report';
import { throughClusterPair } from '../../failover/sourceRoute';
import { Journal } from '../../io/journal';
import { pairName } from '../../stork/clusterPairConfig';
import { formatDuration } from '../../util/duration';
import type { RunContext, StageWrites } from './context';
import { dryRunStages } from './dryRun';
import type { RunOptions } from './options';
import { scaleUpDestination, type DestinationScope } from './scaleUp';
import { lastMile, rollback, scaleDownSource, suspendAndSettle, waitAfterScaleDown } from './sourceStages';
import { StageRunner, type StageHandle } from './stageRunner';
import { validateFailover, type Prepared, type SourceSide, type Validated } from './validations';

export type { RunOptions } from './options';

export interface RunOutcome extends CommandOutcome<FailoverReport> {
  /** What each stage wrote (or would write), by cluster, for the dry-run diffs. */
  writes: StageWrites[];
}

/** Findings that mean a cluster could not be read (exit 1) rather than a request refused (exit 2). */
const UNREADABLE: ReadonlySet<Finding['code']> = new Set(['source-unreachable', 'destination-unreadable']);

/**
 * `run` and `failback`: the whole failover, client-side, in Stork's stages: Validations (reads and
 * checks both clusters; a refusal ends the run with nothing written; then the source's schedules
 * are suspended and a running migration let finish), ScaleDownSource, WaitAfterScaleDown,
 * LastMileMigration, ScaleUpDestination, and ScaleUpSource as the rollback when the wait or the
 * last mile fails. A failure in ScaleUpDestination is not rolled back: scaling the source up then
 * would be the split brain this command exists to prevent. Once Validations passed, nothing
 * throws: every stage is in the report, built once at the end.
 */
export async function executeRun(options: RunOptions, deps: CommandDeps): Promise<RunOutcome> {
  const { globals } = options;
  // The journal is opened before anything is read: one that cannot be written stops the run here.
  const recorder = new RunRecorder(options.journalFile && globals.dryRun === 'none' ? Journal.open(options.journalFile) : undefined, options.runId, deps.clock);
  if (!options.resuming) recorder.start(options.request);
  const report = emptyReport(options);
  const runner = new StageRunner(deps, recorder, { source: options.sourceContext, destination: options.destinationContext });
  const ctx: RunContext = { options, deps, runner, report, writes: [] };

  const finish = (refused?: Finding[]): RunOutcome => {
    if (deps.signal.aborted) {
      recorder.end('Interrupted');
      report.stages = runner.complete('interrupted');
      const last = runner.lastRan();
      const next = recorder.file ? `; run "kubectl failover run --resume ${options.runId}" to finish, or "kubectl failover undo ${options.runId}" to put both clusters back` : '';
      return { report, verdict: 'failed', writes: ctx.writes, interruption: { signal: interruptSignalOf(deps.signal), message: `interrupted in ${last?.name ?? 'Validations'}${next}` } };
    }
    if (globals.dryRun === 'none') recorder.end(report.outcome);
    report.stages = runner.complete();
    const verdict: Verdict = refused ? (refused.some((finding) => UNREADABLE.has(finding.code)) ? 'failed' : 'refused') : failoverVerdict(report);
    return { report, verdict, writes: ctx.writes, ...(refused ? { refusal: refused.map((finding) => finding.message).join('; ') } : {}) };
  };

  const phase = await throughSource(ctx, recorder);
  if (phase.kind === 'finished') return finish(phase.refused);
  // Only the destination's scope is carried over: what Validations read of both clusters, and the
  // source's writes (kept for a rollback, no longer possible), can be let go before the
  // destination is read again, so a run at scale holds about what one `activate` holds.
  const up = await scaleUpDestination(ctx, phase.scope);
  if (up.kind === 'interrupted') return finish();
  runner.skip('ScaleUpSource', 'source', up.kind === 'ok' ? 'no rollback needed' : 'not run: a failed scale-up of the destination is not rolled back (the source stays down, so the apps never run twice)');
  report.outcome = up.kind === 'ok' ? 'Successful' : 'Failed';
  return finish();
}

/** Validations passed: what the source's stages and ScaleUpDestination go on with (none of what was read on the destination). */
interface PassedValidations {
  kind: 'go';
  /** Validations' stage, still open: Stork ends it by suspending the schedules and letting a running migration finish. */
  validations: StageHandle;
  summary: string;
  /** The source to stop, or why its stages are skipped. */
  source: SourceSide | { skipped: string };
  scope: DestinationScope;
}

type Finished = { kind: 'finished'; refused?: Finding[] };

/**
 * Validations, then the source's stages (the suspensions, ScaleDownSource, WaitAfterScaleDown,
 * LastMileMigration, and the rollback when one fails). Says whether the run ends here (refused:
 * the blocking findings) or goes on to ScaleUpDestination.
 */
async function throughSource(ctx: RunContext, recorder: RunRecorder): Promise<Finished | { kind: 'scale-up'; scope: DestinationScope }> {
  const { options, deps, runner, report } = ctx;
  const finished = { kind: 'finished' } as const;
  const validated = await validationsStage(ctx, recorder);
  if (validated.kind === 'finished') return validated;
  const { validations, summary, source, scope } = validated;
  if ('skipped' in source) {
    validations.end({ kind: 'ok', message: summary });
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration'] as const) runner.skip(name, 'source', source.skipped);
    return { kind: 'scale-up', scope };
  }
  // Stork's Validations end by suspending the source's schedules, then letting a running migration finish.
  const settled = await suspendAndSettle(ctx, validations, source);
  if (deps.signal.aborted) {
    validations.end({ kind: 'interrupted', message: 'interrupted while suspending the schedules or waiting for a running migration' });
    return finished;
  }
  if (settled.failure) {
    validations.end({ kind: 'failed', message: settled.failure }, { results: settled.results });
    await rollback(ctx, source, settled.results);
    report.outcome = report.outcome === 'RollbackSuccessful' ? 'Failed' : report.outcome;
    report.namespaceResults = scope.namespaces.map((namespace) => ({ namespace, result: 'active-on-source', message: settled.failure }));
    return finished;
  }
  validations.end({ kind: 'ok', message: `${summary}; ${source.schedules.length} migrationschedule(s) suspended on the source` }, { results: settled.results });

  const down = await scaleDownSource(ctx, source);
  if (down.result.kind === 'interrupted') return finished;
  if (down.result.kind === 'failed') {
    report.namespaceResults = scope.namespaces.map((namespace) => ({ namespace, result: 'failed', message: 'the source was partly scaled down' }));
    return finished;
  }
  let failure = await waitAfterScaleDown(ctx, source, down.results);
  if (failure.kind === 'interrupted') return finished;
  if (failure.kind === 'ok') {
    if (options.skipLastMile) runner.skip('LastMileMigration', 'source', '--skip-last-mile: data written since the last migration stays on the source', true);
    else failure = await lastMile(ctx, source);
    if (failure.kind === 'interrupted') return finished;
  }
  if (failure.kind !== 'ok') {
    await rollback(ctx, source, [...settled.results, ...down.results]);
    runner.planned('ScaleUpDestination', 'destination', 'rolled back instead', { status: 'NotStarted' });
    report.namespaceResults = scope.namespaces.map((namespace) => ({ namespace, result: report.outcome === 'RollbackSuccessful' ? 'rolled-back' : 'failed', message: failure.message }));
    return finished;
  }
  return { kind: 'scale-up', scope };
}

/**
 * Validations up to the first write: both clusters read and checked, the findings into the report;
 * a refusal or a dry run (every stage planned) ends the run here. What it read of the destination
 * stays here: the source's stages and ScaleUpDestination (which reads it afresh) never need it,
 * and a run of 1,000 namespaces should not carry it through them.
 */
async function validationsStage(ctx: RunContext, recorder: RunRecorder): Promise<Finished | PassedValidations> {
  const { options, deps, runner, report } = ctx;
  const { globals } = options;
  const finished = { kind: 'finished' } as const;
  const validations = runner.begin('Validations', 'both', `reading context ${options.destinationContext}`);
  let validated: Validated;
  try {
    validated = await validateFailover(options, deps, (text) => validations.update(text));
  } catch (error) {
    // A request that cannot even be read: the journal, once started, says how the run ended.
    validations.end({ kind: 'failed', message: oneLine(error) }, { quiet: true });
    if (globals.dryRun === 'none') recorder.end('Failed');
    throw error;
  }
  const { prepared, findings } = validated;
  describeValidated(report, validated, options);
  // Recorded before the source is first written, so --resume and undo reach it the same way.
  if (prepared.route.clusterPair && !options.sourceClusterPair) recorder.source(prepared.route.clusterPair);

  const blocking = findings.filter((finding) => isBlocking(finding));
  if (blocking.length > 0) {
    validations.end({ kind: 'failed', message: blocking.map((finding) => finding.message).join('; ') });
    return { kind: 'finished', refused: blocking };
  }
  if (deps.signal.aborted) {
    validations.end({ kind: 'interrupted', message: 'interrupted before any write' });
    return finished;
  }
  const summary = validationsSummary(prepared, report);
  if (globals.dryRun !== 'none') {
    validations.end({ kind: 'ok', message: summary });
    await dryRunStages(ctx, prepared);
    return finished;
  }
  const scope: DestinationScope = { destination: prepared.destination, selection: prepared.selection, namespaces: prepared.namespaces };
  const source = options.skipSourceOperations || !prepared.source ? { skipped: prepared.source ? '--skip-source-operations' : 'source unreachable (--skip-source-operations)' } : prepared.source;
  return { kind: 'go', validations, summary, source, scope };
}

function emptyReport(options: RunOptions): FailoverReport {
  return {
    apiVersion: REPORT_API_VERSION,
    kind: 'FailoverReport',
    runId: options.runId,
    source: { context: options.sourceContext, reachable: false },
    destination: { context: options.destinationContext },
    dryRun: options.globals.dryRun,
    ...(options.schedule?.namespace ? { schedule: `${options.schedule.namespace}/${options.schedule.name}` } : {}),
    namespaces: [],
    dataLossWindow: [],
    lastMileMigrations: [],
    stages: [],
    outcome: 'Failed',
    namespaceResults: [],
    findings: [],
    warnings: [],
  };
}

/** What Validations found, into the report: the source as reached, the scope, the windows, the findings and warnings. */
function describeValidated(report: FailoverReport, validated: Validated, options: RunOptions): void {
  const { prepared, findings, windows } = validated;
  const route = prepared.route;
  report.source = { context: options.sourceContext, ...(route.clusterPair ? { clusterPair: pairName(route.clusterPair) } : {}), reachable: prepared.source !== undefined, ...(prepared.sourceError !== undefined ? { error: prepared.sourceError } : {}) };
  if (options.schedule?.namespace) report.schedule = `${options.schedule.namespace}/${options.schedule.name}`;
  report.namespaces = prepared.namespaces;
  report.dataLossWindow = windows;
  report.findings = findings;
  report.warnings.push(...validated.warnings, ...findings.filter((finding) => !isBlocking(finding)).map((finding) => finding.message));
  if (!prepared.source && options.skipSourceOperations) report.warnings.push(`source ${route.label} is unreachable (${prepared.sourceError ?? 'no answer'}): going straight to ScaleUpDestination; the source may still run the apps`);
  else if (prepared.source && options.skipSourceOperations && options.allowSplitBrain) report.warnings.push('--allow-split-brain: the source still runs the apps while the destination is brought up');
}

/** Up to this many windows are named in the Validations line; `-o json` has them all. */
const WINDOWS_NAMED = 3;

/** "3 namespace(s); data-loss window 4m (ns/sched)" — the worst windows first, the rest counted. */
function validationsSummary(prepared: Prepared, report: FailoverReport): string {
  const route = prepared.route.clusterPair ? `${throughClusterPair(prepared.route.clusterPair)}; ` : '';
  return `${route}${prepared.namespaces.length} namespace(s); data-loss window ${windowText(report.dataLossWindow)}`;
}

export function windowText(windows: readonly DataLossWindow[]): string {
  if (windows.length === 0) return 'unknown';
  const worst = [...windows].sort((a, b) => (b.ageSeconds ?? Number.POSITIVE_INFINITY) - (a.ageSeconds ?? Number.POSITIVE_INFINITY));
  const named = worst.slice(0, WINDOWS_NAMED).map((window) => `${window.schedule} ${window.ageSeconds === null ? 'never succeeded' : formatDuration(window.ageSeconds * 1000)}`);
  const from = windows.some((window) => window.from === 'migration-time') ? ' (from the migrated objects\' migrationTime on the destination: an upper bound)' : '';
  return `${named.join(', ')}${windows.length > WINDOWS_NAMED ? ` and ${windows.length - WINDOWS_NAMED} more (worst first)` : ''}${from}`;
}
