import { moreInfo, type ActionView, type DrActionType } from '../stork/action';

/**
 * Following a Stork Action from outside: which stages it went through, and how each ended, from
 * the successive states read of it. Stork's controller writes `"" → In-Progress → Successful|Failed`
 * per stage and moves to the next stage on the following reconcile (docs/stork-behaviour.md §7.3,
 * §7.4). A read may miss states (polling; a watch resumed after a gap): the stages in between are
 * then inferred from Stork's stage order, the shortest way that agrees with what was read, and
 * marked as not seen. Pure.
 */

type Outcome = 'Successful' | 'Failed';

interface Edge {
  to: string;
  /** How the stage the edge leaves ended. */
  outcome: Outcome;
  /** Stages passed over (a failover whose source is skipped goes from Validations to the scale-up). */
  skips?: readonly string[];
}

interface Flow {
  /** Every stage, in the order the report lists them. */
  order: readonly string[];
  /** The stage that brings the apps up where they should run afterwards. */
  scaleUp: string;
  /** The rollback: the scale-down undone; it always ends the Action Failed. */
  rollback: string;
  edges: Readonly<Record<string, readonly Edge[]>>;
}

const ok = (to: string, skips?: readonly string[]): Edge => ({ to, outcome: 'Successful', ...(skips ? { skips } : {}) });
const failed = (to: string): Edge => ({ to, outcome: 'Failed' });

/** Stork's stage machine (pkg/action failover.go, failback.go, drutils.go), as edges between status.stage values. */
const FLOWS: Record<DrActionType, Flow> = {
  failover: {
    order: ['', 'ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpDestination', 'ScaleUpSource'],
    scaleUp: 'ScaleUpDestination',
    rollback: 'ScaleUpSource',
    edges: {
      // skipSourceOperations, or a source that does not answer: straight to the scale-up.
      '': [ok('ScaleDownSource'), ok('ScaleUpDestination', ['ScaleDownSource', 'WaitAfterScaleDown', 'LastMileMigration']), failed('Final')],
      ScaleDownSource: [ok('WaitAfterScaleDown'), failed('Final')],
      WaitAfterScaleDown: [ok('LastMileMigration'), failed('ScaleUpSource')],
      LastMileMigration: [ok('ScaleUpDestination'), failed('ScaleUpSource')],
      ScaleUpDestination: [ok('Final'), failed('Final')],
      ScaleUpSource: [ok('Final'), failed('Final')],
    },
  },
  failback: {
    order: ['', 'ScaleDownDestination', 'WaitAfterScaleDown', 'LastMileMigration', 'ScaleUpSource', 'ScaleUpDestination'],
    scaleUp: 'ScaleUpSource',
    rollback: 'ScaleUpDestination',
    edges: {
      '': [ok('ScaleDownDestination'), failed('Final')],
      ScaleDownDestination: [ok('WaitAfterScaleDown'), failed('Final')],
      WaitAfterScaleDown: [ok('LastMileMigration'), failed('ScaleUpDestination')],
      LastMileMigration: [ok('ScaleUpSource'), failed('ScaleUpDestination')],
      ScaleUpSource: [ok('Final'), failed('Final')],
      ScaleUpDestination: [ok('Final'), failed('Final')],
    },
  },
};

export function flowOrder(actionType: DrActionType): readonly string[] {
  return FLOWS[actionType].order;
}

export function rollbackStage(actionType: DrActionType): string {
  return FLOWS[actionType].rollback;
}

export function scaleUpStage(actionType: DrActionType): string {
  return FLOWS[actionType].scaleUp;
}

/** One stage as followed. */
export interface TrackedStage {
  /** status.stage ('' is Validations). */
  stage: string;
  /** In-Progress until it ended; Skipped: passed over by Stork. */
  outcome: Outcome | 'Skipped' | 'In-Progress';
  /** False when it ran between two reads and is inferred from Stork's stage order. */
  seen: boolean;
  /** status.status as last read in this stage ('' if never read). */
  status: string;
  /** status.reason as last read in this stage. */
  reason: string;
  /** When it was first and last read (the follower's clock); equal for inferred stages. */
  startedAt: number;
  endedAt: number;
}

export interface ActionTracker {
  readonly actionType: DrActionType;
  /** The stages in the order they ran; the last one is running unless final is set. */
  readonly stages: TrackedStage[];
  /** The Action as last read. */
  last?: ActionView;
  /** Set once status.stage is Final. */
  final?: ActionView;
}

export type TrackerEvent =
  | { kind: 'started'; stage: TrackedStage }
  | { kind: 'status'; stage: TrackedStage }
  | { kind: 'ended'; stage: TrackedStage }
  | { kind: 'final'; action: ActionView };

export function newTracker(actionType: DrActionType): ActionTracker {
  return { actionType, stages: [] };
}

/** Takes one read of the Action; returns what changed since the last one, in order. */
export function observe(tracker: ActionTracker, action: ActionView, now: number): TrackerEvent[] {
  if (tracker.final) return [];
  tracker.last = action;
  const events: TrackerEvent[] = [];
  let current = tracker.stages.at(-1);
  if (!current) {
    // Followed from its start, or (--follow) from wherever it is now: the stages before are inferred.
    current = { stage: '', outcome: 'In-Progress', seen: action.stage === '', status: '', reason: '', startedAt: now, endedAt: now };
    tracker.stages.push(current);
    events.push({ kind: 'started', stage: current });
  }
  if (action.stage === current.stage) {
    if (action.status !== current.status || action.reason !== current.reason) {
      Object.assign(current, { status: action.status, reason: action.reason, endedAt: now, seen: true });
      events.push({ kind: 'status', stage: current });
    }
    return events;
  }

  const path = findPath(tracker.actionType, current, action);
  if (path) {
    for (const [index, { from, edge }] of path.entries()) {
      const stage = index === 0 ? current : add(tracker, events, from, now, false);
      Object.assign(stage, { outcome: edge.outcome, endedAt: now });
      events.push({ kind: 'ended', stage });
      for (const skipped of edge.skips ?? []) {
        const record = add(tracker, events, skipped, now, false, true);
        events.push({ kind: 'ended', stage: record });
      }
    }
  } else {
    // A stage this version does not know, or reads that contradict Stork's order: take them as read.
    Object.assign(current, { outcome: current.status === 'Failed' ? 'Failed' : 'Successful', endedAt: now });
    events.push({ kind: 'ended', stage: current });
  }
  if (action.stage === 'Final') {
    tracker.final = action;
    events.push({ kind: 'final', action });
  } else {
    const next = add(tracker, events, action.stage, now, true);
    Object.assign(next, { status: action.status, reason: action.reason });
  }
  return events;
}

function add(tracker: ActionTracker, events: TrackerEvent[], stage: string, now: number, seen: boolean, skipped = false): TrackedStage {
  const record: TrackedStage = { stage, outcome: skipped ? 'Skipped' : 'In-Progress', seen, status: '', reason: '', startedAt: now, endedAt: now };
  tracker.stages.push(record);
  if (!skipped) events.push({ kind: 'started', stage: record });
  return record;
}

/**
 * The edges from the current stage to the one just read: the shortest way through Stork's stage
 * machine that agrees with the current stage's last status and, into Final, with the final status
 * and summary (a rollback leaves Rollback* items; a failed scale-up, Failed items). The source's
 * stages count as skipped only when the Action says skipSourceOperations, or when the move past
 * them was read directly from a stage that was seen; across a gap, the source's stages ran.
 */
function findPath(actionType: DrActionType, current: TrackedStage, action: ActionView): Array<{ from: string; edge: Edge }> | undefined {
  const flow = FLOWS[actionType];
  const skipAllowed = (path: readonly unknown[]): boolean => action.skipSourceOperations || (path.length === 0 && current.seen);
  const firstOutcome: Outcome | undefined = current.status === 'Successful' || current.status === 'Failed' ? current.status : undefined;
  const intoFinal = finalEdge(flow, action);
  const queue: Array<{ stage: string; path: Array<{ from: string; edge: Edge }> }> = [{ stage: current.stage, path: [] }];
  const visited = new Set<string>([current.stage]);
  while (queue.length > 0) {
    const { stage, path } = queue.shift() ?? { stage: '', path: [] };
    for (const edge of flow.edges[stage] ?? []) {
      if (path.length === 0 && firstOutcome && edge.outcome !== firstOutcome) continue;
      if (edge.skips && !skipAllowed(path)) continue;
      const step = [...path, { from: stage, edge }];
      if (edge.to === action.stage) {
        if (edge.to !== 'Final' || intoFinal(stage, edge)) return step;
        continue;
      }
      if (edge.to === 'Final' || visited.has(edge.to)) continue;
      visited.add(edge.to);
      queue.push({ stage: edge.to, path: step });
    }
  }
  return undefined;
}

function finalEdge(flow: Flow, action: ActionView): (from: string, edge: Edge) => boolean {
  const items = action.summary ?? [];
  const rolledBack = items.some((item) => item.status === 'RollbackSuccessful' || item.status === 'RollbackFailed');
  if (action.status === 'Successful') return (from, edge) => from === flow.scaleUp && edge.outcome === 'Successful';
  if (action.status !== 'Failed') return () => true;
  if (rolledBack) {
    const outcome: Outcome = items.some((item) => item.status === 'RollbackFailed') ? 'Failed' : 'Successful';
    return (from, edge) => from === flow.rollback && edge.outcome === outcome;
  }
  if (items.length > 0) return (from, edge) => from === flow.scaleUp && edge.outcome === 'Failed';
  return (_from, edge) => edge.outcome === 'Failed';
}

export type ActionOutcome = 'Successful' | 'Failed' | 'RollbackSuccessful' | 'RollbackFailed' | 'InProgress';

/** How the Action ended, as the report says it: a Final/Failed Action that rolled back says how the rollback went. */
export function actionOutcome(tracker: ActionTracker): ActionOutcome {
  const final = tracker.final;
  if (!final) return 'InProgress';
  if (final.status === 'Successful') return 'Successful';
  const items = final.summary ?? [];
  const rollback = tracker.stages.find((stage) => stage.stage === FLOWS[tracker.actionType].rollback && stage.outcome !== 'Skipped');
  const rolledBack = Boolean(rollback) || items.some((item) => item.status.startsWith('Rollback'));
  if (!rolledBack) return 'Failed';
  return items.some((item) => item.status === 'RollbackFailed') || rollback?.outcome === 'Failed' ? 'RollbackFailed' : 'RollbackSuccessful';
}

/** storkctl's MORE INFO of the Action as last read ('' before any read). */
export function trackerMoreInfo(tracker: ActionTracker): string {
  return tracker.last ? moreInfo(tracker.last) : '';
}
