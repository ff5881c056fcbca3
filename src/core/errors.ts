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
