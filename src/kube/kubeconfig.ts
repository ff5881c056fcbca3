import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError, oneLine } from '../core/errors';
import { certificateAuthorityProblem } from './certificateAuthority';

export interface KubeconfigSelection {
  /** --kubeconfig: one file, which must exist. */
  kubeconfigPath?: string | undefined;
  /** --context: overrides current-context for this run only. */
  contextName?: string | undefined;
  env: NodeJS.ProcessEnv;
}

export interface ResolvedContext {
  contextName: string;
  clusterName: string;
  server: string;
  /** The cluster's proxy-url, as kubectl reads it. */
  proxyUrl?: string;
  /** The context's namespace, else `default` (kubectl's rule). */
  namespace: string;
  /** A KubeConfig whose current context is the selected one. */
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
export async function resolveContext(selection: KubeconfigSelection): Promise<ResolvedContext> {
  const { files } = kubeconfigFiles(selection);
  const { KubeConfig } = await import('@kubernetes/client-node');
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

  const contextName = selection.contextName || currentContext;
  const available = merged.contexts.map((context) => context.name);
  if (!contextName) {
    throw new UsageError(`no context selected: the kubeconfig has no current-context; pass --context (available: ${available.join(', ') || 'none'})`);
  }
  const context = merged.contexts.find((candidate) => candidate.name === contextName);
  if (!context) {
    throw new UsageError(`context "${contextName}" not found in kubeconfig (available: ${available.join(', ') || 'none'})`);
  }
  const cluster = merged.clusters.find((candidate) => candidate.name === context.cluster);
  if (!cluster) {
    throw new UsageError(`context "${contextName}" refers to cluster "${context.cluster}", which the kubeconfig does not define`);
  }
  const caProblem = certificateAuthorityProblem(cluster);
  if (caProblem) throw new UsageError(`cluster "${cluster.name}" in the kubeconfig: ${caProblem}`);
  if (context.user && !merged.users.some((user) => user.name === context.user)) {
    throw new UsageError(`context "${contextName}" refers to user "${context.user}", which the kubeconfig does not define`);
  }
  merged.currentContext = contextName;
  return {
    contextName,
    clusterName: cluster.name,
    server: cluster.server,
    ...(cluster.proxyUrl ? { proxyUrl: cluster.proxyUrl } : {}),
    namespace: context.namespace || 'default',
    kubeConfig: merged,
  };
}

function isEmptyFile(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').trim() === '';
  } catch {
    return false; // unreadable: loading it reports why
  }
}
