import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readState, restFor, startSandbox, stopSandbox, type ClusterInfo, type ClusterName, type SandboxState } from '../../scripts/sandbox/cluster';
import { STORK_GROUP, registerCrd, storkCrdManifest, unregisterCrd, type StorkPlural } from '../../scripts/sandbox/crds';
import type { SandboxRest } from '../../scripts/sandbox/rest';

export interface Sandbox {
  state: SandboxState;
  kubeconfig: string;
  /** A cluster's server and tokens. */
  cluster(name: ClusterName): ClusterInfo;
  /** Admin (or read-only) REST access for set-up and checks. */
  rest(cluster: ClusterName, role?: 'admin' | 'readonly'): SandboxRest;
  /** An environment for running the plugin against this sandbox. */
  env: NodeJS.ProcessEnv;
}

let shared: Promise<Sandbox> | undefined;
let counter = 0;
/** One REST client per cluster and role, made on first use and closed by closeClients. */
const clients = new Map<string, SandboxRest>();

/**
 * The sandbox of this test run: the one scripts/test.mjs brought up (KF_SANDBOX_DIR), or, when a
 * test file runs alone, one started here and stopped when the process ends. Never skipped: if it
 * cannot be provisioned the test fails with the reason.
 */
export function sandbox(): Promise<Sandbox> {
  shared ??= (async () => {
    const given = process.env.KF_SANDBOX_DIR;
    let state: SandboxState;
    if (given && existsSync(path.join(given, 'state.json'))) {
      state = readState(given);
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'kf-sandbox-'));
      state = await startSandbox(dir);
      process.once('beforeExit', () => void stopSandbox(dir));
      // ^C or a kill must not leave API servers behind either.
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => void stopSandbox(dir).finally(() => process.exit(130)));
      }
    }
    return {
      state,
      kubeconfig: state.kubeconfig,
      cluster(name) {
        const info = state.clusters.find((entry) => entry.name === name);
        if (!info) throw new Error(`the sandbox has no cluster ${name}`);
        return info;
      },
      rest(cluster, role = 'admin') {
        const key = `${cluster}/${role}`;
        let client = clients.get(key);
        if (!client) {
          client = restFor(state, cluster, role);
          clients.set(key, client);
        }
        return client;
      },
      // A short hold keeps every verb's hold check exercised without 10 s per command.
      env: { KUBECONFIG: state.kubeconfig, HOME: process.env.HOME, PATH: process.env.PATH, KUBECTL_FAILOVER_HOLD: '1s' },
    };
  })();
  return shared;
}

/** A namespace name no other test uses. */
export function uniqueNamespace(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid % 10000}-${counter}`;
}

export function closeClients(): void {
  // Keep-alive sockets would hold the process open after the last test.
  for (const client of clients.values()) client.close();
  clients.clear();
}

/**
 * Waits until the status simulator has caught up with a workload (status.observedGeneration ==
 * metadata.generation), so a later resourceVersion comparison measures only what the test did.
 */
export async function settled<T extends { metadata: { generation?: number }; status?: { observedGeneration?: number } }>(rest: SandboxRest, path: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const object = await rest.get<T>(path);
    if (object.status?.observedGeneration === object.metadata.generation) return object;
    if (Date.now() > deadline) throw new Error(`${path}: the status simulator did not catch up within ${timeoutMs / 1000}s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs `body` while `cluster` does not serve one of Stork's resources (e.g. `actions`, as on a
 * Stork older than 24): the CRD and every object of it are deleted, and discovery no longer lists
 * it. Afterwards the CRD is registered again (empty), even when `body` throws. The e2e files run
 * one after another, so no other test sees the gap.
 */
export async function withoutStorkCrd<T>(rest: SandboxRest, plural: StorkPlural, body: () => Promise<T>): Promise<T> {
  await unregisterCrd(rest, STORK_GROUP, plural);
  try {
    return await body();
  } finally {
    await registerCrd(rest, storkCrdManifest(plural));
  }
}
