import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError, oneLine } from '../core/errors';
import type { ClusterPairCredentials } from '../stork/clusterPairConfig';
import { certificateAuthorityProblem } from './certificateAuthority';

export interface KubeconfigSelection {
  /** --kubeconfig: one file, which must exist. */
  kubeconfigPath?: string | undefined;
  /** --context: overrides current-context for this run only. */
  contextName?: string | undefined;
  /** kubectl's --cluster, --user, --server, --token, --as, --as-group. */
  overrides?: KubeconfigOverrides;
  env: NodeJS.ProcessEnv;
}

/** kubectl's flags that change, for this run only, what the kubeconfig says. */
export interface KubeconfigOverrides {
  /** --cluster: this kubeconfig cluster entry instead of the context's. */
  cluster?: string;
  /** --user: this kubeconfig user entry instead of the context's. */
  user?: string;
  /** --server: this API server URL instead of the cluster entry's. */
  server?: string;
  /** --token: this bearer token instead of the user entry's credentials. */
  token?: string;
  /** --as / --as-group: act as this user and these groups (Impersonate-User / Impersonate-Group). */
  impersonate?: Impersonation;
}

export interface Impersonation {
  user: string;
  groups: string[];
}

export interface ResolvedContext {
  contextName: string;
  clusterName: string;
  server: string;
  /** The cluster's proxy-url, as kubectl reads it. */
  proxyUrl?: string;
  /** The cluster's tls-server-name: the name the server's certificate is checked against instead of the URL's host. */
  tlsServerName?: string;
  /** The context's namespace, else `default` (kubectl's rule). */
  namespace: string;
  /** --as / --as-group, sent as impersonation headers with every request. */
  impersonate?: Impersonation;
  /** A KubeConfig whose current context is the selected one, overrides applied. */
  kubeConfig: KubeConfig;
}

/** Which files kubectl would read, in order: --kubeconfig, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(selection: KubeconfigSelection): { files: string[]; origin: string } {
  if (selection.kubeconfigPath) {
    if (!existsSync(selection.kubeconfigPath)) {
      throw new UsageError(`kubeconfig ${selection.kubeconfigPath} (from --kubeconfig) does not exist`);
    }
    return { files: [selection.kubeconfigPath], origin: '--kubeconfig' };
  }
  const fromEnv = selection.env.KUBECONFIG;
  if (fromEnv) {
    const listed = fromEnv.split(path.delimiter).filter((file) => file !== '');
    // kubectl skips missing files in $KUBECONFIG and merges the rest.
    const present = listed.filter((file) => existsSync(file));
    if (present.length === 0) {
      throw new UsageError(`no kubeconfig found: none of the files in KUBECONFIG exist (${listed.join(path.delimiter)})`);
    }
    return { files: present, origin: 'KUBECONFIG' };
  }
  const home = selection.env.HOME ?? homedir();
  const defaultFile = path.join(home, '.kube', 'config');
  if (!existsSync(defaultFile)) {
    throw new UsageError(`no kubeconfig found: ${defaultFile} does not exist (set KUBECONFIG or pass --kubeconfig)`);
  }
  return { files: [defaultFile], origin: 'default' };
}

/**
 * Loads and merges kubeconfig files the way kubectl does: for clusters, users and contexts the
 * first file that names an entry wins, and the first file that sets current-context wins.
 */
export async function loadKubeconfig(selection: KubeconfigSelection): Promise<KubeConfig> {
  const { files } = kubeconfigFiles(selection);
  const { KubeConfig } = await import('./clientNode');
  const merged = new KubeConfig();
  merged.clusters = [];
  merged.users = [];
  merged.contexts = [];
  let currentContext = '';
  for (const file of files) {
    // kubectl reads an empty file as an empty config (client-node fails on it): nothing to merge.
    if (isEmptyFile(file)) continue;
    const single = new KubeConfig();
    try {
      single.loadFromFile(file);
    } catch (error) {
      throw new UsageError(`cannot load kubeconfig ${file}: ${oneLine(error)}`);
    }
    for (const cluster of single.clusters ?? []) {
      if (!merged.clusters.some((known) => known.name === cluster.name)) merged.clusters.push(cluster);
    }
    for (const user of single.users ?? []) {
      if (!merged.users.some((known) => known.name === user.name)) merged.users.push(user);
    }
    for (const context of single.contexts ?? []) {
      if (!merged.contexts.some((known) => known.name === context.name)) merged.contexts.push(context);
    }
    if (!currentContext && single.currentContext) currentContext = single.currentContext;
  }
  merged.currentContext = currentContext;
  return merged;
}

/** The selected context of the merged kubeconfig, with kubectl's override flags applied. */
export async function resolveContext(selection: KubeconfigSelection): Promise<ResolvedContext> {
  const merged = await loadKubeconfig(selection);
  const overrides = selection.overrides ?? {};
  const contextName = selection.contextName || merged.currentContext;
  const available = merged.contexts.map((context) => context.name);
  if (!contextName) {
    throw new UsageError(`no context selected: the kubeconfig has no current-context; pass --context (available: ${available.join(', ') || 'none'})`);
  }
  const context = merged.contexts.find((candidate) => candidate.name === contextName);
  if (!context) {
    throw new UsageError(`context "${contextName}" not found in kubeconfig (available: ${available.join(', ') || 'none'})`);
  }
  const cluster = pickCluster(merged, context, overrides);
  const caProblem = certificateAuthorityProblem(cluster);
  if (caProblem) throw new UsageError(`cluster "${cluster.name}" in the kubeconfig: ${caProblem}`);
  const user = pickUser(merged, context, overrides);
  return chosenContext({ contextName, cluster, user, context, namespace: context.namespace || 'default', impersonate: overrides.impersonate });
}

/**
 * The session's context for a ClusterPair's stored credentials (stork/clusterPairConfig.ts): the
 * same client as for a kubeconfig context, with none of kubectl's override flags, which are the
 * operator's and have nothing to do with Stork's identity.
 */
export async function clusterPairContext(credentials: ClusterPairCredentials): Promise<ResolvedContext> {
  const context: ContextEntry = { name: credentials.contextName, cluster: credentials.cluster.name, user: credentials.user?.name ?? '', namespace: credentials.namespace };
  return chosenContext({ contextName: `ClusterPair ${credentials.pair.namespace}/${credentials.pair.name}`, cluster: credentials.cluster, user: credentials.user, context, namespace: credentials.namespace, impersonate: credentials.impersonate });
}

/** A KubeConfig of just the chosen entries: client-node reads credentials from its current context. */
async function chosenContext(chosen: { contextName: string; cluster: ClusterEntry; user: UserEntry | undefined; context: ContextEntry; namespace: string; impersonate: Impersonation | undefined }): Promise<ResolvedContext> {
  const { KubeConfig } = await import('./clientNode');
  const kubeConfig = new KubeConfig();
  const { cluster, user } = chosen;
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [{ ...chosen.context, cluster: cluster.name, user: user?.name ?? '' }],
    currentContext: chosen.context.name,
  });
  return {
    contextName: chosen.contextName,
    clusterName: cluster.name,
    server: cluster.server,
    ...(cluster.proxyUrl ? { proxyUrl: cluster.proxyUrl } : {}),
    ...(cluster.tlsServerName ? { tlsServerName: cluster.tlsServerName } : {}),
    namespace: chosen.namespace,
    ...(chosen.impersonate ? { impersonate: chosen.impersonate } : {}),
    kubeConfig,
  };
}

type ClusterEntry = KubeConfig['clusters'][number];
type UserEntry = KubeConfig['users'][number];
type ContextEntry = KubeConfig['contexts'][number];

/** The context's cluster, or --cluster's; --server replaces its URL (and stands alone if there is no entry). */
function pickCluster(merged: KubeConfig, context: ContextEntry, overrides: KubeconfigOverrides): ClusterEntry {
  const name = overrides.cluster ?? context.cluster;
  const entry = merged.clusters.find((candidate) => candidate.name === name);
  if (!entry && overrides.server === undefined) {
    if (overrides.cluster !== undefined) {
      throw new UsageError(`cluster "${name}" (from --cluster) not found in kubeconfig (available: ${merged.clusters.map((cluster) => cluster.name).join(', ') || 'none'})`);
    }
    throw new UsageError(`context "${context.name}" refers to cluster "${name}", which the kubeconfig does not define`);
  }
  const base: ClusterEntry = entry ?? { name, server: '', skipTLSVerify: false };
  return overrides.server === undefined ? base : { ...base, server: overrides.server };
}

/**
 * The context's user, or --user's. --token replaces its credentials (token, exec plugin, auth
 * provider, basic auth) with the bearer token; a client certificate stays, as in kubectl.
 */
function pickUser(merged: KubeConfig, context: ContextEntry, overrides: KubeconfigOverrides): UserEntry | undefined {
  const name = overrides.user ?? context.user;
  const entry = name ? merged.users.find((candidate) => candidate.name === name) : undefined;
  if (name && !entry && overrides.token === undefined) {
    if (overrides.user !== undefined) {
      throw new UsageError(`user "${name}" (from --user) not found in kubeconfig (available: ${merged.users.map((user) => user.name).join(', ') || 'none'})`);
    }
    throw new UsageError(`context "${context.name}" refers to user "${name}", which the kubeconfig does not define`);
  }
  if (overrides.token === undefined) return entry;
  const { certData, certFile, keyData, keyFile } = entry ?? {};
  return { name: name || 'token', token: overrides.token, certData, certFile, keyData, keyFile };
}

function isEmptyFile(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').trim() === '';
  } catch {
    return false; // unreadable: loading it reports why
  }
}
