import type { Argv } from 'yargs';
import { DRY_RUN_MODES, type DryRunMode } from '../core/dryRun';
import { UsageError } from '../core/errors';
import type { KubeconfigOverrides } from '../kube/kubeconfig';
import { lastWins, nonEmpty, parseChoice, parseDurationFlag } from './flags';
import { REQUEST_LOG_LEVEL, VERBOSE_LEVEL, parseVerbosity } from './verbosity';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
/** Formats a verb adds to the common ones: `check -o prometheus` (metrics for a textfile collector). */
export const VERB_OUTPUT_FORMATS = { check: ['prometheus'] } as const satisfies Record<string, readonly string[]>;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number] | (typeof VERB_OUTPUT_FORMATS)[keyof typeof VERB_OUTPUT_FORMATS][number];

/** The flags every verb accepts, typed and validated. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  /** kubectl's --cluster, --user, --server, --token, --as, --as-group. */
  overrides: KubeconfigOverrides;
  namespace?: string;
  allNamespaces: boolean;
  selector?: string;
  dryRun: DryRunMode;
  output: OutputFormat;
  requestTimeoutMs: number;
  color: boolean;
  /** -v: list skipped objects, stack traces on unexpected errors. */
  verbose: boolean;
  /** -v=6 and above: one stderr line per API request. */
  logRequests: boolean;
}

/** The flags that say which cluster and credentials to use, grouped apart in --help. */
export const CONNECTION_FLAGS = ['kubeconfig', 'context', 'cluster', 'user', 'server', 'token', 'as', 'as-group', 'request-timeout'];

/** yargs coerce for a repeatable flag (--as-group a --as-group b): always a list. */
const allValues = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]).map(String);

/** Flags every verb accepts, named as kubectl names them. */
export function withGlobalFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('kubeconfig', { requiresArg: true, coerce: lastWins, type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)', global: true })
    .option('context', { requiresArg: true, coerce: lastWins, type: 'string', describe: 'The kubeconfig context to use (default: current-context)', global: true })
    .option('cluster', { requiresArg: true, coerce: lastWins, type: 'string', describe: "The kubeconfig cluster to use instead of the context's", global: true })
    .option('user', { requiresArg: true, coerce: lastWins, type: 'string', describe: "The kubeconfig user to use instead of the context's", global: true })
    .option('server', { requiresArg: true, coerce: lastWins, alias: 's', type: 'string', describe: "The API server's URL, instead of the cluster's", global: true })
    .option('token', { requiresArg: true, coerce: lastWins, type: 'string', describe: "Bearer token for the API server, instead of the user's credentials", global: true })
    .option('as', { requiresArg: true, coerce: lastWins, type: 'string', describe: 'Username to impersonate (a break-glass account, say)', global: true })
    .option('as-group', { requiresArg: true, coerce: allValues, type: 'string', describe: 'Group to impersonate; repeat for several (needs --as)', global: true })
    .option('namespace', { requiresArg: true, coerce: lastWins, alias: 'n', type: 'string', describe: "Namespace to act on (default: the context's namespace, else default)", global: true })
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Act on all namespaces', global: true })
    .option('selector', { requiresArg: true, coerce: lastWins, alias: 'l', type: 'string', describe: 'Label selector to filter objects (e.g. app=zk,tier!=cache)', global: true })
    .option('dry-run', {
      type: 'string',
      coerce: lastWins,
      // No yargs default: with one, a bare `--dry-run` silently took it ("none") and changed the
      // cluster. Absent means none; globalOptionsFrom fills that in.
      describe: 'none (default): change the cluster; client (also --dry-run alone): print the plan and diffs; server: send the same requests with dryRun=All and diff the answers',
      global: true,
    })
    .option('output', { requiresArg: true, coerce: lastWins, alias: 'o', type: 'string', default: 'table', describe: `Output format: ${OUTPUT_FORMATS.join(', ')}`, global: true })
    .option('request-timeout', { requiresArg: true, coerce: lastWins, type: 'string', default: '30s', describe: 'Time limit for each API request (0: none), e.g. 10s, 1m', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour diffs and results on a terminal (--no-color turns it off; so does NO_COLOR)', global: true })
    .option('verbose', {
      alias: 'v',
      type: 'string',
      coerce: lastWins,
      // normalizeVerbosity has turned every -v spelling into --verbose=LEVEL (empty when alone).
      describe: `-v: also list skipped objects, stack traces on errors; -v=${REQUEST_LOG_LEVEL}: also one stderr line per API request (method, URL, status, ms)`,
      global: true,
    })
    .group(CONNECTION_FLAGS, 'Cluster and credentials (as in kubectl):');
}

export type GlobalFlags = ReturnType<typeof withGlobalFlags> extends Argv<infer T> ? T : never;

/** The parsed global flags, validated: every bad value is a UsageError naming what is allowed. */
export function globalOptionsFrom(flags: GlobalFlags): GlobalOptions {
  const verbosity = parseVerbosity(flags.verbose);
  const options: GlobalOptions = {
    overrides: overridesFrom(flags),
    allNamespaces: flags['all-namespaces'],
    dryRun: dryRunMode(flags['dry-run']),
    output: parseChoice('--output', String(flags.output), [...OUTPUT_FORMATS, ...verbOutputFormats((flags as { _?: ReadonlyArray<string | number> })._)]),
    requestTimeoutMs: parseDurationFlag('--request-timeout', String(flags['request-timeout'])),
    color: flags.color,
    verbose: verbosity >= VERBOSE_LEVEL,
    logRequests: verbosity >= REQUEST_LOG_LEVEL,
  };
  const kubeconfig = nonEmpty('--kubeconfig', flags.kubeconfig);
  const context = nonEmpty('--context', flags.context);
  const namespace = nonEmpty('--namespace', flags.namespace);
  const selector = nonEmpty('--selector', flags.selector);
  if (kubeconfig !== undefined) options.kubeconfig = kubeconfig;
  if (context !== undefined) options.context = context;
  if (namespace !== undefined) options.namespace = namespace;
  if (selector !== undefined) options.selector = selector;
  return options;
}

/** The formats the verb being run adds (its name is the first positional word). */
function verbOutputFormats(positional: ReadonlyArray<string | number> | undefined): ReadonlyArray<OutputFormat> {
  const verb = String(positional?.[0] ?? '');
  return verb in VERB_OUTPUT_FORMATS ? VERB_OUTPUT_FORMATS[verb as keyof typeof VERB_OUTPUT_FORMATS] : [];
}

/** --cluster, --user, --server, --token, --as, --as-group: what they change in the kubeconfig's choice. */
export function overridesFrom(flags: { cluster?: string | undefined; user?: string | undefined; server?: string | undefined; token?: string | undefined; as?: string | undefined; 'as-group'?: string[] | undefined }): KubeconfigOverrides {
  const overrides: KubeconfigOverrides = {};
  const cluster = nonEmpty('--cluster', flags.cluster);
  const user = nonEmpty('--user', flags.user);
  const server = nonEmpty('--server', flags.server);
  const token = nonEmpty('--token', flags.token);
  const as = nonEmpty('--as', flags.as);
  const groups = (flags['as-group'] ?? []).map((group) => nonEmpty('--as-group', group) ?? '');
  if (cluster !== undefined) overrides.cluster = cluster;
  if (user !== undefined) overrides.user = user;
  if (server !== undefined) overrides.server = server;
  if (token !== undefined) overrides.token = token;
  if (groups.length > 0 && as === undefined) throw new UsageError('--as-group needs --as: groups are impersonated together with a user, as in kubectl');
  if (as !== undefined) overrides.impersonate = { user: as, groups };
  return overrides;
}

/** `--dry-run` alone means client, as in kubectl; absent means none. */
function dryRunMode(value: string | undefined): DryRunMode {
  if (value === undefined) return 'none';
  if (value === '') return 'client';
  return parseChoice('--dry-run', value, DRY_RUN_MODES);
}
