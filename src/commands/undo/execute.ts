import type { GlobalOptions } from '../../cli/globalOptions';
import { UsageError } from '../../core/errors';
import type { ClusterSession, CommandDeps } from '../../core/command';
import type { CommandOutcome } from '../../core/report';
import { describeSource, summarizeJournal, type JournalEntry, type RunSummary } from '../../failover/journalModel';
import { clusterPairLabel } from '../../failover/sourceRoute';
import { openClusterPairSource } from '../../io/clusterPairSource';
import { writtenObjects, type WrittenObject } from '../../failover/undo';
import type { ObjectResult } from '../../io/apply';
import { undoWrites } from '../../io/undoWrites';
import { journalPath, readJournal } from '../../io/journal';
import { buildChangeReport, changeVerdict, type ChangeReport } from '../../report/activationReport';

export interface UndoOptions {
  globals: GlobalOptions;
  runId: string;
  journal?: string | undefined;
  concurrency: number;
  force: boolean;
}

export interface UndoOutcome extends CommandOutcome<ChangeReport> {
  results: ObjectResult[];
}

/**
 * undo: puts both clusters back to the values the run's journal recorded before its writes, each
 * held by the precondition that it still has what the run wrote. The destination goes first, so the
 * apps never run on both sides. A completed run is refused unless --force; the last-mile Migration
 * is named, not deleted.
 */
export async function executeUndo(options: UndoOptions, deps: CommandDeps): Promise<UndoOutcome> {
  const file = journalPath(deps.env, options.runId, options.journal);
  const entries = readJournal(file);
  const summary = summarizeJournal(options.runId, entries);
  if (summary.outcome === 'Successful' && !options.force) {
    throw new UsageError(`run ${options.runId} completed: undoing it scales the destination down and the source up again, stranding whatever was written on the destination since; pass --force to undo it anyway`);
  }
  const warnings = createdObjects(entries, summary);
  const written = writtenObjects(entries).sort((a, b) => (a.cluster === b.cluster ? 0 : a.cluster === 'destination' ? -1 : 1));
  const results: ObjectResult[] = [];
  // One session per cluster and context: a source reached through a ClusterPair has no context ('').
  const groupKey = (object: WrittenObject): string => `${object.cluster}|${object.context}`;
  for (const key of [...new Set(written.map(groupKey))]) {
    const objects = written.filter((object) => groupKey(object) === key);
    const [first] = objects;
    if (!first) continue;
    const { api } = await sessionFor(first, summary, deps);
    results.push(...(await undoWrites(api, objects, { dryRun: options.globals.dryRun, concurrency: options.concurrency })));
  }
  const report = buildChangeReport({ verb: 'undo', context: summary.request ? `${describeSource(summary.request, summary.sourceClusterPair)},${summary.request.destinationContext}` : '', dryRun: options.globals.dryRun, scope: [], results, warnings });
  return { report, verdict: changeVerdict(report), results };
}

/**
 * Where a journal's writes go back to: their context, or, for a source the run reached through a
 * ClusterPair (--source-from-clusterpair), that ClusterPair, read again on the destination and used
 * with Stork's stored credentials as the run was.
 */
async function sessionFor(object: WrittenObject, summary: RunSummary, deps: CommandDeps): Promise<ClusterSession> {
  const request = summary.request;
  if (object.cluster !== 'source' || !request?.sourceFromClusterPair) return deps.cluster(object.context);
  if (!summary.sourceClusterPair) throw new UsageError(`the journal of run ${summary.runId} records writes on the source but not the ClusterPair it reached the source through`);
  const destination = await deps.cluster(request.destinationContext);
  return (await openClusterPairSource(deps, destination.api, request.destinationContext, summary.sourceClusterPair)).session;
}

/** The objects a run created (its last-mile Migrations): undo leaves them and says so. */
function createdObjects(entries: readonly JournalEntry[], summary: RunSummary): string[] {
  const where = (context: string): string => (context === '' && summary.sourceClusterPair ? `on the source (through ${clusterPairLabel(summary.sourceClusterPair)})` : `on context ${context}`);
  return entries.flatMap((entry) => (entry.type === 'create' ? [`${entry.object.kind.toLowerCase()} ${entry.object.namespace ?? ''}/${entry.object.name} ${where(entry.context)} was created by the run and is left in place (delete it by hand if it is not wanted)`] : []));
}
