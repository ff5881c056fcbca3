import type { Argv } from 'yargs';
import { UsageError } from '../../core/errors';
import { parseConcurrency, parseDurationFlag, lastWins } from '../../cli/flags';
import { globalOptionsFrom, type GlobalFlags } from '../../cli/globalOptions';
import { scheduleReferenceFrom, withScheduleScopeFlags } from '../../cli/scheduleScopeFlags';
import { reconcilerOptionsFrom, withHoldFlag, withReconcilerFlags } from '../../cli/reconcilerFlags';
import type { VerbModule } from '../../cli/verb';
import type { Direction } from '../../plan/types';
import { renderActivationTable } from '../../present/activationTable';
import { renderDryRunDiffs } from '../../present/dryRunDiffs';

function builder(direction: Direction) {
  const verb = direction;
  // activate: --hold only; deactivate scales a source down, where reconcilers scale back: the pause and ignore flags too.
  const withReconcilers = (yargs: Argv<GlobalFlags>) => (direction === 'deactivate' ? withReconcilerFlags(yargs) : withHoldFlag(yargs));
  return (yargs: Argv<GlobalFlags>) =>
    withScheduleScopeFlags(withReconcilers(yargs), `${direction === 'activate' ? 'Activate' : 'Deactivate'} the namespaces this MigrationSchedule migrates (it lives in -n, else the context's namespace)`, { namespaceSubsets: true })
      .option('wait', {
        type: 'boolean',
        default: true,
        describe: direction === 'activate' ? 'Wait until every activated workload is ready (--wait=false to return at once)' : 'Wait until every deactivated workload has scaled down',
      })
      .option('timeout', { requiresArg: true, type: 'string', coerce: lastWins, default: '5m', describe: 'How long --wait waits, e.g. 90s, 10m' })
      .option('concurrency', { requiresArg: true, type: 'string', coerce: lastWins, default: '16', describe: 'Parallel writes to the API server' })
      .option('force', {
        type: 'boolean',
        default: false,
        hidden: direction === 'activate',
        describe: 'Deactivate a namespace named with -n even if Stork does not protect it',
      })
      .example(`$0 ${verb} -n zookeeper`, direction === 'activate' ? 'Scale the migrated apps of zookeeper up to their recorded counts' : 'Scale zookeeper down, recording each count')
      .example(`$0 ${verb} -A --dry-run=server`, 'Show the diffs the API server would apply, changing nothing')
      .example(`$0 ${verb} -m zk-dr -n admin --exclude-namespaces staging`, "Every namespace of MigrationSchedule admin/zk-dr but staging")
      .example(`$0 ${verb} -n zookeeper -o json --wait=false`, 'Machine-readable report, no waiting');
}

function verbModule(direction: Direction, describe: string): VerbModule {
  return {
    register: (parser, run) =>
      parser.command(direction, describe, builder(direction), async (flags) => {
        const globals = globalOptionsFrom(flags);
        if (direction === 'activate' && flags.force) throw new UsageError('--force applies to deactivate only');
        const options = {
          globals,
          direction,
          wait: flags.wait,
          timeoutMs: parseDurationFlag('--timeout', flags.timeout),
          concurrency: parseConcurrency(flags.concurrency),
          force: flags.force,
          schedule: scheduleReferenceFrom(flags, globals),
          reconcilers: reconcilerOptionsFrom(flags),
        };
        await run({
          globals,
          execute: async (deps) => (await import('./execute')).executeActivation(options, deps),
          renderTable: async (outcome, view) => `${await renderDryRunDiffs(outcome.results, globals.dryRun, view.colors)}${renderActivationTable(outcome.report, view.colors, view.verbose)}`,
        });
      }),
  };
}

export const activateVerb = verbModule('activate', 'Bring migrated apps up: scale to the recorded replica counts, resume CronJobs, start VMs, mark schedules activated');
export const deactivateVerb = verbModule('deactivate', 'Bring apps down (on the source): scale to 0 recording each count, suspend CronJobs, stop VMs');
