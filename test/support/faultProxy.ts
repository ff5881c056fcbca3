import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
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
  | { status: number; headers?: Record<string, string>; body?: unknown };

export interface FaultProxyOptions {
  /** The sandbox server to forward to; the proxy authenticates to it with the cluster's admin token. */
  target: ClusterInfo;
  /** The sandbox's CA file, to verify the target. */
  caFile: string;
  /** The namespace of the test kubeconfig's context. */
  namespace?: string;
  /** Decides, per request, what happens; may first do something (write a competing change, wait). */
  onRequest?: (request: ProxiedRequest) => FaultAction | Promise<FaultAction>;
}

export interface FaultProxy {
  url: string;
  /** A kubeconfig whose one context (current) talks to the proxy over plain http. */
  kubeconfig: string;
  requests: ProxiedRequest[];
  /** Answers sent from here (not the API server's), by status. */
  answered: Map<number, number>;
  close(): Promise<void>;
}

/**
 * A plain-http proxy in front of one sandbox API server, for faults a real server does not produce
 * on demand: a competing write just before ours reaches the server, a 429 with Retry-After, a
 * server that stops answering, an answer lost after the write was applied, a slow server. The
 * plugin reaches it through a kubeconfig with insecure-skip-tls-verify (client-node takes plain
 * http only then); the proxy forwards over TLS with the sandbox's admin token.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const agent = new https.Agent({ ca: readFileSync(options.caFile, 'utf8'), keepAlive: true, maxSockets: 32 });
  const requests: ProxiedRequest[] = [];
  const answered = new Map<number, number>();
  const sockets = new Set<net.Socket>();

  const forward = (incoming: ProxiedRequest, rawUrl: string, contentType: string | undefined): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const body = Buffer.from(incoming.body);
      const request = https.request(
        new URL(rawUrl, options.target.server),
        {
          method: incoming.method,
          agent,
          headers: {
            Authorization: `Bearer ${options.target.adminToken}`,
            Accept: 'application/json',
            ...(body.length > 0 ? { 'Content-Type': contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://proxy.invalid');
        const incoming: ProxiedRequest = { index: requests.length + 1, method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString('utf8') };
        requests.push(incoming);
        const action = (await options.onRequest?.(incoming)) ?? 'forward';
        if (action === 'hang') return;
        if (typeof action === 'object') {
          answered.set(action.status, (answered.get(action.status) ?? 0) + 1);
          const body = JSON.stringify(action.body ?? {});
          res.writeHead(action.status, { 'Content-Type': 'application/json', ...action.headers });
          res.end(body);
          return;
        }
        const answer = await forward(incoming, req.url ?? '/', req.headers['content-type']);
        if (action === 'forward-then-hang') return;
        res.writeHead(answer.status, { 'Content-Type': String(answer.headers['content-type'] ?? 'application/json') });
        res.end(answer.body);
      })().catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`fault proxy: ${error instanceof Error ? error.message : String(error)}`);
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = writeKubeconfig({ name: 'proxied', cluster: { server: url, 'insecure-skip-tls-verify': true }, user: { token: 'via-fault-proxy' }, ...(options.namespace ? { namespace: options.namespace } : {}) });
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

/** The Status body API Priority and Fairness answers a throttled request with. */
export function tooManyRequests(retryAfterSeconds: number): FaultAction {
  return {
    status: 429,
    headers: { 'Retry-After': String(retryAfterSeconds) },
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds }, code: 429 },
  };
}
