import type { OutputStream } from '../core/command';
import { UsageError, oneLine } from '../core/errors';
import { InterruptedError } from '../core/interrupt';
import { terminalSafe } from '../present/terminalText';
import { ExitCode, exitCodeForSignal } from './exitCodes';

/**
 * Prints an error once, as `error: …` on stderr, and returns its exit code: the one place where
 * thrown domain errors become exit codes. Stack traces only with -v, and only for the unexpected.
 */
export function reportError(error: unknown, stderr: OutputStream, verbose: boolean, programName: string): ExitCode {
  const usage = error instanceof UsageError || isYargsValidation(error);
  const hint = isYargsValidation(error) ? `\nSee '${programName} --help'.` : '';
  // Messages quote the cluster's own strings (a server's error text, a name): never let them drive the terminal.
  stderr.write(`error: ${terminalSafe(oneLine(error))}${hint}\n`);
  if (verbose && !usage && error instanceof Error && error.stack && !isDomainError(error)) stderr.write(`${error.stack}\n`);
  if (error instanceof InterruptedError) return exitCodeForSignal(error.signal);
  return usage ? ExitCode.UsageError : ExitCode.OperationFailed;
}

function isYargsValidation(error: unknown): boolean {
  return error instanceof Error && error.name === 'YError';
}

/** Errors whose one line is the whole story (an API or network failure named by the transport). */
function isDomainError(error: Error): boolean {
  return ['ApiError', 'ConnectionError', 'UnexpectedAnswerError', 'ServerDownError', 'InterruptedError', 'JournalError'].includes(error.name);
}
