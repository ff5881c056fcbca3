// Test support: a stand-in for Stork's migration controller (and the status-items half of its
// MigrationSchedule controller). No Stork controller runs in the sandbox, so a Migration created
// there would stay at stage "" for ever. This stand-in moves every Migration on the cluster where it
// was created (the source, as with Stork) through Stork's own stage/status values, one write per
// step, to `Final` (pkg/migration/controllers/migration.go handle, runPreExecRule, migrateVolumes,
// migrateResources; docs/stork-behaviour.md §7.6):
//   ""/"" → Volumes/Pending → Volumes/InProgress → Applications/InProgress → Final/Successful
//   (with spec.preExecRule: ""/"" → PreExecRule/Pending → PreExecRule/InProgress → Volumes/InProgress → …;
//    with includeVolumes: false: … → Volumes/Pending → Applications/"" → Final/…)
// It migrates nothing: no volumes, no resources are copied, status.volumes stays empty.
// A Migration carrying `stork.libopenstorage.org/migration-schedule-name` also gets its entry in
// that MigrationSchedule's status.items[<policy type>] ({name, creationTimestamp, finishTimestamp,
// status}, status "" shown as Pending, finishTimestamp set when complete), as Stork's schedule
// controller keeps it (§7.7). Older entries are not pruned.
// Knobs, as annotations on the Migration (a last-mile Migration copies its schedule's annotations):
//   sandbox.kubectl-failover.dev/migration-outcome: Failed | PartialSuccess   (default Successful)
//   sandbox.kubectl-failover.dev/migration-hang: "true"      stays at the last step before Final
//   sandbox.kubectl-failover.dev/migration-delay-ms: "500"   pause before each step (default 100)
//   sandbox.kubectl-failover.dev/policy-type: Daily          status.items key (default: from the name
//                                                             <schedule>-<interval|daily|…>-…, else Interval)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTERS, readState, restFor } from './cluster';
import { KNOB, STORK_API, delayKnob, kubeTime, log, pollForever, sleep, type ObjectMeta, type Served } from './standIn';
import type { SandboxRest } from './rest';
import { formatGoDuration } from '../../src/util/duration';

export const MIGRATION_SCHEDULE_NAME_ANNOTATION = 'stork.libopenstorage.org/migration-schedule-name';
export const MIGRATION_KNOBS = {
  outcome: `${KNOB}/migration-outcome`,
  hang: `${KNOB}/migration-hang`,
  delayMs: `${KNOB}/migration-delay-ms`,
  policyType: `${KNOB}/policy-type`,
} as const;

export type MigrationStage = '' | 'PreExecRule' | 'PostExecRule' | 'Volumes' | 'Applications' | 'Final';
export type MigrationStatusType = '' | 'Pending' | 'InProgress' | 'Failed' | 'PartialSuccess' | 'Successful' | 'Purged';
export type MigrationOutcome = 'Successful' | 'PartialSuccess' | 'Failed';
export const POLICY_TYPES = ['Interval', 'Daily', 'Weekly', 'Monthly'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

export interface MigrationResourceInfo {
  name: string;
  namespace: string;
  group: string;
  version: string;
  kind: string;
  status: MigrationStatusType;
  reason: string;
  transformedBy: string;
}

export interface MigrationSummary {
  totalNumberOfVolumes: number;
  numOfMigratedVolumes: number;
  totalNumberOfResources: number;
  numOfMigratedResources: number;
  totalBytesMigrated: number;
  elapsedTimeForVolumeMigration: string;
  elapsedTimeForResourceMigration: string;
}

export interface MigrationStatus {
  stage: MigrationStage;
  status: MigrationStatusType;
  resources: MigrationResourceInfo[] | null;
  volumes: unknown[] | null;
  finishTimestamp: string | null;
  volumeMigrationFinishTimestamp: string | null;
  resourceMigrationFinishTimestamp: string | null;
  summary: MigrationSummary | null;
}

export interface Migration {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { namespaces?: string[] | null; includeVolumes?: boolean | null; includeResources?: boolean | null; preExecRule?: string | null; [key: string]: unknown };
  status?: Partial<MigrationStatus>;
}

export interface ScheduledMigrationStatus {
  name: string;
  creationTimestamp: string | null;
  finishTimestamp: string | null;
  status: MigrationStatusType;
}

export type ScheduleItems = Partial<Record<string, ScheduledMigrationStatus[] | null>>;

export interface MigrationKnobs {
  outcome: MigrationOutcome;
  hang: boolean;
  delayMs: number;
}

/** The knobs of a Migration, and a complaint for each value the stand-in does not understand. */
export function migrationKnobs(annotations: Record<string, string> | undefined): { knobs: MigrationKnobs; problems: string[] } {
  const problems: string[] = [];
  const outcome = annotations?.[MIGRATION_KNOBS.outcome] ?? 'Successful';
  const known: readonly string[] = ['Successful', 'PartialSuccess', 'Failed'];
  if (!known.includes(outcome)) problems.push(`${MIGRATION_KNOBS.outcome}: "${outcome}" is not one of ${known.join(', ')}; using Successful`);
  return {
    knobs: { outcome: known.includes(outcome) ? (outcome as MigrationOutcome) : 'Successful', hang: annotations?.[MIGRATION_KNOBS.hang] === 'true', delayMs: delayKnob(annotations, MIGRATION_KNOBS.delayMs) },
    problems,
  };
}

type Step = readonly [MigrationStage, MigrationStatusType];

/** Stork's steps before Final for this spec (setDefaults: includeVolumes and includeResources default to true). */
export function migrationSteps(spec: Migration['spec']): Step[] {
  const includeVolumes = spec?.includeVolumes !== false;
  const includeResources = spec?.includeResources !== false;
  const steps: Step[] = [['', '']];
  if (spec?.preExecRule) steps.push(['PreExecRule', 'Pending'], ['PreExecRule', 'InProgress']);
  else steps.push(['Volumes', 'Pending']);
  if (!includeVolumes) steps.push(['Applications', '']);
  else {
    steps.push(['Volumes', 'InProgress']);
    if (includeResources) steps.push(['Applications', 'InProgress']);
  }
  return steps;
}

/** Stork's getMigrationSummary for a migration that moved no volumes. */
export function migrationSummary(status: MigrationStatus, created: string | undefined, includeVolumes: boolean, now: Date): MigrationSummary {
  const since = (from: string, to: Date): string => formatGoDuration(to.getTime() - Date.parse(from));
  let elapsedVolumes = '';
  if (includeVolumes) {
    elapsedVolumes = 'NA';
    if (created) {
      if (status.stage === 'Applications' || status.stage === 'Final') {
        if (status.volumeMigrationFinishTimestamp) elapsedVolumes = since(created, new Date(status.volumeMigrationFinishTimestamp));
      } else elapsedVolumes = since(created, now);
    }
  }
  let elapsedResources = 'NA';
  if (status.volumeMigrationFinishTimestamp) {
    if (status.stage === 'Final') {
      if (status.resourceMigrationFinishTimestamp) elapsedResources = since(status.volumeMigrationFinishTimestamp, new Date(status.resourceMigrationFinishTimestamp));
    } else elapsedResources = since(status.volumeMigrationFinishTimestamp, now);
  }
  const resources = status.resources ?? [];
  return {
    totalNumberOfVolumes: 0,
    numOfMigratedVolumes: 0,
    totalNumberOfResources: resources.length,
    numOfMigratedResources: resources.filter((resource) => resource.status === 'Successful').length,
    totalBytesMigrated: 0,
    elapsedTimeForVolumeMigration: elapsedVolumes,
    elapsedTimeForResourceMigration: elapsedResources,
  };
}

/**
 * The status Stork would write next, or undefined when there is nothing to do: the Migration is
 * Final, hangs (knob) at the last step before Final, or is in a state Stork never writes.
 */
export function nextMigrationStatus(migration: Migration, knobs: MigrationKnobs, now: Date): MigrationStatus | undefined {
  const current: MigrationStatus = {
    stage: migration.status?.stage ?? '',
    status: migration.status?.status ?? '',
    resources: migration.status?.resources ?? null,
    volumes: migration.status?.volumes ?? null,
    finishTimestamp: migration.status?.finishTimestamp ?? null,
    volumeMigrationFinishTimestamp: migration.status?.volumeMigrationFinishTimestamp ?? null,
    resourceMigrationFinishTimestamp: migration.status?.resourceMigrationFinishTimestamp ?? null,
    summary: migration.status?.summary ?? null,
  };
  if (current.stage === 'Final') return undefined;
  const steps = migrationSteps(migration.spec);
  const index = steps.findIndex(([stage, status]) => stage === current.stage && status === current.status);
  if (index < 0) return undefined;
  const time = kubeTime(now);
  const next: MigrationStatus = { ...current };
  const following = steps[index + 1];
  if (following) {
    [next.stage, next.status] = following;
    if (next.stage === 'Volumes' && next.status === 'InProgress') next.volumes = current.volumes ?? [];
    if (next.stage === 'Applications') next.volumeMigrationFinishTimestamp = time;
  } else {
    if (knobs.hang) return undefined;
    next.stage = 'Final';
    next.status = knobs.outcome;
    next.finishTimestamp = time;
    next.volumeMigrationFinishTimestamp ??= time;
    if (knobs.outcome !== 'Failed') {
      next.resourceMigrationFinishTimestamp = time;
      next.resources = [...(current.resources ?? [])];
      if (knobs.outcome === 'PartialSuccess') {
        next.resources.push({
          name: 'sandbox-simulated',
          namespace: migration.spec?.namespaces?.[0] ?? migration.metadata.namespace,
          group: 'core',
          version: 'v1',
          kind: 'ConfigMap',
          status: 'Failed',
          reason: `Error applying resource: simulated (${MIGRATION_KNOBS.outcome}: PartialSuccess)`,
          transformedBy: '',
        });
      }
    }
  }
  next.summary = migrationSummary(next, migration.metadata.creationTimestamp, migration.spec?.includeVolumes !== false, now);
  return next;
}

/** The status.items key for a Migration of `schedule`: the knob, else the policy in Stork's name `<schedule>-<policy>-<time>`, else Interval. */
export function policyTypeOf(migration: Migration, schedule: string): PolicyType {
  const wanted = migration.metadata.annotations?.[MIGRATION_KNOBS.policyType];
  const byKnob = POLICY_TYPES.find((type) => type === wanted);
  if (byKnob) return byKnob;
  const fromName = POLICY_TYPES.find((type) => migration.metadata.name.startsWith(`${schedule}-${type.toLowerCase()}-`));
  return fromName ?? 'Interval';
}

/** Stork's schedule controller counts only Pending and InProgress as not complete. */
function scheduleSeesComplete(status: MigrationStatusType): boolean {
  return status !== 'Pending' && status !== 'InProgress';
}

/**
 * The schedule's status.items after the schedule controller saw this Migration, or undefined when
 * nothing changes: the entry is appended (Pending) if missing; while it is not complete it takes the
 * Migration's status ("" → Pending), and finishTimestamp is set when it becomes complete.
 */
export function syncScheduleItems(items: ScheduleItems | null | undefined, migration: Migration, policyType: PolicyType, now: Date): ScheduleItems | undefined {
  const result: ScheduleItems = {};
  for (const [key, list] of Object.entries(items ?? {})) result[key] = list ? list.map((entry) => ({ ...entry })) : list;
  const name = migration.metadata.name;
  let entry = Object.values(result)
    .flatMap((list) => list ?? [])
    .find((candidate) => candidate.name === name);
  let changed = false;
  if (!entry) {
    entry = { name, creationTimestamp: migration.metadata.creationTimestamp ?? kubeTime(now), finishTimestamp: null, status: 'Pending' };
    result[policyType] = [...(result[policyType] ?? []), entry];
    changed = true;
  }
  if (!scheduleSeesComplete(entry.status)) {
    const status = migration.status?.status || 'Pending';
    if (entry.status !== status) {
      entry.status = status;
      changed = true;
    }
    if (scheduleSeesComplete(status)) {
      entry.finishTimestamp = kubeTime(now);
      changed = true;
    }
  }
  return changed ? result : undefined;
}

interface Schedule {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  status?: { items?: ScheduleItems | null; applicationActivated?: boolean } | null;
}

const LABEL = 'migration-controller';
/** Final Migrations already seen, by cluster/uid → resourceVersion, so they cost nothing per round. */
const settled = new Map<string, string>();
const warned = new Set<string>();

async function syncSchedule(rest: SandboxRest, migration: Migration): Promise<void> {
  const scheduleName = migration.metadata.annotations?.[MIGRATION_SCHEDULE_NAME_ANNOTATION];
  if (!scheduleName) return;
  const path = `${STORK_API}/namespaces/${migration.metadata.namespace}/migrationschedules/${scheduleName}`;
  const schedule = await rest.find<Schedule>(path);
  if (!schedule) return;
  const items = syncScheduleItems(schedule.status?.items, migration, policyTypeOf(migration, scheduleName), new Date());
  if (!items) return;
  await rest.replace(path, { ...schedule, apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'MigrationSchedule', status: { ...(schedule.status ?? {}), items } });
}

async function handle(where: Served, migration: Migration): Promise<void> {
  const key = `${where.cluster} ${migration.metadata.uid ?? migration.metadata.name}`;
  if (settled.get(key) === migration.metadata.resourceVersion) return;
  const path = `${STORK_API}/namespaces/${migration.metadata.namespace}/migrations/${migration.metadata.name}`;
  let current = migration;
  for (let step = 0; step < 20; step++) {
    await syncSchedule(where.rest, current);
    const { knobs, problems } = migrationKnobs(current.metadata.annotations);
    for (const problem of problems) {
      if (!warned.has(`${key} ${problem}`)) log(LABEL, `${key}: ${problem}`);
      warned.add(`${key} ${problem}`);
    }
    const next = nextMigrationStatus(current, knobs, new Date());
    if (!next) {
      if (current.status?.stage === 'Final' && current.metadata.resourceVersion) settled.set(key, current.metadata.resourceVersion);
      return;
    }
    await sleep(knobs.delayMs);
    current = await where.rest.replace<Migration>(path, { ...current, apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'Migration', status: next });
  }
}

export async function runMigrationController(dir: string | undefined): Promise<never> {
  const state = readState(dir);
  const served = CLUSTERS.map((cluster) => ({ cluster, rest: restFor(state, cluster) }));
  log(LABEL, `serving ${served.map((entry) => entry.cluster).join(', ')}`);
  return pollForever<Migration>(LABEL, served, `${STORK_API}/migrations`, handle);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runMigrationController(process.argv[2]);
