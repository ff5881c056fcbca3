import type { OutputStream } from './context';
import { CliError, oneLine } from './errors';
import { ExitCode } from './exitCodes';

/** Prints an error once, as `error: …` on stderr, and returns its exit code. Stack traces only with -v. */
export function reportError(error: unknown, stderr: OutputStream, verbose: boolean): ExitCode {
  const message = oneLine(error);
  const usageHint = error instanceof CliError ? '' : isYargsValidation(error) ? `\nSee '${'kubectl failover'} --help'.` : '';
  stderr.write(`error: ${message}${usageHint}\n`);
  if (verbose && error instanceof Error && error.stack && !(error instanceof CliError)) stderr.write(`${error.stack}\n`);
  if (error instanceof CliError) return error.exitCode;
  return isYargsValidation(error) ? ExitCode.UsageError : ExitCode.OperationFailed;
}

function isYargsValidation(error: unknown): boolean {
  return error instanceof Error && error.name === 'YError';
}
