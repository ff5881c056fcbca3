import yargs, { type Argv } from 'yargs';
import { VERSION } from '../version';
import { type CommandContext, type Streams } from './context';
import { createCommandContext } from './createContext';
import { UsageError } from './errors';
import { ExitCode } from './exitCodes';
import { DRY_RUN_MODES, withDryRunDefault, withGlobalOptions, type GlobalOptions } from './globalOptions';
import { parseDuration } from '../util/duration';
import { reportError } from './reportError';
import { activateCommand, deactivateCommand } from '../commands/activate/command';
import { statusCommand } from '../commands/status/command';
import { resumeCommand, suspendCommand } from '../commands/suspend/command';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
  argv0: string;
}

/** A verb: its yargs wiring plus a handler that gets the parsed flags and the command context. */
export interface CommandModule {
  command: string | string[];
  describe: string;
  builder: (yargs: Argv<GlobalOptions>) => Argv<GlobalOptions>;
  run: (args: GlobalOptions & Record<string, unknown>, context: CommandContext) => Promise<ExitCode>;
}

// Registered explicitly (not by scanning folders) so the bundle sees every import.
const COMMANDS: readonly CommandModule[] = [activateCommand, deactivateCommand, suspendCommand, resumeCommand, statusCommand];

export const PROGRAM_NAME = 'kubectl failover';

/** Parses argv, runs the verb and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Success;
  let context: CommandContext | undefined;
  let verbose = argv.includes('-v') || argv.includes('--verbose');
  let parser = withGlobalOptions(yargs([...argv]))
    .scriptName(PROGRAM_NAME)
    .usage(`${PROGRAM_NAME} <command> [flags]\n\nFails applications over between clusters in a Stork asynchronous DR setup.`)
    .version(VERSION)
    .alias('h', 'help')
    .strict()
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .epilogue('Exit codes: 0 success, 1 an operation failed or partly failed, 2 usage or configuration error.')
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see '${PROGRAM_NAME} --help')`);
    })
    .middleware((args) => {
      withDryRunDefault(args);
      validateGlobal(args as unknown as GlobalOptions);
    });
  for (const module of COMMANDS) {
    parser = parser.command(
      module.command,
      module.describe,
      (builder) => module.builder(builder as unknown as Argv<GlobalOptions>),
      async (args) => {
        const options = args as unknown as GlobalOptions & Record<string, unknown>;
        verbose = options.verbose;
        context = createCommandContext(io, options);
        try {
          exitCode = await module.run(options, context);
        } finally {
          context.close();
        }
      },
    ) as unknown as typeof parser;
  }

  try {
    const output = await new Promise<string>((resolve, reject) => {
      void parser
        .parseAsync([...argv], {}, (error, _args, text) => {
          if (error) reject(error);
          else resolve(text);
        })
        .catch(reject);
    });
    if (output) io.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
  } catch (error) {
    exitCode = reportError(error, io.stderr, verbose);
  }
  return exitCode;
}

function validateGlobal(args: GlobalOptions): void {
  // An empty value would quietly fall back to a default (the context's namespace, current-context).
  for (const [flag, value] of [['--namespace', args.namespace], ['--context', args.context], ['--kubeconfig', args.kubeconfig]] as const) {
    if (value === '') throw new UsageError(`${flag} needs a non-empty value`);
  }
  if (!DRY_RUN_MODES.includes(args.dryRun)) {
    throw new UsageError(`invalid --dry-run value "${args.dryRun}": use none, client or server`);
  }
  if (parseDuration(args.requestTimeout) === undefined) {
    throw new UsageError(`invalid --request-timeout "${args.requestTimeout}": use a duration such as 0, 10s or 1m`);
  }
}

