// Test support: a stand-in for Stork's action controller (Stork 24 and later; pkg/action,
// docs/stork-behaviour.md §7). No Stork controller runs in the sandbox. This stand-in moves every
// `failover` and `failback` Action, on the cluster where it was created, through Stork's stage and
// status strings in Stork's order, one write per step:
//   the finalizer stork.libopenstorage.org/finalizer-cleanup first; then per stage
//   "" → In-Progress (Initial stage: "" → Scheduled) → Successful | Failed, and on the next step
//   the stage Stork moves to (failover: "" → ScaleDownSource → WaitAfterScaleDown → LastMileMigration
//   → ScaleUpDestination → Final; a failed wait or last mile rolls back through ScaleUpSource, which
//   always ends Final/Failed; failback mirrors it with ScaleDownDestination/ScaleUpSource/ScaleUpDestination).
// What it really does: the Initial stage checks the reference MigrationSchedule as Stork does (exists
// in the Action's namespace; for a failover, static-copy "true"; for a failback, the namespaces are
// a subset), with Stork's messages; skipSourceOperations: true goes straight to ScaleUpDestination;
// LastMileMigration creates Stork's `<schedule>-lastmile-<type>-<uid[0:7]>` Migration (failover: on
// the other DR cluster of the sandbox, failback: on this one) and waits for migrationController.ts to
// finish it; the scale-up stages write status.summary per namespace with Stork's reasons.
// What it does NOT do: scale, suspend or resume anything, touch applicationActivated, suspend the
// source's schedule, look at migrations' age or at pods, tell async-dr from sync-dr (it acts as
// async-dr), or record events.
// Knobs, as annotations on the Action, or on its reference MigrationSchedule (on the Action's
// cluster) for an Action a command creates; the Action's own win (stage names as in status.stage,
// "Initial" for ""):
//   sandbox.kubectl-failover.dev/action-fail-stage: <Stage>        that stage ends Failed
//   sandbox.kubectl-failover.dev/action-fail-namespaces: a,b       with a scale-up fail stage: only these fail
//   sandbox.kubectl-failover.dev/action-rollback: Successful|Failed outcome of the rollback stage (default Successful)
//   sandbox.kubectl-failover.dev/action-hang-stage: <Stage>        stays In-Progress (Initial: Scheduled) there
//   sandbox.kubectl-failover.dev/action-source-unreachable: "true" failover skips the source as if it did not answer
//   sandbox.kubectl-failover.dev/action-delay-ms: "500"            pause before each step (default 100)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTERS, readState, restFor } from './cluster';
import { KNOB, STORK_API, delayKnob, kubeTime, log, pollForever, sleep, type ObjectMeta, type Served } from './standIn';

export const ACTION_FINALIZER = 'stork.libopenstorage.org/finalizer-cleanup';
export const STATIC_COPY_ANNOTATION = 'stork.libopenstorage.org/static-copy';
export const LASTMILE_SCHEDULE_ANNOTATION = 'stork.libopenstorage.org/lastmile-migration-schedule-name';
export const ACTION_KNOBS = {
  failStage: `${KNOB}/action-fail-stage`,
  failNamespaces: `${KNOB}/action-fail-namespaces`,
  rollback: `${KNOB}/action-rollback`,
  hangStage: `${KNOB}/action-hang-stage`,
  sourceUnreachable: `${KNOB}/action-source-unreachable`,
  delayMs: `${KNOB}/action-delay-ms`,
} as const;

export type ActionStage = '' | 'ScaleDownDestination' | 'ScaleDownSource' | 'ScaleUpDestination' | 'ScaleUpSource' | 'LastMileMigration' | 'WaitAfterScaleDown' | 'Final';
export type ActionStatusType = '' | 'Scheduled' | 'In-Progress' | 'Failed' | 'Successful' | 'RollbackSuccessful' | 'RollbackFailed';
export type DrActionType = 'failover' | 'failback';

export interface NamespaceSummary {
  namespace: string;
  status: ActionStatusType;
  reason: string;
}

export interface ActionSummary {
  failoverSummary?: NamespaceSummary[];
  failbackSummary?: NamespaceSummary[];
}

export interface ActionStatus {
  stage: ActionStage;
  status: ActionStatusType;
  finishTimestamp: string | null;
  summary: ActionSummary | null;
  reason: string;
}

interface DrParameter {
  migrationScheduleReference?: string;
  failoverNamespaces?: string[] | null;
  failbackNamespaces?: string[] | null;
  skipSourceOperations?: boolean | null;
}

export interface Action {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: { actionType?: string; actionParameter?: { failoverParameter?: DrParameter; failbackParameter?: DrParameter } };
  status?: Partial<ActionStatus> | null;
}

export interface ScheduleLike {
  metadata: ObjectMeta;
  spec?: { template?: { spec?: { namespaces?: string[] | null; namespaceSelectors?: Record<string, string> | null; [key: string]: unknown } } };
}

type StageKind = 'validate' | 'scaleDown' | 'wait' | 'lastMile' | 'scaleUp' | 'rollback';
interface Route {
  kind: StageKind;
  onSuccess: ActionStage;
  onFailure: ActionStage;
}

/** Stork's stage machine (failover.go, failback.go, drutils.go waitAfterScaleDown). */
export const ACTION_FLOWS: Record<DrActionType, Partial<Record<ActionStage, Route>>> = {
  failover: {
    '': { kind: 'validate', onSuccess: 'ScaleDownSource', onFailure: 'Final' },
    ScaleDownSource: { kind: 'scaleDown', onSuccess: 'WaitAfterScaleDown', onFailure: 'Final' },
    WaitAfterScaleDown: { kind: 'wait', onSuccess: 'LastMileMigration', onFailure: 'ScaleUpSource' },
    LastMileMigration: { kind: 'lastMile', onSuccess: 'ScaleUpDestination', onFailure: 'ScaleUpSource' },
    ScaleUpDestination: { kind: 'scaleUp', onSuccess: 'Final', onFailure: 'Final' },
    ScaleUpSource: { kind: 'rollback', onSuccess: 'Final', onFailure: 'Final' },
  },
  failback: {
    '': { kind: 'validate', onSuccess: 'ScaleDownDestination', onFailure: 'Final' },
    ScaleDownDestination: { kind: 'scaleDown', onSuccess: 'WaitAfterScaleDown', onFailure: 'Final' },
    WaitAfterScaleDown: { kind: 'wait', onSuccess: 'LastMileMigration', onFailure: 'ScaleUpDestination' },
    LastMileMigration: { kind: 'lastMile', onSuccess: 'ScaleUpSource', onFailure: 'ScaleUpDestination' },
    ScaleUpSource: { kind: 'scaleUp', onSuccess: 'Final', onFailure: 'Final' },
    ScaleUpDestination: { kind: 'rollback', onSuccess: 'Final', onFailure: 'Final' },
  },
};

const KNOB_STAGES = ['Initial', 'ScaleDownSource', 'ScaleDownDestination', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination', 'ScaleUpSource'] as const;

export interface ActionKnobs {
  failStage?: ActionStage;
  failNamespaces: string[];
  rollback: 'Successful' | 'Failed';
  hangStage?: ActionStage;
  sourceUnreachable: boolean;
  delayMs: number;
}

/** The knobs of an Action, and a complaint for each value the stand-in does not understand. */
export function actionKnobs(annotations: Record<string, string> | undefined): { knobs: ActionKnobs; problems: string[] } {
  const problems: string[] = [];
  const stage = (key: string): ActionStage | undefined => {
    const value = annotations?.[key];
    if (value === undefined) return undefined;
    if (value === 'Initial') return '';
    if ((KNOB_STAGES as readonly string[]).includes(value)) return value as ActionStage;
    problems.push(`${key}: "${value}" is not one of ${KNOB_STAGES.join(', ')}; ignored`);
    return undefined;
  };
  const rollback = annotations?.[ACTION_KNOBS.rollback] ?? 'Successful';
  if (rollback !== 'Successful' && rollback !== 'Failed') problems.push(`${ACTION_KNOBS.rollback}: "${rollback}" is not Successful or Failed; using Successful`);
  return {
    knobs: {
      failStage: stage(ACTION_KNOBS.failStage),
      failNamespaces: (annotations?.[ACTION_KNOBS.failNamespaces] ?? '').split(',').map((name) => name.trim()).filter(Boolean),
      rollback: rollback === 'Failed' ? 'Failed' : 'Successful',
      hangStage: stage(ACTION_KNOBS.hangStage),
      sourceUnreachable: annotations?.[ACTION_KNOBS.sourceUnreachable] === 'true',
      delayMs: delayKnob(annotations, ACTION_KNOBS.delayMs),
    },
    problems,
  };
}

/**
 * The annotations the knobs are read from: the reference schedule's action knobs (so a test can
 * steer an Action that the command under test creates), overridden by the Action's own.
 */
export function knobAnnotations(action: Action, schedule: ScheduleLike | undefined): Record<string, string> {
  const fromSchedule = Object.entries(schedule?.metadata.annotations ?? {}).filter(([key]) => key.startsWith(`${KNOB}/action-`));
  return { ...Object.fromEntries(fromSchedule), ...(action.metadata.annotations ?? {}) };
}

/** What the stand-in read before deciding a step (the impure part gathers it). */
export interface ActionFacts {
  now: Date;
  /** The reference MigrationSchedule on the Action's cluster, if it exists. */
  schedule: ScheduleLike | undefined;
  /** Its namespaces, namespaceSelectors resolved on the Action's cluster. */
  scheduleNamespaces: string[];
  /** The last-mile Migration's state: looked up only in LastMileMigration/In-Progress. */
  lastMile?: { stage: string; status: string } | 'absent';
  localServer: string;
  remoteServer: string;
}

export interface LastMileMigration {
  apiVersion: 'stork.libopenstorage.org/v1alpha1';
  kind: 'Migration';
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export type ActionStep =
  | { kind: 'finalizers'; finalizers: string[] }
  | { kind: 'status'; status: ActionStatus }
  | { kind: 'createLastMile'; on: 'remote' | 'local'; migration: LastMileMigration };

export function isDrActionType(type: string | undefined): type is DrActionType {
  return type === 'failover' || type === 'failback';
}

function parameter(action: Action, type: DrActionType): DrParameter {
  return (type === 'failover' ? action.spec?.actionParameter?.failoverParameter : action.spec?.actionParameter?.failbackParameter) ?? {};
}

export function actionNamespaces(action: Action, type: DrActionType): string[] {
  const params = parameter(action, type);
  return (type === 'failover' ? params.failoverNamespaces : params.failbackNamespaces) ?? [];
}

/** getLastMileMigrationName: `<schedule>-lastmile-<lower(type)>-<first 7 characters of the UID>`, at most 253 characters. */
export function lastMileMigrationName(schedule: string, type: string, uid: string): string {
  const operation = type.toLowerCase();
  const shortUid = uid.length < 8 ? '' : uid.slice(0, 7);
  const suffix = 'lastmile'.length + operation.length + shortUid.length + 3;
  const base = schedule.length + suffix > 253 ? schedule.slice(0, 253 - suffix) : schedule;
  return [base, 'lastmile', operation, shortUid].join('-');
}

/** getLastMileMigrationSpec: the schedule's template, only the Action's (migrated) namespaces, never starting apps. */
export function lastMileMigration(schedule: ScheduleLike, namespaces: string[], type: DrActionType, uid: string): LastMileMigration {
  return {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'Migration',
    metadata: {
      name: lastMileMigrationName(schedule.metadata.name, type, uid),
      namespace: schedule.metadata.namespace,
      annotations: { ...(schedule.metadata.annotations ?? {}), [LASTMILE_SCHEDULE_ANNOTATION]: schedule.metadata.name },
    },
    spec: { ...(schedule.spec?.template?.spec ?? {}), namespaceSelectors: null, namespaces, startApplications: false },
  };
}

function currentStatus(action: Action): ActionStatus {
  return {
    stage: action.status?.stage ?? '',
    status: action.status?.status ?? '',
    finishTimestamp: action.status?.finishTimestamp ?? null,
    summary: action.status?.summary ?? null,
    reason: action.status?.reason ?? '',
  };
}

const simulated = (knob: string): string => `simulated failure (${knob})`;

/**
 * The next write Stork's action controller would make to this Action, or undefined when there is
 * nothing to do now (Final, hanging, or waiting for the last-mile Migration).
 */
export function nextActionStep(action: Action, knobs: ActionKnobs, facts: ActionFacts): ActionStep | undefined {
  const finalizers = action.metadata.finalizers ?? [];
  if (action.metadata.deletionTimestamp) {
    return finalizers.includes(ACTION_FINALIZER) ? { kind: 'finalizers', finalizers: finalizers.filter((name) => name !== ACTION_FINALIZER) } : undefined;
  }
  if (!finalizers.includes(ACTION_FINALIZER)) return { kind: 'finalizers', finalizers: [...finalizers, ACTION_FINALIZER] };

  const current = currentStatus(action);
  if (current.stage === 'Final') return undefined;
  const type = action.spec?.actionType;
  const write = (changes: Partial<ActionStatus>): ActionStep => ({ kind: 'status', status: { ...current, ...changes } });
  if (type === 'nearsyncFailover') {
    // Stork writes In-Progress before testing for Scheduled, so it never gets further.
    return current.status === 'In-Progress' ? undefined : write({ status: 'In-Progress' });
  }
  if (!isDrActionType(type)) return current.status === 'Failed' ? undefined : write({ status: 'Failed' });
  const route = ACTION_FLOWS[type][current.stage];
  if (!route) return undefined;
  const now = kubeTime(facts.now);

  // (a) A finished stage moves on, on the next round.
  if (current.status === 'Successful' || current.status === 'Failed') {
    const stage = current.status === 'Successful' ? route.onSuccess : route.onFailure;
    if (stage !== 'Final') return write({ stage, status: '', finishTimestamp: now });
    return write({ stage, status: route.kind === 'rollback' ? 'Failed' : current.status, finishTimestamp: now });
  }
  // (b) A new stage starts.
  if (current.status === '') return write({ status: current.stage === '' ? 'Scheduled' : 'In-Progress' });
  // (c) The stage's work.
  if (knobs.hangStage === current.stage) return undefined;
  const failing = knobs.failStage === current.stage;
  const ns = action.metadata.namespace;
  const reference = parameter(action, type).migrationScheduleReference ?? '';
  const schedule = facts.schedule;
  const namespaces = actionNamespaces(action, type);
  if (!schedule) {
    const reason =
      route.kind === 'validate'
        ? type === 'failover'
          ? `Unable to fetch the MigrationSchedule ${ns}/${reference} needed for the failover operation.`
          : `Unable to fetch the MigrationSchedule ${ns}/${reference} needed for failback operation.`
        : `Unable to fetch the MigrationSchedule ${ns}/${reference} needed for the ${type} operation.`;
    return write({ status: 'Failed', reason });
  }
  const scheduleName = `${schedule.metadata.namespace}/${schedule.metadata.name}`;
  switch (route.kind) {
    case 'validate': {
      if (type === 'failover' && schedule.metadata.annotations?.[STATIC_COPY_ANNOTATION] !== 'true') {
        return write({ status: 'Failed', reason: `The MigrationSchedule ${scheduleName} provided is not generated by Stork. Please start the failover in the cluster you wish to failover to.` });
      }
      if (type === 'failback' && namespaces.some((name) => !facts.scheduleNamespaces.includes(name))) {
        return write({ status: 'Failed', reason: `The namespaces specified for failback are not contained within the namespaces listed in MigrationSchedule ${scheduleName}` });
      }
      if (failing) return write({ status: 'Failed', reason: simulated(ACTION_KNOBS.failStage) });
      if (type === 'failover' && (parameter(action, type).skipSourceOperations === true || knobs.sourceUnreachable)) {
        return write({ stage: 'ScaleUpDestination', status: '', finishTimestamp: now });
      }
      return write({ status: 'Successful', reason: '' });
    }
    case 'scaleDown': {
      const server = type === 'failover' ? facts.remoteServer : facts.localServer;
      if (failing) return write({ status: 'Failed', reason: `Failed to scale down replicas in cluster ${server} : ${simulated(ACTION_KNOBS.failStage)}` });
      return write({ status: 'Successful', reason: '' });
    }
    case 'wait': {
      if (failing) return write({ status: 'Failed', reason: 'pods using PVCs from migration are not getting terminated for last 15m0s' });
      return write({ status: 'Successful', reason: '' });
    }
    case 'lastMile': {
      const migration = lastMileMigration(schedule, namespaces.filter((name) => facts.scheduleNamespaces.includes(name)), type, action.metadata.uid ?? '');
      const aborted = (status: string): string => `The ${type} operation is aborted because the last mile migration ${migration.metadata.name} failed with status ${status}`;
      if (failing) return write({ status: 'Failed', reason: aborted('Failed') });
      if (facts.lastMile === 'absent') return { kind: 'createLastMile', on: type === 'failover' ? 'remote' : 'local', migration };
      if (!facts.lastMile || facts.lastMile.stage !== 'Final') return undefined;
      if (facts.lastMile.status === 'Successful' || facts.lastMile.status === 'PartialSuccess') return write({ status: 'Successful' });
      return write({ status: 'Failed', reason: aborted(facts.lastMile.status) });
    }
    case 'scaleUp':
    case 'rollback': {
      const rollback = route.kind === 'rollback';
      const stageFails = rollback ? failing || knobs.rollback === 'Failed' : failing;
      const items = namespaces.map((name): NamespaceSummary => {
        const migrated = facts.scheduleNamespaces.includes(name);
        const fails = stageFails && migrated && (knobs.failNamespaces.length === 0 || knobs.failNamespaces.includes(name));
        const knob = rollback && !failing ? ACTION_KNOBS.rollback : ACTION_KNOBS.failStage;
        if (fails) return { namespace: name, status: rollback ? 'RollbackFailed' : 'Failed', reason: `scaling up apps in namespace ${name} failed: ${simulated(knob)}` };
        const status = rollback ? 'RollbackSuccessful' : 'Successful';
        if (migrated) return { namespace: name, status, reason: `scaling up apps in namespace ${name} successful` };
        return { namespace: name, status, reason: `Skipping scaling up apps in the namespace ${name} since it is not one of the namespaces being migrated by the MigrationSchedule ${scheduleName}` };
      });
      const summary: ActionSummary = type === 'failover' ? { failoverSummary: items } : { failbackSummary: items };
      const anyFailed = items.some((item) => item.status === 'Failed' || item.status === 'RollbackFailed');
      return write({ status: anyFailed ? 'Failed' : 'Successful', summary });
    }
  }
}

const LABEL = 'action-controller';
const warned = new Set<string>();

interface Context {
  where: Served;
  remote: Served;
}

async function scheduleNamespacesOf(where: Served, schedule: ScheduleLike | undefined): Promise<string[]> {
  const template = schedule?.spec?.template?.spec;
  const names = new Set(template?.namespaces ?? []);
  for (const [key, value] of Object.entries(template?.namespaceSelectors ?? {})) {
    const list = await where.rest.get<{ items: Array<{ metadata: { name: string } }> }>(`/api/v1/namespaces?labelSelector=${encodeURIComponent(`${key}=${value}`)}`);
    for (const item of list.items) names.add(item.metadata.name);
  }
  return [...names];
}

async function gatherFacts(context: Context, action: Action): Promise<ActionFacts> {
  const type = action.spec?.actionType;
  const reference = isDrActionType(type) ? parameter(action, type).migrationScheduleReference : undefined;
  const schedule = reference ? await context.where.rest.find<ScheduleLike>(`${STORK_API}/namespaces/${action.metadata.namespace}/migrationschedules/${reference}`) : undefined;
  const facts: ActionFacts = {
    now: new Date(),
    schedule,
    scheduleNamespaces: await scheduleNamespacesOf(context.where, schedule),
    localServer: context.where.rest.server,
    remoteServer: context.remote.rest.server,
  };
  if (schedule && isDrActionType(type) && action.status?.stage === 'LastMileMigration' && action.status.status === 'In-Progress') {
    const name = lastMileMigrationName(schedule.metadata.name, type, action.metadata.uid ?? '');
    const on = type === 'failover' ? context.remote : context.where;
    const migration = await on.rest.find<{ status?: { stage?: string; status?: string } }>(`${STORK_API}/namespaces/${schedule.metadata.namespace}/migrations/${name}`);
    facts.lastMile = migration ? { stage: migration.status?.stage ?? '', status: migration.status?.status ?? '' } : 'absent';
  }
  return facts;
}

async function handle(context: Context, action: Action): Promise<void> {
  const key = `${context.where.cluster} ${action.metadata.namespace}/${action.metadata.name}`;
  const path = `${STORK_API}/namespaces/${action.metadata.namespace}/actions/${action.metadata.name}`;
  let current = action;
  for (let step = 0; step < 40; step++) {
    if (current.status?.stage === 'Final' && !current.metadata.deletionTimestamp) return;
    const facts = await gatherFacts(context, current);
    const { knobs, problems } = actionKnobs(knobAnnotations(current, facts.schedule));
    for (const problem of problems) {
      if (!warned.has(`${key} ${problem}`)) log(LABEL, `${key}: ${problem}`);
      warned.add(`${key} ${problem}`);
    }
    const next = nextActionStep(current, knobs, facts);
    if (!next) return;
    await sleep(knobs.delayMs);
    const body = { ...current, apiVersion: 'stork.libopenstorage.org/v1alpha1', kind: 'Action' };
    if (next.kind === 'createLastMile') {
      const on = next.on === 'remote' ? context.remote : context.where;
      const where = `${next.migration.metadata.namespace}/${next.migration.metadata.name} on ${on.cluster}`;
      try {
        await on.rest.ensure(`${STORK_API}/namespaces/${next.migration.metadata.namespace}/migrations`, next.migration);
      } catch (error) {
        // Stork only records an event and tries again on the next round; so does this.
        log(LABEL, `${key}: creating the last-mile Migration ${where}: ${String(error)}`);
        return;
      }
      log(LABEL, `${key}: created the last-mile Migration ${where}`);
      continue;
    }
    if (next.kind === 'finalizers') {
      const updated = await context.where.rest.replace<Action | undefined>(path, { ...body, metadata: { ...current.metadata, finalizers: next.finalizers } });
      if (!updated || next.finalizers.length === 0) return;
      current = updated;
    } else {
      current = await context.where.rest.replace<Action>(path, { ...body, status: next.status });
    }
  }
}

export async function runActionController(dir: string | undefined): Promise<never> {
  const state = readState(dir);
  const served: Served[] = CLUSTERS.map((cluster) => ({ cluster, rest: restFor(state, cluster) }));
  log(LABEL, `serving ${served.map((entry) => entry.cluster).join(', ')}`);
  const other = (where: Served): Served => served.find((entry) => entry !== where) ?? where;
  return pollForever<Action>(LABEL, served, `${STORK_API}/actions`, (where, action) => handle({ where, remote: other(where) }, action));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runActionController(process.argv[2]);
