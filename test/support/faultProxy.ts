import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { ClusterInfo } from '../../scripts/sandbox/cluster';
import { listen, writeKubeconfig } from './kubeconfig';

/** One request the proxy received, in arrival order (index from 1). */
export interface ProxiedRequest {
  index: number;
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  body: string;
  /** As the client sent them, credentials included: a test can check what the plugin authenticated with. */
  headers: http.IncomingHttpHeaders;
}

/** An answer given here instead of the API server's. */
export interface FaultAnswer {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON (the API server answers nothing else to the plugin); `{}` when left out. */
  body?: unknown;
}

/** What the proxy does with one request. */
export type FaultAction =
  /** Pass it to the API server and its answer back. */
  | 'forward'
  /** Never answer: the server stopped answering. */
  | 'hang'
  /** Pass it to the API server (which applies it) but never pass the answer back: an answer lost on the way. */
  | 'forward-then-hang'
  /** Answer it here, without the API server. */
  | FaultAnswer;

/**
 * Decides, per request, what happens; may first do something (write a competing change, wait).
 * `requests` is every request so far, this one last, for faults that depend on what came before.
 */
export type FaultHook = (request: ProxiedRequest, requests: readonly ProxiedRequest[]) => FaultAction | Promise<FaultAction>;

export interface FaultProxyOptions {
  /** The sandbox server to forward to. */
  target: ClusterInfo;
  /** The sandbox's CA file, to verify the target; with `tls`, also the certificate the proxy serves. */
  caFile: string;
  /**
   * Serve TLS with the sandbox's certificate, so the plugin verifies the proxy as it would a real
   * server. Without it the proxy serves plain http, which client-node accepts only from a cluster
   * marked insecure-skip-tls-verify.
   */
  tls?: boolean;
  /**
   * Whose credentials reach the target. 'admin' (the default) swaps the client's Authorization for
   * the cluster's admin token, so the kubeconfig needs no real credentials. 'client' passes the
   * client's headers on unchanged, for tests where what the plugin sent must reach the server as
   * sent. Either way a client certificate ends at the proxy: only header credentials go through.
   */
  credentials?: 'admin' | 'client';
  /** The kubeconfig's user entry; by default the admin token with 'client', a placeholder the server would refuse with 'admin'. */
  user?: Record<string, unknown>;
  /** The namespace of the test kubeconfig's context. */
  namespace?: string;
  /** What to do with each request; every one is forwarded without it. */
  onRequest?: FaultHook;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>, or https:// with `tls`. */
  url: string;
  /** A kubeconfig whose one context (current) talks to the proxy. */
  kubeconfig: string;
  /** Every request, in order, whether forwarded, answered here or left hanging. */
  requests: ProxiedRequest[];
  /** Answers sent from here (not the API server's), by status. */
  answered: Map<number, number>;
  close(): Promise<void>;
}

/**
 * Headers that belong to one connection, not to the request or answer (RFC 9110 §7.6.1): the
 * proxy's own connections set theirs. Host is the proxy's address; the target's goes upstream.
 */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !NOT_FORWARDED.has(name)));
}

/**
 * A proxy on loopback in front of one sandbox API server, for faults a real server does not
 * produce on demand: a competing write just before ours reaches the server, a 429 with
 * Retry-After, a 403 or 401 in the middle of a wait, a server that stops answering, an answer lost
 * after the write was applied, a slow server. The request body is read whole before the hook
 * runs (the hook looks at it); the server's answer is streamed back, so a watch stays a watch.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const ca = readFileSync(options.caFile);
  const agent = new https.Agent({ ca, keepAlive: true, maxSockets: 32 });
  const requests: ProxiedRequest[] = [];
  const answered = new Map<number, number>();
  const sockets = new Set<net.Socket>();
  const credentials = options.credentials ?? 'admin';

  /** Sends the request on; resolves with the server's answer as soon as its head arrives. */
  const forward = (incoming: ProxiedRequest, rawUrl: string): Promise<http.IncomingMessage> =>
    new Promise((resolve, reject) => {
      const body = Buffer.from(incoming.body);
      const headers = forwardable(incoming.headers);
      if (credentials === 'admin') headers.authorization = `Bearer ${options.target.adminToken}`;
      // The body was read whole: sent with its length, however the client framed it.
      if (body.length > 0) headers['content-length'] = String(body.length);
      const request = https.request(new URL(rawUrl, options.target.server), { method: incoming.method, agent, headers }, resolve);
      request.on('error', reject);
      request.end(body);
    });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://proxy.invalid');
        const incoming: ProxiedRequest = {
          index: requests.length + 1,
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          body: Buffer.concat(chunks).toString('utf8'),
          headers: req.headers,
        };
        requests.push(incoming);
        const action = (await options.onRequest?.(incoming, requests)) ?? 'forward';
        if (action === 'hang') return;
        if (typeof action === 'object') {
          answered.set(action.status, (answered.get(action.status) ?? 0) + 1);
          res.writeHead(action.status, { 'Content-Type': 'application/json', ...action.headers });
          res.end(JSON.stringify(action.body ?? {}));
          return;
        }
        const answer = await forward(incoming, req.url ?? '/');
        if (action === 'forward-then-hang') {
          // Read and drop it, so the upstream connection is free for the next request.
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
        // The client going away ends the stream both ways; nothing is left to report to it.
        pipeline(answer, res, () => undefined);
      })().catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  };

  // The sandbox's CA file is the API servers' self-signed serving certificate (scripts/sandbox/cluster.ts),
  // and kube-apiserver keeps its key beside it: served here, the sandbox's CA file verifies the proxy too.
  const server = options.tls ? https.createServer({ cert: ca, key: readFileSync(path.join(path.dirname(options.caFile), 'apiserver.key')) }, handle) : http.createServer(handle);
  // The TCP sockets, under TLS too: close() must also end the requests left hanging on purpose.
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const user = options.user ?? { token: credentials === 'client' ? options.target.adminToken : 'via-fault-proxy' };
  const kubeconfig = writeKubeconfig({
    name: 'proxied',
    cluster: options.tls ? { server: url, 'certificate-authority': options.caFile } : { server: url, 'insecure-skip-tls-verify': true },
    user,
    ...(options.namespace ? { namespace: options.namespace } : {}),
  });
  return {
    url,
    kubeconfig,
    requests,
    answered,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

/** A Kubernetes Status answer, as the API server gives for an error. */
export function statusAnswer(code: number, reason: string, message: string, details?: Record<string, unknown>): FaultAnswer {
  return { status: code, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code } };
}

/** The answer API Priority and Fairness turns a throttled request away with. */
export function tooManyRequests(retryAfterSeconds: number): FaultAnswer {
  return { ...statusAnswer(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds }), headers: { 'Retry-After': String(retryAfterSeconds) } };
}
