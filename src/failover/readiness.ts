import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import type { Workload } from '../plan/types';
import { StorkAnnotation } from '../stork/annotations';
import { SCALED_WORKLOAD_KEYS } from '../stork/kinds';
import { isSuspended, migratedNamespaces, schedulePolicyName, type NamespaceInfo } from '../stork/migrationSchedule';
import { policyWindowMs } from '../stork/schedulePolicy';
import { FINISHED_MIGRATION_STATUSES, lastSuccess, latestMigration } from '../stork/scheduleStatus';
import { formatDuration } from '../util/duration';
import { isBlocking, type Finding } from './findings';
import type { DataLossWindow } from './report';

/**
 * What `check` adds to run's Validations: the state of the replication itself, which a failover
 * needs but does not change. Pure: objects in, findings out.
 */

const nameOf = (object: KubeObject): string => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const inNamespace = (object: KubeObject): { namespace: string } | Record<string, never> => (object.metadata.namespace ? { namespace: object.metadata.namespace } : {});

/**
 * The source schedules: not suspended, a latest migration that did not fail (one still running is
 * a warning), a policy that exists, and (without --max-rpo, which Validations applies) a last
 * success no older than staleFactor × the policy's interval.
 */
export function scheduleFindings(schedules: readonly KubeObject[], policies: ReadonlyMap<string, { object: KubeObject } | { error: string; forbidden?: boolean }>, options: { now: number; staleFactor: number; maxRpoGiven: boolean }): Finding[] {
  const findings: Finding[] = [];
  for (const schedule of schedules) {
    const name = nameOf(schedule);
    const add = (finding: Omit<Finding, 'cluster'>): void => void findings.push({ cluster: 'source', ...inNamespace(schedule), ...finding });
    if (isSuspended(schedule)) add({ code: 'schedule-suspended', severity: 'error', message: `migrationschedule ${name} is suspended on the source: nothing is replicated (storkctl resume migrationschedule, or kubectl failover resume)` });
    const latest = latestMigration(schedule);
    if (!latest) add({ code: 'no-migration', severity: 'error', message: `migrationschedule ${name} has no migration yet: the destination holds nothing to fail over to` });
    else if (latest.status === 'Failed') add({ code: 'migration-failed', severity: 'error', message: `the latest migration ${latest.name} of ${name} Failed` });
    else if (!FINISHED_MIGRATION_STATUSES.has(latest.status)) add({ code: 'migration-running', severity: 'warning', message: `migration ${latest.name} of ${name} is ${latest.status || 'Pending'}: a failover now waits for it` });
    const policyName = schedulePolicyName(schedule);
    const policy = policies.get(`${schedule.metadata.namespace ?? ''}/${policyName}`) ?? { error: 'not read' };
    if ('error' in policy) {
      // Not allowed to read it is not the same as missing: the check cannot tell, and says so.
      if (policy.forbidden) add({ code: 'policy-missing', severity: 'warning', message: `the schedule policy "${policyName}" of ${name} is not readable here (${policy.error}): its window is unknown` });
      else add({ code: 'policy-missing', severity: 'error', message: `migrationschedule ${name} names schedule policy "${policyName || '(none)'}": ${policy.error}` });
      continue;
    }
    const window = policyWindowMs(policy.object);
    const success = lastSuccess(schedule);
    if (!options.maxRpoGiven && window !== undefined && success && options.now - success.finished.getTime() > options.staleFactor * window) {
      add({ code: 'rpo-exceeded', severity: 'error', message: `the last success of ${name} is ${formatDuration(options.now - success.finished.getTime())} old, more than ${options.staleFactor}× its policy's ${formatDuration(window)} (--stale-factor)`, override: '--stale-factor' });
    }
  }
  return findings;
}

/**
 * The destination: a static copy for each namespace in scope that holds migrated workloads
 * (suspended, as Stork leaves it), and a recorded count on every migrated workload.
 */
export function destinationReadinessFindings(namespaces: readonly string[], workloads: readonly Workload[], schedules: readonly KubeObject[], namespaceInfo: readonly NamespaceInfo[]): Finding[] {
  const findings: Finding[] = [];
  const copies = schedules.filter((schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true');
  for (const namespace of namespaces) {
    const migrated = workloads.filter(({ object, resourceKey }) => object.metadata.namespace === namespace && SCALED_WORKLOAD_KEYS.has(resourceKey) && !object.metadata.ownerReferences?.length && object.metadata.annotations?.[StorkAnnotation.migrated] !== undefined);
    for (const { object } of migrated) {
      if (object.metadata.annotations?.[StorkAnnotation.migrationReplicas] === undefined) {
        findings.push({ code: 'count-missing', severity: 'error', cluster: 'destination', namespace, message: `${namespace}/${object.kind.toLowerCase()}/${object.metadata.name} was migrated but has no ${StorkAnnotation.migrationReplicas}: a failover would leave it down` });
      }
    }
    const covering = copies.filter((copy) => migratedNamespaces(copy, namespaceInfo).has(namespace));
    if (covering.length === 0 && migrated.length > 0) findings.push({ code: 'static-copy-missing', severity: 'error', cluster: 'destination', namespace, message: `no static copy of a MigrationSchedule on the destination migrates ${namespace}: it was not migrated by Stork, or its copy was deleted` });
    for (const copy of covering.filter((candidate) => !isSuspended(candidate))) {
      findings.push({ code: 'static-copy-not-suspended', severity: 'warning', cluster: 'destination', namespace, message: `the static copy ${nameOf(copy)} on the destination is not suspended` });
    }
  }
  return findings;
}

/** A ClusterPair is usable when its scheduler side is Ready and its storage side Ready or NotProvided (a resources-only pair). */
export function clusterPairFindings(pairs: ReadonlyArray<{ schedule: KubeObject; name: string; pair: KubeObject | undefined; unreadable?: string }>): Finding[] {
  return pairs.flatMap(({ schedule, name, pair, unreadable }): Finding[] => {
    const where = `${schedule.metadata.namespace ?? ''}/${name}`;
    const base = { code: 'clusterpair-not-ready' as const, cluster: 'source' as const, ...inNamespace(schedule) };
    if (unreadable) return [{ ...base, severity: 'warning', message: `clusterpair ${where} is not readable here (${unreadable}): its readiness is unknown` }];
    if (!pair) return [{ ...base, severity: 'error', message: `clusterpair ${where}, which migrationschedule ${nameOf(schedule)} names, does not exist on the source` }];
    const scheduler = String(getPath(pair, ['status', 'schedulerStatus']) ?? '');
    const storage = String(getPath(pair, ['status', 'storageStatus']) ?? '');
    const problems = [scheduler === 'Ready' ? '' : `schedulerStatus ${scheduler || 'unset'}`, storage === 'Ready' || storage === 'NotProvided' ? '' : `storageStatus ${storage || 'unset'}`].filter(Boolean);
    return problems.length > 0 ? [{ ...base, severity: 'error', message: `clusterpair ${where} is not ready: ${problems.join(', ')}` }] : [];
  });
}

/** Per namespace: ready or not, its window, and the codes that concern it. Pure. */
export function namespaceReadiness(namespaces: readonly string[], findings: readonly Finding[], windows: ReadonlyArray<DataLossWindow & { namespaces: readonly string[] }>, strict: boolean): Array<{ namespace: string; ready: boolean; dataLossWindowSeconds: number | null; windowFrom?: DataLossWindow['from']; findings: string[] }> {
  return namespaces.map((namespace) => {
    const concerning = findings.filter((finding) => finding.namespace === undefined || finding.namespace === namespace);
    const covering = windows.filter((window) => window.namespaces.includes(namespace));
    const ages = covering.map((window) => window.ageSeconds);
    // The worst window that covers it: an unknown one is worst of all.
    const age = ages.length === 0 || ages.includes(null) ? null : Math.max(...(ages as number[]));
    const from = covering[0]?.from;
    return { namespace, ready: !concerning.some((finding) => isBlocking(finding, strict)), dataLossWindowSeconds: age, ...(from ? { windowFrom: from } : {}), findings: [...new Set(concerning.map((finding) => `${finding.severity}:${finding.code}`))] };
  });
}
