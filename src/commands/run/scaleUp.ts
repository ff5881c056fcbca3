import { oneLine } from '../../core/errors';
import { applyPlans, type ObjectResult } from '../../io/apply';
import { planFromRead, readForActivation, waitTargetsOf, writeActivationPlan, type ActivationRead } from '../../io/activationPipeline';
import { waitForWorkloads } from '../../io/wait';
import { planObject } from '../../plan/activation';
import { writeFailures, type NamespaceResult } from '../../failover/report';
import { StorkAnnotation } from '../../stork/annotations';
import { MIGRATION_SCHEDULE_KEY } from '../../stork/kinds';
import { writeCounts } from '../shared';
import { objectName, type RunContext } from './context';
import { holdMsOf } from '../../cli/reconcilerFlags';
import { holdCheck } from './reconcilers';
import { stageProgress } from './sourceStages';
import type { StageResult } from './stageRunner';
import type { Prepared } from './validations';

/** What ScaleUpDestination needs of Validations: the destination and the namespaces, not what was read there. */
export type DestinationScope = Pick<Prepared, 'destination' | 'selection' | 'namespaces'>;

/**
 * ScaleUpDestination: `activate`'s pipeline on the destination, read afresh (the last mile may have
 * changed it): counts from migrationReplicas, CronJobs resumed, stashed resources re-created and
 * made owners of their PVCs; then, only once every write went through, applicationActivated on
 * the static copies (as Stork: never on the schedules that replicate, and never after a failure);
 * then the wait for readiness. A failure here is not rolled back: scaling the source up again
 * would run the apps twice.
 */
export async function scaleUpDestination(ctx: RunContext, scope: DestinationScope): Promise<StageResult> {
  const { deps, options, runner, report } = ctx;
  const handle = runner.begin('ScaleUpDestination', 'destination', 'reading');
  const { api } = scope.destination;
  const failAll = (message: string, results: readonly ObjectResult[] = []): StageResult => {
    report.namespaceResults = scope.namespaces.map((namespace) => ({ namespace, result: 'failed', message }));
    return handle.end({ kind: 'failed', message }, { results });
  };
  let read: ActivationRead;
  try {
    read = await readForActivation(api, 'activate', scope.selection, options.globals.selector);
  } catch (error) {
    return failAll(`cannot read the destination: ${oneLine(error)}`);
  }
  const plan = planFromRead(read, { direction: 'activate', namespaces: scope.selection, force: false });
  const workloads = plan.objects.filter((objectPlan) => objectPlan.resourceKey !== MIGRATION_SCHEDULE_KEY);
  const staticCopies = plan.objects.filter((objectPlan) => objectPlan.resourceKey === MIGRATION_SCHEDULE_KEY && objectPlan.live.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true');

  const results = await writeActivationPlan(api, read.snapshot.resources, workloads, plan.followUps, {
    direction: 'activate',
    registeredKinds: read.snapshot.registeredKinds,
    dryRun: 'none',
    concurrency: options.concurrency,
    signal: deps.signal,
    beforeSend: (objectPlan) => handle.beforeSend(objectPlan),
    progress: stageProgress(handle),
  });
  if (deps.signal.aborted) {
    const { sent, planned } = writeCounts(results);
    return handle.end({ kind: 'interrupted', message: `interrupted after ${sent} of ${planned} writes` }, { results });
  }
  const failures = writeFailures(results);
  const failedNamespaces = new Set(failures.map((result) => result.plan.ref.namespace ?? ''));
  if (failures.length > 0) {
    const message = `${failures.length} write(s) failed: ${failures.slice(0, 3).map((result) => `${objectName(result.plan.ref)}: ${result.message ?? result.outcome}`).join('; ')}; not rolled back: the source stays scaled down (scaling it up now would run the apps twice); the static copies are not marked activated`;
    report.namespaceResults = scope.namespaces.map((namespace): NamespaceResult => (failedNamespaces.has(namespace) ? { namespace, result: 'failed', message } : { namespace, result: 'active-on-destination' }));
    return handle.end({ kind: 'failed', message }, { results });
  }

  handle.update(`marking ${staticCopies.length} static cop${staticCopies.length === 1 ? 'y' : 'ies'} activated`);
  const marked = await applyPlans(api, read.snapshot.resources, staticCopies, {
    serverDryRun: false,
    concurrency: options.concurrency,
    replan: (object, previous) => planObject(object, previous.resourceKey, 'activate', read.snapshot.registeredKinds),
    beforeSend: (objectPlan) => handle.beforeSend(objectPlan),
  });
  const all = [...results, ...marked];
  const markFailures = writeFailures(marked);
  let message = `${all.filter((result) => result.outcome === 'changed').length} changed`;
  if (markFailures.length > 0) report.warnings.push(`the apps are up, but ${markFailures.map((result) => `${objectName(result.plan.ref)}: ${result.message ?? result.outcome}`).join('; ')}: mark it activated by hand (kubectl failover activate -m …)`);

  let outcome: StageResult = { kind: 'ok', message };
  const targets = waitTargetsOf(results, 'activate');
  // Beside the wait: whoever puts a workload back to 0 (an Argo CD or Flux on the destination) is named.
  const stopWait = new AbortController();
  const holding = options.wait ? holdCheck(api, read.snapshot.resources, results, holdMsOf(options.reconcilers, deps.env), deps, () => stopWait.abort()) : Promise.resolve(undefined);
  if (options.wait && targets.length > 0) {
    const waited = await waitForWorkloads(api, read.snapshot.resources, targets, { direction: 'activate', timeoutMs: options.timeoutMs, clock: deps.clock, labelSelector: options.globals.selector, onProgress: (ready, total) => handle.update(`${ready}/${total} ready`), signal: AbortSignal.any([deps.signal, stopWait.signal]) });
    if (stopWait.signal.aborted && !deps.signal.aborted) outcome = { kind: 'failed', message: 'the hold check stopped the wait' };
    else if (waited.interrupted) outcome = { kind: 'interrupted', message: `${message}; interrupted while waiting: ${waited.done}/${waited.total} ready` };
    else if (waited.error) outcome = { kind: 'failed', message: `waiting stopped: ${waited.error}` };
    else if (waited.timedOut) {
      const pending = waited.pending.slice(0, 10).map((entry) => `${objectName(entry.ref)} (${entry.detail})`);
      outcome = { kind: 'timed-out', message: `${waited.done}/${waited.total} ready after --timeout; not ready: ${pending.join(', ')}${waited.pending.length > 10 ? ` and ${waited.pending.length - 10} more` : ''}` };
    } else message = `${message}; ${waited.done}/${waited.total} ready`;
    if (outcome.kind === 'ok') outcome = { kind: 'ok', message };
  }
  if (outcome.kind !== 'interrupted') {
    handle.update('waiting for the hold check (--hold)');
    const breach = await holding;
    if (breach) outcome = { kind: 'failed', message: breach };
  }
  const ok = outcome.kind === 'ok';
  report.namespaceResults = scope.namespaces.map((namespace): NamespaceResult => (ok ? { namespace, result: 'active-on-destination' } : { namespace, result: 'failed', message: outcome.message }));
  if (outcome.kind === 'failed' || outcome.kind === 'timed-out') outcome = { ...outcome, message: `${outcome.message}; not rolled back: the source stays scaled down (scaling it up now would run the apps twice)` };
  return handle.end(outcome, { results: all });
}
