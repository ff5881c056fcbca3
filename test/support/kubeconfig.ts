import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SingleContextKubeconfig {
  /** The context (and cluster and user) name; it is the current-context. */
  name: string;
  /** The kubeconfig `cluster` entry: server, certificate-authority, insecure-skip-tls-verify… */
  cluster: Record<string, unknown>;
  /** The kubeconfig `user` entry: token, exec, client-certificate/client-key… */
  user: Record<string, unknown>;
  namespace?: string;
}

/** Writes a kubeconfig file with one context, as a test needs one, and returns its path. */
export function writeKubeconfig(config: SingleContextKubeconfig): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'kf-kubeconfig-')), 'kubeconfig');
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': config.name,
      clusters: [{ name: config.name, cluster: config.cluster }],
      users: [{ name: config.name, user: config.user }],
      contexts: [{ name: config.name, context: { cluster: config.name, user: config.name, ...(config.namespace ? { namespace: config.namespace } : {}) } }],
    }),
  );
  return file;
}

/** Listens on a free loopback port and returns it. */
export async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** A loopback port nothing listens on: connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}
