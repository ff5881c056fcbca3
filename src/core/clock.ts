/** Time, injectable so the waiting and timeout logic can be tested without waiting. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or as soon as the signal aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout takes at most a signed 32-bit number of milliseconds; longer delays fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/**
 * Runs work against a deadline: its value, or `undefined` if the deadline (or an abort of `signal`)
 * came first; the work is left to finish or fail on its own.
 */
export async function beforeDeadline<T>(clock: Clock, deadline: number, work: Promise<T>, signal?: AbortSignal): Promise<{ value: T } | undefined> {
  const stop = new AbortController();
  const expired = Symbol('expired');
  try {
    const cutShort = signal ? AbortSignal.any([stop.signal, signal]) : stop.signal;
    const winner = await Promise.race([work.then((value) => ({ value })), clock.sleep(deadline - clock.now(), cutShort).then(() => expired)]);
    return winner === expired ? undefined : (winner as { value: T });
  } finally {
    stop.abort();
  }
}
