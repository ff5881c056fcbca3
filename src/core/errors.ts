/**
 * Bad flags, a bad kubeconfig, an unknown context, namespace or schedule: nothing was attempted.
 * The CLI edge maps it to exit code 2; everything below the CLI only throws it.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The first line of any thrown value, for the one-line `error: …` report. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n').find((line) => line.trim() !== '') ?? text;
  return first.trim();
}

/**
 * A journal (a run's record, read back to resume or undo it) that cannot be trusted: a line that is
 * not JSON or not a valid entry, an entry of another run. Nothing is done on its word; the CLI edge
 * maps it to exit code 1 and prints the one line, which names the journal and the line.
 */
export class JournalError extends Error {
  constructor(
    readonly origin: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`journal ${origin}${line === undefined ? '' : ` line ${line}`}: ${problem}`);
    this.name = 'JournalError';
  }
}
