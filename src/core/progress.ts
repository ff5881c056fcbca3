/** One step of a command, shown as a spinner on a terminal and as plain lines otherwise (present/progress.ts). */
export interface Phase {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  warn(text: string): void;
  /** Ends the phase leaving no line (its error is told elsewhere). */
  clear(): void;
}

export interface Progress {
  start(text: string): Phase;
}

/** Runs work under a phase: if it throws, the phase is marked failed with failText and the error goes on. */
export async function failPhaseOnError<T>(phase: Phase, failText: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    phase.fail(failText);
    throw error;
  }
}
