import type { RunRequest, RunSummary } from './journalModel';

/**
 * The scope flags given on the command line next to --resume, as typed (undefined, false or empty:
 * not given). A resumed run takes its scope from its journal; these may only repeat it.
 */
export interface ResumeScopeFlags {
  sourceContext?: string | undefined;
  destinationContext?: string | undefined;
  sourceFromClusterPair: boolean;
  namespace?: string | undefined;
  allNamespaces: boolean;
  selector?: string | undefined;
  schedule?: string | undefined;
  include: readonly string[];
  exclude: readonly string[];
}

export type ResumeDecision = { resumable: true; request: RunRequest } | { resumable: false; reason: string };

/** Outcomes after which there is nothing left to do: the run finished, or its rollback did. */
const FINISHED = new Set(['Successful', 'RollbackSuccessful', 'DryRun']);

/**
 * Whether `run --resume` may continue the run its journal tells of, and with which request. A run
 * that never ended, was interrupted, or ended Failed or RollbackFailed is resumed (every stage
 * re-reads both clusters); one that finished is not (nothing to resume); one that was undone is
 * not (resuming would fail over again what the operator put back); and scope flags may only repeat
 * the journal's (a different -n would silently be ignored, or silently widen the run). Pure.
 */
export function resumeDecision(summary: RunSummary, journal: string, given: ResumeScopeFlags): ResumeDecision {
  const { runId, request, undo } = summary;
  if (!request) return { resumable: false, reason: `the journal ${journal} does not say what run ${runId} was asked (no start entry)` };
  if (undo) {
    const how = undo.status === 'Successful' ? `was undone at ${undo.started}` : undo.status === 'Failed' ? `was partly undone at ${undo.started} (the undo failed)` : `has an undo that started at ${undo.started} and never said how it ended`;
    const next = undo.status === 'Successful' ? 'start a new run to fail over again' : `finish it with "kubectl failover undo ${runId}", then start a new run`;
    return { resumable: false, reason: `run ${runId} ${how} (kubectl failover undo): it cannot be resumed; ${next}` };
  }
  if (summary.outcome !== undefined && FINISHED.has(summary.outcome)) return { resumable: false, reason: `run ${runId} already ended: ${summary.outcome}; nothing to resume` };
  const differences = scopeDifferences(request, given);
  if (differences.length > 0) {
    return { resumable: false, reason: `--resume takes run ${runId}'s scope from its journal, and ${differences.join(', ')}: drop ${differences.length > 1 ? 'those flags' : 'the flag'} (or repeat the run's value)` };
  }
  return { resumable: true, request };
}

/** Each scope flag given that says something else than the journal's request, as "-n other differs from the run's zookeeper". */
export function scopeDifferences(request: RunRequest, given: ResumeScopeFlags): string[] {
  const differences: string[] = [];
  const differ = (flag: string, value: string, theirs: string | undefined): void => {
    if (value !== theirs) differences.push(`${flag} ${value} differs from the run's ${theirs === undefined ? `(no ${flag})` : `${flag} ${theirs}`}`);
  };
  if (given.sourceFromClusterPair && !request.sourceFromClusterPair) differences.push(`--source-from-clusterpair differs from the run's --from ${request.sourceContext}`);
  if (given.sourceContext !== undefined) {
    if (request.sourceFromClusterPair) differences.push(`--from ${given.sourceContext} differs from the run's --source-from-clusterpair`);
    else differ('--from', given.sourceContext, request.sourceContext);
  }
  if (given.destinationContext !== undefined) differ('--to', given.destinationContext, request.destinationContext);
  if (given.namespace !== undefined) differ('-n', given.namespace, request.namespace);
  if (given.allNamespaces && !request.allNamespaces) differences.push(`-A differs from the run's ${request.schedule ? `-m ${request.schedule.name}` : request.namespace ? `-n ${request.namespace}` : "namespace (the context's)"}`);
  if (given.selector !== undefined) differ('-l', given.selector, request.selector);
  if (given.schedule !== undefined) differ('-m', given.schedule, request.schedule?.name);
  const sameSet = (a: readonly string[], b: readonly string[]): boolean => new Set(a).size === new Set(b).size && a.every((entry) => b.includes(entry));
  for (const [flag, list, theirs] of [
    ['--include-namespaces', given.include, request.schedule?.include ?? []],
    ['--exclude-namespaces', given.exclude, request.schedule?.exclude ?? []],
  ] as const) {
    if (list.length > 0 && !sameSet(list, theirs)) differences.push(`${flag} ${list.join(',')} differs from the run's ${theirs.length > 0 ? `${flag} ${theirs.join(',')}` : `(no ${flag})`}`);
  }
  return differences;
}
