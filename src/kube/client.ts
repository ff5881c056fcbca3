import http from 'node:http';
import https from 'node:https';
import { MAX_TIMER_MS } from '../core/clock';
import { UsageError, oneLine } from '../core/errors';
import { ApiError, ConnectionError, UnexpectedAnswerError, describeNetworkError, type ApiStatus } from './errors';
import type { ResolvedContext } from './kubeconfig';
import { createAgent, proxyFor } from './proxy';
import { credentialSecrets, redact } from './redact';

/** What a request is, for the request counters (the benchmark reads them). */
export type RequestVerb = 'discovery' | 'get' | 'list' | 'patch' | 'create' | 'update' | 'delete';

export interface KubeRequest {
  method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  verb?: RequestVerb;
}

export interface ClientOptions {
  /** 0 means no limit, as in kubectl. */
  requestTimeoutMs: number;
  /** Upper bound on parallel connections to the server. */
  maxSockets: number;
}

/** What commands and the I/O layer need of an API server; tests pass a fake. */
export interface KubeApi {
  readonly serverUrl: string;
  request<T>(request: KubeRequest): Promise<T>;
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
    private readonly headers: Record<string, string>,
    private readonly options: ClientOptions,
    /** Credentials sent with every request, kept out of the server's answers before they reach a message. */
    private readonly secrets: readonly string[] = credentialSecrets(headers.Authorization),
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
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kubectl-failover' };
    for (const [name, value] of Object.entries(httpsOptions.headers ?? {})) {
      if (typeof value === 'string' || typeof value === 'number') headers[name] = String(value);
    }
    if (httpsOptions.auth) headers.Authorization = `Basic ${Buffer.from(httpsOptions.auth).toString('base64')}`;
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
      servername: httpsOptions.servername,
    }, proxyFor(server, context.proxyUrl, env));
    return new KubeClient(server, agent, headers, options);
  }

  get serverUrl(): string {
    return this.server.origin;
  }

  close(): void {
    this.agent.destroy();
  }

  async request<T>(request: KubeRequest): Promise<T> {
    const verb = request.verb ?? defaultVerb(request.method);
    this.requestCounts.set(verb, (this.requestCounts.get(verb) ?? 0) + 1);
    const url = new URL(request.path, this.server);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined && value !== '') url.searchParams.set(name, String(value));
    }
    const body = request.body === undefined ? undefined : Buffer.from(JSON.stringify(request.body));
    const headers: Record<string, string> = { ...this.headers };
    if (body) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const transport = url.protocol === 'http:' ? http : https;
    const { statusCode, text } = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      const req = transport.request(url, { method: request.method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
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
        reject(new ConnectionError(this.server.origin, describeNetworkError(error, this.options.requestTimeoutMs)));
      });
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
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
