import type { Argv } from 'yargs';
import { DRY_RUN_MODES, type DryRunMode } from '../core/dryRun';
import { lastWins, nonEmpty, parseChoice, parseDurationFlag } from './flags';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The flags every verb accepts, typed and validated. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  selector?: string;
  dryRun: DryRunMode;
  output: OutputFormat;
  requestTimeoutMs: number;
  color: boolean;
  verbose: boolean;
}

/** Flags every verb accepts, named as kubectl names them. */
export function withGlobalFlags<T>(yargs: Argv<T>) {
  return yargs
    .option('kubeconfig', { requiresArg: true, coerce: lastWins, type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)', global: true })
    .option('context', { requiresArg: true, coerce: lastWins, type: 'string', describe: 'The kubeconfig context to use (default: current-context)', global: true })
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
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Also list skipped objects and show stack traces on errors', global: true });
}

export type GlobalFlags = ReturnType<typeof withGlobalFlags> extends Argv<infer T> ? T : never;

/** The parsed global flags, validated: every bad value is a UsageError naming what is allowed. */
export function globalOptionsFrom(flags: GlobalFlags): GlobalOptions {
  const options: GlobalOptions = {
    allNamespaces: flags['all-namespaces'],
    dryRun: dryRunMode(flags['dry-run']),
    output: parseChoice('--output', String(flags.output), OUTPUT_FORMATS),
    requestTimeoutMs: parseDurationFlag('--request-timeout', String(flags['request-timeout'])),
    color: flags.color,
    verbose: flags.verbose,
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

/** `--dry-run` alone means client, as in kubectl; absent means none. */
function dryRunMode(value: string | undefined): DryRunMode {
  if (value === undefined) return 'none';
  if (value === '') return 'client';
  return parseChoice('--dry-run', value, DRY_RUN_MODES);
}
