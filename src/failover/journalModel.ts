import type { Json } from '../kube/objects';
import { pairName, type ClusterPairRef } from '../stork/clusterPairConfig';
import type { FailoverOutcome, FailoverStageName, StageStatus } from './stages';

/** What `run` was asked, enough to resume it with the same scope and flags. */
export interface RunRequest {
  /** The source's kubeconfig context; '' with sourceFromClusterPair. */
  sourceContext: string;
  /**
   * --source-from-clusterpair: the source is reached through the destination's ClusterPair (the one
   * chosen is a `source` entry of the journal). Absent in journals written before the flag: false.
   */
  sourceFromClusterPair?: boolean;
  destinationContext: string;
  kubeconfig?: string;
  schedule?: { name: string; namespace?: string; include: string[]; exclude: string[] };
  namespace?: string;
  allNamespaces: boolean;
  selector?: string;
  skipSourceOperations: boolean;
  allowSplitBrain: boolean;
  skipLastMile: boolean;
  failback: boolean;
}

/** One field a write changes: its value before, and after. */
export interface JournalField {
  path: string[];
  before: Json | null;
  after: Json | null;
}

/** The object a journal entry is about. */
export interface JournalObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * What `undo` does to one object the run wrote: put it back (restore), nothing (unchanged: it
 * already is), leave it as someone changed it (leave: --force), or keep it as the run left it so
 * that the two clusters never both run an app (hold).
 */
export type UndoAction = 'restore' | 'unchanged' | 'leave' | 'hold';

/** One object of an undo's plan, as the journal records it before the first undo write. */
export interface UndoRecordObject {
  cluster: 'source' | 'destination';
  context: string;
  resourceKey: string;
  object: JournalObject;
  action: UndoAction;
  /** The journal lines of the run's writes this object's undo answers. */
  lines: number[];
}

/** Started: before undo's first write, with its plan; then how it ended. */
export type UndoStatus = 'Started' | 'Successful' | 'Failed';

/** One JSON line of a run's journal. */
export type JournalEntry =
  | { type: 'start'; runId: string; time: string; request: RunRequest }
  | { type: 'stage'; runId: string; time: string; stage: FailoverStageName; status: StageStatus | 'Started' }
  | {
      type: 'write';
      runId: string;
      time: string;
      stage: FailoverStageName;
      cluster: 'source' | 'destination';
      context: string;
      resourceKey: string;
      object: JournalObject;
      fields: JournalField[];
      resourceVersion?: string;
    }
  | { type: 'create'; runId: string; time: string; stage: FailoverStageName; cluster: 'source' | 'destination'; context: string; resourceKey: string; object: JournalObject }
  | { type: 'end'; runId: string; time: string; outcome: FailoverOutcome | 'Interrupted' }
  /** --source-from-clusterpair: the ClusterPair (on the destination) chosen, before the source is first written. */
  | { type: 'source'; runId: string; time: string; clusterPair: ClusterPairRef }
  /** `undo` of this run: Started (with its plan) before its first write, then Successful or Failed. */
  | { type: 'undo'; runId: string; time: string; status: UndoStatus; forced: boolean; objects?: UndoRecordObject[] };

/** A run as its journal tells it. */
export interface RunSummary {
  runId: string;
  started: string;
  request?: RunRequest;
  /** --source-from-clusterpair: the ClusterPair the run reached the source through, once chosen. */
  sourceClusterPair?: ClusterPairRef;
  /** The last stage that started. */
  lastStage?: FailoverStageName;
  /** The outcome, or undefined if the run never ended (crash, kill, lost connection). */
  outcome?: FailoverOutcome | 'Interrupted';
  writes: number;
  /** The latest `undo` of the run: when it started, and how it ended (Started: it never said). */
  undo?: { started: string; status: UndoStatus; forced: boolean };
}

/** Pure: what a journal says about its run. */
export function summarizeJournal(runId: string, entries: readonly JournalEntry[]): RunSummary {
  const summary: RunSummary = { runId, started: '', writes: 0 };
  for (const entry of entries) {
    if (entry.type === 'start') {
      summary.started = entry.time;
      summary.request = entry.request;
    } else if (entry.type === 'stage' && entry.status === 'Started') summary.lastStage = entry.stage;
    else if (entry.type === 'write') summary.writes += 1;
    else if (entry.type === 'end') summary.outcome = entry.outcome;
    else if (entry.type === 'source') summary.sourceClusterPair = entry.clusterPair;
    else if (entry.type === 'undo') summary.undo = entry.status === 'Started' || !summary.undo ? { started: entry.time, status: entry.status, forced: entry.forced } : { ...summary.undo, status: entry.status };
  }
  return summary;
}

/** "source → destination, namespace zookeeper", "ClusterPair zookeeper/remotecluster → destination, migrationschedule kube-system/dr", "…, all namespaces". */
export function describeRequest(request: RunRequest | undefined, sourceClusterPair?: ClusterPairRef): string {
  if (!request) return '';
  const scope = request.schedule ? `migrationschedule ${request.schedule.namespace ?? ''}/${request.schedule.name}` : request.allNamespaces ? 'all namespaces' : `namespace ${request.namespace ?? '(context default)'}`;
  return `${describeSource(request, sourceClusterPair)} → ${request.destinationContext}, ${scope}${request.failback ? ' (failback)' : ''}`;
}

/** The source as a run reached it: its context, or "ClusterPair NS/NAME" ("ClusterPair" alone before one was chosen). */
export function describeSource(request: RunRequest, sourceClusterPair?: ClusterPairRef): string {
  if (!request.sourceFromClusterPair) return request.sourceContext;
  return sourceClusterPair ? `ClusterPair ${pairName(sourceClusterPair)}` : 'ClusterPair';
}
