import type { KubeApi } from '../kube/client';
import { discoverKinds, type WantedKind } from '../kube/discovery';
import { isNotFound } from '../kube/errors';
import { listAll, listAllowed } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { apiVersionOf, objectPath, splitApiVersion, type ApiResource } from '../kube/resources';
import { stashedKindKey } from '../plan/rules/stashedResource';
import type { StashInput } from '../plan/stash';
import type { NamespaceSelection } from '../plan/types';
import { CONFIGMAP_KEY, ConfigMapResource, PersistentVolumeClaimResource, PVC_KEY } from '../stork/kinds';
import { parseStash, StashKeys } from '../stork/stash';

/**
 * Reads what activation needs for Stork's stash strategy: the ConfigMaps labelled stash-cr (one
 * LIST per namespace, or one for the cluster with -A; -l narrows them too), and only where there
 * are some: discovery of the stashed kinds, whether each stashed resource exists already, and
 * the PVCs of those namespaces. A user who may not list ConfigMaps gets a warning.
 */
export async function readStash(client: KubeApi, selection: NamespaceSelection, labelSelector: string | undefined, warnings: string[]): Promise<StashInput> {
  const selector = labelSelector ? `${StashKeys.label},${labelSelector}` : StashKeys.label;
  const onForbidden = (what: string): void => void warnings.push(`cannot list ${what}: forbidden; stashed resources are not restored there`);
  const configMaps = selection.all
    ? await listAllowed(client, ConfigMapResource, { labelSelector: selector }, onForbidden)
    : (await Promise.all(selection.names.map((namespace) => listAllowed(client, ConfigMapResource, { namespace, labelSelector: selector }, onForbidden)))).flat();
  const resources = new Map<string, ApiResource>([
    [CONFIGMAP_KEY, ConfigMapResource],
    [PVC_KEY, PersistentVolumeClaimResource],
  ]);
  if (configMaps.length === 0) return { configMaps, pvcs: [], existing: [], resources };

  const stashed = configMaps.flatMap((configMap) => {
    const parsed = parseStash(configMap);
    return parsed.ok ? [parsed.stash.object] : [];
  });
  const wanted = new Map<string, WantedKind>();
  for (const object of stashed) {
    const { group, version } = splitApiVersion(object.apiVersion);
    wanted.set(stashedKindKey(object), { group, kind: object.kind, versions: [version] });
  }
  for (const [key, resource] of await discoverKinds(client, [...wanted.values()])) resources.set(key, resource);

  const namespaces = [...new Set(configMaps.map((configMap) => configMap.metadata.namespace ?? ''))];
  const [existing, pvcLists] = await Promise.all([
    Promise.all(stashed.map((object) => readIfExists(client, resources.get(stashedKindKey(object)), object))),
    Promise.all(namespaces.map((namespace) => listAll(client, PersistentVolumeClaimResource, { namespace }))),
  ]);
  return { configMaps, pvcs: pvcLists.flat(), existing: existing.filter((object): object is KubeObject => object !== undefined), resources };
}

async function readIfExists(client: KubeApi, resource: ApiResource | undefined, object: KubeObject): Promise<KubeObject | undefined> {
  if (!resource) return undefined;
  try {
    const found = await client.request<KubeObject>({ method: 'GET', path: objectPath(resource, object.metadata.name, resource.namespaced ? object.metadata.namespace : undefined) });
    return { ...found, apiVersion: apiVersionOf(resource), kind: resource.kind };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
