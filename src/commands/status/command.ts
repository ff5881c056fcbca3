import type { Argv } from 'yargs';
import { parsePositiveNumber, lastWins } from '../../cli/flags';
import { globalOptionsFrom, type GlobalFlags } from '../../cli/globalOptions';
import { scheduleReferenceFrom, withScheduleScopeFlags } from '../../cli/scheduleScopeFlags';
import type { VerbModule } from '../../cli/verb';
import { UsageError } from '../../core/errors';
import { renderStatusReport } from '../../present/statusTable';
import { WATCH_INTERVAL_MS } from '../../cli/watch';
import type { CommandOutcome } from '../../core/report';
import type { StatusReport } from './execute';
import { statusChangeKey } from './changeKey';

const builder = (yargs: Argv<GlobalFlags>) =>
  withScheduleScopeFlags(yargs, "Report the namespaces this MigrationSchedule migrates (it lives in -n, else the context's namespace; resolved on each cluster)", { namespaceSubsets: true })
    .option('source-context', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Report this context as the source (with --destination-context: both clusters)' })
    .option('destination-context', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Report this context as the destination' })
    .option('stale-factor', { requiresArg: true, type: 'string', coerce: lastWins, default: '3', describe: "Warn when the last success is older than this many times the schedule's policy interval" })
    .option('watch', { alias: 'w', type: 'boolean', default: false, describe: `Read again every ${WATCH_INTERVAL_MS / 1000}s and show each change (redrawn on a terminal; one report per change when piped or with -o json|yaml) until ^C` })
    .example('$0 status -n zookeeper --source-context source --destination-context destination', 'Both sides of one namespace')
    .example('$0 status -m zk-dr -n admin --source-context source --destination-context destination', 'Both sides of every namespace MigrationSchedule admin/zk-dr migrates')
    .example('$0 status -n zookeeper --context destination -w', 'Watch a failover happen: workloads, schedules and Actions');

export const statusVerb: VerbModule = {
  register: (parser, run) =>
    parser.command('status', "Show each namespace's DR state (active, standby, partially active, not protected) with integrity warnings; read-only", builder, async (flags) => {
      const globals = globalOptionsFrom(flags);
      if (globals.dryRun !== 'none') throw new UsageError('status is read-only: --dry-run does not apply to it');
      const contexts = [flags['source-context'], flags['destination-context']].filter((name): name is string => name !== undefined);
      if (contexts.some((name) => name.trim() === '')) throw new UsageError('--source-context and --destination-context need a non-empty value');
      const options = { globals, contexts, sourceContext: flags['source-context'], staleFactor: parsePositiveNumber('--stale-factor', flags['stale-factor']), schedule: scheduleReferenceFrom(flags, globals) };
      await run({
        globals,
        execute: async (deps) => (await import('./execute')).executeStatus(options, deps),
        renderTable: (outcome, view) => renderStatusReport(outcome.report, view.colors),
        ...(flags.watch ? { watch: { changeKey: (outcome: CommandOutcome<StatusReport>) => statusChangeKey(outcome.report) } } : {}),
      });
    }),
};
