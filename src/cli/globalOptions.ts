import type { Argv } from 'yargs';

export const DRY_RUN_MODES = ['none', 'client', 'server'] as const;
export type DryRunMode = (typeof DRY_RUN_MODES)[number];
export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Flags every verb accepts, named as kubectl names them. */
export interface GlobalOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
  namespace?: string | undefined;
  allNamespaces: boolean;
  selector?: string | undefined;
  dryRun: DryRunMode;
  output: OutputFormat;
  requestTimeout: string;
  color: boolean;
  verbose: boolean;
}

export function withGlobalOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('kubeconfig', { requiresArg: true, type: 'string', describe: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)', global: true })
    .option('context', { requiresArg: true, type: 'string', describe: 'The kubeconfig context to use (default: current-context)', global: true })
    .option('namespace', { requiresArg: true, alias: 'n', type: 'string', describe: "Namespace to act on (default: the context's namespace, else default)", global: true })
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Act on all namespaces', global: true })
    .option('selector', { requiresArg: true, alias: 'l', type: 'string', describe: 'Label selector to filter objects (e.g. app=zk,tier!=cache)', global: true })
    .option('dry-run', {
      type: 'string',
      // No yargs default: with one, a bare `--dry-run` silently took it ("none") and changed the
      // cluster. Absent means none; that is filled in by withDryRunDefault.
      describe: 'none (default): change the cluster; client (also --dry-run alone): print the plan and diffs; server: send the same requests with dryRun=All and diff the answers',
      global: true,
      // `--dry-run` alone means client, as in kubectl.
      coerce: (value: string | boolean): string => (value === '' || value === true ? 'client' : String(value)),
    })
    .option('output', { requiresArg: true, alias: 'o', type: 'string', choices: OUTPUT_FORMATS, default: 'table' as OutputFormat, describe: 'Output format', global: true })
    .option('request-timeout', { requiresArg: true, type: 'string', default: '30s', describe: 'Time limit for each API request (0: none), e.g. 10s, 1m', global: true })
    .option('color', { type: 'boolean', default: true, describe: 'Colour diffs and results on a terminal (--no-color turns it off; so does NO_COLOR)', global: true })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'Also list skipped objects and show stack traces on errors', global: true });
}

/** --dry-run absent means none (see the option: it has no yargs default on purpose). */
export function withDryRunDefault(args: Record<string, unknown>): void {
  if (args.dryRun === undefined) {
    args.dryRun = 'none';
    args['dry-run'] = 'none';
  }
}
