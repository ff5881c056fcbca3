import type { GlobalOptions } from '../../cli/globalOptions';
import type { CommandDeps } from '../../core/command';
import { UsageError } from '../../core/errors';
import type { CommandOutcome } from '../../core/report';
import { summarizeJournal, type JournalEntry } from '../../failover/journalModel';
import { writtenObjects } from '../../failover/undo';
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
  const warnings = createdObjects(entries);
  const written = writtenObjects(entries).sort((a, b) => (a.cluster === b.cluster ? 0 : a.cluster === 'destination' ? -1 : 1));
  const results: ObjectResult[] = [];
  for (const context of [...new Set(written.map((object) => object.context))]) {
    const { api } = await deps.cluster(context);
    results.push(...(await undoWrites(api, written.filter((object) => object.context === context), { dryRun: options.globals.dryRun, concurrency: options.concurrency })));
  }
  const report = buildChangeReport({ verb: 'undo', context: summary.request ? `${summary.request.sourceContext},${summary.request.destinationContext}` : '', dryRun: options.globals.dryRun, scope: [], results, warnings });
  return { report, verdict: changeVerdict(report), results };
}

/** The objects a run created (its last-mile Migrations): undo leaves them and says so. */
function createdObjects(entries: readonly JournalEntry[]): string[] {
  return entries.flatMap((entry) => (entry.type === 'create' ? [`${entry.object.kind.toLowerCase()} ${entry.object.namespace ?? ''}/${entry.object.name} on context ${entry.context} was created by the run and is left in place (delete it by hand if it is not wanted)`] : []));
}
