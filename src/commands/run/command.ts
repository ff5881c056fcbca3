import type { Argv } from 'yargs';
import { lastWins, nonEmpty, parseConcurrency, parseDurationFlag } from '../../cli/flags';
import { globalOptionsFrom, type GlobalFlags, type GlobalOptions } from '../../cli/globalOptions';
import { reconcilerOptionsFrom, withReconcilerFlags } from '../../cli/reconcilerFlags';
import type { VerbModule } from '../../cli/verb';
import type { CommandDeps } from '../../core/command';
import { UsageError } from '../../core/errors';
import { renderStageDiffs } from '../../present/dryRunDiffs';
import { renderFailoverReport } from '../../present/failoverTable';
import type { RunOptions } from './options';
import type { ViaStorkOptions } from './viaStork';
import type { RunRequest } from '../../failover/journalModel';
import { checkRunId, newRunId } from '../../failover/runId';
import { journalPath } from '../../io/journal';
import { readResumableRun } from './resumable';

const commaList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).flatMap((entry) => String(entry).split(',')).map((entry) => entry.trim()).filter(Boolean));

/** Defaults --via-stork checks against: a value other than these was given, and does not apply there. */
const DEFAULT_SOURCE_TIMEOUT = '10s';
const DEFAULT_CONCURRENCY = '16';

const builder = (yargs: Argv<GlobalFlags>) =>
  withReconcilerFlags(yargs)
    .option('source-context', { alias: 'from', requiresArg: true, type: 'string', coerce: lastWins, describe: 'The kubeconfig context of the cluster the apps run on now' })
    .option('source-from-clusterpair', {
      type: 'boolean',
      default: false,
      describe: "Reach the source through the ClusterPair the schedule names (on the destination), with the credentials Stork stored in it, as Stork's controller does; instead of --source-context",
    })
    .option('destination-context', { alias: 'to', requiresArg: true, type: 'string', coerce: lastWins, describe: 'The kubeconfig context of the cluster to fail over to' })
    .option('migration-schedule', { alias: ['m', 'migration-reference'], requiresArg: true, type: 'string', coerce: lastWins, describe: "Fail over the namespaces this MigrationSchedule migrates (its static copy on the destination, in -n)" })
    .option('include-namespaces', { requiresArg: true, type: 'string', describe: "With -m: only these of the schedule's namespaces (comma list)" })
    .option('exclude-namespaces', { requiresArg: true, type: 'string', describe: "With -m: the schedule's namespaces but these (comma list)" })
    .option('source-timeout', { requiresArg: true, type: 'string', coerce: lastWins, default: DEFAULT_SOURCE_TIMEOUT, describe: 'How long to try to reach the source before calling it unreachable' })
    .option('max-rpo', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Refuse when the last successful migration is older than this (e.g. 30m); --force overrides' })
    .option('force', { type: 'boolean', default: false, describe: 'Fail over even beyond --max-rpo' })
    .option('skip-source-operations', { type: 'boolean', default: false, describe: 'Do not touch the source (it is down): go straight to scaling up the destination' })
    .option('allow-split-brain', { type: 'boolean', default: false, describe: 'With --skip-source-operations: allow it although the source answers and still runs the apps' })
    .option('skip-last-mile', { type: 'boolean', default: false, describe: 'Do not migrate the data written since the last scheduled migration' })
    .option('wait', { type: 'boolean', default: true, describe: 'Wait until the destination apps are ready (--wait=false to return once scaled)' })
    .option('timeout', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Bound of each wait for apps and for a running migration: scale-down, readiness (default 5m); not the last mile. With --via-stork, of following the Action (default 10m)' })
    .option('last-mile-timeout', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Bound of the last-mile Migration (default: none, as Stork); when it runs out the source is rolled back' })
    .option('on-last-mile-timeout', { requiresArg: true, type: 'string', coerce: lastWins, choices: ['keep', 'delete'], default: 'keep', describe: 'A last-mile Migration cut short by --last-mile-timeout or ^C: leave it running, or delete it' })
    .option('concurrency', { requiresArg: true, type: 'string', coerce: lastWins, default: DEFAULT_CONCURRENCY, describe: 'Parallel writes to each API server' })
    .option('journal', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Journal file (default: ${XDG_STATE_HOME:-~/.local/state}/kubectl-failover/<run id>.jsonl)' })
    .option('resume', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'Continue an interrupted run by its ID, re-reading both clusters first' })

    .option('via-stork', { type: 'boolean', default: false, describe: "Let Stork's action controller (Stork 24+) do it: create an Action as storkctl perform does, on the destination, and follow its stages" })
    .option('failback', { type: 'boolean', default: false, describe: 'With --via-stork: fail back (storkctl perform failback); the Action is created on --destination-context, where the apps run now' })
    .option('follow', { requiresArg: true, type: 'string', coerce: lastWins, describe: 'With --via-stork: follow the existing Action NAME (in -n) instead of starting one' })
    .example('$0 run --from source --to destination -n zookeeper', 'Fail zookeeper over: stop the source, migrate the last mile, bring the destination up')
    .example('$0 run --to destination -m migrationschedule -n kube-system --dry-run=server', "Every stage's plan, checked by both API servers, nothing changed")
    .example('$0 run --from source --to destination -n zookeeper --skip-source-operations', 'The source is down: bring the destination up anyway')
    .example('$0 run --source-from-clusterpair --to destination -m migrationschedule -n zookeeper', "Reach the source as Stork does: through the schedule's ClusterPair, with Stork's stored credentials")
    .example('$0 run --via-stork --to destination -m migrationschedule -n zookeeper', "Stork's controller fails over; follow its stages");

type RunFlags = Awaited<ReturnType<typeof builder>['argv']>;

/** The default of --timeout: each waiting stage of `run`; following an Action, storkctl's actionWaitTimeout. */
const DEFAULT_TIMEOUT = '5m';
const DEFAULT_FOLLOW_TIMEOUT = '10m';

function runModule(failback: boolean): VerbModule {
  const verb = failback ? 'failback' : 'run';
  const describe = failback
    ? 'Fail back: run the other way round with the reverse MigrationSchedule, after Stork\'s failback checks (its latest migration exists, did not fail, and is within its policy window)'
    : "Fail over from the source to the destination cluster in one command: Stork's stages, client-side, with a rollback";
  return {
    register: (parser, run) =>
      parser.command(verb, describe, builder, async (flags) => {
        const globals = globalOptionsFrom(flags);
        if (flags['via-stork']) {
          const options = viaStorkOptions(flags, globals, failback);
          await run({ globals, execute: async (deps) => (await import('./viaStork')).executeViaStork(options, deps), renderTable: (outcome, view) => renderFailoverReport(outcome.report, view.colors, view.verbose) });
          return;
        }
        const onlyViaStork = [flags.failback ? '--failback' : '', flags.follow !== undefined ? '--follow' : ''].filter(Boolean);
        if (onlyViaStork.length > 0) throw new UsageError(`${onlyViaStork.join(' and ')} ${onlyViaStork.length > 1 ? 'need' : 'needs'} --via-stork${failback ? '' : ' (failing back client-side is `kubectl failover failback`)'}`);
        const runtime = {
          sourceTimeoutMs: parseDurationFlag('--source-timeout', flags['source-timeout']),
          maxRpoMs: flags['max-rpo'] === undefined ? undefined : parseDurationFlag('--max-rpo', flags['max-rpo']),
          force: flags.force,
          wait: flags.wait,
          timeoutMs: parseDurationFlag('--timeout', flags.timeout ?? DEFAULT_TIMEOUT),
          concurrency: parseConcurrency(flags.concurrency),
          lastMileTimeoutMs: flags['last-mile-timeout'] === undefined ? undefined : parseDurationFlag('--last-mile-timeout', flags['last-mile-timeout']),
          onLastMileTimeout: flags['on-last-mile-timeout'] === 'delete' ? ('delete' as const) : ('keep' as const),
          reconcilers: reconcilerOptionsFrom(flags),
        };
        const resumeId = flags.resume === undefined ? undefined : checkRunId(flags.resume, '--resume');
        if (resumeId !== undefined && globals.dryRun !== 'none') throw new UsageError('--resume continues a run: it cannot be a dry run');
        // A resumed run takes its scope and flags from its journal (read where the command runs: deps.env); scope flags may only repeat it.
        const resumed = (deps: Pick<CommandDeps, 'env' | 'streams'>, runId: string): RunOptions => {
          const given = { sourceContext: flags['source-context'], destinationContext: flags['destination-context'], sourceFromClusterPair: flags['source-from-clusterpair'], namespace: globals.namespace, allNamespaces: globals.allNamespaces, selector: globals.selector, schedule: flags['migration-schedule'], include: commaList(flags['include-namespaces']), exclude: commaList(flags['exclude-namespaces']) };
          const { file, summary, request } = readResumableRun(deps, runId, flags.journal, given);
          const resumedGlobals: GlobalOptions = { ...globals, allNamespaces: request.allNamespaces, ...(request.namespace ? { namespace: request.namespace } : {}), ...(request.selector ? { selector: request.selector } : {}) };
          return { globals: resumedGlobals, runId, ...runtime, sourceContext: request.sourceContext, sourceFromClusterPair: request.sourceFromClusterPair ?? false, sourceClusterPair: summary.sourceClusterPair, destinationContext: request.destinationContext, schedule: request.schedule, skipSourceOperations: request.skipSourceOperations, allowSplitBrain: request.allowSplitBrain, skipLastMile: request.skipLastMile, failback: request.failback, journalFile: file, request, resuming: true };
        };
        let fresh: RunOptions | undefined;
        if (resumeId === undefined) {
          const sourceFromClusterPair = flags['source-from-clusterpair'];
          const destinationContext = flags['destination-context'] ?? globals.context;
          if (!destinationContext) throw new UsageError(`name the cluster to ${failback ? 'fail back' : 'fail over'} to with --destination-context (or --to)`);
          if (sourceFromClusterPair && flags['source-context'] !== undefined) throw new UsageError('--source-from-clusterpair and --source-context (--from) cannot be used together: the source is reached either through the ClusterPair or through your context');
          // Through the ClusterPair the source has no context of ours: '' in the request and the report.
          const sourceContext = sourceFromClusterPair ? '' : flags['source-context'];
          if (sourceContext === undefined || (!sourceFromClusterPair && sourceContext === '')) throw new UsageError("name the cluster the apps run on now with --source-context (or --from), or reach it through the destination's ClusterPair with --source-from-clusterpair");
          if (sourceContext === destinationContext) throw new UsageError(`--source-context and --destination-context are both "${sourceContext}"`);
          const include = commaList(flags['include-namespaces']);
          const exclude = commaList(flags['exclude-namespaces']);
          const scheduleName = flags['migration-schedule'];
          if (!scheduleName && (include.length > 0 || exclude.length > 0)) throw new UsageError('--include-namespaces and --exclude-namespaces need -m/--migration-schedule');
          if (scheduleName && globals.allNamespaces) throw new UsageError('-m/--migration-schedule and -A/--all-namespaces cannot be used together');
          if (failback && !scheduleName) throw new UsageError('failback needs the reverse MigrationSchedule: -m NAME (in -n)');
          const runId = newRunId();
          const schedule = scheduleName ? { name: scheduleName, ...(globals.namespace ? { namespace: globals.namespace } : {}), include, exclude } : undefined;
          const request: RunRequest = {
            sourceContext,
            ...(sourceFromClusterPair ? { sourceFromClusterPair } : {}),
            destinationContext,
            ...(schedule ? { schedule } : {}),
            ...(globals.namespace ? { namespace: globals.namespace } : {}),
            allNamespaces: globals.allNamespaces,
            ...(globals.selector ? { selector: globals.selector } : {}),
            skipSourceOperations: flags['skip-source-operations'],
            allowSplitBrain: flags['allow-split-brain'],
            skipLastMile: flags['skip-last-mile'],
            failback,
          };
          fresh = { globals, runId, ...runtime, sourceContext, sourceFromClusterPair, destinationContext, schedule, skipSourceOperations: request.skipSourceOperations, allowSplitBrain: request.allowSplitBrain, skipLastMile: request.skipLastMile, failback, request, resuming: false };
        }
        await run({
          globals,
          execute: async (deps) => {
            const options = fresh ? { ...fresh, journalFile: journalPath(deps.env, fresh.runId, flags.journal) } : resumed(deps, resumeId ?? '');
            deps.streams.stderr.write(`Run ID: ${options.runId}${options.resuming ? ' (resumed)' : ''}\n`);
            return (await import('./execute')).executeRun(options, deps);
          },
          renderTable: async (outcome, view) => `${await renderStageDiffs(outcome.writes, globals.dryRun, view.colors)}${renderFailoverReport(outcome.report, view.colors, view.verbose)}`,
        });
      }),
  };
}

export const runVerb = runModule(false);
export const failbackVerb = runModule(true);

/**
 * --via-stork's flags: the destination alone (the controller reaches the source through the
 * schedule's ClusterPair), and none of the flags that steer our own stages: refused in one line.
 */
function viaStorkOptions(flags: RunFlags, globals: GlobalOptions, failbackCommand: boolean): ViaStorkOptions {
  const destinationContext = flags['destination-context'] ?? globals.context;
  if (!destinationContext) throw new UsageError('name the cluster to create the Action on with --destination-context (or --to, or --context): the DR destination, where Stork keeps the static copy of the schedule');
  const notApplicable = [
    flags['max-rpo'] !== undefined ? '--max-rpo' : '',
    flags.force ? '--force' : '',
    flags['allow-split-brain'] ? '--allow-split-brain' : '',
    flags['skip-last-mile'] ? '--skip-last-mile' : '',
    flags['last-mile-timeout'] !== undefined ? '--last-mile-timeout' : '',
    flags['pause-reconcilers'] ? '--pause-reconcilers' : '',
    flags['ignore-reconcilers'] ? '--ignore-reconcilers' : '',
    flags.hold !== undefined ? '--hold' : '',
    flags['on-last-mile-timeout'] !== 'keep' ? '--on-last-mile-timeout' : '',
    flags.wait ? '' : '--wait=false',
    flags['source-timeout'] !== DEFAULT_SOURCE_TIMEOUT ? '--source-timeout' : '',
    flags.concurrency !== DEFAULT_CONCURRENCY ? '--concurrency' : '',
    globals.allNamespaces ? '-A' : '',
    globals.selector !== undefined ? '-l' : '',
    flags.journal !== undefined ? '--journal' : '',
    flags.resume !== undefined ? '--resume' : '',
    flags['source-from-clusterpair'] ? '--source-from-clusterpair' : '',
  ].filter(Boolean);
  if (notApplicable.length > 0) throw new UsageError(`--via-stork leaves the failover to the Stork controller: ${notApplicable.join(', ')} ${notApplicable.length > 1 ? 'do' : 'does'} not apply (run without --via-stork to use ${notApplicable.length > 1 ? 'them' : 'it'})`);
  const warnings = flags['source-context'] === undefined ? [] : [`--source-context ${flags['source-context']} is not used with --via-stork: the Stork controller reaches the source through the schedule's ClusterPair`];
  const timeoutMs = parseDurationFlag('--timeout', flags.timeout ?? DEFAULT_FOLLOW_TIMEOUT);
  const include = commaList(flags['include-namespaces']);
  const exclude = commaList(flags['exclude-namespaces']);
  const failback = failbackCommand || flags.failback;
  if (flags.follow !== undefined) {
    const name = nonEmpty('--follow', flags.follow) ?? '';
    const starting = [flags['migration-schedule'] !== undefined ? '-m' : '', include.length > 0 ? '--include-namespaces' : '', exclude.length > 0 ? '--exclude-namespaces' : '', flags['skip-source-operations'] ? '--skip-source-operations' : '', failback ? '--failback' : '', globals.dryRun !== 'none' ? '--dry-run' : ''].filter(Boolean);
    if (starting.length > 0) throw new UsageError(`--follow follows an existing Action: ${starting.join(', ')} ${starting.length > 1 ? 'apply' : 'applies'} only to starting one`);
    return { globals, destinationContext, job: { kind: 'follow', name }, timeoutMs, warnings };
  }
  if (failback && flags['skip-source-operations']) throw new UsageError('--skip-source-operations applies to a failover only (storkctl perform failback has no such flag)');
  const actionType = failback ? 'failback' : 'failover';
  return { globals, destinationContext, job: { kind: 'start', actionType, reference: flags['migration-schedule'] ?? '', include, exclude, skipSourceOperations: flags['skip-source-operations'] }, timeoutMs, warnings };
}
