import type { Argv } from 'yargs';
import { lastWins, parseDurationFlag, parsePositiveNumber } from '../../cli/flags';
import { globalOptionsFrom, type GlobalFlags } from '../../cli/globalOptions';
import type { VerbModule } from '../../cli/verb';
import { UsageError } from '../../core/errors';
import { renderPrometheus } from '../../present/prometheus';
import { renderReadiness } from '../../present/readinessTable';
import type { CheckOptions } from './execute';

const commaList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((entry) => String(entry).split(',')).map((entry) => entry.trim()).filter(Boolean));

const builder = (yargs: Argv<GlobalFlags>) =>
  yargs
    .option('source-context', { alias: 'from', requiresArg: true, type: 'string', coerce: lastWins, describe: 'The kubeconfig context of the cluster the apps run on now' })
    .option('source-from-clusterpair', { type: 'boolean', default: false, describe: "Reach the source through the ClusterPair the schedule names (on the destination), with Stork's stored credentials; instead of --source-context" })
    .option('destination-context', { alias: 'to', requiresArg: true, type: 'string', coerce: lastWins, describe: 'The kubeconfig context of the cluster to fail over to' })
    .option('migration-schedule', { alias: ['m', 'migration-reference'], requiresArg: true, type: 'string', coerce: lastWins, describe: 'Check the namespaces this MigrationSchedule migrates (its static copy on the destination, in -n)' })
    .option('include-namespaces', { requiresArg: true, type: 'string', describe: "With -m: only these of the schedule's namespaces (comma list)" })
    .option('exclude-namespaces', { requiresArg: true, type: 'string', describe: "With -m: the schedule's namespaces but these (comma list)" })
    .option('max-rpo', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Not ready when the last successful migration is older than this (e.g. 30m)' })
    .option('stale-factor', { requiresArg: true, type: 'string', coerce: lastWins, default: '3', describe: "Without --max-rpo: not ready when the last success is older than this many times the schedule policy's interval" })
    .option('strict', { type: 'boolean', default: false, describe: 'Warnings count as errors (exit 1)' })
    .option('source-timeout', { requiresArg: true, type: 'string', coerce: lastWins, default: '10s', describe: 'How long to try to reach each cluster before calling it unreachable' })
    .example('$0 check --from source --to destination -n zookeeper', 'Is zookeeper ready to fail over? Exit 0 ready, 1 not ready')
    .example('$0 check --from source --to destination -A -o prometheus > /var/lib/node_exporter/textfile/failover.prom', 'Metrics for the textfile collector')
    .example('$0 check --to destination -m migrationschedule -n kube-system --source-from-clusterpair --strict', 'Every namespace of a schedule, reached as Stork does; warnings fail too');

export const checkVerb: VerbModule = {
  register: (parser, run) =>
    parser.command('check', 'Is this pair ready to fail over now? Read-only on both clusters: exit 0 ready, 1 not ready, with findings (-o table|json|yaml|prometheus)', builder, async (flags) => {
      const globals = globalOptionsFrom(flags);
      // -o prometheus is check's own format: drawn from the report like the table.
      const prometheus = globals.output === 'prometheus';
      if (globals.dryRun !== 'none') throw new UsageError('check is read-only: --dry-run does not apply to it');
      const destinationContext = flags['destination-context'] ?? globals.context;
      if (!destinationContext) throw new UsageError('name the cluster to fail over to with --destination-context (or --to)');
      const sourceFromClusterPair = flags['source-from-clusterpair'];
      if (sourceFromClusterPair && flags['source-context'] !== undefined) throw new UsageError('--source-from-clusterpair and --source-context (--from) cannot be used together');
      const sourceContext = sourceFromClusterPair ? '' : flags['source-context'];
      if (sourceContext === undefined || (!sourceFromClusterPair && sourceContext === '')) throw new UsageError("name the cluster the apps run on now with --source-context (or --from), or reach it through the destination's ClusterPair with --source-from-clusterpair");
      if (sourceContext === destinationContext) throw new UsageError(`--source-context and --destination-context are both "${sourceContext}"`);
      const include = commaList(flags['include-namespaces']);
      const exclude = commaList(flags['exclude-namespaces']);
      const scheduleName = flags['migration-schedule'];
      if (!scheduleName && (include.length > 0 || exclude.length > 0)) throw new UsageError('--include-namespaces and --exclude-namespaces need -m/--migration-schedule');
      if (scheduleName && globals.allNamespaces) throw new UsageError('-m/--migration-schedule and -A/--all-namespaces cannot be used together');
      const options: CheckOptions = {
        globals,
        sourceContext,
        sourceFromClusterPair,
        destinationContext,
        schedule: scheduleName ? { name: scheduleName, ...(globals.namespace ? { namespace: globals.namespace } : {}), include, exclude } : undefined,
        maxRpoMs: flags['max-rpo'] === undefined ? undefined : parseDurationFlag('--max-rpo', flags['max-rpo']),
        staleFactor: parsePositiveNumber('--stale-factor', flags['stale-factor']),
        strict: flags.strict,
        sourceTimeoutMs: parseDurationFlag('--source-timeout', flags['source-timeout']),
      };
      await run({
        globals,
        execute: async (deps) => (await import('./execute')).executeCheck(options, deps),
        renderTable: (outcome, view) => (prometheus ? renderPrometheus(outcome.report) : renderReadiness(outcome.report, view.colors, view.verbose)),
      });
    }),
};
