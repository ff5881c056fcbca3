import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerStorkCrds } from './crds';
import { SandboxRest } from './rest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The two clusters of the DR pair: Stork's CRDs registered on both. */
export const CLUSTERS = ['source', 'destination'] as const;
/** A third cluster where Stork is not installed, so "Stork missing" is tested against a real server. */
export const NO_STORK_CLUSTER = 'no-stork' as const;
export const ALL_CLUSTERS = [...CLUSTERS, NO_STORK_CLUSTER] as const;
export type ClusterName = (typeof ALL_CLUSTERS)[number];

export interface ClusterInfo {
  name: ClusterName;
  server: string;
  adminToken: string;
  readonlyToken: string;
}

/** What `up` leaves in the state folder (state.json): enough for `down`, `env` and the tests. */
export interface SandboxState {
  dir: string;
  kubeconfig: string;
  caFile: string;
  /** A client certificate (CN=cert-admin, O=system:masters) every API server trusts, for x509 auth. */
  clientCert: { certFile: string; keyFile: string };
  clusters: ClusterInfo[];
  pids: number[];
}

export function defaultSandboxDir(): string {
  return process.env.KF_SANDBOX_DIR ?? path.join(repoRoot, '.sandbox');
}

function log(message: string): void {
  process.stderr.write(`[sandbox] ${message}\n`);
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** kube-apiserver and etcd: from KUBEBUILDER_ASSETS, the cache, or built once (scripts/provision-k8s.sh). */
export function provisionBinaries(): string {
  const folder = execFileSync('bash', [path.join(repoRoot, 'scripts', 'provision-k8s.sh')], { stdio: ['ignore', 'pipe', 'inherit'] })
    .toString()
    .trim();
  if (!existsSync(path.join(folder, 'kube-apiserver')) || !existsSync(path.join(folder, 'etcd'))) {
    throw new Error(`provisioning gave ${folder}, which lacks kube-apiserver or etcd`);
  }
  return folder;
}

function startDetached(command: string, args: string[], logFile: string): number {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  if (!child.pid) throw new Error(`could not start ${command}`);
  return child.pid;
}

async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs / 1000}s`);
}

function writeKubeconfig(state: Omit<SandboxState, 'pids'>): void {
  const entries = state.clusters.flatMap((cluster) => [
    { context: cluster.name, user: `${cluster.name}-admin`, token: cluster.adminToken },
    { context: `${cluster.name}-readonly`, user: `${cluster.name}-readonly`, token: cluster.readonlyToken },
  ]);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'destination',
    clusters: state.clusters.map((cluster) => ({ name: cluster.name, cluster: { server: cluster.server, 'certificate-authority': state.caFile } })),
    users: entries.map((entry) => ({ name: entry.user, user: { token: entry.token } })),
    contexts: entries.map((entry) => ({ name: entry.context, context: { cluster: entry.context.replace('-readonly', ''), user: entry.user } })),
  };
  writeFileSync(state.kubeconfig, JSON.stringify(config, null, 2));
}

/** A client CA and one admin certificate it signs, made with openssl (Node cannot issue X.509 certificates). */
function issueClientCertificate(dir: string): SandboxState['clientCert'] {
  const file = (name: string): string => path.join(dir, name);
  const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('client-ca.key'), '-out', file('client-ca.crt'), '-subj', '/CN=sandbox-client-ca', '-days', '30']);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', file('cert-admin.key'), '-out', file('cert-admin.csr'), '-subj', '/CN=cert-admin/O=system:masters']);
  openssl(['x509', '-req', '-in', file('cert-admin.csr'), '-CA', file('client-ca.crt'), '-CAkey', file('client-ca.key'), '-CAcreateserial', '-out', file('cert-admin.crt'), '-days', '30']);
  return { certFile: file('cert-admin.crt'), keyFile: file('cert-admin.key') };
}

export function restFor(state: SandboxState, cluster: ClusterName, role: 'admin' | 'readonly' = 'admin'): SandboxRest {
  const info = state.clusters.find((entry) => entry.name === cluster);
  if (!info) throw new Error(`no cluster ${cluster}`);
  return new SandboxRest(info.server, role === 'admin' ? info.adminToken : info.readonlyToken, readFileSync(state.caFile, 'utf8'));
}

/** Read-only user: get/list/watch everything, nothing else. */
async function grantReadOnly(rest: SandboxRest): Promise<void> {
  await rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    metadata: { name: 'sandbox-readonly' },
    rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }],
  });
  await rest.ensure('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: 'sandbox-readonly' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'sandbox-readonly' },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'readonly' }],
  });
}

export interface SandboxOptions {
  /** A third API server without Stork's CRDs (default true). */
  noStorkCluster?: boolean;
  /** statusSimulator.ts: workload status and Pods follow spec.replicas (default true). */
  statusSimulator?: boolean;
  /** migrationController.ts: Migrations move through Stork's stages to Final (default true). */
  migrationController?: boolean;
  /** actionController.ts: failover/failback Actions move through Stork's stages (default true). */
  actionController?: boolean;
}

/** The test-support processes startSandbox can run next to the API servers, and their log files. */
const HELPERS = [
  { option: 'statusSimulator', script: 'statusSimulator.ts', log: 'simulator.log' },
  { option: 'migrationController', script: 'migrationController.ts', log: 'migration-controller.log' },
  { option: 'actionController', script: 'actionController.ts', log: 'action-controller.log' },
] as const;

/**
 * Starts one etcd and three kube-apiservers (contexts `source` and `destination` with Stork's CRDs,
 * and `no-stork` without them, unless `noStorkCluster: false`) on loopback, with TLS, static tokens
 * and RBAC; starts the status simulator and the stand-ins for Stork's migration and action
 * controllers (each unless its option is false). Everything runs detached so the command returns;
 * `stopSandbox` ends it all.
 */
export async function startSandbox(dir = defaultSandboxDir(), options: SandboxOptions = {}): Promise<SandboxState> {
  const names: readonly ClusterName[] = options.noStorkCluster === false ? CLUSTERS : ALL_CLUSTERS;
  if (existsSync(path.join(dir, 'state.json'))) {
    log(`a sandbox is already recorded in ${dir}; stopping it first`);
    await stopSandbox(dir);
  }
  const binaries = provisionBinaries();
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const pids: number[] = [];
  const saveState = (state: SandboxState): void => writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state, null, 2));
  const partial: SandboxState = { dir, kubeconfig: path.join(dir, 'kubeconfig'), caFile: '', clientCert: issueClientCertificate(dir), clusters: [], pids };

  const etcdPort = await freePort();
  const peerPort = await freePort();
  pids.push(
    startDetached(
      path.join(binaries, 'etcd'),
      ['--data-dir', path.join(dir, 'etcd'), '--listen-client-urls', `http://127.0.0.1:${etcdPort}`, '--advertise-client-urls', `http://127.0.0.1:${etcdPort}`, '--listen-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peerPort}`, '--initial-cluster', `default=http://127.0.0.1:${peerPort}`],
      path.join(dir, 'etcd.log'),
    ),
  );
  saveState(partial);

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(dir, 'service-account.key');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs1', format: 'pem' }));
  const certDir = path.join(dir, 'certs');
  const clusters: ClusterInfo[] = [];
  for (const name of names) {
    const port = await freePort();
    const adminToken = randomBytes(16).toString('hex');
    const readonlyToken = randomBytes(16).toString('hex');
    const tokenFile = path.join(dir, `${name}-tokens.csv`);
    writeFileSync(tokenFile, `${adminToken},admin,1,"system:masters"\n${readonlyToken},readonly,2,\n`);
    pids.push(
      startDetached(
        path.join(binaries, 'kube-apiserver'),
        [
          `--etcd-servers=http://127.0.0.1:${etcdPort}`,
          `--etcd-prefix=/${name}`,
          `--secure-port=${port}`,
          '--bind-address=127.0.0.1',
          // Both servers share one cert dir: the first writes the self-signed cert, both serve it, so one CA file fits both.
          `--cert-dir=${certDir}`,
          `--service-account-key-file=${keyFile}`,
          `--service-account-signing-key-file=${keyFile}`,
          '--service-account-issuer=https://kubernetes.default.svc',
          `--token-auth-file=${tokenFile}`,
          '--authorization-mode=RBAC',
          '--service-cluster-ip-range=10.0.0.0/24',
          '--disable-admission-plugins=ServiceAccount',
          `--client-ca-file=${path.join(dir, 'client-ca.crt')}`,
        ],
        path.join(dir, `${name}-apiserver.log`),
      ),
    );
    saveState(partial);
    clusters.push({ name, server: `https://127.0.0.1:${port}`, adminToken, readonlyToken });
    // Wait for the cert before starting the second server, so it reuses it rather than racing.
    await waitUntil(`${name} serving certificate`, 60_000, async () => existsSync(path.join(certDir, 'apiserver.crt')));
  }
  const state: SandboxState = { ...partial, caFile: path.join(certDir, 'apiserver.crt'), clusters };
  saveState(state);
  writeKubeconfig(state);
  for (const cluster of names) {
    const rest = restFor(state, cluster);
    await waitUntil(`${cluster} API server`, 90_000, async () => (await rest.request<string>('GET', '/readyz').then(() => true)));
    await Promise.all([grantReadOnly(rest), cluster === NO_STORK_CLUSTER ? undefined : registerStorkCrds(rest)]);
    rest.close();
  }
  for (const helper of HELPERS) {
    if (options[helper.option] === false) continue;
    pids.push(startDetached(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'sandbox', helper.script), dir], path.join(dir, helper.log)));
  }
  saveState(state);
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)}s: contexts ${names.flatMap((cluster) => [cluster, `${cluster}-readonly`]).join(', ')}`);
  return state;
}

export function readState(dir = defaultSandboxDir()): SandboxState {
  const file = path.join(dir, 'state.json');
  if (!existsSync(file)) throw new Error(`no sandbox in ${dir} (run: npm run sandbox -- up)`);
  return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
}

/** Whether a process still exists (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends every process the sandbox started (TERM, then KILL) and removes its folder. */
export async function stopSandbox(dir = defaultSandboxDir()): Promise<void> {
  if (!existsSync(path.join(dir, 'state.json'))) return;
  const state = readState(dir);
  const signalAll = (signal: NodeJS.Signals): void => {
    for (const pid of state.pids) {
      try {
        process.kill(-pid, signal);
      } catch {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    }
  };
  signalAll('SIGTERM');
  const deadline = Date.now() + 10_000;
  while (state.pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (state.pids.some(alive)) signalAll('SIGKILL');
  while (state.pids.some(alive)) await new Promise((resolve) => setTimeout(resolve, 50));
  rmSync(dir, { recursive: true, force: true });
}
