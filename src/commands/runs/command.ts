import { globalOptionsFrom } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import type { CommandDeps } from '../../core/command';
import { REPORT_API_VERSION, type CommandOutcome } from '../../core/report';
import { describeRequest, summarizeJournal, type RunSummary } from '../../failover/journalModel';
import { journalDirectory, listJournals, readJournal } from '../../io/journal';
import { renderTable } from '../../present/table';

export interface RunListReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'RunList';
  directory: string;
  runs: Array<RunSummary & { journal: string }>;
}

/** The journals in the state folder, newest first. */
export async function executeRuns(deps: CommandDeps): Promise<CommandOutcome<RunListReport>> {
  const directory = journalDirectory(deps.env);
  const runs = listJournals(directory)
    .map(({ runId, file }) => ({ ...summarizeJournal(runId, readJournal(file)), journal: file }))
    .sort((a, b) => b.started.localeCompare(a.started));
  return { report: { apiVersion: REPORT_API_VERSION, kind: 'RunList', directory, runs }, verdict: 'succeeded' };
}

export const runsVerb: VerbModule = {
  register: (parser, run) =>
    parser.command('runs', 'List the journals of past runs: id, started, scope, last stage, outcome', (yargs) => yargs, async (flags) => {
      const globals = globalOptionsFrom(flags);
      await run({
        globals,
        execute: executeRuns,
        renderTable: ({ report }) =>
          report.runs.length === 0
            ? `no runs recorded in ${report.directory}\n`
            : renderTable(
                ['ID', 'STARTED', 'SCOPE', 'LAST STAGE', 'OUTCOME'],
                report.runs.map((entry) => [entry.runId, entry.started, describeRequest(entry.request, entry.sourceClusterPair), entry.lastStage ?? '', entry.outcome ?? 'did not end (interrupted or lost): --resume or undo']),
              ),
      });
    }),
};
