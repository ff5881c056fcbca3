import type { ClusterSession, CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { deniedAccess, describeCheck, type AccessCheck } from '../../io/accessReview';
import { followUpsOf, planFromRead, readForActivation, type ActivationRead } from '../../io/activationPipeline';
import { openClusterPairSource } from '../../io/clusterPairSource';
import { probeCluster } from '../../io/reachability';
import { policyKey, readSchedulePolicies } from '../../io/schedulePolicies';
import { resolveScheduleScope } from '../../io/scheduleScope';
import { authenticatedUser } from '../../io/whoAmI';
import type { KubeObject } from '../../kube/objects';
import { objectPath, type ApiResource } from '../../kube/resources';
import type { ActivationPlan } from '../../plan/activation';
import type { FollowUp } from '../../plan/followUps';
import { schedulesMigrating } from '../../plan/protection';
import { planScheduleSuspend } from '../../plan/rules/scheduleSuspend';
import type { NamespaceSelection, ObjectPlan } from '../../plan/types';
import { isBlocking, type Finding } from '../../failover/findings';
import { clusterPairLabel, clusterPairOfSchedules, STORED_CREDENTIALS } from '../../failover/sourceRoute';
import { activationTargets, ownedSkips, sourceScaleDownPlans, sourceStillRuns } from '../../failover/sourceScope';
import type { DataLossWindow } from '../../failover/report';
import type { ClusterPairRef } from '../../stork/clusterPairConfig';
import { StorkAnnotation } from '../../stork/annotations';
import { CONFIGMAP_KEY, MIGRATION_SCHEDULE_KEY, NamespaceResource, StorkKinds } from '../../stork/kinds';
import { isSuspended, migratedNamespaces, schedulePolicyName, type NamespaceInfo } from '../../stork/migrationSchedule';
import { policyWindowMs } from '../../stork/schedulePolicy';
import { ACCEPTED_MIGRATION_STATUSES, lastSuccess, latestMigration, parseMigrationTime } from '../../stork/scheduleStatus';
import { formatDuration } from '../../util/duration';
import { selectionFor } from '../shared';
import type { RunOptions } from './options';
import { reconcilerValidations } from './reconcilers';

/** How the source is reached: a kubeconfig context of the operator's, or a ClusterPair's stored credentials. */
export interface SourceRoute {
  session: ClusterSession;
  /** In messages: "context source", "ClusterPair zookeeper/remotecluster". */
  label: string;
  /** Whose rights the RBAC checks asked about: the context, or the ClusterPair and its stored user. */
  identity: string;
  storedUser?: string;
  /** Where the data-loss window was read: the context, or "ClusterPair NS/NAME". */
  cluster: string;
  clusterPair?: ClusterPairRef;
}

/** The source as read in Validations: what ScaleDownSource will write, planned by deactivate's planner. */
export interface SourceSide {
  session: ClusterSession;
  read: ActivationRead;
  /** deactivate's plan of exactly the objects the destination will activate, and the source's static copies. */
  scaleDown: ObjectPlan[];
  /** deactivate's plan of every object of the namespaces, before it was narrowed to scaleDown. */
  plan: ActivationPlan;
  /** podsPath pods of the registered resources in scaleDown. */
  followUps: FollowUp[];
  /** The schedules that replicate the namespaces from the source (no static copies): suspended first, followed in WaitAfterScaleDown, copied by the last mile. */
  schedules: KubeObject[];
  /** Suspending `schedules`: the first write of a failover (Stork does it in Validations). */
  suspensions: ObjectPlan[];
  /** --pause-reconcilers: Argo CD, Flux, KEDA paused first in ScaleDownSource (journalled, undone by the rollback and undo). */
  pausePlans: ObjectPlan[];
}

/** What Validations read and decided, for the stages after it. */
export interface Prepared {
  destination: ClusterSession;
  route: SourceRoute;
  destinationRead: ActivationRead;
  destinationPlan: ActivationPlan;
  selection: NamespaceSelection;
  namespaces: string[];
  /** -m's schedule as read: the static copy on the destination (failover) or the reverse schedule on the source (failback). */
  scopingSchedule?: KubeObject;
  /** The source answered and was read. */
  source?: SourceSide;
  /** Why the source was not read (unreachable, silent, a read that failed). */
  sourceError?: string;
}

export interface Validated {
  prepared: Prepared;
  findings: Finding[];
  windows: DataLossWindow[];
  warnings: string[];
}

/**
 * Validations, as Stork's action controller runs them before any write, on both clusters: reads
 * both, plans both, and finds every reason not to go on. Throws a UsageError only for a request
 * that cannot even be read (unknown context, unknown schedule); all else is a finding. Writes nothing.
 */
export async function validateFailover(options: RunOptions, deps: CommandDeps, update: (text: string) => void, how: { alwaysCheckRbac?: boolean } = {}): Promise<Validated> {
  const warnings: string[] = [];
  const prepared = await prepare(options, deps, update, warnings);
  const findings: Finding[] = [];
  const ownedHere = ownedSkips(prepared.destinationPlan.objects);
  if (ownedHere.length > 0) findings.push(ownedFinding('destination', ownedHere));
  const ownedThere = prepared.source ? ownedSkips(prepared.source.plan.objects) : [];
  if (ownedThere.length > 0) findings.push(ownedFinding('source', ownedThere));
  const now = deps.clock.now();

  update('comparing the two clusters');
  const same = await sameCluster(prepared.destination, prepared.route.session, prepared.source !== undefined);
  if (same) findings.push({ code: 'same-cluster', severity: 'error', cluster: 'both', message: `the source ${prepared.route.label} and the destination ${options.destinationContext} are the same cluster (${same}): failing over would stop replication and report it as a success` });

  findings.push(...sourceFindings(options, prepared));
  findings.push(...destinationFindings(prepared));
  const windows = dataLossWindows(options, prepared, now);
  findings.push(...rpoFindings(options, windows));
  if (options.failback && prepared.source) findings.push(...(await failbackFindings(prepared.source, now)));
  update('looking for reconcilers (Argo CD, Flux, KEDA)');
  const reconcilers = await reconcilerValidations(options, prepared);
  findings.push(...reconcilers.findings);
  if (prepared.source) prepared.source.pausePlans = reconcilers.pausePlans;

  // RBAC is asked only when nothing else stands in the way: it costs a review per kind and namespace.
  if (how.alwaysCheckRbac || !findings.some((finding) => isBlocking(finding))) {
    update('checking permissions');
    findings.push(...(await rbacFindings(options, prepared)));
  }
  return { prepared, findings, windows, warnings };
}

/** Reads the destination (and the source, if it answers within --source-timeout) and plans both sides. */
async function prepare(options: RunOptions, deps: CommandDeps, update: (text: string) => void, warnings: string[]): Promise<Prepared> {
  update(`reading context ${options.destinationContext}`);
  const destination = await deps.cluster(options.destinationContext);
  let selection: NamespaceSelection;
  let scopingSchedule: KubeObject | undefined;
  // A failover's -m names the static copy on the destination; a failback's, the reverse schedule on
  // the cluster the apps run on now (Stork's failback needs no static copy): read once the source answers.
  if (options.schedule && !options.failback) {
    const scheduleNamespace = (options.schedule.namespace ??= destination.kubeContext.namespace);
    const scope = await resolveScheduleScope(destination.api, options.destinationContext, options.schedule, scheduleNamespace);
    if (scope.schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true') {
      throw new UsageError(`migrationschedule ${scheduleNamespace}/${options.schedule.name} on context ${options.destinationContext} is not a static copy made by Stork: ensure that the failover is run against the cluster you want to fail over to (--destination-context)`);
    }
    warnings.push(...scope.warnings);
    selection = scope.selection;
    scopingSchedule = scope.schedule;
  } else {
    selection = selectionFor(options.globals, destination.kubeContext);
  }

  // The source: connect (an unknown context, or a ClusterPair that cannot be used, is a usage error),
  // then see whether it answers in time.
  const preliminary = options.failback ? undefined : await readDestination(destination, options, selection, warnings);
  const route = await openSource(options, deps, destination, scopingSchedule ? [scopingSchedule] : preliminary ? schedulesMigrating(preliminary.read.snapshot.schedules, new Set(preliminary.namespaces), preliminary.read.snapshot.namespaces) : [], preliminary?.namespaces ?? []);
  update(`reaching ${route.clusterPair ? `the source through ${route.label} (${STORED_CREDENTIALS})` : route.label} (--source-timeout)`);
  const probe = await probeCluster(async () => route.session.api, deps.clock, options.sourceTimeoutMs);

  if (options.failback) {
    if (!probe.reachable) throw new UsageError(`failback needs the cluster the apps run on now: ${route.label} does not answer (${probe.error})`);
    const reference = options.schedule;
    if (!reference) throw new UsageError('failback needs the reverse MigrationSchedule: -m NAME (in -n)');
    const scheduleNamespace = (reference.namespace ??= route.session.kubeContext.namespace);
    update(`reading migrationschedule ${scheduleNamespace}/${reference.name} on ${route.label}`);
    const scope = await resolveScheduleScope(route.session.api, route.label, reference, scheduleNamespace).catch((error: unknown) => {
      throw error instanceof UsageError ? new UsageError(`on the source ${route.label}: ${error.message}`) : error;
    });
    warnings.push(...scope.warnings);
    selection = scope.selection;
    scopingSchedule = scope.schedule;
  }
  const { read: destinationRead, plan: destinationPlan, namespaces } = preliminary ?? (await readDestination(destination, options, selection, warnings));
  const prepared: Prepared = { destination, route, destinationRead, destinationPlan, selection, namespaces, ...(scopingSchedule ? { scopingSchedule } : {}) };
  if (!probe.reachable) return { ...prepared, sourceError: probe.error };

  update(`reading ${route.label}`);
  const sourceSelection: NamespaceSelection = { all: false, names: namespaces };
  let read: ActivationRead;
  try {
    // A namespace deleted on the source reads as empty, as Stork lists it: a finding decides.
    read = await readForActivation(route.session.api, 'deactivate', sourceSelection, options.globals.selector, { missingNamespaces: 'empty' });
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`on the source ${route.label}: ${error.message}`);
    return { ...prepared, sourceError: oneLine(error) };
  }
  const plan = planFromRead(read, { direction: 'deactivate', namespaces: sourceSelection, force: true });
  const inScope = new Set(namespaces);
  const migrating = schedulesMigrating(read.snapshot.schedules, inScope, read.snapshot.namespaces).filter((schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true');
  const schedules = options.schedule ? migrating.filter((schedule) => schedule.metadata.name === options.schedule?.name && schedule.metadata.namespace === options.schedule.namespace) : migrating;
  const scaleDown = sourceScaleDownPlans(plan, activationTargets(destinationPlan));
  const suspensions = schedules.map((schedule) => planScheduleSuspend(schedule, MIGRATION_SCHEDULE_KEY, true));
  return { ...prepared, source: { session: route.session, read, plan, scaleDown, followUps: followUpsOf(plan.followUps, scaleDown), schedules, suspensions, pausePlans: [] } };
}

async function readDestination(destination: ClusterSession, options: RunOptions, selection: NamespaceSelection, warnings: string[]): Promise<{ read: ActivationRead; plan: ActivationPlan; namespaces: string[] }> {
  const read = await readForActivation(destination.api, 'activate', selection, options.globals.selector);
  warnings.push(...read.snapshot.warnings.map((warning) => `${options.destinationContext}: ${warning}`));
  const plan = planFromRead(read, { direction: 'activate', namespaces: selection, force: false });
  return { read, plan, namespaces: plan.scope.filter((entry) => entry.included).map((entry) => entry.namespace) };
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

/**
 * Why two sessions reach one cluster, or undefined: the same API server URL, or (when both
 * answer and may read it) the same uid of kube-system, which an alias context or a second URL
 * for one server cannot change.
 */
async function sameCluster(destination: ClusterSession, source: ClusterSession, sourceAnswers: boolean): Promise<string | undefined> {
  const url = (session: ClusterSession): string => session.kubeContext.server.replace(/\/+$/, '').toLowerCase();
  if (url(destination) === url(source)) return `same API server ${destination.kubeContext.server}`;
  if (!sourceAnswers) return undefined;
  const [destinationUid, sourceUid] = await Promise.all([kubeSystemUid(destination), kubeSystemUid(source)]);
  return destinationUid && destinationUid === sourceUid ? `namespace kube-system has the same uid ${destinationUid} on both` : undefined;
}

async function kubeSystemUid(session: ClusterSession): Promise<string | undefined> {
  try {
    const namespace = await session.api.request<KubeObject>({ method: 'GET', path: objectPath(NamespaceResource, 'kube-system') });
    return namespace.metadata.uid;
  } catch {
    // Not allowed to read it (or not there): the URL comparison stands alone.
    return undefined;
  }
}

/** The source's state against the request: reachable, the schedules there, the namespaces there, still running under --skip-source-operations. Pure. */
export function sourceFindings(options: Pick<RunOptions, 'skipSourceOperations' | 'allowSplitBrain' | 'failback' | 'destinationContext'>, prepared: Prepared): Finding[] {
  const { route, source } = prepared;
  if (!source) {
    if (options.skipSourceOperations) return [];
    return [
      {
        code: 'source-unreachable',
        severity: 'error',
        cluster: 'source',
        message: `source ${route.label} is unreachable (${prepared.sourceError ?? 'no answer'}); nothing was changed. If the source is down for good, run again with --skip-source-operations: the destination is brought up without stopping the source, which may still run the apps`,
        override: '--skip-source-operations',
      },
    ];
  }
  if (options.skipSourceOperations) {
    const running = sourceStillRuns(source.scaleDown);
    if (running.length === 0 || options.allowSplitBrain) return [];
    const named = `${running.slice(0, 5).join(', ')}${running.length > 5 ? ` and ${running.length - 5} more` : ''}`;
    return [{ code: 'source-still-runs', severity: 'error', cluster: 'source', message: `the source answers and still runs ${named}: --skip-source-operations would leave both clusters running the apps; drop it (the source is scaled down first), or add --allow-split-brain if that is really meant`, override: '--allow-split-brain' }];
  }
  const findings: Finding[] = [];
  for (const namespace of source.read.snapshot.missingNamespaces) {
    findings.push({ code: 'namespace-missing', severity: 'error', cluster: 'source', namespace, message: `namespace ${namespace} does not exist on the source ${route.label}: there is nothing to stop or migrate there; run with --skip-source-operations to bring the destination up from what it holds`, override: '--skip-source-operations' });
  }
  // Stork fetches the schedule on the source before anything else: without it nothing stops replication.
  const sourceSchedules = new Set(source.schedules.map((schedule) => `${schedule.metadata.namespace}/${schedule.metadata.name}`));
  const copies = options.failback ? [] : prepared.scopingSchedule ? [prepared.scopingSchedule] : destinationStaticCopies(prepared);
  for (const copy of copies) {
    const name = `${copy.metadata.namespace}/${copy.metadata.name}`;
    if (!sourceSchedules.has(name)) findings.push({ code: 'schedule-missing', severity: 'error', cluster: 'source', message: `unable to fetch the migrationschedule ${name} needed for the failover in the source ${route.label} (it is not there, or not readable): nothing would stop replication; run with --skip-source-operations if the source is lost` , override: '--skip-source-operations' });
  }
  // Stork goes on past a Failed latest migration only to abort in WaitAfterScaleDown, after the apps
  // went down: refused here instead, before anything is touched.
  if (!options.failback) {
    for (const schedule of source.schedules) {
      const latest = latestMigration(schedule);
      if (latest?.status === 'Failed') findings.push({ code: 'migration-failed', severity: 'error', cluster: 'source', ...(schedule.metadata.namespace ? { namespace: schedule.metadata.namespace } : {}), message: `the latest migration ${latest.name} of ${schedule.metadata.namespace}/${schedule.metadata.name} Failed: a failover would abort after scaling the source down (WaitAfterScaleDown needs it Successful, as Stork's); let the next migration succeed, or, if the source is lost, run with --skip-source-operations`, override: '--skip-source-operations' });
    }
  }
  const missing = new Set(source.read.snapshot.missingNamespaces);
  const covered = new Set(source.schedules.flatMap((schedule) => [...migratedNamespaces(schedule, source.read.snapshot.namespaces)]));
  for (const namespace of prepared.namespaces) {
    if (missing.has(namespace) || covered.has(namespace) || findings.some((finding) => finding.code === 'schedule-missing')) continue;
    findings.push({ code: 'schedule-missing', severity: 'error', cluster: 'source', namespace, message: `no migrationschedule on the source ${route.label} migrates namespace ${namespace}: there is no replication to stop and no last mile to migrate; run with --skip-source-operations to bring the destination up from what it holds`, override: '--skip-source-operations' });
  }
  return findings;
}

/** The static copies on the destination that migrate the namespaces in scope. */
function destinationStaticCopies(prepared: Prepared): KubeObject[] {
  const snapshot = prepared.destinationRead.snapshot;
  return schedulesMigrating(snapshot.schedules, new Set(prepared.namespaces), snapshot.namespaces).filter((schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true');
}

/** Every object the destination will write must be plannable before the source is touched. Pure. */
export function destinationFindings(prepared: Prepared): Finding[] {
  return prepared.destinationPlan.objects
    .filter((plan) => plan.action === 'error')
    .map((plan) => ({
      // A stash that does not parse (or names a kind not served) is the stash's problem, not a count's.
      code: plan.operation === 'create' || plan.resourceKey === CONFIGMAP_KEY ? ('stash-invalid' as const) : ('count-invalid' as const),
      severity: 'error' as const,
      cluster: 'destination' as const,
      ...(plan.ref.namespace ? { namespace: plan.ref.namespace } : {}),
      message: `${plan.ref.namespace}/${plan.ref.kind.toLowerCase()}/${plan.ref.name}: ${plan.reason ?? 'cannot be planned'}; fix it on the destination before failing over (the source was not touched)`,
    }));
}

/**
 * The data-loss window per schedule: the age of its newest successful migration on the source;
 * when the source is not read, Stork's static copies hold no history, so the newest migrationTime
 * Stork stamped on the migrated objects on the destination stands in (an upper bound: Stork
 * leaves unchanged objects alone). Pure.
 */
export function dataLossWindows(options: Pick<RunOptions, 'destinationContext' | 'skipSourceOperations'>, prepared: Prepared, now: number): DataLossWindow[] {
  const source = prepared.source;
  if (source && !options.skipSourceOperations) return scheduleWindows(source.schedules, source.read.snapshot.namespaces, prepared.namespaces, prepared.route.cluster, now);
  const snapshot = prepared.destinationRead.snapshot;
  const newestByNamespace = new Map<string, Date>();
  for (const { object } of snapshot.workloads) {
    const stamped = parseMigrationTime(object.metadata.annotations?.[StorkAnnotation.migrationTime]);
    const namespace = object.metadata.namespace ?? '';
    const known = newestByNamespace.get(namespace);
    if (stamped && (!known || stamped > known)) newestByNamespace.set(namespace, stamped);
  }
  const where = `${options.destinationContext} (newest ${StorkAnnotation.migrationTime} of the migrated objects)`;
  const copies = destinationStaticCopies(prepared);
  const groups = copies.length > 0 ? copies.map((copy) => ({ name: `${copy.metadata.namespace ?? ''}/${copy.metadata.name}`, namespaces: [...migratedNamespaces(copy, snapshot.namespaces)].filter((namespace) => prepared.namespaces.includes(namespace)) })) : prepared.namespaces.map((namespace) => ({ name: `namespace ${namespace}`, namespaces: [namespace] }));
  return groups.map((group) => {
    const stamps = group.namespaces.map((namespace) => newestByNamespace.get(namespace)).filter((date): date is Date => date !== undefined);
    const newest = stamps.length > 0 ? new Date(Math.max(...stamps.map((date) => date.getTime()))) : undefined;
    return { schedule: group.name, cluster: where, lastSuccess: newest ? newest.toISOString() : null, ageSeconds: newest ? age(now, newest) : null, from: 'migration-time', namespaces: group.namespaces };
  });
}

/** Per schedule, the age of its newest successful migration, and the namespaces in scope it covers. Pure. */
export function scheduleWindows(schedules: readonly KubeObject[], namespaceInfo: readonly NamespaceInfo[], inScope: readonly string[], cluster: string, now: number): DataLossWindow[] {
  return schedules.map((schedule) => {
    const success = lastSuccess(schedule);
    const covered = [...migratedNamespaces(schedule, namespaceInfo)].filter((namespace) => inScope.includes(namespace));
    return { schedule: `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`, cluster, lastSuccess: success ? success.finished.toISOString() : null, ageSeconds: success ? age(now, success.finished) : null, from: 'schedule-status', namespaces: covered };
  });
}

function age(now: number, then: Date): number {
  return Math.max(0, Math.round((now - then.getTime()) / 1000));
}

/** --max-rpo against the windows; --force turns the refusal into a warning. Pure. */
export function rpoFindings(options: Pick<RunOptions, 'maxRpoMs' | 'force'>, windows: readonly DataLossWindow[]): Finding[] {
  if (options.maxRpoMs === undefined) return [];
  const limit = options.maxRpoMs;
  if (windows.length === 0) {
    const message = `--max-rpo ${formatDuration(limit)}: the data-loss window is unknown (no schedule history on the source, no ${StorkAnnotation.migrationTime} on the destination)`;
    return [options.force ? { code: 'rpo-unknown', severity: 'warning', cluster: 'both', message: `--force: ${message}` } : { code: 'rpo-unknown', severity: 'error', cluster: 'both', message: `${message}; nothing was changed; --force fails over anyway`, override: '--force' }];
  }
  const beyond = windows.filter((window) => window.ageSeconds === null || window.ageSeconds * 1000 > limit);
  if (beyond.length === 0) return [];
  const text = beyond.map((window) => `${window.schedule}: ${window.ageSeconds === null ? 'no successful migration' : `last success ${formatDuration(window.ageSeconds * 1000)} ago`}`).join('; ');
  if (options.force) return [{ code: 'rpo-exceeded', severity: 'warning', cluster: 'both', message: `--force: data-loss window beyond --max-rpo (${text})` }];
  return [{ code: 'rpo-exceeded', severity: 'error', cluster: 'both', message: `data-loss window beyond --max-rpo ${formatDuration(limit)} (${text}); nothing was changed; --force fails over anyway`, override: '--force' }];
}

/**
 * Stork's failback validations for the reverse schedule on the cluster the apps run on now: a
 * latest migration that exists and did not fail; one still running is waited for later (as Stork
 * requeues); a finished one must lie within the window of its policy (a NamespacedSchedulePolicy
 * of that name in the schedule's namespace first, else the SchedulePolicy), which must exist.
 */
async function failbackFindings(source: SourceSide, now: number): Promise<Finding[]> {
  const policies = await readSchedulePolicies(source.session.api, source.schedules.map((schedule) => ({ name: schedulePolicyName(schedule), namespace: schedule.metadata.namespace ?? '' })));
  const findings: Finding[] = [];
  for (const schedule of source.schedules) {
    const name = `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`;
    const fail = (code: Finding['code'], message: string): void => void findings.push({ code, severity: 'error', cluster: 'source', ...(schedule.metadata.namespace ? { namespace: schedule.metadata.namespace } : {}), message });
    const latest = latestMigration(schedule);
    if (!latest) {
      fail('no-migration', `no migration detected for migrationschedule ${name}, resulting in the abortion of the failback`);
      continue;
    }
    if (latest.status === 'Failed') {
      fail('migration-failed', `the latest migration ${latest.name} of ${name} is in Failed state, hence aborting failback`);
      continue;
    }
    const policyName = schedulePolicyName(schedule);
    const policy = policies.get(policyKey(schedule.metadata.namespace ?? '', policyName));
    if (!policy || 'error' in policy) {
      fail('policy-missing', `cannot read the schedule policy ${policyName || '(none named)'} of ${name}: ${policy && 'error' in policy ? policy.error : 'not read'}`);
      continue;
    }
    // Still running: Stork waits for it (Validations waits below); its age is judged once it ends.
    if (!ACCEPTED_MIGRATION_STATUSES.has(latest.status) || !latest.finished) continue;
    const window = policyWindowMs(policy.object);
    if (window !== undefined && now - latest.finished.getTime() > window) {
      fail('rpo-exceeded', `failback refused: the latest migration ${latest.name} of ${name} did not complete within the scheduled policy duration (finished ${formatDuration(now - latest.finished.getTime())} ago, policy ${policyName} every ${formatDuration(window)})`);
    }
  }
  return findings;
}

/** RBAC on both clusters for every write a run of this scope would make. */
async function rbacFindings(options: RunOptions, prepared: Prepared): Promise<Finding[]> {
  const { source, route } = prepared;
  const sourceOperations = source !== undefined && !options.skipSourceOperations;
  const destinationChecks = writeChecks([...prepared.destinationPlan.objects, ...prepared.destinationPlan.followUps.flatMap(followUpPlan)], prepared.destinationRead.snapshot.resources);
  const [deniedOnDestination, deniedOnSource] = await Promise.all([
    deniedAccess(prepared.destination.api, destinationChecks),
    sourceOperations && source
      ? deniedAccess(source.session.api, [...writeChecks([...source.scaleDown, ...source.suspensions, ...source.pausePlans, ...source.followUps.flatMap(followUpPlan)], source.read.snapshot.resources), ...(options.skipLastMile ? [] : lastMileChecks(source.schedules))])
      : Promise.resolve([]),
  ]);
  // Through a ClusterPair the identity is Stork's, not the operator's: the refusal says whose it is.
  const sourceIdentity = deniedOnSource.length > 0 && route.clusterPair ? await identityOf(route) : route.identity;
  const denied = [
    ...deniedOnDestination.map((check) => `${options.destinationContext}: ${describeCheck(check)}`),
    // The ClusterPair's identity is long: said once, before all it may not do.
    ...(route.clusterPair ? (deniedOnSource.length > 0 ? [`${sourceIdentity}: ${deniedOnSource.map(describeCheck).join(', ')}`] : []) : deniedOnSource.map((check) => `${sourceIdentity}: ${describeCheck(check)}`)),
  ];
  if (denied.length === 0) return [];
  const storkHint = deniedOnSource.length > 0 && route.clusterPair ? `; the source is reached with ${STORED_CREDENTIALS}: grant them these rights, or name the source with --source-context` : '';
  return [{ code: 'rbac-denied', severity: 'error', cluster: deniedOnSource.length > 0 && deniedOnDestination.length > 0 ? 'both' : deniedOnSource.length > 0 ? 'source' : 'destination', message: `not allowed to ${denied.join('; ')}; nothing was changed${storkHint}` }];
}

function followUpPlan(followUp: FollowUp): ObjectPlan[] {
  return followUp.kind === 'delete-pod' ? [followUp.plan] : [];
}

/** The route's identity, with the user the source authenticates it as where the server says (SelfSubjectReview). */
async function identityOf(route: SourceRoute): Promise<string> {
  const user = await authenticatedUser(route.session.api);
  return user ? `${route.label} (Stork's stored credentials, ${route.storedUser ?? ''}, authenticated as "${user}")` : route.identity;
}

/** One check per verb, resource and namespace the plans write. */
function writeChecks(plans: readonly ObjectPlan[], resources: ReadonlyMap<string, ApiResource>): AccessCheck[] {
  return plans
    .filter((plan) => plan.action === 'change')
    .flatMap((plan): AccessCheck[] => {
      const resource = resources.get(plan.resourceKey);
      return resource ? [{ verb: plan.operation, group: resource.group, resource: resource.resource, namespace: plan.ref.namespace ?? '' }] : [];
    });
}

function lastMileChecks(schedules: readonly KubeObject[]): AccessCheck[] {
  return schedules.map((schedule) => ({ verb: 'create', group: StorkKinds.migration.group, resource: 'migrations', namespace: schedule.metadata.namespace ?? '' }));
}

/** Whether the static copy is suspended, as Stork leaves it: a finding for `check`. */
export function staticCopyFindings(prepared: Prepared): Finding[] {
  return destinationStaticCopies(prepared)
    .filter((copy) => !isSuspended(copy))
    .map((copy) => ({ code: 'static-copy-not-suspended' as const, severity: 'warning' as const, cluster: 'destination' as const, ...(copy.metadata.namespace ? { namespace: copy.metadata.namespace } : {}), message: `the static copy ${copy.metadata.namespace}/${copy.metadata.name} on the destination is not suspended` }));
}

/** Up to this many owned workloads are named in a line; `-o json` has the finding with all. */
const OWNED_NAMED = 5;

function ownedFinding(cluster: 'source' | 'destination', owned: readonly string[]): Finding {
  const named = owned.slice(0, OWNED_NAMED).join(', ');
  return { code: 'owned-workload', severity: 'warning', cluster, message: `${owned.length} workload(s) on the ${cluster} are left to their owners, not scaled by this run: ${named}${owned.length > OWNED_NAMED ? ` and ${owned.length - OWNED_NAMED} more` : ''}`, objects: [...owned] };
}
