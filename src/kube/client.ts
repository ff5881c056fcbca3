import http from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import { MAX_TIMER_MS, systemClock, type Clock } from '../core/clock';
import { UsageError, oneLine } from '../core/errors';
import { ApiError, ConnectionError, UnexpectedAnswerError, describeNetworkError, type ApiStatus } from './errors';
import type { ResolvedContext } from './kubeconfig';
import { createAgent, proxyFor } from './proxy';
import { credentialSecrets, redact } from './redact';

/** What a request is, for the request counters (the benchmark reads them). */
export type RequestVerb = 'discovery' | 'get' | 'list' | 'watch' | 'patch' | 'create' | 'update' | 'delete';

export interface KubeRequest {
  method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  verb?: RequestVerb;
  /** Sent even when the server stopped answering (kube/breaker.ts), to find out whether it answers again. */
  probe?: boolean;
}

export interface ClientOptions {
  /** 0 means no limit, as in kubectl. */
  requestTimeoutMs: number;
  /** Upper bound on parallel connections to the server. */
  maxSockets: number;
  /** Waits between retries of a throttled request (default: the system clock). */
  clock?: Clock;
  /** An interrupt cuts a retry's wait short (the request then fails with the throttling answer). */
  signal?: AbortSignal;
  /** Told of every request once it ended (-v=6 logs them). Never given the credentials. */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** One request as -v=6 shows it: no headers, so no token. */
export interface RequestLogEntry {
  method: KubeRequest['method'];
  /** Scheme, host, path and query: the server URL's user info, if any, left out. */
  url: string;
  /** The HTTP status, or undefined when no answer came (the error says why). */
  status?: number;
  error?: string;
  ms: number;
}

/** As client-go: a throttled request is retried up to this many times. */
export const MAX_THROTTLE_RETRIES = 10;
/** A Retry-After longer than this is waited for this long only, so a retry stays bounded. */
const MAX_RETRY_AFTER_MS = 30_000;
/** The wait before retrying a 429 that names none (API Priority and Fairness always does). */
const DEFAULT_RETRY_AFTER_MS = 1_000;

interface Answer {
  statusCode: number;
  text: string;
  retryAfter: string | undefined;
}

/** One event of a watch stream (ADDED, MODIFIED, DELETED, BOOKMARK, or ERROR with a Status as object). */
export interface WatchEvent {
  type: string;
  object: unknown;
}

/** A watch: a GET of a collection with `watch=true`, bounded by the server's timeoutSeconds. */
export interface WatchRequest {
  path: string;
  query: Record<string, string | number | undefined> & { timeoutSeconds: number };
}

/** What commands and the I/O layer need of an API server; tests pass a fake. */
export interface KubeApi {
  readonly serverUrl: string;
  request<T>(request: KubeRequest): Promise<T>;
  /**
   * Streams the events of a watch to onEvent until the server ends it (timeoutSeconds), onEvent
   * returns false, or the signal aborts; resolves then. Optional: without it, callers poll.
   */
  watch?(request: WatchRequest, onEvent: (event: WatchEvent) => boolean, signal: AbortSignal): Promise<void>;
}

/**
 * A small HTTP client for one API server. @kubernetes/client-node resolves credentials (certs,
 * tokens, exec plugins) from the kubeconfig; requests go through node:https so that JSON patches
 * with `test` preconditions, dry-run, paging, timeouts and request counting are all under our control.
 */
export class KubeClient implements KubeApi {
  readonly requestCounts = new Map<RequestVerb, number>();

  private constructor(
    readonly server: URL,
    private readonly agent: http.Agent,
    private readonly headers: Record<string, string | string[]>,
    private readonly options: ClientOptions,
    /** Credentials sent with every request, kept out of the server's answers before they reach a message. */
    private readonly secrets: readonly string[] = credentialSecrets(typeof headers.Authorization === 'string' ? headers.Authorization : undefined),
  ) {}

  static async connect(context: ResolvedContext, options: ClientOptions, env: NodeJS.ProcessEnv = {}): Promise<KubeClient> {
    let server: URL;
    try {
      server = new URL(context.server);
    } catch {
      throw new UsageError(`cluster "${context.clusterName}" has an invalid server URL "${context.server}"`);
    }
    const httpsOptions: https.RequestOptions = {};
    try {
      await context.kubeConfig.applyToHTTPSOptions(httpsOptions);
    } catch (error) {
      throw new UsageError(`cannot use context "${context.contextName}": ${oneLine(error)}`);
    }
    const headers: Record<string, string | string[]> = { Accept: 'application/json', 'User-Agent': 'kubectl-failover' };
    for (const [name, value] of Object.entries(httpsOptions.headers ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    }
    if (httpsOptions.auth) headers.Authorization = `Basic ${Buffer.from(httpsOptions.auth).toString('base64')}`;
    // --as / --as-group: the server checks that the credentials may impersonate, then authorizes as them.
    if (context.impersonate) {
      headers['Impersonate-User'] = context.impersonate.user;
      if (context.impersonate.groups.length > 0) headers['Impersonate-Group'] = context.impersonate.groups;
    }
    const agent = createAgent(server, {
      keepAlive: true,
      maxSockets: options.maxSockets,
      ca: httpsOptions.ca,
      cert: httpsOptions.cert,
      key: httpsOptions.key,
      pfx: httpsOptions.pfx,
      passphrase: httpsOptions.passphrase,
      // TLS is verified unless the kubeconfig itself says insecure-skip-tls-verify.
      rejectUnauthorized: httpsOptions.rejectUnauthorized ?? true,
      // client-node's applyToHTTPSOptions leaves a cluster's tls-server-name out; kubectl checks the certificate against it.
      servername: httpsOptions.servername ?? context.tlsServerName,
    }, proxyFor(server, context.proxyUrl, env));
    return new KubeClient(server, agent, headers, options);
  }

  get serverUrl(): string {
    return this.server.origin;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One request: JSON in and out, bounded by --request-timeout per attempt. A 429 (API Priority and
   * Fairness, or a proxy's rate limit), or a 5xx naming a Retry-After, is retried as client-go
   * does, up to MAX_THROTTLE_RETRIES times, after the wait the server asks for: the server turned
   * it away before acting on it, and every write is a patch whose `test` ops make a repeat safe.
   */
  async request<T>(request: KubeRequest): Promise<T> {
    const verb = request.verb ?? defaultVerb(request.method);
    const url = new URL(request.path, this.server);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const clock = this.options.clock ?? systemClock;
    let answer: Answer;
    for (let attempt = 0; ; attempt++) {
      this.requestCounts.set(verb, (this.requestCounts.get(verb) ?? 0) + 1);
      answer = await this.send(request.method, url, body, request.contentType);
      const retryIn = retryDelay(answer, clock.now());
      if (retryIn === undefined || attempt >= MAX_THROTTLE_RETRIES || this.options.signal?.aborted) break;
      await clock.sleep(retryIn, this.options.signal);
      if (this.options.signal?.aborted) break;
    }
    const { statusCode, text } = answer;
    if (statusCode >= 200 && statusCode < 300) {
      if (text === '') return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        // A proxy or portal answering 200 with a page: not a Kubernetes API server.
        throw new UnexpectedAnswerError(this.server.origin, request.method, url.pathname, statusCode, redact(text, this.secrets));
      }
    }
    throw new ApiError(statusCode, parseStatus(statusCode, redact(text, this.secrets)), request.method, url.pathname, this.server.origin);
  }

  /**
   * A watch, read as it streams (one JSON event per line). The server ends it after timeoutSeconds;
   * the client gives up --request-timeout later still (or 30 s with no limit), so a connection
   * that went silent never holds the command. A non-2xx answer throws as request does.
   */
  async watch(request: WatchRequest, onEvent: (event: WatchEvent) => boolean, signal: AbortSignal): Promise<void> {
    const url = new URL(request.path, this.server);
    for (const [name, value] of Object.entries({ ...request.query, watch: 'true' })) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    if (signal.aborted) return;
    this.requestCounts.set('watch', (this.requestCounts.get('watch') ?? 0) + 1);
    const boundMs = request.query.timeoutSeconds * 1000 + (this.options.requestTimeoutMs > 0 ? this.options.requestTimeoutMs : 30_000);
    const transport = url.protocol === 'http:' ? http : https;
    const failure = await new Promise<{ statusCode: number; text: string } | undefined>((resolve, reject) => {
      const req = transport.request(url, { method: 'GET', headers: this.headers, agent: this.agent }, (res) => {
        const statusCode = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let pending = '';
        res.on('data', (chunk: Buffer) => {
          if (statusCode < 200 || statusCode >= 300) {
            chunks.push(chunk);
            return;
          }
          pending += chunk.toString('utf8');
          let newline = pending.indexOf('\n');
          while (newline >= 0) {
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
            if (line === '') continue;
            let event: WatchEvent;
            try {
              event = JSON.parse(line) as WatchEvent;
            } catch {
              req.destroy();
              reject(new UnexpectedAnswerError(this.server.origin, 'GET', url.pathname, statusCode, redact(line, this.secrets)));
              return;
            }
            if (!onEvent(event)) {
              req.destroy();
              resolve(undefined);
              return;
            }
          }
        });
        res.on('end', () => resolve(statusCode >= 200 && statusCode < 300 ? undefined : { statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => resolve(undefined));
      });
      const stop = (): void => {
        req.destroy();
        resolve(undefined);
      };
      signal.addEventListener('abort', stop, { once: true });
      const timer = setTimeout(() => {
        const timeout: NodeJS.ErrnoException = new Error('watch timed out');
        timeout.code = 'KF_TIMEOUT';
        req.destroy(timeout);
      }, Math.min(boundMs, MAX_TIMER_MS));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (signal.aborted) resolve(undefined);
        else reject(new ConnectionError(this.server.origin, describeNetworkError(error, boundMs), true));
      });
      req.on('close', () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', stop);
        // Closed without an end (destroyed above, or the peer went away mid-stream): nothing more to read.
        resolve(undefined);
      });
      req.end();
    });
    if (failure) throw new ApiError(failure.statusCode, parseStatus(failure.statusCode, redact(failure.text, this.secrets)), 'GET', url.pathname, this.server.origin);
  }

  private send(method: KubeRequest['method'], url: URL, body: Buffer | undefined, contentType: string | undefined): Promise<Answer> {
    const headers: Record<string, string | string[]> = { ...this.headers };
    if (body) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const transport = url.protocol === 'http:' ? http : https;
    const started = Date.now();
    // -v=6: one line per request sent (each retry of a throttled one too).
    const log = (status: number | undefined, error?: string): void =>
      this.options.onRequest?.({ method, url: `${url.origin}${url.pathname}${url.search}`, status, ...(error ? { error } : {}), ms: Date.now() - started });
    return new Promise<Answer>((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          log(res.statusCode);
          resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), retryAfter: headerValue(res.headers['retry-after']) });
        });
        res.on('error', reject);
      });
      // Whether a connection was made decides what a failure means for a write: one that never
      // connected was not applied; one that connected and then got no answer may have been.
      let connected = false;
      req.on('socket', (socket) => {
        if (!socket.connecting) connected = true;
        else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => (connected = true));
      });
      let timer: NodeJS.Timeout | undefined;
      if (this.options.requestTimeoutMs > 0) {
        // Beyond setTimeout's range a timer fires at once: clamp (about 24 days is "no limit" enough).
        timer = setTimeout(() => {
          const timeout: NodeJS.ErrnoException = new Error('request timed out');
          timeout.code = 'KF_TIMEOUT';
          req.destroy(timeout);
        }, Math.min(this.options.requestTimeoutMs, MAX_TIMER_MS));
      }
      req.on('error', (error: NodeJS.ErrnoException) => {
        const cause = describeNetworkError(error, this.options.requestTimeoutMs);
        log(undefined, cause);
        reject(new ConnectionError(this.server.origin, cause, connected));
      });
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }
}

/** How long to wait before retrying, or undefined when the answer is not one to retry. */
function retryDelay(answer: Answer, now: number): number | undefined {
  const throttled = answer.statusCode === 429;
  const unavailable = answer.statusCode >= 500 && answer.statusCode <= 504 && answer.retryAfter !== undefined;
  if (!throttled && !unavailable) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, retryAfterMs(answer.retryAfter, now) ?? DEFAULT_RETRY_AFTER_MS);
}

/** Retry-After in seconds, or as an HTTP date (RFC 9110); undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Start of a non-Kubernetes answer kept in a message. */
const PAGE_START_LENGTH = 60;

function parseStatus(statusCode: number, text: string): ApiStatus {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') return parsed as ApiStatus;
  } catch {
    // Not JSON: see below.
  }
  // A load balancer's or proxy's page (its first line is often just "<html>"): the status line, then the start of the page.
  const page = text.replace(/\s+/g, ' ').trim();
  const statusLine = `${statusCode} ${http.STATUS_CODES[statusCode] ?? ''}`.trim();
  if (!page) return { message: statusLine };
  return { message: `${statusLine} (not a Kubernetes answer: "${page.slice(0, PAGE_START_LENGTH)}${page.length > PAGE_START_LENGTH ? '…' : ''}")` };
}

function defaultVerb(method: KubeRequest['method']): RequestVerb {
  switch (method) {
    case 'GET':
      return 'get';
    case 'PATCH':
      return 'patch';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
  }
}
