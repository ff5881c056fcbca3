import type { KubeApi, KubeRequest, WatchEvent, WatchRequest } from './client';
import { ConnectionError, ServerDownError } from './errors';

/** This many requests in a row without an answer and the server is taken to have stopped answering. */
export const SILENT_REQUESTS_BEFORE_STOPPING = 3;

/**
 * Stops sending to a server that stopped answering. Without it a run against a dead server lasts
 * objects ÷ concurrency × --request-timeout while the progress line keeps counting. With it:
 * - once a request got no answer (a timeout, a refused or reset connection), new requests wait
 *   for the ones already in flight to settle instead of going out to meet the same fate;
 * - any answer, even an error status, shows the server is there: they go on at once;
 * - after SILENT_REQUESTS_BEFORE_STOPPING in a row without an answer, every further request fails
 *   at once with a ServerDownError (not sent).
 * So a run ends about one --request-timeout after the server went silent. A request marked
 * `probe` is always sent, to find out whether the server answers again.
 */
export class CircuitBreaker implements KubeApi {
  private silentInARow = 0;
  private lastCause = '';
  private inFlight = 0;
  private waiting: Array<() => void> = [];

  constructor(
    private readonly inner: KubeApi,
    private readonly threshold = SILENT_REQUESTS_BEFORE_STOPPING,
  ) {
    const watch = inner.watch?.bind(inner);
    if (watch) {
      this.watch = (request, onEvent, signal) => {
        if (this.open) return Promise.reject(new ServerDownError(this.serverUrl, `${this.silentInARow} requests in a row: ${this.lastCause}`));
        return watch(request, onEvent, signal);
      };
    }
  }

  get serverUrl(): string {
    return this.inner.serverUrl;
  }

  /** Whether requests are being refused (the server stopped answering). */
  get open(): boolean {
    return this.silentInARow >= this.threshold;
  }

  /** Present when the inner API can watch. A watch is one long request: it does not count towards the breaker. */
  readonly watch?: (request: WatchRequest, onEvent: (event: WatchEvent) => boolean, signal: AbortSignal) => Promise<void>;

  async request<T>(request: KubeRequest): Promise<T> {
    while (!request.probe) {
      if (this.open) throw new ServerDownError(this.serverUrl, `${this.silentInARow} requests in a row: ${this.lastCause}`);
      if (this.silentInARow === 0 || this.inFlight === 0) break;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.inFlight += 1;
    try {
      const answer = await this.inner.request<T>(request);
      this.silentInARow = 0;
      return answer;
    } catch (error) {
      if (error instanceof ConnectionError) {
        this.silentInARow += 1;
        this.lastCause = error.causeText;
      } else if (!(error instanceof ServerDownError)) {
        this.silentInARow = 0;
      }
      throw error;
    } finally {
      this.inFlight -= 1;
      const waiting = this.waiting;
      this.waiting = [];
      for (const wake of waiting) wake();
    }
  }
}
