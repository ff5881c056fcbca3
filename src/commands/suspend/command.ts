import type { Argv } from 'yargs';
import type { CommandModule } from '../../cli/app';
import type { GlobalOptions } from '../../cli/globalOptions';
import { runSuspend, type SuspendOptions } from './run';

function builder(verb: 'suspend' | 'resume') {
  return (yargs: Argv<GlobalOptions>): Argv<GlobalOptions> =>
    yargs
      .positional('names', { type: 'string', array: true, describe: 'MigrationSchedule names (default: all selected)' })
      .option('cluster-pair', { requiresArg: true, type: 'string', describe: 'Only schedules that migrate through this ClusterPair' })
      .option('concurrency', { requiresArg: true, type: 'number', default: 16, describe: 'Parallel writes to the API server' })
      .example(`$0 ${verb} -n zookeeper`, `${verb === 'suspend' ? 'Stop' : 'Restart'} replication of zookeeper`)
      .example(`$0 ${verb} -A --cluster-pair remotecluster --dry-run=server`, 'Every schedule of one cluster pair, as a server-side dry run') as unknown as Argv<GlobalOptions>;
}

const run = (suspend: boolean): CommandModule['run'] => (args, context) => {
  const options = args as unknown as SuspendOptions & { names?: string[] };
  return runSuspend(suspend, { ...options, names: (options.names ?? []).map(String) }, context);
};

export const suspendCommand: CommandModule = {
  command: 'suspend [names..]',
  describe: 'Suspend MigrationSchedules (spec.suspend: true) so replication stops overwriting the destination',
  builder: builder('suspend'),
  run: run(true),
};

export const resumeCommand: CommandModule = {
  command: 'resume [names..]',
  describe: 'Resume MigrationSchedules (spec.suspend: false)',
  builder: builder('resume'),
  run: run(false),
};
