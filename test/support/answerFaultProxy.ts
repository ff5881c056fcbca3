import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import type { SandboxState } from '../../scripts/sandbox/cluster';
import { listen } from './kubeconfig';

/** What the proxy saw of one request. */
export interface SeenRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** An answer the proxy gives instead of forwarding. */
export interface FaultAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export interface FaultProxy {
  /** https://127.0.0.1:<port>, served with the sandbox's certificate (the sandbox CA file trusts it). */
  url: string;
  /** Every request, in order, whether forwarded or answered by the fault hook. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A reverse proxy on loopback in front of one of the sandbox's real API servers, for faults a real
 * server cannot produce on demand at a given point of a run (a 403 in the middle of a wait, a body
 * echoing the credentials). `fault` decides per request: an answer to give, or undefined to forward
 * the request unchanged (credentials included) and relay the real server's answer.
 */
export async function startFaultProxy(state: SandboxState, upstream: string, fault: (request: SeenRequest, seen: readonly SeenRequest[]) => FaultAnswer | undefined): Promise<FaultProxy> {
  const certDir = path.dirname(state.caFile);
  const target = new URL(upstream);
  const agent = new https.Agent({ ca: readFileSync(state.caFile), keepAlive: true });
  const seen: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ cert: readFileSync(state.caFile), key: readFileSync(path.join(certDir, 'apiserver.key')) }, (request, response) => {
    const entry: SeenRequest = { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers };
    seen.push(entry);
    const answer = fault(entry, seen);
    if (answer) {
      request.resume();
      response.writeHead(answer.status, { 'Content-Type': answer.contentType ?? 'application/json' });
      response.end(answer.body);
      return;
    }
    const forwarded = https.request(
      { hostname: target.hostname, port: target.port, method: entry.method, path: entry.url, headers: { ...request.headers, host: target.host }, agent },
      (answerFromServer) => {
        response.writeHead(answerFromServer.statusCode ?? 502, answerFromServer.headers);
        answerFromServer.pipe(response);
      },
    );
    forwarded.on('error', (error) => {
      response.writeHead(502, { 'Content-Type': 'text/plain' });
      response.end(`fault proxy: ${error.message}`);
    });
    request.pipe(forwarded);
  });
  server.on('secureConnection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    url: `https://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A Kubernetes Status body, as the API server answers errors. */
export function statusBody(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}
