import type { GlobalOptions } from '../../cli/globalOptions';
import type { ClusterSession, CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { InterruptedError, abortable, interruptSignalOf, type Interruption } from '../../core/interrupt';
import type { Phase } from '../../core/progress';
import { REPORT_API_VERSION } from '../../core/report';
import { newTracker, observe, type ActionTracker, type TrackerEvent } from '../../failover/actionFlow';
import { completeReport, trackedStages } from '../../failover/actionReport';
import { failoverVerdict, type FailoverReport } from '../../failover/report';
import { followObject, type FollowEnd } from '../../io/followObject';
import { actionsNotServed, validateForPerform } from '../../io/performValidations';
import { discoverKinds } from '../../kube/discovery';
import { isNotFound } from '../../kube/errors';
import type { KubeObject } from '../../kube/objects';
import { collectionPath, objectPath, type ApiResource } from '../../kube/resources';
import { actionName, buildAction, isDrActionType, readAction, stageDisplay, type DrActionType } from '../../stork/action';
import { ACTION_KEY, StorkKinds } from '../../stork/kinds';
import { formatDuration } from '../../util/duration';
import { NOTHING_CHANGED } from '../shared';
import type { RunOutcome } from './execute';

export interface ViaStorkOptions {
  globals: GlobalOptions;
  /** Where the Action is created and followed: the DR destination, in both directions (Stork's "destination"). */
  destinationContext: string;
  /** Start an Action (storkctl perform failover|failback), or follow an existing one by name. */
  job: { kind: 'start'; actionType: DrActionType; reference: string; include: string[]; exclude: string[]; skipSourceOperations: boolean } | { kind: 'follow'; name: string };
  /** How long to follow before giving up (exit 3; the Action goes on). */
  timeoutMs: number;
  /** Notes from the command line (flags that do not apply), printed with the report's warnings. */
  warnings: string[];
}

/**
 * `run --via-stork`: storkctl perform's validations (nothing created when one fails, exit 2), the
 * Action created as storkctl creates it, then followed stage by stage (one progress line each,
 * storkctl's stage names) until Final, --timeout (exit 3) or ^C (exit 130): the Stork controller
 * does the failover and carries on whatever happens here. `--follow NAME` follows one that exists.
 */
export async function executeViaStork(options: ViaStorkOptions, deps: CommandDeps): Promise<RunOutcome> {
  const destination = await deps.cluster(options.destinationContext);
  const namespace = options.globals.namespace ?? destination.kubeContext.namespace;
  const started = options.job.kind === 'start' ? await startAction(options, options.job, deps, destination, namespace) : await existingAction(options, options.job.name, deps, destination, namespace);
  const view = readAction(started.action);
  const report: FailoverReport = {
    apiVersion: REPORT_API_VERSION,
    kind: 'FailoverReport',
    runId: view.name,
    source: { context: '', reachable: null, ...(started.clusterPair ? { clusterPair: started.clusterPair } : {}) },
    destination: { context: options.destinationContext },
    dryRun: options.globals.dryRun,
    schedule: `${namespace}/${view.reference}`,
    namespaces: view.namespaces,
    dataLossWindow: [],
    lastMileMigrations: [],
    stages: [],
    outcome: 'InProgress',
    namespaceResults: [],
    findings: [],
    warnings: [...options.warnings],
  };
  if (options.globals.dryRun !== 'none') return dryRunReport(report, started.action, options, deps);

  const actionType = view.actionType;
  if (!isDrActionType(actionType)) throw new UsageError(`action ${namespace}/${view.name} is a ${actionType || 'typeless'} Action: --via-stork follows failover and failback Actions only`);
  const tracker = newTracker(actionType);
  const end = await follow(options, deps, destination.api, started.resource, tracker, view.name, namespace);
  completeReport(report, tracker, end);
  const followAgain = `kubectl failover run --via-stork --follow ${view.name} -n ${namespace} --destination-context ${options.destinationContext}`;
  if (end === 'timed-out') report.warnings.push(`stopped following after --timeout ${formatDuration(options.timeoutMs)}; the Action goes on in the Stork controller: follow it again with \`${followAgain}\``);
  const outcome: RunOutcome = { report, verdict: failoverVerdict(report), writes: [] };
  if (end === 'interrupted') {
    const interruption: Interruption = { signal: interruptSignalOf(deps.signal), message: `stopped following action ${namespace}/${view.name}; it keeps running in the Stork controller: follow it again with \`${followAgain}\`` };
    outcome.interruption = interruption;
  }
  return outcome;
}

interface Started {
  action: KubeObject;
  resource: ApiResource;
  clusterPair?: string;
}

/** storkctl's validations, then the Action created (or, in a dry run, built and maybe sent with dryRun=All). */
async function startAction(options: ViaStorkOptions, job: Extract<ViaStorkOptions['job'], { kind: 'start' }>, deps: CommandDeps, destination: ClusterSession, namespace: string): Promise<Started> {
  // A few reads; a refusal is the one `error:` line, so no progress line is left behind for it.
  const plan = await abortable(deps.signal, validateForPerform(destination.api, { ...job, contextName: options.destinationContext, namespace }), NOTHING_CHANGED);
  done(deps, `Checked migrationschedule ${namespace}/${job.reference} on context ${options.destinationContext} (ClusterPair ${plan.clusterPair}): ${job.actionType} of ${plan.namespaces.join(', ')}`);
  const action = buildAction({ actionType: job.actionType, name: actionName(job.actionType, job.reference, new Date(deps.clock.now())), namespace, reference: job.reference, namespaces: plan.namespaces, skipSourceOperations: job.skipSourceOperations });
  if (options.globals.dryRun === 'client') return { action, resource: plan.actionResource, clusterPair: plan.clusterPair };
  if (deps.signal.aborted) throw new InterruptedError(interruptSignalOf(deps.signal), NOTHING_CHANGED);
  let created: KubeObject;
  try {
    created = await destination.api.request<KubeObject>({
      method: 'POST',
      path: collectionPath(plan.actionResource, namespace),
      body: action,
      query: { fieldManager: 'kubectl-failover', dryRun: options.globals.dryRun === 'server' ? 'All' : undefined },
    });
  } catch (error) {
    // storkctl's words; the cause as the server gave it.
    if (isNotFound(error)) throw new UsageError(actionsNotServed(options.destinationContext));
    throw new Error(`failed to start ${job.actionType} for MigrationSchedule ${namespace}/${job.reference} : ${oneLine(error)}`);
  }
  done(deps, options.globals.dryRun === 'server' ? `Action ${namespace}/${action.metadata.name} accepted by the server (dry run): nothing was created` : `Started ${job.actionType} for MigrationSchedule ${namespace}/${job.reference}: action ${namespace}/${action.metadata.name}`);
  return { action: { ...created, apiVersion: action.apiVersion, kind: action.kind }, resource: plan.actionResource, clusterPair: plan.clusterPair };
}

/** A step that took no time worth a spinner: one line when it is done. */
function done(deps: CommandDeps, text: string): void {
  deps.progress.start(text).succeed(text);
}

/** --follow NAME: the Action must exist (and its kind be served) in -n on the destination. */
async function existingAction(options: ViaStorkOptions, name: string, deps: CommandDeps, destination: ClusterSession, namespace: string): Promise<Started> {
  const resource = (await abortable(deps.signal, discoverKinds(destination.api, [StorkKinds.action]), NOTHING_CHANGED)).get(ACTION_KEY);
  if (!resource) throw new UsageError(actionsNotServed(options.destinationContext));
  try {
    const action = await abortable(deps.signal, destination.api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, namespace) }), NOTHING_CHANGED);
    return { action: { ...action, apiVersion: `${resource.group}/${resource.version}`, kind: resource.kind }, resource };
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`action "${name}" not found in namespace ${namespace} on context ${options.destinationContext}`);
    throw error;
  }
}

/** Follows the Action, one progress line per stage, until Final, the deadline, ^C or its deletion. */
async function follow(options: ViaStorkOptions, deps: CommandDeps, api: ClusterSession['api'], resource: ApiResource, tracker: ActionTracker, name: string, namespace: string): Promise<FollowEnd> {
  const phases = new Map<string, Phase>();
  let current: Phase | undefined;
  const show = (event: TrackerEvent): void => {
    if (event.kind === 'final') return;
    const { stage } = event;
    const display = stageDisplay(stage.stage, tracker.actionType);
    const phase = phases.get(stage.stage) ?? deps.progress.start(display);
    phases.set(stage.stage, phase);
    current = phase;
    const took = `${((stage.endedAt - stage.startedAt) / 1000).toFixed(1)}s`;
    if (event.kind === 'started') return;
    if (event.kind === 'status') {
      phase.update(`${display}: ${stage.status || 'starting'}${stage.reason ? ` (${stage.reason})` : ''}`);
      return;
    }
    current = undefined;
    if (stage.outcome === 'Skipped') phase.warn(`${display}: skipped by Stork`);
    else if (stage.outcome === 'Failed') phase.fail(`${display}: ${stage.reason || 'Failed'}`);
    else if (!stage.seen) phase.succeed(`${display}: not seen (inferred from Stork's stage order)`);
    else phase.succeed(`${display} (${took})`);
  };
  const end = await followObject(api, resource, name, namespace, {
    clock: deps.clock,
    deadline: deps.clock.now() + options.timeoutMs,
    signal: deps.signal,
    onObject: (object) => {
      for (const event of observe(tracker, readAction(object), deps.clock.now())) show(event);
      return tracker.final !== undefined;
    },
    onReadError: (error) => current?.update(`cannot read action ${namespace}/${name}: ${oneLine(error)}; trying again`),
  });
  const running = tracker.stages.at(-1);
  if (current && running && end !== 'done') {
    const display = stageDisplay(running.stage, tracker.actionType);
    if (end === 'timed-out') current.fail(`${display}: still ${running.status || 'starting'} after --timeout ${formatDuration(options.timeoutMs)}`);
    else if (end === 'interrupted') current.warn(`${display}: still ${running.status || 'starting'}; following stopped`);
    else current.fail(`${display}: the action was deleted`);
  }
  return end;
}

/** A dry run: storkctl's validations passed; the Action that would be created, and Stork's stages as it would run them. */
function dryRunReport(report: FailoverReport, action: KubeObject, options: ViaStorkOptions, deps: CommandDeps): RunOutcome {
  const view = readAction(action);
  const actionType: DrActionType = view.actionType === 'failback' ? 'failback' : 'failover';
  const skipSource = actionType === 'failover' && view.skipSourceOperations;
  // Every stage of the flow, none reached yet: then marked as the Action would go through them.
  report.stages = trackedStages(newTracker(actionType), 'done').map((stage) => {
    const skipped = skipSource && ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration'].includes(stage.name);
    const rollback = stage.name === (actionType === 'failover' ? 'ScaleUpSource' : 'ScaleUpDestination');
    if (skipped) return { ...stage, status: 'Skipped', message: 'skipSourceOperations' };
    if (rollback) return { ...stage, status: 'Skipped', message: 'only when the wait or the last mile fails' };
    return { ...stage, status: 'Planned', ...(stage.name === 'Validations' ? { message: `would create action ${view.namespace}/${view.name}: ${actionType} of ${view.namespaces.join(', ')} (skipSourceOperations ${String(view.skipSourceOperations)})` } : {}) };
  });
  report.action = { name: view.name, namespace: view.namespace, actionType, created: '', stage: '', status: '', reason: '', moreInfo: '' };
  report.outcome = 'DryRun';
  report.namespaceResults = view.namespaces.map((namespace) => ({ namespace, result: 'planned' }));
  deps.progress.start('Dry run').succeed(`Dry run (${options.globals.dryRun}): no Action was created`);
  return { report, verdict: 'succeeded', writes: [] };
}
