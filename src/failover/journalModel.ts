import type { Json } from '../kube/objects';
import type { FailoverOutcome, FailoverStageName, StageStatus } from './stages';

/** What `run` was asked, enough to resume it with the same scope and flags. */
export interface RunRequest {
  sourceContext: string;
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
      object: { apiVersion: string; kind: string; namespace?: string; name: string };
      fields: JournalField[];
      resourceVersion?: string;
    }
  | { type: 'create'; runId: string; time: string; stage: FailoverStageName; cluster: 'source' | 'destination'; context: string; resourceKey: string; object: { apiVersion: string; kind: string; namespace?: string; name: string } }
  | { type: 'end'; runId: string; time: string; outcome: FailoverOutcome | 'Interrupted' };

/** A run as its journal tells it. */
export interface RunSummary {
  runId: string;
  started: string;
  request?: RunRequest;
  /** The last stage that started. */
  lastStage?: FailoverStageName;
  /** The outcome, or undefined if the run never ended (crash, kill, lost connection). */
  outcome?: FailoverOutcome | 'Interrupted';
  writes: number;
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
  }
  return summary;
}

/** "namespace zookeeper", "migrationschedule kube-system/dr (2 namespaces)", "all namespaces". */
export function describeRequest(request: RunRequest | undefined): string {
  if (!request) return '';
  const scope = request.schedule ? `migrationschedule ${request.schedule.namespace ?? ''}/${request.schedule.name}` : request.allNamespaces ? 'all namespaces' : `namespace ${request.namespace ?? '(context default)'}`;
  return `${request.sourceContext} → ${request.destinationContext}, ${scope}${request.failback ? ' (failback)' : ''}`;
}
