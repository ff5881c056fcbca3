import { getPath } from '../kube/jsonPath';
import type { Json, KubeObject } from '../kube/objects';
import { STORK_GROUP, STORK_VERSION } from './annotations';

/**
 * Stork's `Action` (Stork 24 and later, pkg/apis/stork/v1alpha1/action.go; docs/stork-behaviour.md
 * §7): what `storkctl perform failover|failback` creates, and what `storkctl get failover|failback`
 * shows of it. Pure.
 */

export const DR_ACTION_TYPES = ['failover', 'failback'] as const;
export type DrActionType = (typeof DR_ACTION_TYPES)[number];

/** status.stage values (ActionStageType); '' is Stork's Initial stage. */
export type ActionStage = '' | 'ScaleDownSource' | 'ScaleDownDestination' | 'WaitAfterScaleDown' | 'LastMileMigration' | 'ScaleUpDestination' | 'ScaleUpSource' | 'Final';

/** One item of status.summary.failoverSummary / failbackSummary. */
export interface ActionSummaryItem {
  namespace: string;
  /** Successful, Failed, RollbackSuccessful or RollbackFailed. */
  status: string;
  reason: string;
}

/** An Action as read from a cluster, with every field Stork may leave out filled in. */
export interface ActionView {
  name: string;
  namespace: string;
  uid: string;
  /** metadata.creationTimestamp (RFC 3339), '' when absent. */
  created: string;
  /** spec.actionType as found: failover, failback, nearsyncFailover or anything else. */
  actionType: string;
  /** The parameter block of its type: the reference MigrationSchedule (in the Action's namespace) and the namespaces. */
  reference: string;
  namespaces: string[];
  skipSourceOperations: boolean;
  stage: string;
  status: string;
  reason: string;
  /** null while status.summary is null; otherwise the items of its one list (possibly none). */
  summary: ActionSummaryItem[] | null;
}

export function isDrActionType(value: string): value is DrActionType {
  return (DR_ACTION_TYPES as readonly string[]).includes(value);
}

const text = (value: Json | undefined): string => (typeof value === 'string' ? value : '');
const strings = (value: Json | undefined): string[] => (Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : []);

function summaryItems(value: Json | undefined): ActionSummaryItem[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => ({ namespace: text(getPath(item, ['namespace'])), status: text(getPath(item, ['status'])), reason: text(getPath(item, ['reason'])) }));
}

export function readAction(object: KubeObject): ActionView {
  const actionType = text(getPath(object, ['spec', 'actionType']));
  const parameters = getPath(object, ['spec', 'actionParameter', actionType === 'failback' ? 'failbackParameter' : 'failoverParameter']);
  const summary = getPath(object, ['status', 'summary']);
  return {
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    uid: object.metadata.uid ?? '',
    created: object.metadata.creationTimestamp ?? '',
    actionType,
    reference: text(getPath(parameters, ['migrationScheduleReference'])),
    namespaces: strings(getPath(parameters, [actionType === 'failback' ? 'failbackNamespaces' : 'failoverNamespaces'])),
    skipSourceOperations: getPath(parameters, ['skipSourceOperations']) === true,
    stage: text(getPath(object, ['status', 'stage'])),
    status: text(getPath(object, ['status', 'status'])),
    reason: text(getPath(object, ['status', 'reason'])),
    summary: summary && typeof summary === 'object' && !Array.isArray(summary) ? [...summaryItems(summary.failoverSummary), ...summaryItems(summary.failbackSummary)] : null,
  };
}

/** Kubernetes object names are at most 253 characters (DNS-1123 subdomain). */
const MAX_NAME = 253;

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/**
 * storkctl's getActionName: `<type>-<reference>-<2006-01-02-150405>` in the local time of the
 * machine that runs it, the reference cut so the whole name stays within 253 characters.
 */
export function actionName(actionType: DrActionType, reference: string, now: Date): string {
  const suffix = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const room = MAX_NAME - actionType.length - suffix.length - 2;
  return [actionType, reference.length >= room ? reference.slice(0, room) : reference, suffix].join('-');
}

export interface ActionRequest {
  actionType: DrActionType;
  name: string;
  /** The reference MigrationSchedule's namespace, which is the Action's. */
  namespace: string;
  reference: string;
  namespaces: readonly string[];
  /** Failover only; always sent, since Stork's controller reads it without a nil check. */
  skipSourceOperations: boolean;
}

/**
 * The Action as storkctl's createActionCR sends it: Go's encoding/json sends the unused parameter
 * block and the status block with their zero values too, so the controller sees what it sees from
 * storkctl.
 */
export function buildAction(request: ActionRequest): KubeObject {
  const failover = request.actionType === 'failover';
  return {
    apiVersion: `${STORK_GROUP}/${STORK_VERSION}`,
    kind: 'Action',
    metadata: { name: request.name, namespace: request.namespace },
    spec: {
      actionType: request.actionType,
      actionParameter: {
        failoverParameter: {
          failoverNamespaces: failover ? [...request.namespaces] : null,
          migrationScheduleReference: failover ? request.reference : '',
          skipSourceOperations: failover ? request.skipSourceOperations : null,
        },
        failbackParameter: {
          failbackNamespaces: failover ? null : [...request.namespaces],
          migrationScheduleReference: failover ? '' : request.reference,
        },
      },
    },
    status: { stage: '', status: '', finishTimestamp: null, summary: null, reason: '' },
  };
}

/** storkctl get failover|failback's STAGE column (prettyDRStageNames). */
export function stageDisplay(stage: string, actionType: string): string {
  const failover = actionType === 'failover';
  const failback = actionType === 'failback';
  switch (stage) {
    case '':
      return 'Validations';
    case 'ScaleDownSource':
      return 'Scale Down (on source)';
    case 'ScaleDownDestination':
      return 'Scale Down (on destination)';
    case 'WaitAfterScaleDown':
      return failover ? 'Waiting for Apps to Scale Down (on source)' : failback ? 'Waiting for Apps to Scale Down (on destination)' : stage;
    case 'LastMileMigration':
      return failover ? 'Last Mile Migration (from source -> destination)' : failback ? 'Last Mile Migration (from destination -> source)' : stage;
    case 'ScaleUpSource':
      return failover ? 'Rolling Back Scale Down (on source)' : failback ? 'Scale Up (on source)' : stage;
    case 'ScaleUpDestination':
      return failover ? 'Scale Up (on destination)' : failback ? 'Rolling Back Scale Down (on destination)' : stage;
    case 'Final':
      return 'Completed';
    default:
      return stage;
  }
}

/**
 * storkctl get failover|failback's MORE INFO column: the reason, unless a summary was written; then
 * how many namespaces were rolled back (and why) or scaled up. storkctl prints no row at all for a
 * summary with no items (a `continue` in its printer); here that Action shows its reason.
 */
export function moreInfo(action: Pick<ActionView, 'summary' | 'reason'>): string {
  const items = action.summary;
  if (!items || items.length === 0) return action.reason;
  const count = (status: string): number => items.filter((item) => item.status === status).length;
  if (count('RollbackSuccessful') > 0 || count('RollbackFailed') > 0) {
    return `Rolled back Apps in : ${count('RollbackSuccessful')}/${items.length} namespaces${action.reason ? ` ; ${action.reason}` : ''}`;
  }
  return `Scaled up Apps in : ${count('Successful')}/${items.length} namespaces`;
}
