import { ExitCode } from './exitCodes';

/** An error whose message is already the one line the user should read. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad kubeconfig, unknown context/namespace: nothing was attempted. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.UsageError);
  }
}

/** Something was attempted and failed. */
export class OperationError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.OperationFailed);
  }
}

/** The first line of any thrown value, for the one-line `error: …` report. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n').find((line) => line.trim() !== '') ?? text;
  return first.trim();
}
