import { globalOptionsFrom } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import type { CommandDeps } from '../../core/command';
import { JournalError, UsageError, oneLine } from '../../core/errors';
import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import { describeRequest, summarizeJournal, type RunSummary } from '../../failover/journalModel';
import { RUN_ID_FORMAT, isRunId } from '../../failover/runId';
import { journalDirectory, listJournals, loadJournal } from '../../io/journal';
import { renderTable } from '../../present/table';

export interface RunListReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'RunList';
  directory: string;
  /** `damaged`: the journal could not be trusted (a bad line, named); its run is listed by file name alone. */
  runs: Array<RunSummary & { journal: string; damaged?: string }>;
  /** Torn last lines (tolerated) and damaged journals, also printed on stderr. */
  warnings: string[];
}

/** The journals in the state folder, newest first; a damaged one is listed as such (and makes the exit code 1), never skipped. */
export async function executeRuns(deps: CommandDeps): Promise<CommandOutcome<RunListReport>> {
  const directory = journalDirectory(deps.env);
  const warnings: string[] = [];
  const runs = listJournals(directory)
    .map(({ runId, file }): RunListReport['runs'][number] => {
      const damaged = (problem: string): RunListReport['runs'][number] => {
        warnings.push(`${problem}: undo and --resume refuse it until it is repaired or moved away`);
        return { runId, started: '', writes: 0, journal: file, damaged: problem };
      };
      if (!isRunId(runId)) return damaged(`journal ${file}: the file name is not <run id>.jsonl (${RUN_ID_FORMAT})`);
      try {
        const journal = loadJournal(file, runId);
        warnings.push(...journal.warnings);
        return { ...summarizeJournal(runId, journal.entries), journal: file };
      } catch (error) {
        // A journal that vanished between listing and reading is as untrustworthy as a garbled one.
        if (error instanceof JournalError || error instanceof UsageError) return damaged(oneLine(error));
        throw error;
      }
    })
    .sort((a, b) => b.started.localeCompare(a.started));
  const verdict = runs.some((entry) => entry.damaged !== undefined) ? 'failed' : 'succeeded';
  return { report: { apiVersion: REPORT_API_VERSION, kind: 'RunList', directory, runs, warnings }, verdict };
}

/** The OUTCOME cell: how the run ended, and whether it was undone since; DAMAGED and why for a journal that cannot be trusted. */
function outcomeText(entry: RunListReport['runs'][number]): string {
  if (entry.damaged !== undefined) return `DAMAGED: ${entry.damaged}`;
  const outcome = entry.outcome ?? 'did not end (interrupted or lost): --resume or undo';
  if (!entry.undo) return outcome;
  const undo = entry.undo.status === 'Successful' ? `undone ${entry.undo.started}` : entry.undo.status === 'Failed' ? `undo failed ${entry.undo.started}` : `undo started ${entry.undo.started}, did not end`;
  return `${outcome}; ${undo}`;
}

export const runsVerb: VerbModule = {
  register: (parser, run) =>
    parser.command('runs', 'List the journals of past runs: id, started, scope, last stage, outcome (DAMAGED, exit 1, for a journal that cannot be trusted)', (yargs) => yargs, async (flags) => {
      const globals = globalOptionsFrom(flags);
      await run({
        globals,
        execute: executeRuns,
        renderTable: ({ report }) =>
          report.runs.length === 0
            ? `no runs recorded in ${report.directory}\n`
            : renderTable(
                ['ID', 'STARTED', 'SCOPE', 'LAST STAGE', 'OUTCOME'],
                report.runs.map((entry) => [entry.runId, entry.started, describeRequest(entry.request, entry.sourceClusterPair), entry.lastStage ?? '', outcomeText(entry)]),
              ),
      });
    }),
};
