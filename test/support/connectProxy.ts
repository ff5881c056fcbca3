import http from 'node:http';
import net from 'node:net';
import { listen } from './kubeconfig';

export interface ConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The host:port of every CONNECT, in order. */
  connects: string[];
  close(): Promise<void>;
}

/**
 * A minimal HTTP CONNECT proxy on loopback, as corporate proxies in front of API servers are: it
 * tunnels bytes and sees only the host:port asked for. `hosts` maps names only it can resolve to
 * addresses (the client never looks them up itself); other names are connected to as given.
 */
export async function startConnectProxy(hosts: Record<string, string> = {}): Promise<ConnectProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = http.createServer((_request, response) => {
    response.writeHead(405, { 'Content-Type': 'text/plain' });
    response.end('CONNECT only\n');
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    track(client);
    const target = request.url ?? '';
    connects.push(target);
    const colon = target.lastIndexOf(':');
    const host = target.slice(0, colon);
    const upstream = net.connect(Number(target.slice(colon + 1)), hosts[host] ?? host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    track(upstream);
    upstream.on('error', () => {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
    });
    client.on('error', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
