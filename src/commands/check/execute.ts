import type { GlobalOptions } from '../../cli/globalOptions';
import type { ClusterSession, CommandDeps } from '../../core/command';
import { UsageError, oneLine } from '../../core/errors';
import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import { isBlocking, type Finding } from '../../failover/findings';
import { clusterPairFindings, destinationReadinessFindings, namespaceReadiness, scheduleFindings } from '../../failover/readiness';
import type { DataLossWindow } from '../../failover/report';
import { collectSnapshot } from '../../io/collect';
import { probeCluster } from '../../io/reachability';
import { readSchedulePolicies } from '../../io/schedulePolicies';
import { discoverKinds } from '../../kube/discovery';
import { isForbidden, isNotFound } from '../../kube/errors';
import type { KubeObject } from '../../kube/objects';
import { objectPath } from '../../kube/resources';
import { schedulesMigrating } from '../../plan/protection';
import type { NamespaceSelection } from '../../plan/types';
import type { ReadinessReport } from '../../report/readinessReport';
import { StorkAnnotation } from '../../stork/annotations';
import { CLUSTER_PAIR_KEY, StorkKinds } from '../../stork/kinds';
import { migratedNamespaces, scheduleClusterPair, schedulePolicyName } from '../../stork/migrationSchedule';
import type { RunOptions } from '../run/options';
import { rpoFindings, scheduleWindows, validateFailover, type Prepared } from '../run/validations';
import { selectionFor } from '../shared';

export interface CheckOptions {
  globals: GlobalOptions;
  sourceContext: string;
  sourceFromClusterPair: boolean;
  destinationContext: string;
  schedule?: { name: string; namespace?: string; include: string[]; exclude: string[] } | undefined;
  maxRpoMs?: number | undefined;
  staleFactor: number;
  strict: boolean;
  /** Bounds reaching each cluster: a silent one is a finding, not a hang. */
  sourceTimeoutMs: number;
}

/**
 * `check`: is this pair ready to fail over now? `run`'s own Validations (the same code), with RBAC
 * asked whatever else it found, plus the state of the replication a failover relies on: the
 * schedules, their policies and ClusterPairs on the source, the static copies and recorded counts
 * on the destination. Read-only on both clusters. A cluster that does not answer is a finding
 * and the other one is still checked; only a request that cannot be read (an unknown context or
 * schedule) is an error (exit 2).
 */
export async function executeCheck(options: CheckOptions, deps: CommandDeps): Promise<CommandOutcome<ReadinessReport>> {
  const phase = deps.progress.start(`Checking ${options.sourceFromClusterPair ? 'the ClusterPair' : options.sourceContext} → ${options.destinationContext}`);
  const runOptions = asRunOptions(options);
  const now = deps.clock.now();
  const report: ReadinessReport = {
    apiVersion: REPORT_API_VERSION,
    kind: 'ReadinessReport',
    source: { context: options.sourceContext, reachable: false },
    destination: { context: options.destinationContext, reachable: false },
    strict: options.strict,
    ready: false,
    namespaces: [],
    findings: [],
    checkedAt: new Date(now).toISOString(),
  };
  const destination = await deps.cluster(options.destinationContext);
  const destinationProbe = await probeCluster(async () => destination.api, deps.clock, options.sourceTimeoutMs);
  let findings: Finding[];
  let namespaces: string[];
  let windows: Array<DataLossWindow & { namespaces: string[] }>;
  if (destinationProbe.reachable) {
    report.destination.reachable = true;
    try {
      const validated = await validateFailover(runOptions, deps, (text) => phase.update(`Checking: ${text}`), { alwaysCheckRbac: true });
      const { prepared } = validated;
      namespaces = prepared.namespaces;
      windows = validated.windows.map((window) => ({ ...window, namespaces: window.namespaces ?? [] }));
      findings = [...validated.findings, ...(await replicationFindings(options, prepared, now))];
      report.source = { context: options.sourceContext, reachable: prepared.source !== undefined, ...(prepared.sourceError ? { error: prepared.sourceError } : {}), ...(prepared.route.clusterPair ? { clusterPair: `${prepared.route.clusterPair.namespace}/${prepared.route.clusterPair.name}` } : {}) };
    } catch (error) {
      if (error instanceof UsageError) throw error;
      report.destination = { context: options.destinationContext, reachable: false, error: oneLine(error) };
      ({ findings, namespaces, windows } = await sourceOnly(options, deps, report, now, oneLine(error)));
    }
  } else {
    report.destination = { context: options.destinationContext, reachable: false, error: destinationProbe.error };
    ({ findings, namespaces, windows } = await sourceOnly(options, deps, report, now, destinationProbe.error));
  }
  // run's Validations and the replication checks can find one condition twice (a Failed latest migration): once is enough.
  findings = findings.filter((finding, index) => findings.findIndex((other) => other.code === finding.code && other.cluster === finding.cluster && other.namespace === finding.namespace) === index);
  report.findings = findings;
  report.namespaces = namespaceReadiness(namespaces, findings, windows, options.strict);
  report.ready = !findings.some((finding) => isBlocking(finding, options.strict));
  const errors = findings.filter((finding) => isBlocking(finding, options.strict)).length;
  const text = `${report.namespaces.filter((entry) => entry.ready).length}/${report.namespaces.length} namespace(s) ready; ${errors} blocking finding(s), ${findings.length - errors} other`;
  if (report.ready) phase.succeed(`Ready: ${text}`);
  else phase.fail(`Not ready: ${text}`);
  return { report, verdict: report.ready ? 'succeeded' : 'failed' };
}

/** run's options for its Validations: a plain failover of this scope, nothing skipped. */
function asRunOptions(options: CheckOptions): RunOptions {
  return {
    globals: { ...options.globals, dryRun: 'none' },
    runId: 'check',
    sourceContext: options.sourceContext,
    sourceFromClusterPair: options.sourceFromClusterPair,
    destinationContext: options.destinationContext,
    schedule: options.schedule,
    sourceTimeoutMs: options.sourceTimeoutMs,
    maxRpoMs: options.maxRpoMs,
    force: false,
    skipSourceOperations: false,
    allowSplitBrain: false,
    skipLastMile: false,
    wait: false,
    timeoutMs: 0,
    onLastMileTimeout: 'keep',
    concurrency: 16,
    request: { sourceContext: options.sourceContext, destinationContext: options.destinationContext, allNamespaces: options.globals.allNamespaces, skipSourceOperations: false, allowSplitBrain: false, skipLastMile: false, failback: false },
    resuming: false,
    failback: false,
    // No pause, no ignore: a reconciler that would scale the source back is the refusal run would give.
    reconcilers: { pause: false, ignore: false, holdMs: 0 },
  };
}

/** The source's schedules (policy, ClusterPair, history) and the destination's copies and counts. */
async function replicationFindings(options: CheckOptions, prepared: Prepared, now: number): Promise<Finding[]> {
  const findings = destinationReadinessFindings(prepared.namespaces, prepared.destinationRead.snapshot.workloads, prepared.destinationRead.snapshot.schedules, prepared.destinationRead.snapshot.namespaces);
  if (prepared.source) findings.push(...(await sourceScheduleFindings(options, prepared.source.session, prepared.source.schedules, now)));
  return findings;
}

async function sourceScheduleFindings(options: CheckOptions, source: ClusterSession, schedules: readonly KubeObject[], now: number): Promise<Finding[]> {
  const policies = await readSchedulePolicies(source.api, schedules.map((schedule) => ({ name: schedulePolicyName(schedule), namespace: schedule.metadata.namespace ?? '' })));
  const findings = scheduleFindings(schedules, policies, { now, staleFactor: options.staleFactor, maxRpoGiven: options.maxRpoMs !== undefined });
  findings.push(...clusterPairFindings(await readClusterPairs(source, schedules)));
  return findings;
}

async function readClusterPairs(source: ClusterSession, schedules: readonly KubeObject[]): Promise<Array<{ schedule: KubeObject; name: string; pair: KubeObject | undefined; unreadable?: string }>> {
  const resource = (await discoverKinds(source.api, [StorkKinds.clusterPair])).get(CLUSTER_PAIR_KEY);
  return Promise.all(
    schedules.map(async (schedule) => {
      const name = scheduleClusterPair(schedule);
      if (!resource) return { schedule, name, pair: undefined };
      try {
        return { schedule, name, pair: await source.api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, schedule.metadata.namespace) }) };
      } catch (error) {
        if (isNotFound(error)) return { schedule, name, pair: undefined };
        return { schedule, name, pair: undefined, unreadable: isForbidden(error) ? 'forbidden' : oneLine(error) };
      }
    }),
  );
}

/**
 * The destination does not answer: its findings say so, and the source is still checked on its
 * own: its schedules for the namespaces asked (-n, -m's name, or all with -A), their history,
 * policy and ClusterPair.
 */
async function sourceOnly(options: CheckOptions, deps: CommandDeps, report: ReadinessReport, now: number, why: string): Promise<{ findings: Finding[]; namespaces: string[]; windows: Array<DataLossWindow & { namespaces: string[] }> }> {
  const findings: Finding[] = [{ code: 'destination-unreadable', severity: 'error', cluster: 'destination', message: `the destination ${options.destinationContext} cannot be read (${why}): nothing can be brought up there` }];
  if (options.sourceFromClusterPair) {
    findings.push({ code: 'source-unreachable', severity: 'error', cluster: 'source', message: 'the source is reached through the ClusterPair on the destination, which cannot be read' });
    return { findings, namespaces: [], windows: [] };
  }
  const source = await deps.cluster(options.sourceContext);
  const probe = await probeCluster(async () => source.api, deps.clock, options.sourceTimeoutMs);
  if (!probe.reachable) {
    report.source = { context: options.sourceContext, reachable: false, error: probe.error };
    findings.push({ code: 'source-unreachable', severity: 'error', cluster: 'source', message: `the source ${options.sourceContext} does not answer (${probe.error})` });
    return { findings, namespaces: [], windows: [] };
  }
  report.source = { context: options.sourceContext, reachable: true };
  const selection: NamespaceSelection = options.schedule ? { all: true } : selectionFor(options.globals, source.kubeContext);
  const snapshot = await collectSnapshot(source.api, { namespaces: selection, missingNamespaces: 'empty' }).catch((error: unknown) => {
    findings.push({ code: 'source-unreachable', severity: 'error', cluster: 'source', message: `the source ${options.sourceContext} cannot be read: ${oneLine(error)}` });
    return undefined;
  });
  if (!snapshot) return { findings, namespaces: [], windows: [] };
  const originals = snapshot.schedules.filter((schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true');
  const reference = options.schedule;
  const schedules = reference
    ? originals.filter((schedule) => schedule.metadata.name === reference.name && schedule.metadata.namespace === (reference.namespace ?? source.kubeContext.namespace))
    : selection.all
      ? originals
      : schedulesMigrating(originals, new Set(selection.names), snapshot.namespaces);
  const covered = (schedule: KubeObject): string[] => [...migratedNamespaces(schedule, snapshot.namespaces)].filter((namespace) => (reference ? (reference.include.length === 0 || reference.include.includes(namespace)) && !reference.exclude.includes(namespace) : selection.all || selection.names.includes(namespace)));
  const namespaces = [...new Set(selection.all ? schedules.flatMap(covered) : selection.names)].sort();
  if (reference && schedules.length === 0) findings.push({ code: 'schedule-missing', severity: 'error', cluster: 'source', message: `migrationschedule ${reference.namespace ?? source.kubeContext.namespace}/${reference.name} does not exist on the source ${options.sourceContext}` });
  findings.push(...(await sourceScheduleFindings(options, source, schedules, now)));
  // The same windows run would compute, from the source's history.
  const windows = scheduleWindows(schedules, snapshot.namespaces, namespaces, options.sourceContext, now).map((window) => ({ ...window, namespaces: window.namespaces ?? [] }));
  findings.push(...rpoFindings({ maxRpoMs: options.maxRpoMs, force: false }, windows));
  return { findings, namespaces, windows };
}
