import yargs from 'yargs';
import { VERSION } from '../version';
import type { Streams } from '../core/command';
import { UsageError } from '../core/errors';
import { palette } from '../present/colors';
import { serialize } from '../present/serialize';
import { createDeps } from './createDeps';
import { terminalSafe } from '../present/terminalText';
import { EXIT_CODES_EPILOGUE, ExitCode, exitCodeFor, exitCodeForSignal } from './exitCodes';
import { globalOptionsFrom, withGlobalFlags } from './globalOptions';
import { reportError } from './reportError';
import { watchJob } from './watch';
import type { VerbModule, VerbRunner } from './verb';
import { activateVerb, deactivateVerb } from '../commands/activate/command';
import { statusVerb } from '../commands/status/command';
import { resumeVerb, suspendVerb } from '../commands/suspend/command';
import { runVerb } from '../commands/run/command';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
  argv0: string;
  /** Aborted by the process's SIGINT/SIGTERM (its reason: the signal's name); see src/main.ts. */
  signal?: AbortSignal;
}

// Registered explicitly (not by scanning folders) so the bundle sees every import.
const VERBS: readonly VerbModule[] = [runVerb, activateVerb, deactivateVerb, suspendVerb, resumeVerb, statusVerb];

export const PROGRAM_NAME = 'kubectl failover';

/** Parses argv, runs the verb and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let exitCode: ExitCode = ExitCode.Success;
  let verbose = argv.includes('-v') || argv.includes('--verbose');

  const run: VerbRunner = async (job) => {
    verbose = job.globals.verbose;
    const deps = await createDeps(io, job.globals);
    try {
      const { watch } = job;
      if (watch) {
        exitCode = await watchJob({ ...job, watch }, deps, job.globals.output, async (outcome) => job.renderTable(outcome, { colors: palette(deps.color), verbose: job.globals.verbose }));
        return;
      }
      const outcome = await job.execute(deps);
      for (const warning of reportWarnings(outcome.report)) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
      const text = job.globals.output === 'table' ? await job.renderTable(outcome, { colors: palette(deps.color), verbose: job.globals.verbose }) : await serialize(outcome.report, job.globals.output);
      io.stdout.write(text);
      exitCode = exitCodeFor(outcome.verdict);
      // Interrupted after writes began: the report above says what was done; the command says what is left.
      if (outcome.interruption) {
        io.stderr.write(`error: ${terminalSafe(outcome.interruption.message)}\n`);
        exitCode = exitCodeForSignal(outcome.interruption.signal);
      }
    } finally {
      deps.close();
    }
  };

  let parser = withGlobalFlags(yargs([...argv]))
    .scriptName(PROGRAM_NAME)
    .usage(`${PROGRAM_NAME} <command> [flags]\n\nFails applications over between clusters in a Stork asynchronous DR setup.`)
    .version(VERSION)
    .alias('h', 'help')
    .strict()
    .demandCommand(1, 'name a command: activate, deactivate, suspend, resume or status')
    .recommendCommands()
    .exitProcess(false)
    .wrap(Math.min(120, process.stdout.columns ?? 120))
    .epilogue(EXIT_CODES_EPILOGUE)
    .fail((message, error) => {
      throw error ?? new UsageError(`${message} (see '${PROGRAM_NAME} --help')`);
    })
    // Global flags are validated before any verb runs, so a bad value never reaches a cluster.
    .middleware((flags) => void globalOptionsFrom(flags));
  for (const verb of VERBS) parser = verb.register(parser, run);

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
    exitCode = reportError(error, io.stderr, verbose, PROGRAM_NAME);
  }
  return exitCode;
}

/** Reports that carry warnings print them on stderr, whatever the output format. */
function reportWarnings(report: object): string[] {
  if (!('warnings' in report) || !Array.isArray(report.warnings)) return [];
  return report.warnings.filter((warning): warning is string => typeof warning === 'string');
}
