import type { KubeApi } from './client';
import { UnexpectedAnswerError, isNotFound } from './errors';
import { groupVersionPath, type ApiResource } from './resources';

/** A kind we may act on, with the versions we understand, most preferred first. */
export interface WantedKind {
  group: string;
  kind: string;
  versions: readonly string[];
}

interface APIResourceList {
  resources: Array<{ name: string; kind: string; namespaced: boolean }>;
}

interface APIGroupList {
  groups: Array<{ name: string; versions: Array<{ version: string }> }>;
}

/**
 * Finds which of the wanted kinds the server serves, and under which version and plural name.
 * One GET of /apis plus one per group-version looked at, all in parallel: discovery runs once per
 * command, whatever the number of namespaces.
 */
export async function discoverKinds(client: KubeApi, wanted: readonly WantedKind[]): Promise<Map<string, ApiResource>> {
  const groups = await client.request<APIGroupList | undefined>({ method: 'GET', path: '/apis', verb: 'discovery' });
  if (!groups || !Array.isArray(groups.groups)) throw new UnexpectedAnswerError(client.serverUrl, 'GET', '/apis', 200, JSON.stringify(groups ?? '').slice(0, 200));
  const served = new Set<string>(['/v1']);
  for (const group of groups.groups) {
    for (const version of group.versions) served.add(`${group.name}/${version.version}`);
  }
  const groupVersions = new Set<string>();
  for (const kind of wanted) {
    for (const version of kind.versions) {
      if (served.has(`${kind.group}/${version}`)) groupVersions.add(`${kind.group}/${version}`);
    }
  }
  const lists = new Map<string, APIResourceList>();
  await Promise.all(
    [...groupVersions].map(async (groupVersion) => {
      const slash = groupVersion.lastIndexOf('/');
      const group = groupVersion.slice(0, slash);
      const version = groupVersion.slice(slash + 1);
      try {
        lists.set(groupVersion, await client.request<APIResourceList>({ method: 'GET', path: groupVersionPath(group, version), verb: 'discovery' }));
      } catch (error) {
        // A group that vanished between the two calls (CRD deleted) is simply not served.
        if (!isNotFound(error)) throw error;
      }
    }),
  );
  const found = new Map<string, ApiResource>();
  for (const kind of wanted) {
    for (const version of kind.versions) {
      const list = lists.get(`${kind.group}/${version}`);
      const entry = list?.resources.find((resource) => resource.kind === kind.kind && !resource.name.includes('/'));
      if (entry) {
        found.set(kindKey(kind.group, kind.kind), { group: kind.group, version, kind: kind.kind, resource: entry.name, namespaced: entry.namespaced });
        break;
      }
    }
  }
  return found;
}

export function kindKey(group: string, kind: string): string {
  return `${kind}.${group}`;
}
