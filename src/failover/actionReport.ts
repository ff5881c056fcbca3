import type { FollowEnd } from '../io/followObject';
import { moreInfo, stageDisplay, type ActionSummaryItem, type ActionView, type DrActionType } from '../stork/action';
import { actionOutcome, flowOrder, rollbackStage, scaleUpStage, type ActionTracker, type TrackedStage } from './actionFlow';
import { lastMileMigrationName } from './lastMile';
import { stageName } from './stages';
import { stageReport, type ActionState, type FailoverReport, type NamespaceResult, type StageReport } from './report';

/** Where a stage acts, in Stork's words: the Action's cluster is the destination in both directions. */
function clusterOf(stage: string, actionType: DrActionType): StageReport['cluster'] {
  if (stage.endsWith('Source')) return 'source';
  if (stage.endsWith('Destination')) return 'destination';
  if (stage === '') return actionType === 'failover' ? 'both' : 'destination';
  return actionType === 'failover' ? 'source' : 'destination';
}

function message(record: TrackedStage, status: StageReport['status'], end: FollowEnd): string | undefined {
  if (status === 'Skipped') return 'skipped by Stork: the source was not touched (skipSourceOperations, or the source did not answer)';
  if (status === 'TimedOut') return `still ${record.status || 'starting'} when following stopped (--timeout); the Action goes on`;
  if (status === 'In-Progress' && end === 'interrupted') return `still ${record.status || 'starting'} when following stopped (^C); the Action goes on`;
  if (!record.seen) return `not seen: it ran between two reads (inferred from Stork's stage order)${record.reason ? `; ${record.reason}` : ''}`;
  return record.reason || undefined;
}

/** The report's stages: every stage of the flow in Stork's order, as followed, not reached, or skipped. */
export function trackedStages(tracker: ActionTracker, end: FollowEnd): StageReport[] {
  const { actionType } = tracker;
  return flowOrder(actionType).flatMap((stage): StageReport[] => {
    const name = stageName(stage);
    if (!name) return [];
    const display = stageDisplay(stage, actionType);
    const cluster = clusterOf(stage, actionType);
    const record = tracker.stages.find((entry) => entry.stage === stage);
    if (!record) {
      // The scale-up ran instead of a rollback: say the rollback was not needed, not that it never came.
      const noRollback = tracker.final !== undefined && stage === rollbackStage(actionType) && tracker.stages.some((entry) => entry.stage === scaleUpStage(actionType));
      return [stageReport(name, cluster, noRollback ? 'Skipped' : 'NotStarted', 0, 0, { display, ...(noRollback ? { message: 'no rollback needed' } : {}) })];
    }
    const status: StageReport['status'] = record.outcome === 'In-Progress' ? (end === 'timed-out' ? 'TimedOut' : 'In-Progress') : record.outcome;
    const text = message(record, status, end);
    return [stageReport(name, cluster, status, record.startedAt, record.endedAt, { display, ...(text ? { message: text } : {}) })];
  });
}

function itemResult(item: ActionSummaryItem, actionType: DrActionType): NamespaceResult['result'] {
  switch (item.status) {
    case 'Successful':
      // Stork reports a namespace its schedule does not migrate as Successful, with this reason.
      if (item.reason.startsWith('Skipping scaling up apps')) return 'unchanged';
      return actionType === 'failover' ? 'active-on-destination' : 'active-on-source';
    case 'RollbackSuccessful':
      return 'rolled-back';
    default:
      return 'failed';
  }
}

/** Per namespace, once the Action is Final: its summary items, or (no summary: it stopped before a scale-up) its namespaces. */
export function actionNamespaceResults(tracker: ActionTracker): NamespaceResult[] {
  const final = tracker.final;
  if (!final) return [];
  if (final.summary && final.summary.length > 0) {
    return final.summary.map((item) => ({ namespace: item.namespace, result: itemResult(item, tracker.actionType), status: item.status, message: item.reason }));
  }
  const failedAt = tracker.stages.find((stage) => stage.outcome === 'Failed');
  const untouched = !failedAt || failedAt.stage === '';
  return final.namespaces.map((namespace) => ({
    namespace,
    result: untouched ? 'unchanged' : 'failed',
    message: untouched ? final.reason || 'nothing was changed' : `${final.reason || 'failed'}; Stork does not roll a failed scale-down back: some apps may be scaled down`,
  }));
}

export function actionState(action: ActionView): ActionState {
  return {
    name: action.name,
    namespace: action.namespace,
    actionType: action.actionType,
    created: action.created,
    stage: action.stage,
    status: action.status,
    reason: action.reason,
    moreInfo: moreInfo(action),
  };
}

/** Fills a via-Stork report in from what was followed. */
export function completeReport(report: FailoverReport, tracker: ActionTracker, end: FollowEnd): void {
  report.stages = trackedStages(tracker, end);
  report.outcome = end === 'deleted' ? 'Failed' : actionOutcome(tracker);
  report.namespaceResults = actionNamespaceResults(tracker);
  const last = tracker.last;
  if (last) report.action = actionState(last);
  // Stork names the last-mile Migration after the schedule and the Action's UID (failover: on the source; failback: here).
  if (last?.uid && tracker.stages.some((stage) => stage.stage === 'LastMileMigration' && stage.outcome !== 'Skipped')) {
    report.lastMileMigrations = [`${last.namespace}/${lastMileMigrationName(last.reference, last.uid, tracker.actionType)}`];
  }
  if (end === 'deleted') report.warnings.push(`action ${report.action?.namespace ?? ''}/${report.action?.name ?? report.runId} was deleted while it was followed`);
  // Stork skips the source's stages when the source does not answer: it may still run the apps.
  const skipped = tracker.stages.some((stage) => stage.outcome === 'Skipped');
  const scaledDown = tracker.stages.some((stage) => stage.stage === 'ScaleDownSource' && stage.outcome !== 'Skipped');
  if (tracker.actionType === 'failover' && skipped && !tracker.last?.skipSourceOperations) {
    report.source = { ...report.source, reachable: false, error: 'the Stork controller could not reach it: it went from Validations straight to Scale Up (on destination)' };
    report.warnings.push('the Stork controller did not reach the source and brought the destination up without stopping it: the source may still run the apps');
  } else if (scaledDown) {
    report.source = { ...report.source, reachable: true };
  }
}
