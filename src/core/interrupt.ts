/**
 * ^C and SIGTERM: the CLI edge aborts an AbortSignal (its reason is the signal's name) and every
 * command stops starting new work. Before the first write that is an InterruptedError (nothing was
 * changed); after it, the command returns its report with an Interruption, so what was done is
 * printed. The CLI turns the signal into the exit code (130 or 143).
 */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number];

/** Why a command stopped early, and the one line the CLI prints as `error: …`. */
export interface Interruption {
  signal: InterruptSignal;
  message: string;
}

/** Interrupted before any change was made. */
export class InterruptedError extends Error {
  constructor(
    readonly signal: InterruptSignal,
    message: string,
  ) {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** The signal that aborted `signal` (SIGINT unless its reason says SIGTERM). */
export function interruptSignalOf(signal: AbortSignal): InterruptSignal {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

/**
 * The work's value, or an InterruptedError as soon as `signal` aborts: reads need not run to their
 * end (or their timeout) once the user asked to stop. The work is left to settle on its own.
 */
export async function abortable<T>(signal: AbortSignal, work: Promise<T>, message: string): Promise<T> {
  const interrupted = (): InterruptedError => new InterruptedError(interruptSignalOf(signal), message);
  if (signal.aborted) {
    work.catch(() => undefined);
    throw interrupted();
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** A signal that never aborts, for callers that cannot be interrupted. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
