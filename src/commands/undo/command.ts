import { lastWins, parseConcurrency } from '../../cli/flags';
import { globalOptionsFrom } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import { UsageError } from '../../core/errors';
import { checkRunId } from '../../failover/runId';
import { renderActivationTable } from '../../present/activationTable';
import { renderDryRunDiffs } from '../../present/dryRunDiffs';

export const undoVerb: VerbModule = {
  register: (parser, run) =>
    parser.command(
      'undo <run-id>',
      "Put both clusters back to what a run's journal recorded before its writes, all or nothing (a completed run needs --force)",
      (yargs) =>
        yargs
          .positional('run-id', { type: 'string', describe: 'The run ID (`kubectl failover runs` lists them)' })
          .option('journal', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'The journal file, if not in the default place' })
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'Undo a run that completed (stranding what was written on the destination since), and leave objects changed since the run as they are, undoing the rest; an app left running on the destination keeps its source counterpart down and its schedules suspended',
          })
          .option('concurrency', { requiresArg: true, type: 'string', coerce: lastWins, default: '16', describe: 'Parallel writes to each API server' })
          .example('$0 undo 87574365bb --dry-run', 'The plan and what undoing the run would change, changing nothing')
          .example('$0 undo 87574365bb --dry-run=server', 'The same, each write checked by the API servers'),
      async (flags) => {
        const globals = globalOptionsFrom(flags);
        const runId = flags['run-id'];
        if (!runId) throw new UsageError('name the run to undo: kubectl failover undo <run-id>');
        checkRunId(runId, 'undo');
        const options = { globals, runId, journal: flags.journal, concurrency: parseConcurrency(flags.concurrency), force: flags.force };
        await run({
          globals,
          execute: async (deps) => (await import('./execute')).executeUndo(options, deps),
          // Every row, skipped ones too: an object left or held by undo is what the operator must see.
          renderTable: async (outcome, view) => `${await renderDryRunDiffs(outcome.results, globals.dryRun, view.colors)}${renderActivationTable(outcome.report, view.colors, true)}`,
        });
      },
    ),
};
