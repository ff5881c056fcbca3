import type { GlobalOptions } from '../../cli/globalOptions';
import type { ClusterSession, CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import type { Phase } from '../../core/progress';
import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import { deniedAccess, describeCheck, type AccessCheck } from '../../io/accessReview';
import { openClusterPairSource } from '../../io/clusterPairSource';
import { authenticatedUser } from '../../io/whoAmI';
import { applyPlans, predictResult, type ObjectResult } from '../../io/apply';
import { collectSnapshot, type ClusterSnapshot } from '../../io/collect';
import { createMigration, followMigration, waitForRunningMigration } from '../../io/migrations';
import { probeCluster } from '../../io/reachability';
import { resolveScheduleScope } from '../../io/scheduleScope';
import { waitForWorkloads } from '../../io/wait';
import { discoverKinds } from '../../kube/discovery';
import type { KubeObject } from '../../kube/objects';
import { objectPath, type ApiResource } from '../../kube/resources';
import { planActivation, planObject, type ActivationPlan } from '../../plan/activation';
import { schedulesMigrating } from '../../plan/protection';
import { planScheduleSuspend } from '../../plan/rules/scheduleSuspend';
import type { NamespaceSelection, ObjectPlan } from '../../plan/types';
import { lastMileMigration } from '../../failover/lastMile';
import { clusterPairLabel, clusterPairOfSchedules, STORED_CREDENTIALS, throughClusterPair } from '../../failover/sourceRoute';
import { pairName, type ClusterPairRef } from '../../stork/clusterPairConfig';
import { failoverVerdict, stageReport, writeFailures, type DataLossWindow, type FailoverReport, type StageReport } from '../../failover/report';
import { inversePlan } from '../../failover/rollback';
import type { RunRequest } from '../../failover/journalModel';
import { RunRecorder } from '../../failover/recorder';
import { Journal, readJournal } from '../../io/journal';
import { undoWrites } from '../../io/undoWrites';
import { writtenObjects } from '../../failover/undo';
import { interruptSignalOf } from '../../core/interrupt';
import { activationTargets, sourceScaleDownPlans, sourceStillRuns } from '../../failover/sourceScope';
import { FAILOVER_STAGES, STAGE_DISPLAY, type FailoverStageName } from '../../failover/stages';
import { StorkAnnotation } from '../../stork/annotations';
import { MIGRATION_KEY, MIGRATION_SCHEDULE_KEY, StorkKinds } from '../../stork/kinds';
import { migratedNamespaces, schedulePolicyName } from '../../stork/migrationSchedule';
import { policyWindowMs } from '../../stork/schedulePolicy';
import { ACCEPTED_MIGRATION_STATUSES, lastSuccess, latestMigration } from '../../stork/scheduleStatus';
import { formatDuration } from '../../util/duration';
import { selectionFor, writeCounts } from '../shared';

export interface RunOptions {
  globals: GlobalOptions;
  runId: string;
  /** The source's kubeconfig context; '' with sourceFromClusterPair. */
  sourceContext: string;
  /**
   * --source-from-clusterpair: reach the source through the ClusterPair the schedules on the
   * destination name, with the credentials Stork stored in it, as Stork's controller does.
   */
  sourceFromClusterPair: boolean;
  /** The ClusterPair a resumed run's journal recorded: used as is, not chosen again. */
  sourceClusterPair?: ClusterPairRef | undefined;
  destinationContext: string;
  /** -m: the MigrationSchedule (a static copy on the destination), in -n. */
  schedule?: { name: string; namespace?: string; include: string[]; exclude: string[] } | undefined;
  sourceTimeoutMs: number;
  maxRpoMs?: number | undefined;
  force: boolean;
  skipSourceOperations: boolean;
  allowSplitBrain: boolean;
  skipLastMile: boolean;
  wait: boolean;
  /** Bounds each waiting stage. */
  timeoutMs: number;
  concurrency: number;
  /** Where the journal goes (undefined: no journal, as for dry runs). */
  journalFile?: string | undefined;
  /** What was asked, recorded in the journal for --resume. */
  request: RunRequest;
  /** --resume: the run continued (its journal already holds the start). */
  resuming: boolean;
  /** failback: the reverse schedule's latest migration must exist, not be Failed, and be within its policy window. */
  failback: boolean;
}

export interface RunOutcome extends CommandOutcome<FailoverReport> {
  /** Every result with its objects, per stage, for the dry-run diffs. */
  results: ObjectResult[];
}

/** How the source is reached: a kubeconfig context of the operator's, or a ClusterPair's stored credentials. */
interface SourceRoute {
  session: ClusterSession;
  /** In messages: "context source", "ClusterPair zookeeper/remotecluster". */
  label: string;
  /** Whose rights the RBAC checks asked about, before each refusal: the context, or the ClusterPair and its stored user. */
  identity: string;
  /** Through a ClusterPair: its spec.config user ("user \"dr-admin\""), to name Stork's identity. */
  storedUser?: string;
  /** Where the data-loss window was read: the context, or "ClusterPair NS/NAME". */
  cluster: string;
  clusterPair?: ClusterPairRef;
}

/** What Validations found, for the stages after it. */
interface Prepared {
  destination: ClusterSession;
  sourceRoute: SourceRoute;
  destinationSnapshot: ClusterSnapshot;
  destinationPlan: ActivationPlan;
  selection: NamespaceSelection;
  namespaces: string[];
  source?: { session: ClusterSession; snapshot: ClusterSnapshot; plans: ObjectPlan[]; schedules: KubeObject[] };
}

/**
 * `run`: the whole failover, client-side, in Stork's stages: Validations (nothing written; a
 * refusal ends the run here), ScaleDownSource, WaitAfterScaleDown, LastMileMigration,
 * ScaleUpDestination, and ScaleUpSource as the rollback when the wait or the last mile fails.
 * A failure in ScaleUpDestination is not rolled back: scaling the source up then would be the split
 * brain this command exists to prevent. Once Validations passed, nothing throws: every stage is in
 * the report.
 */
export async function executeRun(options: RunOptions, deps: CommandDeps): Promise<RunOutcome> {
  const { globals } = options;
  // The journal is opened before anything is read: one that cannot be written stops the run here.
  const recorder = new RunRecorder(options.journalFile && globals.dryRun === 'none' ? Journal.open(options.journalFile) : undefined, options.runId, deps.clock);
  if (!options.resuming) recorder.start(options.request);
  const stages: StageReport[] = [];
  const results: ObjectResult[] = [];
  const warnings: string[] = [];
  const report: FailoverReport = {
    apiVersion: REPORT_API_VERSION,
    kind: 'FailoverReport',
    runId: options.runId,
    source: { context: options.sourceContext, reachable: false },
    destination: { context: options.destinationContext },
    dryRun: globals.dryRun,
    ...(options.schedule ? { schedule: `${options.schedule.namespace}/${options.schedule.name}` } : {}),
    namespaces: [],
    dataLossWindow: [],
    lastMileMigrations: [],
    stages,
    outcome: 'Failed',
    namespaceResults: [],
    warnings,
  };
  // Every stage has its line in the report: those the run never reached are NotStarted.
  const completeStages = (fields: { message?: string }): void => {
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination'] as const) {
      if (!stages.some((stage) => stage.name === name)) stages.push(stageReport(name, name === 'ScaleUpDestination' ? 'destination' : 'source', 'NotStarted', deps.clock.now(), deps.clock.now(), fields));
    }
    stages.sort((a, b) => FAILOVER_STAGES.indexOf(a.name) - FAILOVER_STAGES.indexOf(b.name));
  };
  const finish = (): RunOutcome => {
    if (deps.signal.aborted) {
      recorder.end('Interrupted');
      completeStages({ message: 'interrupted' });
      // The stage cut short, else the last one that ran (a rollback not needed is no place to resume from).
      const last = stages.find((stage) => stage.status === 'In-Progress') ?? [...stages].reverse().find((stage) => stage.status !== 'NotStarted' && stage.status !== 'Skipped');
      const next = recorder.file ? `; run "kubectl failover run --resume ${options.runId}" to finish, or "kubectl failover undo ${options.runId}" to put both clusters back` : '';
      return { report, verdict: 'failed', results, interruption: { signal: interruptSignalOf(deps.signal), message: `interrupted in ${last?.name ?? 'Validations'}${next}` } };
    }
    if (globals.dryRun === 'none') recorder.end(report.outcome);
    completeStages({});
    return { report, verdict: failoverVerdict(report), results };
  };

  // Validations: read both clusters, decide, check; nothing is written.
  const validationsStarted = deps.clock.now();
  const validating = deps.progress.start(`${STAGE_DISPLAY.Validations}: reading context ${options.destinationContext}`);
  recorder.stage('Validations', 'Started');
  const refuse = (message: string): RunOutcome => {
    recorder.stage('Validations', 'Failed');
    validating.fail(`${STAGE_DISPLAY.Validations}: ${message}`);
    stages.push(stageReport('Validations', 'both', 'Failed', validationsStarted, deps.clock.now(), { message }));
    return finish();
  };
  const prepared = await prepare(options, deps, validating, warnings, report);
  report.namespaces = prepared.namespaces;
  const route = prepared.sourceRoute;
  // Recorded before the source is first written, so --resume and undo reach it the same way.
  if (route.clusterPair && !options.sourceClusterPair) recorder.source(route.clusterPair);

  const sourceSession = prepared.source?.session;
  if (!prepared.source) {
    if (!options.skipSourceOperations) {
      return refuse(`source ${route.label} is unreachable (${report.source.error}); nothing was changed. If the source is down for good, run again with --skip-source-operations: the destination is brought up without stopping the source, which may still run the apps`);
    }
    warnings.push(`source ${route.label} is unreachable (${report.source.error}): going straight to ScaleUpDestination; the source may still run the apps`);
  } else if (options.skipSourceOperations) {
    const running = sourceStillRuns(prepared.source.plans);
    if (running.length > 0 && !options.allowSplitBrain) {
      throw new UsageError(`the source answers and still runs ${running.slice(0, 5).join(', ')}${running.length > 5 ? ` and ${running.length - 5} more` : ''}: --skip-source-operations would leave both clusters running the apps; drop it (the source is scaled down first), or add --allow-split-brain if that is really meant`);
    }
    if (running.length > 0) warnings.push(`--allow-split-brain: the source still runs ${running.length} app(s) while the destination is brought up`);
  }

  // The data-loss window: how old the newest successful migration is, per schedule.
  const windowSchedules = prepared.source && !options.skipSourceOperations ? prepared.source.schedules.map((schedule) => ({ schedule, cluster: route.cluster })) : destinationSchedules(prepared).map((schedule) => ({ schedule, cluster: options.destinationContext }));
  report.dataLossWindow = windowSchedules.map(({ schedule, cluster }) => dataLossWindow(schedule, cluster, deps.clock.now()));
  if (options.maxRpoMs !== undefined) {
    const beyond = report.dataLossWindow.filter((window) => window.ageSeconds === null || window.ageSeconds * 1000 > (options.maxRpoMs ?? 0));
    if (beyond.length > 0) {
      const text = beyond.map((window) => `${window.schedule}: ${window.ageSeconds === null ? 'no successful migration' : `last success ${formatDuration(window.ageSeconds * 1000)} ago`}`).join('; ');
      if (!options.force) return refuse(`data-loss window beyond --max-rpo ${formatDuration(options.maxRpoMs)} (${text}); nothing was changed; --force fails over anyway`);
      warnings.push(`--force: data-loss window beyond --max-rpo (${text})`);
    }
  }

  if (options.failback && prepared.source) {
    const problem = await failbackProblem(prepared.source, deps.clock.now());
    if (problem) return refuse(`${problem}; nothing was changed`);
  }

  // RBAC on both clusters for every kind of write the plan makes.
  validating.update(`${STAGE_DISPLAY.Validations}: checking permissions`);
  const sourceOperations = Boolean(prepared.source) && !options.skipSourceOperations;
  const deniedOnDestination = await deniedAccess(prepared.destination.api, writeChecks(prepared.destinationPlan.objects, prepared.destinationSnapshot.resources));
  const deniedOnSource = sourceOperations && prepared.source ? await deniedAccess(prepared.source.session.api, [...writeChecks(prepared.source.plans, prepared.source.snapshot.resources), ...(options.skipLastMile ? [] : lastMileChecks(prepared.source.schedules))]) : [];
  // Through a ClusterPair the identity is Stork's, not the operator's: the refusal says whose it is.
  const sourceIdentity = deniedOnSource.length > 0 && route.clusterPair ? await identityOf(route) : route.identity;
  const denied = [
    ...deniedOnDestination.map((check) => `${options.destinationContext}: ${describeCheck(check)}`),
    // The ClusterPair's identity is long: said once, before all it may not do.
    ...(route.clusterPair ? (deniedOnSource.length > 0 ? [`${sourceIdentity}: ${deniedOnSource.map(describeCheck).join(', ')}`] : []) : deniedOnSource.map((check) => `${sourceIdentity}: ${describeCheck(check)}`)),
  ];
  if (denied.length > 0) {
    const storkHint = deniedOnSource.length > 0 && route.clusterPair ? `; the source is reached with ${STORED_CREDENTIALS}: grant them these rights, or name the source with --source-context` : '';
    return refuse(`not allowed to ${denied.join('; ')}; nothing was changed${storkHint}`);
  }

  // A migration still running on the source is let finish (bounded); a failed last one is a warning.
  if (sourceOperations && prepared.source && globals.dryRun === 'none') {
    const scheduleResource = prepared.source.snapshot.resources.get(MIGRATION_SCHEDULE_KEY);
    for (const schedule of prepared.source.schedules) {
      if (!scheduleResource) break;
      validating.update(`${STAGE_DISPLAY.Validations}: waiting for the running migration of ${schedule.metadata.name}`);
      const { latest, timedOut } = await waitForRunningMigration(
        () => prepared.source?.session.api.request<KubeObject>({ method: 'GET', path: objectPath(scheduleResource, schedule.metadata.name, schedule.metadata.namespace) }) ?? Promise.resolve(schedule),
        deps.clock,
        deps.clock.now() + options.timeoutMs,
        deps.signal,
      );
      if (deps.signal.aborted) break;
      if (timedOut) return refuse(`migration ${latest?.name} of ${schedule.metadata.namespace}/${schedule.metadata.name} still ${latest?.status || 'running'} after --timeout; nothing was changed`);
      if (latest?.status === 'Failed') warnings.push(`the latest migration ${latest.name} of ${schedule.metadata.namespace}/${schedule.metadata.name} Failed: the destination holds the data of the last successful one`);
    }
  }
  const windowText = report.dataLossWindow.map((window) => `${window.schedule} ${window.ageSeconds === null ? 'never succeeded' : formatDuration(window.ageSeconds * 1000)}`).join(', ');
  const routeText = route.clusterPair ? `${throughClusterPair(route.clusterPair)}; ` : '';
  validating.succeed(`${STAGE_DISPLAY.Validations} (${seconds(validationsStarted, deps)}): ${routeText}${prepared.namespaces.length} namespace(s); data-loss window ${windowText || 'unknown'}`);
  stages.push(stageReport('Validations', 'both', 'Successful', validationsStarted, deps.clock.now(), { message: `${routeText}data-loss window: ${windowText || 'unknown'}` }));
  recorder.stage('Validations', 'Successful');
  // Interrupted while validating: nothing was written; stop before the first write.
  if (deps.signal.aborted) return finish();

  if (globals.dryRun !== 'none') return dryRunStages(options, deps, prepared, report, results, finish);

  // ScaleDownSource → WaitAfterScaleDown → LastMileMigration; a failure of the latter two rolls back.
  let scaledDown: ObjectResult[] = [];
  if (!sourceOperations || !prepared.source || !sourceSession) {
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration'] as const) {
      stages.push(stageReport(name, 'source', 'Skipped', deps.clock.now(), deps.clock.now(), { message: prepared.source ? '--skip-source-operations' : 'source unreachable (--skip-source-operations)' }));
    }
  } else {
    const source = prepared.source;
    const downStarted = deps.clock.now();
    const down = deps.progress.start(`${STAGE_DISPLAY.ScaleDownSource}: ${source.plans.filter((plan) => plan.action === 'change').length} change(s)`);
    recorder.stage('ScaleDownSource', 'Started');
    scaledDown = await applyPlans(sourceSession.api, source.snapshot.resources, source.plans, {
      serverDryRun: false,
      concurrency: options.concurrency,
      replan: (object, previous) => replanSource(object, previous, source.snapshot),
      signal: deps.signal,
      beforeSend: (plan) => recorder.write('ScaleDownSource', 'source', options.sourceContext, plan),
    });
    results.push(...scaledDown);
    if (deps.signal.aborted) {
      const { sent, planned } = writeCounts(scaledDown);
      down.fail(`${STAGE_DISPLAY.ScaleDownSource}: interrupted after ${sent} of ${planned} writes`);
      stages.push(stageReport('ScaleDownSource', 'source', 'In-Progress', downStarted, deps.clock.now(), { message: `interrupted after ${sent} of ${planned} writes`, results: scaledDown }));
      recorder.stage('ScaleDownSource', 'In-Progress');
      return finish();
    }
    const downFailures = writeFailures(scaledDown);
    if (downFailures.length > 0) {
      const message = `${downFailures.length} write(s) failed on the source: ${downFailures.slice(0, 3).map((result) => `${result.plan.ref.kind.toLowerCase()}/${result.plan.ref.name}: ${result.message ?? result.outcome}`).join('; ')}`;
      down.fail(`${STAGE_DISPLAY.ScaleDownSource}: ${message}`);
      stages.push(stageReport('ScaleDownSource', 'source', 'Failed', downStarted, deps.clock.now(), { message: `${message}; not rolled back (as Stork): run again to finish, or resume the source by hand`, results: scaledDown }));
      report.namespaceResults = prepared.namespaces.map((namespace) => ({ namespace, result: 'failed', message: 'the source was partly scaled down' }));
      recorder.stage('ScaleDownSource', 'Failed');
      return finish();
    }
    down.succeed(`${STAGE_DISPLAY.ScaleDownSource} (${seconds(downStarted, deps)}): ${scaledDown.filter((result) => result.outcome === 'changed').length} changed`);
    stages.push(stageReport('ScaleDownSource', 'source', 'Successful', downStarted, deps.clock.now(), { results: scaledDown }));
    recorder.stage('ScaleDownSource', 'Successful');
    if (deps.signal.aborted) return finish();

    recorder.stage('WaitAfterScaleDown', 'Started');
    let failure = await waitAfterScaleDown(options, deps, sourceSession, source, scaledDown, stages);
    if (deps.signal.aborted) return finish();
    if (!failure) {
      recorder.stage('LastMileMigration', 'Started');
      failure = options.skipLastMile ? skipLastMile(deps, stages) : await lastMile(options, deps, sourceSession, source, prepared.namespaces, report, stages, recorder);
      if (deps.signal.aborted) return finish();
    }
    if (failure) {
      recorder.stage('ScaleUpSource', 'Started');
      await rollback(options, deps, sourceSession, source.snapshot.resources, scaledDown, report, stages, results, recorder);
      report.namespaceResults = prepared.namespaces.map((namespace) => ({ namespace, result: report.outcome === 'RollbackSuccessful' ? 'rolled-back' : 'failed', message: failure }));
      return finish();
    }
  }

  if (deps.signal.aborted) return finish();
  recorder.stage('ScaleUpDestination', 'Started');
  await scaleUpDestination(options, deps, prepared, report, stages, results, recorder);
  return finish();
}

/** A stage cut short by ^C or SIGTERM: In-Progress in the report and the journal, so resume and undo know where it stopped. */
function interrupted(phase: Phase, name: FailoverStageName, cluster: StageReport['cluster'], started: number, message: string, deps: CommandDeps, stages: StageReport[]): undefined {
  phase.fail(`${STAGE_DISPLAY[name]}: ${message}`);
  stages.push(stageReport(name, cluster, 'In-Progress', started, deps.clock.now(), { message }));
  return undefined;
}

function seconds(started: number, deps: CommandDeps): string {
  return `${((deps.clock.now() - started) / 1000).toFixed(1)}s`;
}

/** Reads the destination (and the source, if it answers within --source-timeout) and plans both sides. */
async function prepare(options: RunOptions, deps: CommandDeps, validating: Phase, warnings: string[], report: FailoverReport): Promise<Prepared> {
  const destination = await deps.cluster(options.destinationContext);
  let selection: NamespaceSelection;
  let scheduleCopy: KubeObject | undefined;
  if (options.schedule) {
    const scheduleNamespace = options.schedule.namespace ?? destination.kubeContext.namespace;
    options.schedule.namespace = scheduleNamespace;
    report.schedule = `${scheduleNamespace}/${options.schedule.name}`;
    const scope = await resolveScheduleScope(destination.api, options.destinationContext, options.schedule, scheduleNamespace);
    if (scope.schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true') {
      throw new UsageError(`migrationschedule ${scheduleNamespace}/${options.schedule.name} on context ${options.destinationContext} is not a static copy made by Stork: ensure that the failover is run against the cluster you want to fail over to (--destination-context)`);
    }
    warnings.push(...scope.warnings);
    selection = scope.selection;
    scheduleCopy = scope.schedule;
  } else {
    selection = selectionFor(options.globals, destination.kubeContext);
  }
  const destinationSnapshot = await collectSnapshot(destination.api, { namespaces: selection, labelSelector: options.globals.selector });
  warnings.push(...destinationSnapshot.warnings.map((warning) => `${options.destinationContext}: ${warning}`));
  const destinationPlan = planActivation(destinationSnapshot, { direction: 'activate', namespaces: selection, force: false });
  const namespaces = destinationPlan.scope.filter((entry) => entry.included).map((entry) => entry.namespace);

  // The source: connect (an unknown context, or a ClusterPair that cannot be used, is a usage
  // error), then see whether it answers in time.
  const sourceRoute = await openSource(options, deps, destination, scheduleCopy ? [scheduleCopy] : schedulesMigrating(destinationSnapshot.schedules, new Set(namespaces), destinationSnapshot.namespaces), namespaces);
  const prepared: Prepared = { destination, sourceRoute, destinationSnapshot, destinationPlan, selection, namespaces };
  const sourceSession = sourceRoute.session;
  const sourceReport = (reachable: boolean, error?: string): FailoverReport['source'] => ({ context: options.sourceContext, ...(sourceRoute.clusterPair ? { clusterPair: pairName(sourceRoute.clusterPair) } : {}), reachable, ...(error !== undefined ? { error } : {}) });
  report.source = sourceReport(false);
  validating.update(`${STAGE_DISPLAY.Validations}: reaching ${sourceRoute.clusterPair ? `the source through ${sourceRoute.label} (${STORED_CREDENTIALS})` : sourceRoute.label} (--source-timeout)`);
  const probe = await probeCluster(async () => sourceSession.api, deps.clock, options.sourceTimeoutMs);
  if (!probe.reachable) {
    report.source = sourceReport(false, probe.error);
    return prepared;
  }
  report.source = sourceReport(true);
  const sourceSelection: NamespaceSelection = { all: false, names: namespaces };
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await collectSnapshot(sourceSession.api, { namespaces: sourceSelection, labelSelector: options.globals.selector });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`on the source ${sourceRoute.label}: ${error.message}`);
    report.source = sourceReport(false, oneLine(error));
    return prepared;
  }
  const sourcePlan = planActivation(snapshot, { direction: 'deactivate', namespaces: sourceSelection, force: true });
  const migrating = schedulesMigrating(snapshot.schedules, new Set(namespaces), snapshot.namespaces);
  const schedules = (options.schedule ? migrating.filter((schedule) => schedule.metadata.name === options.schedule?.name && schedule.metadata.namespace === options.schedule.namespace) : migrating).filter(
    (schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true',
  );
  const plans = sourceScaleDownPlans(sourcePlan, activationTargets(destinationPlan), schedules);
  prepared.source = { session: sourceSession, snapshot, plans, schedules };
  return prepared;
}

/**
 * The source's session: the --source-context, or (--source-from-clusterpair) the ClusterPair the
 * schedules on the destination name, read there and used with the credentials Stork stored in it.
 * A resumed run uses the ClusterPair its journal recorded.
 */
async function openSource(options: RunOptions, deps: CommandDeps, destination: ClusterSession, destinationSchedules: readonly KubeObject[], namespaces: readonly string[]): Promise<SourceRoute> {
  if (!options.sourceFromClusterPair) {
    const session = await deps.cluster(options.sourceContext);
    return { session, label: `context ${options.sourceContext}`, identity: options.sourceContext, cluster: options.sourceContext };
  }
  const pair = options.sourceClusterPair ?? clusterPairOfSchedules(destinationSchedules, options.destinationContext, namespaces);
  const source = await openClusterPairSource(deps, destination.api, options.destinationContext, pair);
  const label = clusterPairLabel(pair);
  const storedUser = source.credentials.user ? `user "${source.credentials.user.name}"` : 'no user: anonymous';
  return { session: source.session, label, identity: `${label} (Stork's stored credentials, ${storedUser})`, storedUser, cluster: label, clusterPair: pair };
}

/** The route's identity, with the user the source authenticates it as where the server says (SelfSubjectReview). */
async function identityOf(route: SourceRoute): Promise<string> {
  const user = await authenticatedUser(route.session.api);
  return user ? `${route.label} (Stork's stored credentials, ${route.storedUser ?? ''}, authenticated as "${user}")` : route.identity;
}

/**
 * Stork's failback validations, for the reverse schedule on the cluster the apps run on now: its
 * latest migration must exist, not be Failed, be finished, and have finished within the
 * schedule policy's window. Returns the problem, or undefined.
 */
async function failbackProblem(source: NonNullable<Prepared['source']>, now: number): Promise<string | undefined> {
  const policyResource = (await discoverKinds(source.session.api, [StorkKinds.schedulePolicy])).get(`${StorkKinds.schedulePolicy.kind}.${StorkKinds.schedulePolicy.group}`);
  for (const schedule of source.schedules) {
    const name = `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`;
    const latest = latestMigration(schedule);
    if (!latest) return `no migration detected for migrationschedule ${name}: nothing to fail back`;
    if (latest.status === 'Failed') return `the latest migration ${latest.name} of ${name} is Failed, hence aborting failback`;
    if (!ACCEPTED_MIGRATION_STATUSES.has(latest.status) || !latest.finished) return `the latest migration ${latest.name} of ${name} has not completed (${latest.status || 'pending'})`;
    const policyName = schedulePolicyName(schedule);
    const policy = policyResource && policyName ? await source.session.api.request<KubeObject>({ method: 'GET', path: objectPath(policyResource, policyName) }).catch(() => undefined) : undefined;
    const window = policyWindowMs(policy);
    if (window !== undefined && now - latest.finished.getTime() > window) {
      return `failback refused: the latest migration ${latest.name} of ${name} did not complete within the scheduled policy duration (finished ${formatDuration(now - latest.finished.getTime())} ago, policy ${policyName} every ${formatDuration(window)})`;
    }
  }
  return undefined;
}

function destinationSchedules(prepared: Prepared): KubeObject[] {
  return schedulesMigrating(prepared.destinationSnapshot.schedules, new Set(prepared.namespaces), prepared.destinationSnapshot.namespaces);
}

function dataLossWindow(schedule: KubeObject, cluster: string, now: number): DataLossWindow {
  const success = lastSuccess(schedule);
  return {
    schedule: `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`,
    cluster,
    lastSuccess: success ? success.finished.toISOString() : null,
    ageSeconds: success ? Math.max(0, Math.round((now - success.finished.getTime()) / 1000)) : null,
  };
}

/** One patch check per resource and namespace the plans change. */
function writeChecks(plans: readonly ObjectPlan[], resources: ReadonlyMap<string, ApiResource>): AccessCheck[] {
  return plans
    .filter((plan) => plan.action === 'change')
    .flatMap((plan): AccessCheck[] => {
      const resource = resources.get(plan.resourceKey);
      return resource ? [{ verb: 'patch', group: resource.group, resource: resource.resource, namespace: plan.ref.namespace ?? '' }] : [];
    });
}

function lastMileChecks(schedules: readonly KubeObject[]): AccessCheck[] {
  return schedules.map((schedule) => ({ verb: 'create', group: StorkKinds.migration.group, resource: 'migrations', namespace: schedule.metadata.namespace ?? '' }));
}

function replanSource(object: KubeObject, previous: ObjectPlan, snapshot: ClusterSnapshot): ObjectPlan {
  if (previous.resourceKey === MIGRATION_SCHEDULE_KEY && previous.changes.some((change) => change.path.join('.') === 'spec.suspend')) return planScheduleSuspend(object, MIGRATION_SCHEDULE_KEY, true);
  return planObject(object, previous.resourceKey, 'deactivate', snapshot.registeredKinds);
}

/** The source's pods are gone (their volumes free) and its latest migration succeeded, as Stork requires. Returns a failure, or undefined. */
async function waitAfterScaleDown(options: RunOptions, deps: CommandDeps, session: ClusterSession, source: NonNullable<Prepared['source']>, scaledDown: readonly ObjectResult[], stages: StageReport[]): Promise<string | undefined> {
  const started = deps.clock.now();
  const targets = scaledDown.filter((result) => result.outcome === 'changed' && result.plan.readiness === 'replicas').map((result) => ({ ref: result.plan.ref, resourceKey: result.plan.resourceKey }));
  const phase = deps.progress.start(`${STAGE_DISPLAY.WaitAfterScaleDown}: 0/${targets.length} scaled down`);
  const fail = (message: string, timedOut = false): string => {
    phase.fail(`${STAGE_DISPLAY.WaitAfterScaleDown}: ${message}`);
    stages.push(stageReport('WaitAfterScaleDown', 'source', timedOut ? 'TimedOut' : 'Failed', started, deps.clock.now(), { message }));
    return message;
  };
  if (targets.length > 0 && options.wait) {
    const waited = await waitForWorkloads(session.api, source.snapshot.resources, targets, {
      direction: 'deactivate',
      timeoutMs: options.timeoutMs,
      clock: deps.clock,
      labelSelector: options.globals.selector,
      onProgress: (done, total) => phase.update(`${STAGE_DISPLAY.WaitAfterScaleDown}: ${done}/${total} scaled down`),
      signal: deps.signal,
    });
    if (waited.interrupted) return interrupted(phase, 'WaitAfterScaleDown', 'source', started, `interrupted: ${waited.done}/${waited.total} scaled down`, deps, stages);
    if (waited.error) return fail(`waiting stopped: ${waited.error}`);
    if (waited.timedOut) return fail(`${waited.pending.length} workload(s) still running on the source after --timeout: ${waited.pending.slice(0, 5).map((entry) => `${entry.ref.namespace}/${entry.ref.kind.toLowerCase()}/${entry.ref.name} (${entry.detail})`).join(', ')}`, true);
  }
  const scheduleResource = source.snapshot.resources.get(MIGRATION_SCHEDULE_KEY);
  for (const schedule of source.schedules) {
    if (!scheduleResource) break;
    let latestStatus: string | undefined;
    let latestName = '';
    try {
      const fresh = await session.api.request<KubeObject>({ method: 'GET', path: objectPath(scheduleResource, schedule.metadata.name, schedule.metadata.namespace) });
      const latest = latestMigration(fresh);
      latestStatus = latest?.status;
      latestName = latest?.name ?? '';
    } catch (error) {
      return fail(`cannot read migrationschedule ${schedule.metadata.namespace}/${schedule.metadata.name}: ${oneLine(error)}`);
    }
    if (latestStatus === undefined) return fail(`no migration detected for migrationschedule ${schedule.metadata.namespace}/${schedule.metadata.name}: nothing to fail over from`);
    if (!ACCEPTED_MIGRATION_STATUSES.has(latestStatus)) return fail(`the latest migration ${latestName} of ${schedule.metadata.namespace}/${schedule.metadata.name} is ${latestStatus || 'not finished'}, not Successful or PartialSuccess`);
  }
  const podsText = options.wait ? `${targets.length} workload(s) scaled down` : `${targets.length} workload(s) not waited for (--wait=false): their pods may still hold volumes`;
  phase.succeed(`${STAGE_DISPLAY.WaitAfterScaleDown} (${seconds(started, deps)}): ${podsText}`);
  stages.push(stageReport('WaitAfterScaleDown', 'source', 'Successful', started, deps.clock.now(), { message: `${podsText}; latest migrations successful` }));
  return undefined;
}

function skipLastMile(deps: CommandDeps, stages: StageReport[]): undefined {
  deps.progress.start(STAGE_DISPLAY.LastMileMigration).warn(`${STAGE_DISPLAY.LastMileMigration}: skipped (--skip-last-mile): data written since the last migration stays on the source`);
  stages.push(stageReport('LastMileMigration', 'source', 'Skipped', deps.clock.now(), deps.clock.now(), { message: '--skip-last-mile: data written since the last migration stays on the source' }));
  return undefined;
}

/** One Migration per schedule, created on the source from its template, followed to Final. Returns a failure, or undefined. */
async function lastMile(options: RunOptions, deps: CommandDeps, session: ClusterSession, source: NonNullable<Prepared['source']>, namespaces: readonly string[], report: FailoverReport, stages: StageReport[], recorder: RunRecorder): Promise<string | undefined> {
  const started = deps.clock.now();
  const phase = deps.progress.start(`${STAGE_DISPLAY.LastMileMigration}: creating`);
  const fail = (message: string, timedOut = false): string => {
    phase.fail(`${STAGE_DISPLAY.LastMileMigration}: ${message}`);
    stages.push(stageReport('LastMileMigration', 'source', timedOut ? 'TimedOut' : 'Failed', started, deps.clock.now(), { message }));
    return message;
  };
  const resource = (await discoverKinds(session.api, [StorkKinds.migration])).get(MIGRATION_KEY);
  if (!resource) return fail('migrations.stork.libopenstorage.org is not served on the source');
  const deadline = deps.clock.now() + options.timeoutMs;
  for (const schedule of source.schedules) {
    const covered = namespaces.filter((namespace) => migratedNamespaces(schedule, source.snapshot.namespaces).has(namespace));
    if (covered.length === 0) continue;
    const migration = lastMileMigration(schedule, covered, options.runId);
    const where = `${migration.metadata.namespace}/${migration.metadata.name}`;
    try {
      recorder.create('LastMileMigration', 'source', options.sourceContext, MIGRATION_KEY, migration);
      await createMigration(session.api, resource, migration, false);
    } catch (error) {
      return fail(`cannot create migration ${where}: ${oneLine(error)}`);
    }
    report.lastMileMigrations.push(where);
    try {
      const followed = await followMigration(session.api, resource, migration.metadata.name, migration.metadata.namespace ?? '', deps.clock, deadline, (stage, status) => phase.update(`${STAGE_DISPLAY.LastMileMigration}: ${where} ${stage || 'Initial'} ${status}`.trimEnd()), deps.signal);
      if (followed.interrupted) return interrupted(phase, 'LastMileMigration', 'source', started, `interrupted while migration ${where} was at ${followed.stage || 'Initial'} ${followed.status || ''}`.trimEnd() + ' (it goes on)', deps, stages);
      if (followed.timedOut) return fail(`migration ${where} not finished after --timeout (stage ${followed.stage || 'Initial'}, status ${followed.status || 'none'})`, true);
      if (!followed.succeeded) return fail(`the last mile migration ${where} failed with status ${followed.status}`);
    } catch (error) {
      return fail(`cannot follow migration ${where}: ${oneLine(error)}`);
    }
  }
  phase.succeed(`${STAGE_DISPLAY.LastMileMigration} (${seconds(started, deps)}): ${report.lastMileMigrations.join(', ') || 'nothing to migrate'}`);
  stages.push(stageReport('LastMileMigration', 'source', 'Successful', started, deps.clock.now(), { message: report.lastMileMigrations.join(', ') }));
  return undefined;
}

/** ScaleUpSource: every write of ScaleDownSource undone exactly (counts, CronJobs, schedules resumed). */
async function rollback(options: RunOptions, deps: CommandDeps, session: ClusterSession, resources: ReadonlyMap<string, ApiResource>, scaledDown: readonly ObjectResult[], report: FailoverReport, stages: StageReport[], results: ObjectResult[], recorder: RunRecorder): Promise<void> {
  const started = deps.clock.now();
  const beforeSend = (plan: ObjectPlan): void => recorder.write('ScaleUpSource', 'source', options.sourceContext, plan);
  // A resumed run may have scaled the source down in an earlier attempt: its journal, not this
  // attempt's results (unchanged by then), says what to put back.
  const earlier = options.resuming && recorder.file ? writtenObjects(readJournal(recorder.file).filter((entry) => entry.type === 'write' && entry.stage === 'ScaleDownSource' && entry.cluster === 'source')) : undefined;
  const inverses = earlier ? [] : scaledDown.filter((result) => result.outcome === 'changed').map(inversePlan);
  const phase = deps.progress.start(`${STAGE_DISPLAY.ScaleUpSource}: ${earlier ? earlier.length : inverses.length} change(s)`);
  // A rollback is not interrupted: it is what puts the source back.
  const undone = earlier
    ? await undoWrites(session.api, earlier, { dryRun: 'none', concurrency: options.concurrency, beforeSend })
    : await applyPlans(session.api, resources, inverses, {
        serverDryRun: false,
        concurrency: options.concurrency,
        replan: (object, previous) => ({ ...previous, live: object, action: 'error', reason: 'changed since the scale-down: left as it is' }),
        beforeSend,
      });
  results.push(...undone);
  const failures = writeFailures(undone);
  if (failures.length > 0) {
    phase.fail(`${STAGE_DISPLAY.ScaleUpSource}: ${failures.length} of ${undone.length} could not be undone`);
    stages.push(stageReport('ScaleUpSource', 'source', 'Failed', started, deps.clock.now(), { message: 'RollbackFailed', results: undone }));
    report.outcome = 'RollbackFailed';
    recorder.stage('ScaleUpSource', 'Failed');
  } else {
    recorder.stage('ScaleUpSource', 'Successful');
    phase.succeed(`${STAGE_DISPLAY.ScaleUpSource} (${seconds(started, deps)}): ${undone.length} undone`);
    stages.push(stageReport('ScaleUpSource', 'source', 'Successful', started, deps.clock.now(), { message: 'RollbackSuccessful', results: undone }));
    report.outcome = 'RollbackSuccessful';
  }
  stages.push(stageReport('ScaleUpDestination', 'destination', 'NotStarted', deps.clock.now(), deps.clock.now(), { message: 'rolled back instead' }));
}

/** Read the destination again (the last mile may have changed it), plan, activate, wait. */
async function scaleUpDestination(options: RunOptions, deps: CommandDeps, prepared: Prepared, report: FailoverReport, stages: StageReport[], results: ObjectResult[], recorder: RunRecorder): Promise<void> {
  const started = deps.clock.now();
  const phase = deps.progress.start(`${STAGE_DISPLAY.ScaleUpDestination}: reading`);
  const { api } = prepared.destination;
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await collectSnapshot(api, { namespaces: prepared.selection, labelSelector: options.globals.selector });
  } catch (error) {
    const message = `cannot read the destination: ${oneLine(error)}`;
    phase.fail(`${STAGE_DISPLAY.ScaleUpDestination}: ${message}`);
    stages.push(stageReport('ScaleUpDestination', 'destination', 'Failed', started, deps.clock.now(), { message }));
    report.namespaceResults = prepared.namespaces.map((namespace) => ({ namespace, result: 'failed', message }));
    return;
  }
  const plan = planActivation(snapshot, { direction: 'activate', namespaces: prepared.selection, force: false });
  const writes = plan.objects.filter((objectPlan) => objectPlan.action === 'change').length;
  phase.update(`${STAGE_DISPLAY.ScaleUpDestination}: 0/${writes}`);
  let done = 0;
  const activated = await applyPlans(api, snapshot.resources, plan.objects, {
    serverDryRun: false,
    concurrency: options.concurrency,
    replan: (object, previous) => planObject(object, previous.resourceKey, 'activate', snapshot.registeredKinds),
    onResult: (_result, planned) => {
      if (planned.action === 'change') phase.update(`${STAGE_DISPLAY.ScaleUpDestination}: ${++done}/${writes}`);
    },
    signal: deps.signal,
    beforeSend: (objectPlan) => recorder.write('ScaleUpDestination', 'destination', options.destinationContext, objectPlan),
  });
  results.push(...activated);
  const failures = writeFailures(activated);
  let message = `${activated.filter((result) => result.outcome === 'changed').length} changed`;
  let status: StageReport['status'] = deps.signal.aborted ? 'In-Progress' : failures.length > 0 ? 'Failed' : 'Successful';
  if (deps.signal.aborted) {
    const { sent, planned } = writeCounts(activated);
    message = `interrupted after ${sent} of ${planned} writes`;
  } else if (failures.length > 0) message = `${failures.length} write(s) failed: ${failures.slice(0, 3).map((result) => `${result.plan.ref.namespace}/${result.plan.ref.kind.toLowerCase()}/${result.plan.ref.name}: ${result.message ?? result.outcome}`).join('; ')}`;
  else if (options.wait && !deps.signal.aborted) {
    const targets = activated.filter((result) => (result.outcome === 'changed' || result.outcome === 'unchanged') && result.plan.readiness === 'replicas').map((result) => ({ ref: result.plan.ref, resourceKey: result.plan.resourceKey }));
    if (targets.length > 0) {
      const waited = await waitForWorkloads(api, snapshot.resources, targets, { direction: 'activate', timeoutMs: options.timeoutMs, clock: deps.clock, labelSelector: options.globals.selector, onProgress: (ready, total) => phase.update(`${STAGE_DISPLAY.ScaleUpDestination}: ${ready}/${total} ready`), signal: deps.signal });
      if (waited.interrupted) {
        status = 'In-Progress';
        message = `${message}; interrupted while waiting: ${waited.done}/${waited.total} ready`;
      } else if (waited.error) {
        status = 'Failed';
        message = `waiting stopped: ${waited.error}`;
      } else if (waited.timedOut) {
        status = 'TimedOut';
        message = `${waited.done}/${waited.total} ready after --timeout; not ready: ${waited.pending.slice(0, 10).map((entry) => `${entry.ref.namespace}/${entry.ref.kind.toLowerCase()}/${entry.ref.name} (${entry.detail})`).join(', ')}${waited.pending.length > 10 ? ` and ${waited.pending.length - 10} more` : ''}`;
      } else message = `${message}; ${waited.done}/${waited.total} ready`;
    }
  }
  if (status === 'Successful') phase.succeed(`${STAGE_DISPLAY.ScaleUpDestination} (${seconds(started, deps)}): ${message}`);
  else if (status === 'In-Progress') phase.fail(`${STAGE_DISPLAY.ScaleUpDestination}: ${message}`);
  else phase.fail(`${STAGE_DISPLAY.ScaleUpDestination}: ${message}; not rolled back: the source stays scaled down (scaling it up now would run the apps twice)`);
  stages.push(stageReport('ScaleUpDestination', 'destination', status, started, deps.clock.now(), { message, results: activated }));
  recorder.stage('ScaleUpDestination', status);
  stages.push(stageReport('ScaleUpSource', 'source', 'Skipped', deps.clock.now(), deps.clock.now(), { message: 'no rollback needed' }));
  report.outcome = status === 'Successful' ? 'Successful' : 'Failed';
  const failedNamespaces = new Set(failures.map((result) => result.plan.ref.namespace ?? ''));
  report.namespaceResults = prepared.namespaces.map((namespace) => (failedNamespaces.has(namespace) || status !== 'Successful' ? { namespace, result: 'failed', message } : { namespace, result: 'active-on-destination' }));
}

/** --dry-run=client|server: every stage's plan per cluster, nothing written anywhere. */
async function dryRunStages(options: RunOptions, deps: CommandDeps, prepared: Prepared, report: FailoverReport, results: ObjectResult[], finish: () => RunOutcome): Promise<RunOutcome> {
  const serverDryRun = options.globals.dryRun === 'server';
  const now = deps.clock.now();
  const planned = async (session: ClusterSession, snapshot: ClusterSnapshot, plans: ObjectPlan[]): Promise<ObjectResult[]> =>
    serverDryRun ? applyPlans(session.api, snapshot.resources, plans, { serverDryRun: true, concurrency: options.concurrency, replan: (_object, previous) => previous }) : plans.map(predictResult);
  const source = prepared.source;
  if (source && !options.skipSourceOperations) {
    const down = await planned(source.session, source.snapshot, source.plans);
    results.push(...down);
    report.stages.push(stageReport('ScaleDownSource', 'source', 'Planned', now, deps.clock.now(), { results: down, dryRun: options.globals.dryRun }));
    report.stages.push(stageReport('WaitAfterScaleDown', 'source', 'Planned', now, now, { message: `would wait for ${down.filter((result) => result.plan.readiness === 'replicas' && result.plan.action === 'change').length} workload(s) to scale down and the latest migration to be Successful` }));
    if (options.skipLastMile) report.stages.push(stageReport('LastMileMigration', 'source', 'Skipped', now, now, { message: '--skip-last-mile' }));
    else {
      const names = source.schedules.map((schedule) => lastMileMigration(schedule, prepared.namespaces.filter((namespace) => migratedNamespaces(schedule, source.snapshot.namespaces).has(namespace)), options.runId).metadata);
      report.stages.push(stageReport('LastMileMigration', 'source', 'Planned', now, now, { message: `would create ${names.map((meta) => `migration ${meta.namespace}/${meta.name}`).join(', ') || 'no migration'}` }));
    }
  } else {
    for (const name of ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration'] as const) report.stages.push(stageReport(name, 'source', 'Skipped', now, now, { message: source ? '--skip-source-operations' : 'source unreachable' }));
  }
  const up = await planned(prepared.destination, prepared.destinationSnapshot, prepared.destinationPlan.objects);
  results.push(...up);
  report.stages.push(stageReport('ScaleUpDestination', 'destination', 'Planned', now, deps.clock.now(), { results: up, dryRun: options.globals.dryRun }));
  report.stages.push(stageReport('ScaleUpSource', 'source', 'Skipped', now, now, { message: 'only when WaitAfterScaleDown or LastMileMigration fails' }));
  report.outcome = 'DryRun';
  report.namespaceResults = prepared.namespaces.map((namespace) => ({ namespace, result: 'planned' }));
  deps.progress.start('Dry run').succeed(`Dry run (${options.globals.dryRun}): nothing was changed on either cluster`);
  return finish();
}
