import type { Argv } from 'yargs';
import { parseConcurrency, lastWins } from '../../cli/flags';
import { globalOptionsFrom, type GlobalFlags } from '../../cli/globalOptions';
import { scheduleNameFrom, withScheduleScopeFlags } from '../../cli/scheduleScopeFlags';
import type { VerbModule } from '../../cli/verb';
import { renderDryRunDiffs } from '../../present/dryRunDiffs';
import { renderScheduleChanges } from '../../present/scheduleTable';

function builder(verb: 'suspend' | 'resume') {
  return (yargs: Argv<GlobalFlags>) =>
    withScheduleScopeFlags(yargs, `${verb === 'suspend' ? 'Suspend' : 'Resume'} this MigrationSchedule (the same as naming it)`, { namespaceSubsets: false })
      .positional('names', { type: 'string', array: true, describe: 'MigrationSchedule names (default: all selected)' })
      .option('cluster-pair', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Only schedules that migrate through this ClusterPair' })
      .option('concurrency', { requiresArg: true, type: 'string', coerce: lastWins, default: '16', describe: 'Parallel writes to the API server' })
      .example(`$0 ${verb} -n zookeeper`, `${verb === 'suspend' ? 'Stop' : 'Restart'} replication of zookeeper`)
      .example(`$0 ${verb} -A --cluster-pair remotecluster --dry-run=server`, 'Every schedule of one cluster pair, as a server-side dry run');
}

function verbModule(verb: 'suspend' | 'resume', describe: string): VerbModule {
  return {
    register: (parser, run) =>
      parser.command(`${verb} [names..]`, describe, builder(verb), async (flags) => {
        const globals = globalOptionsFrom(flags);
        const named = scheduleNameFrom(flags, verb);
        const options = {
          globals,
          suspend: verb === 'suspend',
          // -m NAME is one more name, as storkctl's --migration-reference names one schedule.
          names: [...new Set([...(flags.names ?? []).map(String), ...(named === undefined ? [] : [named])])],
          clusterPair: flags['cluster-pair'],
          concurrency: parseConcurrency(flags.concurrency),
        };
        await run({
          globals,
          execute: async (deps) => (await import('./execute')).executeScheduleChange(options, deps),
          renderTable: async (outcome, view) => `${await renderDryRunDiffs(outcome.results, globals.dryRun, view.colors)}${renderScheduleChanges(outcome, globals.dryRun)}`,
        });
      }),
  };
}

export const suspendVerb = verbModule('suspend', 'Suspend MigrationSchedules (spec.suspend: true) so replication stops overwriting the destination');
export const resumeVerb = verbModule('resume', 'Resume MigrationSchedules (spec.suspend: false)');
