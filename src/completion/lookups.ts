import { overridesFrom } from '../cli/globalOptions';
import { systemClock, beforeDeadline } from '../core/clock';
import type { KubeClient } from '../kube/client';
import type { KubeconfigSelection } from '../kube/kubeconfig';
import { NamespaceResource } from '../stork/kinds';
import { STORK_GROUP, STORK_VERSION } from '../stork/annotations';
import type { ApiResource } from '../kube/resources';
import type { CommandLine, Lookup } from './complete';
import type { LookupKind } from './spec';

/** A TAB must answer quickly: the cluster gets this long, then completion offers nothing. */
export const LOOKUP_TIMEOUT_MS = 2_000;

const MigrationScheduleResource: ApiResource = { group: STORK_GROUP, version: STORK_VERSION, kind: 'MigrationSchedule', resource: 'migrationschedules', namespaced: true };

const last = (line: CommandLine, name: string): string | undefined => line.flags.get(name)?.at(-1);

/**
 * Contexts, clusters and users from the kubeconfig; namespaces and MigrationSchedule names from the
 * cluster, within LOOKUP_TIMEOUT_MS. The kubeconfig and cluster are the ones the typed flags name
 * (--kubeconfig, --context, --server, --as…). Any failure means no candidates: completion never
 * prints an error into the user's command line.
 */
export function liveLookup(env: NodeJS.ProcessEnv): Lookup {
  return async (kind, line) => {
    const clients: KubeClient[] = [];
    const work = lookup(kind, line, env, (client) => clients.push(client)).catch(() => []);
    const answer = await beforeDeadline(systemClock, systemClock.now() + LOOKUP_TIMEOUT_MS, work);
    // Past the deadline, closing the sockets ends the requests, so the process ends with the answer.
    for (const client of clients) client.close();
    return answer?.value ?? [];
  };
}

async function lookup(kind: LookupKind, line: CommandLine, env: NodeJS.ProcessEnv, opened: (client: KubeClient) => void): Promise<string[]> {
  const { loadKubeconfig, resolveContext } = await import('../kube/kubeconfig');
  if (kind === 'run') {
    const [{ journalDirectory, listJournals }, { isRunId }] = await Promise.all([import('../io/journal'), import('../failover/runId')]);
    // Only names undo and --resume accept: a stray file in the folder is no candidate.
    return listJournals(journalDirectory(env)).map((journal) => journal.runId).filter(isRunId);
  }
  // run and failback read -m's schedule (and namespaces) on the destination; other verbs use --context.
  const contextName = line.verb?.name === 'run' || line.verb?.name === 'failback' ? (last(line, 'destination-context') ?? last(line, 'context')) : last(line, 'context');
  const selection: KubeconfigSelection = { kubeconfigPath: last(line, 'kubeconfig'), contextName, env };
  if (kind === 'context' || kind === 'cluster' || kind === 'user') {
    const config = await loadKubeconfig(selection);
    const entries = kind === 'context' ? config.contexts : kind === 'cluster' ? config.clusters : config.users;
    return entries.map((entry) => entry.name);
  }
  const overrides = overridesFrom({ cluster: last(line, 'cluster'), user: last(line, 'user'), server: last(line, 'server'), token: last(line, 'token'), as: last(line, 'as'), 'as-group': line.flags.get('as-group') });
  const kubeContext = await resolveContext({ ...selection, overrides });
  const [{ KubeClient }, { listAll }] = await Promise.all([import('../kube/client'), import('../kube/list')]);
  const client = await KubeClient.connect(kubeContext, { requestTimeoutMs: LOOKUP_TIMEOUT_MS, maxSockets: 1 }, env);
  opened(client);
  try {
    if (kind === 'namespace') return (await listAll(client, NamespaceResource)).map((object) => object.metadata.name);
    const namespace = line.flags.has('all-namespaces') ? undefined : (last(line, 'namespace') ?? kubeContext.namespace);
    return (await listAll(client, MigrationScheduleResource, namespace === undefined ? {} : { namespace })).map((object) => object.metadata.name);
  } finally {
    client.close();
  }
}
