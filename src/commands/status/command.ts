import type { Argv } from 'yargs';
import type { CommandModule } from '../../cli/app';
import type { GlobalOptions } from '../../cli/globalOptions';
import { runStatus, type StatusOptions } from './run';

export const statusCommand: CommandModule = {
  command: 'status',
  describe: "Show each namespace's DR state (active, standby, partially active, not protected) with integrity warnings; read-only",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option('source-context', { requiresArg: true, type: 'string', describe: 'Report this context as the source (with --destination-context: both clusters)' })
      .option('destination-context', { requiresArg: true, type: 'string', describe: 'Report this context as the destination' })
      .option('stale-factor', { requiresArg: true, type: 'number', default: 3, describe: "Warn when the last success is older than this many times the schedule's policy interval" })
      .example('$0 status -n zookeeper --source-context source --destination-context destination', 'Both sides of one namespace') as unknown as Argv<GlobalOptions>,
  run: (args, context) => runStatus(args as unknown as StatusOptions, context),
};
