import type { KubeApi } from '../kube/client';
import { kindKey } from '../kube/discovery';
import { listAll } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import type { Workload } from '../plan/types';
import type { RegisteredKind } from '../stork/applicationRegistration';
import { PodResource } from '../stork/kinds';

/**
 * The pods deactivation may delete: those of the namespaces holding registered resources whose
 * registration names a podsPath (one LIST per such namespace; none when there are none).
 */
export async function readRegisteredPods(client: KubeApi, workloads: readonly Workload[], registeredKinds: readonly RegisteredKind[]): Promise<KubeObject[]> {
  const withPods = new Set(registeredKinds.filter((kind) => kind.podsPath).map((kind) => kindKey(kind.group, kind.kind)));
  const namespaces = [...new Set(workloads.filter(({ resourceKey }) => withPods.has(resourceKey)).map(({ object }) => object.metadata.namespace ?? ''))].filter((namespace) => namespace !== '');
  const lists = await Promise.all(namespaces.map((namespace) => listAll(client, PodResource, { namespace })));
  return lists.flat();
}
