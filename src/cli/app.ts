import { VERSION } from '../version';
import type { Streams } from '../core/command';
import { UsageError } from '../core/errors';
import { palette } from '../present/colors';
import { serialize } from '../present/serialize';
import { colorEnabled, createDeps } from './createDeps';
import { terminalSafe } from '../present/terminalText';
import { EXIT_CODES_EPILOGUE, ExitCode, exitCodeFor, exitCodeForSignal } from './exitCodes';
import { globalOptionsFrom, withGlobalFlags } from './globalOptions';
import { reportError } from './reportError';
import { quickAnswer } from './quickAnswers';
import { helpWidth } from './prebuiltHelp';
import { startedAsCompletionShim } from './completionShim';
import { normalizeVerbosity } from './verbosity';
import { watchJob } from './watch';
import type { AnyOutcome, LocalJob, VerbJob, VerbModule, VerbRunner } from './verb';
import { activateVerb, deactivateVerb } from '../commands/activate/command';
import { completionVerb } from '../commands/completion/command';
import { statusVerb } from '../commands/status/command';
import { resumeVerb, suspendVerb } from '../commands/suspend/command';
import { versionVerb } from '../commands/version/command';
import { failbackVerb, runVerb } from '../commands/run/command';
import { checkVerb } from '../commands/check/command';
import { runsVerb } from '../commands/runs/command';
import { undoVerb } from '../commands/undo/command';

export interface CliIo extends Streams {
  env: NodeJS.ProcessEnv;
  /** How the plugin was started (process.argv[1]: the path kubectl or the shell ran). */
  argv0: string;
  /** Aborted by the process's SIGINT/SIGTERM (its reason: the signal's name); see src/main.ts. */
  signal?: AbortSignal;
}

// Registered explicitly (not by scanning folders) so the bundle sees every import.
const VERBS: readonly VerbModule[] = [runVerb, failbackVerb, checkVerb, undoVerb, runsVerb, activateVerb, deactivateVerb, suspendVerb, resumeVerb, statusVerb, versionVerb, completionVerb];
const VERB_NAMES = 'run, failback, check, undo, runs, activate, deactivate, suspend, resume, status, version, completion';

export const PROGRAM_NAME = 'kubectl failover';
/** cobra's hidden verb for shell completion; kubectl's plugin completion calls it through the shim. */
export const COMPLETE_VERB = '__complete';

/** Parses argv, runs the verb and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  // Started as kubectl_complete-failover (a symlink to the binary): the words are to complete.
  if (startedAsCompletionShim(io.argv0)) return runCompletion(argv, io);
  if (argv[0] === COMPLETE_VERB) return runCompletion(argv.slice(1), io);

  // First contact: `kubectl failover` alone shows what it can do.
  const args = argv.length === 0 ? ['--help'] : normalizeVerbosity(argv);
  if (await quickAnswer(args, io.stdout)) return ExitCode.Success;
  let exitCode: ExitCode = ExitCode.Success;
  let verbose = args.some((word) => word.startsWith('--verbose=') && word !== '--verbose=0');

  const print = async <O extends AnyOutcome>(job: VerbJob<O> | LocalJob<O>, outcome: O, color: boolean): Promise<void> => {
    for (const warning of reportWarnings(outcome.report)) io.stderr.write(`warning: ${terminalSafe(warning)}\n`);
    const text = job.globals.output === 'table' || job.globals.output === 'prometheus' ? await job.renderTable(outcome, { colors: palette(color), verbose: job.globals.verbose }) : await serialize(outcome.report, job.globals.output);
    io.stdout.write(text);
    exitCode = exitCodeFor(outcome.verdict);
    if (outcome.refusal) io.stderr.write(`error: ${terminalSafe(outcome.refusal)}\n`);
    // Interrupted after writes began: the report above says what was done; the command says what is left.
    if (outcome.interruption) {
      io.stderr.write(`error: ${terminalSafe(outcome.interruption.message)}\n`);
      exitCode = exitCodeForSignal(outcome.interruption.signal);
    }
  };
  const run: VerbRunner = async (job) => {
    verbose = job.globals.verbose;
    if ('executeLocally' in job) {
      await print(job, await job.executeLocally({ env: io.env, program: io.argv0 }), colorEnabled(io, io.env, job.globals.color));
      return;
    }
    const deps = await createDeps(io, job.globals);
    try {
      const { watch } = job;
      if (watch) {
        exitCode = await watchJob({ ...job, watch }, deps, job.globals.output, async (outcome) => job.renderTable(outcome, { colors: palette(deps.color), verbose: job.globals.verbose }));
        return;
      }
      await print(job, await job.execute(deps), deps.color);
    } finally {
      deps.close();
    }
  };

  try {
    // yargs is evaluated only here, not when the bundle loads: completion answers without it.
    const { default: yargs } = await import('yargs');
    let parser = withGlobalFlags(yargs([...args]))
      .scriptName(PROGRAM_NAME)
      .usage(`${PROGRAM_NAME} <command> [flags]\n\nFails applications over between clusters in a Stork asynchronous DR setup.`)
      .version(VERSION)
      .alias('h', 'help')
      .strict()
      .demandCommand(1, `name a command: ${VERB_NAMES}`)
      .recommendCommands()
      .exitProcess(false)
      .wrap(helpWidth(io.stdout.columns))
      .epilogue(EXIT_CODES_EPILOGUE)
      .fail((message, error) => {
        throw error ?? new UsageError(`${message} (see '${PROGRAM_NAME} --help')`);
      })
      // Global flags are validated before any verb runs, so a bad value never reaches a cluster.
      .middleware((flags) => void globalOptionsFrom(flags));
    for (const verb of VERBS) parser = verb.register(parser, run);
    const output = await new Promise<string>((resolve, reject) => {
      void parser
        .parseAsync([...args], {}, (error, _args, text) => {
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

/** `__complete WORDS…`: candidates for the last word, in cobra's format. Never an error line: a TAB must not print one. */
async function runCompletion(words: readonly string[], io: CliIo): Promise<ExitCode> {
  const [{ complete, formatCompletion }, { liveLookup }] = await Promise.all([import('../completion/complete'), import('../completion/lookups')]);
  io.stdout.write(formatCompletion(await complete(words.length === 0 ? [''] : words, liveLookup(io.env))));
  return ExitCode.Success;
}

/** Reports that carry warnings print them on stderr, whatever the output format. */
function reportWarnings(report: object): string[] {
  if (!('warnings' in report) || !Array.isArray(report.warnings)) return [];
  return report.warnings.filter((warning): warning is string => typeof warning === 'string');
}
