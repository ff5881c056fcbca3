import { KubeClient } from '../../src/kube/client';
import { resolveContext } from '../../src/kube/kubeconfig';
import type { Sandbox } from './sandbox';

const opened: KubeClient[] = [];

/**
 * The plugin's own client (the KubeApi every io/ module takes) for a sandbox context, optionally
 * impersonating a user (the admin may), as --as does: for tests that call io/ modules directly.
 */
export async function sandboxApi(box: Sandbox, contextName: string, impersonate?: { user: string; groups?: string[] }): Promise<KubeClient> {
  const context = await resolveContext({ env: box.env, contextName, ...(impersonate ? { overrides: { impersonate: { user: impersonate.user, groups: impersonate.groups ?? [] } } } : {}) });
  const client = await KubeClient.connect(context, { requestTimeoutMs: 20_000, maxSockets: 16 });
  opened.push(client);
  return client;
}

/** Keep-alive sockets would hold the process open after the last test. */
export function closeSandboxApis(): void {
  for (const client of opened.splice(0)) client.close();
}
