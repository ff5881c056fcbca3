import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import { parseReplicaCount } from './rules/replicaCount';
import { StorkAnnotation } from '../stork/annotations';
import { SCALED_WORKLOAD_KEYS, specReplicas } from '../stork/kinds';
import { isSuspended, migratedNamespaces, scheduleClusterPair, schedulePolicyName, type NamespaceInfo } from '../stork/migrationSchedule';
import { lastSuccess, parseMigrationTime } from '../stork/scheduleStatus';
import { isDrActionType, moreInfo, readAction, stageDisplay } from '../stork/action';
import type { Workload } from './types';
import type { Finding } from '../failover/findings';

/** The DR state of a namespace on one cluster. */
export type NamespaceVerdict = 'active' | 'standby' | 'partially active' | 'not protected';

export interface WorkloadStatus {
  kind: string;
  name: string;
  replicas: number;
  recorded: string;
  ready: number;
}

export interface ScheduleStatus {
  namespace: string;
  name: string;
  policy: string;
  clusterPair: string;
  suspended: boolean;
  lastSuccess: string;
  lastSuccessAgeSeconds: number | null;
  applicationActivated: boolean;
}

/** A failover or failback Action in the namespace, as `storkctl get failover|failback` shows it. */
export interface ActionRow {
  name: string;
  actionType: string;
  /** creationTimestamp (RFC 3339). */
  created: string;
  /** status.stage as Stork wrote it ('' is the initial stage) and storkctl's display name of it. */
  stage: string;
  stageDisplay: string;
  status: string;
  moreInfo: string;
}

/** At most this many Actions per namespace, the newest. */
export const ACTIONS_PER_NAMESPACE = 5;

export interface NamespaceStatus {
  cluster: string;
  namespace: string;
  verdict: NamespaceVerdict;
  schedules: ScheduleStatus[];
  workloads: WorkloadStatus[];
  /** Its newest failover and failback Actions (Stork 24+), newest first. */
  actions: ActionRow[];
  warnings: string[];
}

export interface StatusInput {
  cluster: string;
  workloads: readonly Workload[];
  schedules: readonly KubeObject[];
  namespaces: readonly NamespaceInfo[];
  /** Policy name → interval in minutes, for staleness. */
  policyIntervals: ReadonlyMap<string, number>;
  /** Who else scales these workloads (Argo CD, Flux, KEDA, HPAs, operators): each is a warning of its namespace. */
  findings: readonly Finding[];
  staleFactor: number;
  now: number;
  /** Actions read on this cluster (none where Stork has no action controller). */
  actions: readonly KubeObject[];
}

function numberAt(object: KubeObject, path: readonly string[]): number {
  const value = getPath(object, path);
  return typeof value === 'number' ? value : 0;
}

/** The DR state of each namespace on one cluster, with the integrity problems no other tool shows. Pure. */
export function namespaceStatuses(input: StatusInput): NamespaceStatus[] {
  const names = [...new Set([...input.namespaces.map((namespace) => namespace.name)])].sort();
  return names.map((namespace) => {
    const warnings: string[] = [];
    const stamped = newestMigrationTime(input.workloads, namespace);
    const schedules = input.schedules
      .filter((schedule) => migratedNamespaces(schedule, input.namespaces).has(namespace))
      .map((schedule): ScheduleStatus => {
        // Stork's static copies carry no history: the newest migrationTime of what they brought stands in.
        const isCopy = schedule.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true';
        const recorded = lastSuccess(schedule);
        const success = recorded ?? (isCopy && stamped ? { finished: stamped } : undefined);
        const age = success ? Math.max(0, Math.round((input.now - success.finished.getTime()) / 1000)) : null;
        const interval = input.policyIntervals.get(schedulePolicyName(schedule));
        if (interval && age !== null && age > interval * 60 * input.staleFactor) {
          const what = recorded ? 'last success' : `newest ${StorkAnnotation.migrationTime} of the migrated objects`;
          warnings.push(`migrationschedule ${schedule.metadata.name}: ${what} ${Math.round(age / 60)}m ago, more than ${input.staleFactor}× its ${interval}m interval`);
        }
        if (!success && !isCopy) warnings.push(`migrationschedule ${schedule.metadata.name}: no successful migration recorded`);
        return {
          namespace: schedule.metadata.namespace ?? '',
          name: schedule.metadata.name,
          policy: schedulePolicyName(schedule),
          clusterPair: scheduleClusterPair(schedule),
          suspended: isSuspended(schedule),
          lastSuccess: success ? success.finished.toISOString() : '',
          lastSuccessAgeSeconds: age,
          applicationActivated: getPath(schedule, ['status', 'applicationActivated']) === true,
        };
      });
    const workloads: WorkloadStatus[] = [];
    let up = 0;
    let down = 0;
    let migrated = 0;
    for (const { object, resourceKey } of input.workloads) {
      if (object.metadata.namespace !== namespace || !SCALED_WORKLOAD_KEYS.has(resourceKey) || object.metadata.ownerReferences?.length) continue;
      const annotations = object.metadata.annotations ?? {};
      const recorded = annotations[StorkAnnotation.migrationReplicas];
      const replicas = specReplicas(object);
      const label = `${object.kind.toLowerCase()}/${object.metadata.name}`;
      if (recorded !== undefined || annotations[StorkAnnotation.migrated] !== undefined) migrated += 1;
      if (annotations[StorkAnnotation.migrated] !== undefined && recorded === undefined) warnings.push(`${label}: migrated by Stork but has no ${StorkAnnotation.migrationReplicas} annotation`);
      if (recorded !== undefined) {
        const parsed = parseReplicaCount(recorded);
        if (!parsed.ok) warnings.push(`${label}: ${StorkAnnotation.migrationReplicas} ${parsed.problem}`);
        else if (parsed.count === 0) warnings.push(`${label}: ${StorkAnnotation.migrationReplicas} is 0: activation would leave it down`);
      }
      if (replicas > 0) up += 1;
      else down += 1;
      workloads.push({ kind: object.kind, name: object.metadata.name, replicas, recorded: recorded ?? '', ready: numberAt(object, ['status', 'readyReplicas']) });
    }
    warnings.push(...input.findings.filter((finding) => finding.namespace === namespace).map((finding) => finding.message));
    let verdict: NamespaceVerdict;
    if (schedules.length === 0 && migrated === 0) verdict = 'not protected';
    else if (down === 0 && up > 0) verdict = 'active';
    else if (up === 0) verdict = 'standby';
    else verdict = 'partially active';
    return { cluster: input.cluster, namespace, verdict, schedules, workloads, actions: actionRows(input.actions, namespace), warnings };
  });
}

/** The namespace's failover and failback Actions, newest first (names break ties: storkctl's end in the time), at most ACTIONS_PER_NAMESPACE. */
export function actionRows(actions: readonly KubeObject[], namespace: string): ActionRow[] {
  return actions
    .map(readAction)
    .filter((action) => action.namespace === namespace && isDrActionType(action.actionType))
    .sort((a, b) => b.created.localeCompare(a.created) || b.name.localeCompare(a.name))
    .slice(0, ACTIONS_PER_NAMESPACE)
    .map((action) => ({ name: action.name, actionType: action.actionType, created: action.created, stage: action.stage, stageDisplay: stageDisplay(action.stage, action.actionType), status: action.status, moreInfo: moreInfo(action) }));
}

/** Warnings that need both clusters: a schedule suspended on both sides stops protection altogether. */
export function crossClusterWarnings(source: readonly NamespaceStatus[], destination: readonly NamespaceStatus[]): void {
  for (const here of source) {
    const there = destination.find((entry) => entry.namespace === here.namespace);
    if (!there) continue;
    for (const schedule of here.schedules) {
      const copy = there.schedules.find((candidate) => candidate.name === schedule.name);
      if (schedule.suspended && copy?.suspended) {
        here.warnings.push(`migrationschedule ${schedule.name} is suspended on both clusters: nothing replicates`);
      }
    }
  }
}

/** The newest migrationTime Stork stamped on a namespace's migrated workloads, if any parses. */
function newestMigrationTime(workloads: readonly Workload[], namespace: string): Date | undefined {
  let newest: Date | undefined;
  for (const { object } of workloads) {
    if (object.metadata.namespace !== namespace) continue;
    const stamp = parseMigrationTime(object.metadata.annotations?.[StorkAnnotation.migrationTime]);
    if (stamp && (!newest || stamp > newest)) newest = stamp;
  }
  return newest;
}
