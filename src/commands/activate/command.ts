import type { Argv } from 'yargs';
import type { CommandModule } from '../../cli/app';
import type { GlobalOptions } from '../../cli/globalOptions';
import type { Direction } from '../../plan/types';
import { runActivation, type ActivationOptions } from './run';

function builder(direction: Direction) {
  return (yargs: Argv<GlobalOptions>): Argv<GlobalOptions> => {
    const verb = direction === 'activate' ? 'activate' : 'deactivate';
    let built = yargs
      .option('wait', {
        type: 'boolean',
        default: true,
        describe: direction === 'activate' ? 'Wait until every activated workload is ready (--wait=false to return at once)' : 'Wait until every deactivated workload has scaled down',
      })
      .option('timeout', { requiresArg: true, type: 'string', default: '5m', describe: 'How long --wait waits, e.g. 90s, 10m' })
      .option('concurrency', { requiresArg: true, type: 'number', default: 16, describe: 'Parallel writes to the API server' })
      .example(`$0 ${verb} -n zookeeper`, `${direction === 'activate' ? 'Scale the migrated apps of zookeeper up to their recorded counts' : 'Scale zookeeper down, recording each count'}`)
      .example(`$0 ${verb} -A --dry-run=server`, 'Show the diffs the API server would apply, changing nothing')
      .example(`$0 ${verb} -n zookeeper -o json --wait=false`, 'Machine-readable report, no waiting');
    if (direction === 'deactivate') {
      built = built.option('force', { type: 'boolean', default: false, describe: 'Deactivate a namespace named with -n even if Stork does not protect it' });
    }
    return built as unknown as Argv<GlobalOptions>;
  };
}

export const activateCommand: CommandModule = {
  command: 'activate',
  describe: 'Bring migrated apps up: scale to the recorded replica counts, resume CronJobs, start VMs, mark schedules activated',
  builder: builder('activate'),
  run: (args, context) => runActivation('activate', args as unknown as ActivationOptions, context),
};

export const deactivateCommand: CommandModule = {
  command: 'deactivate',
  describe: 'Bring apps down (on the source): scale to 0 recording each count, suspend CronJobs, stop VMs',
  builder: builder('deactivate'),
  run: (args, context) => runActivation('deactivate', args as unknown as ActivationOptions, context),
};
