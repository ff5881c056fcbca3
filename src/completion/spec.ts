import { DRY_RUN_MODES } from '../core/dryRun';

/**
 * What shell completion knows of the command line: verbs, their flags and what each flag's value
 * is. The yargs definitions in cli/ and commands/ are the source of truth; a unit test checks this
 * table names exactly the flags `--help` lists, so the two cannot drift apart.
 */

/** Values read live (from the kubeconfig, the journal folder, or the cluster under a short timeout). */
export type LookupKind = 'context' | 'cluster' | 'user' | 'namespace' | 'schedule' | 'run';

/** What a flag's value or a positional argument completes to. */
export type ValueKind = { choices: readonly string[] } | { lookup: LookupKind } | 'file' | 'free';

export interface FlagSpec {
  /** The long name, without dashes. */
  name: string;
  short?: string;
  description: string;
  /** Absent: a switch, which takes no value. */
  value?: ValueKind;
  /** Still offered once given (--as-group a --as-group b). */
  repeatable?: boolean;
  /** Other long names yargs accepts for it (run's --from and --to). */
  aliases?: readonly string[];
}

export interface VerbSpec {
  name: string;
  description: string;
  flags: readonly FlagSpec[];
  /** What its positional arguments complete to (schedule names, shells). */
  args?: ValueKind;
}

export const OUTPUT_CHOICES = ['table', 'json', 'yaml'] as const;
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  { name: 'kubeconfig', description: 'path to the kubeconfig file', value: 'file' },
  { name: 'context', description: 'kubeconfig context to use', value: { lookup: 'context' } },
  { name: 'cluster', description: 'kubeconfig cluster to use', value: { lookup: 'cluster' } },
  { name: 'user', description: 'kubeconfig user to use', value: { lookup: 'user' } },
  { name: 'server', short: 's', description: "API server URL instead of the cluster's", value: 'free' },
  { name: 'token', description: 'bearer token for the API server', value: 'free' },
  { name: 'as', description: 'username to impersonate', value: 'free' },
  { name: 'as-group', description: 'group to impersonate (repeatable)', value: 'free', repeatable: true },
  { name: 'namespace', short: 'n', description: 'namespace to act on', value: { lookup: 'namespace' } },
  { name: 'all-namespaces', short: 'A', description: 'act on all namespaces' },
  { name: 'selector', short: 'l', description: 'label selector', value: 'free' },
  { name: 'dry-run', description: 'none, client or server', value: { choices: DRY_RUN_MODES } },
  { name: 'output', short: 'o', description: 'output format', value: { choices: OUTPUT_CHOICES } },
  { name: 'request-timeout', description: 'time limit for each API request', value: 'free' },
  { name: 'no-color', description: 'no colours' },
  { name: 'verbose', short: 'v', description: 'list skipped objects; -v=6 logs requests' },
  { name: 'help', short: 'h', description: 'show help' },
  { name: 'version', description: 'print the version number' },
];

const concurrency: FlagSpec = { name: 'concurrency', description: 'parallel writes to the API server', value: 'free' };
const waitFlags: readonly FlagSpec[] = [
  { name: 'wait', description: 'wait until every workload is ready (--wait=false: do not)' },
  { name: 'timeout', description: 'how long --wait waits', value: 'free' },
  concurrency,
];
const hold: FlagSpec = { name: 'hold', description: 're-read the writes after this long: fail if someone set replicas back (0 skips)', value: 'free' };
const reconcilerFlags: readonly FlagSpec[] = [
  hold,
  { name: 'pause-reconcilers', description: 'pause Argo CD, Flux, KEDA first' },
  { name: 'ignore-reconcilers', description: 'go ahead although a reconciler scales back' },
];
const migrationSchedule: FlagSpec = { name: 'migration-schedule', short: 'm', aliases: ['migration-reference'], description: 'the MigrationSchedule whose namespaces to act on', value: { lookup: 'schedule' } };
const scheduleScope: readonly FlagSpec[] = [
  migrationSchedule,
  { name: 'include-namespaces', description: "with -m: only these of the schedule's namespaces", value: { lookup: 'namespace' }, repeatable: true },
  { name: 'exclude-namespaces', description: "with -m: the schedule's namespaces but these", value: { lookup: 'namespace' }, repeatable: true },
];
const scheduleFlags: readonly FlagSpec[] = [migrationSchedule, { name: 'cluster-pair', description: 'only schedules through this ClusterPair', value: 'free' }, concurrency];
const journal: FlagSpec = { name: 'journal', description: 'journal file of the run', value: 'file' };
const runFlags: readonly FlagSpec[] = [
  ...reconcilerFlags,
  { name: 'source-context', aliases: ['from'], description: 'the cluster the apps run on now', value: { lookup: 'context' } },
  { name: 'source-from-clusterpair', description: "reach the source through the schedule's ClusterPair (Stork's credentials)" },
  { name: 'destination-context', aliases: ['to'], description: 'the cluster to fail over to', value: { lookup: 'context' } },
  ...scheduleScope,
  { name: 'source-timeout', description: 'how long to try to reach the source', value: 'free' },
  { name: 'max-rpo', description: 'refuse when the last migration is older', value: 'free' },
  { name: 'force', description: 'fail over even beyond --max-rpo' },
  { name: 'skip-source-operations', description: 'do not touch the source (it is down)' },
  { name: 'allow-split-brain', description: 'with --skip-source-operations: although the source answers' },
  { name: 'skip-last-mile', description: 'no last-mile migration' },
  { name: 'last-mile-timeout', description: 'bound of the last-mile migration (default none)', value: 'free' },
  { name: 'on-last-mile-timeout', description: 'a last mile cut short: keep or delete it', value: { choices: ['keep', 'delete'] } },
  ...waitFlags,
  journal,
  { name: 'resume', description: 'continue an interrupted run by its ID', value: { lookup: 'run' } },
  { name: 'via-stork', description: "let Stork's action controller do it, and follow it" },
  { name: 'failback', description: 'with --via-stork: fail back' },
  { name: 'follow', description: 'with --via-stork: follow this existing Action', value: 'free' },
];

const checkFlags: readonly FlagSpec[] = [
  ...runFlags.filter((flag) => ['source-context', 'source-from-clusterpair', 'destination-context', 'migration-schedule', 'include-namespaces', 'exclude-namespaces', 'max-rpo', 'source-timeout'].includes(flag.name)),
  { name: 'stale-factor', description: "without --max-rpo: times the policy's interval", value: 'free' },
  { name: 'strict', description: 'warnings count as errors' },
];

export const VERBS: readonly VerbSpec[] = [
  { name: 'run', description: 'the whole failover across both clusters', flags: runFlags },
  { name: 'failback', description: 'run the other way round, with the reverse schedule', flags: runFlags },
  { name: 'check', description: 'is this pair ready to fail over now (read-only)', flags: checkFlags },
  { name: 'undo', description: "put both clusters back as a run's journal recorded", flags: [journal, { name: 'force', description: 'undo a run that completed' }, concurrency], args: { lookup: 'run' } },
  { name: 'runs', description: 'list the journals of past runs', flags: [] },
  { name: 'activate', description: 'bring migrated apps up', flags: [...scheduleScope, ...waitFlags, hold] },
  { name: 'deactivate', description: 'bring apps down on the source', flags: [...scheduleScope, ...waitFlags, { name: 'force', description: 'act on an unprotected namespace' }, ...reconcilerFlags] },
  { name: 'suspend', description: 'suspend MigrationSchedules', flags: scheduleFlags, args: { lookup: 'schedule' } },
  { name: 'resume', description: 'resume MigrationSchedules', flags: scheduleFlags, args: { lookup: 'schedule' } },
  {
    name: 'status',
    description: "each namespace's DR state (read-only)",
    flags: [
      ...scheduleScope,
      { name: 'source-context', description: 'the source cluster', value: { lookup: 'context' } },
      { name: 'destination-context', description: 'the destination cluster', value: { lookup: 'context' } },
      { name: 'stale-factor', description: 'warn when the last success is older', value: 'free' },
      { name: 'watch', short: 'w', description: 'show each change until ^C' },
    ],
  },
  { name: 'version', description: 'version, commit, Node.js and platform', flags: [] },
  { name: 'completion', description: 'shell completion scripts, or install the kubectl shim', flags: [], args: { choices: [...SHELLS, 'install'] } },
];
