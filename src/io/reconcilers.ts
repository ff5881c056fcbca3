import { oneLine } from '../core/errors';
import type { Finding } from '../failover/findings';
import type { KubeApi } from '../kube/client';
import { discoverKinds } from '../kube/discovery';
import { isForbidden } from '../kube/errors';
import { listAll } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import type { ApiResource } from '../kube/resources';
import {
  APPLICATION_KEY,
  ArgoCd,
  HELM_RELEASE_KEY,
  HPA_KEY,
  KUSTOMIZATION_KEY,
  ReconcilerKinds,
  SCALED_OBJECT_KEY,
  detectReconcilers,
  namedReconcilerNamespaces,
  reconcilerKindsToRead,
  type KindRead,
  type ReconcilerFinding,
  type ReconcilerObjects,
} from '../plan/reconcilers';
import type { Direction, Workload } from '../plan/types';

export interface ReconcilerScanOptions {
  /** Which cluster of the pair this is, for the findings. */
  cluster: Finding['cluster'];
  /** What is about to happen to the workloads (see DetectionInput.direction). */
  direction?: Direction;
  /** Argo CD's namespaces, read when Applications cannot be listed cluster-wide (default: argocd). */
  argoNamespaces?: readonly string[];
}

export interface ReconcilerScan {
  findings: ReconcilerFinding[];
  /** The reconciler kinds served here: pause plans are addressed through them (add them to the snapshot's resources). */
  resources: Map<string, ApiResource>;
}

const NOT_SERVED: KindRead = { served: false };

/**
 * Reads what may scale these workloads back (Argo CD Applications, Flux Kustomizations and
 * HelmReleases, KEDA ScaledObjects, HPAs) and says who does. Read-only and bounded: one discovery,
 * then one LIST per kind for the whole cluster, or, where that is forbidden, one per namespace
 * that matters; a kind only when some workload points to it (ScaledObjects always: they point to
 * the workload, not the other way). Never throws for what it cannot read: that is a finding.
 */
export async function scanReconcilers(api: KubeApi, workloads: readonly Workload[], options: ReconcilerScanOptions): Promise<ReconcilerScan> {
  if (workloads.length === 0) return { findings: [], resources: new Map() };
  const argoNamespaces = options.argoNamespaces ?? ArgoCd.defaultNamespaces;
  const wanted = reconcilerKindsToRead(workloads);
  const kinds = [
    ...(wanted.applications ? [ReconcilerKinds.application] : []),
    ...(wanted.kustomizations ? [ReconcilerKinds.kustomization] : []),
    ...(wanted.helmReleases ? [ReconcilerKinds.helmRelease] : []),
    ReconcilerKinds.scaledObject,
    ...(wanted.hpas ? [ReconcilerKinds.horizontalPodAutoscaler] : []),
  ];
  let resources: Map<string, ApiResource>;
  try {
    resources = await discoverKinds(api, kinds);
  } catch (error) {
    // Discovery itself failed: nothing can be said of any reconciler, but that is no reason to stop.
    const why = `discovery failed: ${oneLine(error)}`;
    const failed: KindRead = { served: true, objects: [], covered: [], failures: new Map([['', why]]) };
    return { findings: detectReconcilers({ cluster: options.cluster, workloads, objects: { applications: failed, kustomizations: failed, helmReleases: failed, scaledObjects: failed, hpas: NOT_SERVED }, argoNamespaces, ...direction(options) }), resources: new Map() };
  }
  const workloadNamespaces = [...new Set(workloads.map(({ object }) => object.metadata.namespace ?? ''))].sort();
  const named = namedReconcilerNamespaces(workloads, argoNamespaces);
  const read = (key: string, fallback: readonly string[]): Promise<KindRead> => {
    const resource = resources.get(key);
    return resource ? readKind(api, resource, fallback) : Promise.resolve(NOT_SERVED);
  };
  const [applications, kustomizations, helmReleases, scaledObjects, hpas] = await Promise.all([
    read(APPLICATION_KEY, named.applications),
    read(KUSTOMIZATION_KEY, named.kustomizations),
    read(HELM_RELEASE_KEY, named.helmReleases),
    read(SCALED_OBJECT_KEY, workloadNamespaces),
    read(HPA_KEY, workloadNamespaces),
  ]);
  const objects: ReconcilerObjects = { applications, kustomizations, helmReleases, scaledObjects, hpas };
  return { findings: detectReconcilers({ cluster: options.cluster, workloads, objects, argoNamespaces, ...direction(options) }), resources };
}

function direction(options: ReconcilerScanOptions): { direction?: Direction } {
  return options.direction ? { direction: options.direction } : {};
}

/** The whole cluster in one LIST; where that is forbidden, each of `namespaces`. A failed read is recorded, not thrown. */
async function readKind(api: KubeApi, resource: ApiResource, namespaces: readonly string[]): Promise<KindRead> {
  const plural = `${resource.resource}.${resource.group}`;
  try {
    return { served: true, objects: await listAll(api, resource), covered: 'all' };
  } catch (error) {
    if (!isForbidden(error)) return { served: true, objects: [], covered: [], failures: new Map([['', `listing ${plural} failed: ${oneLine(error)}`]]) };
  }
  const failures = new Map<string, string>();
  const covered: string[] = [];
  const lists = await Promise.all(
    namespaces.map(async (namespace): Promise<KubeObject[]> => {
      try {
        const objects = await listAll(api, resource, { namespace });
        covered.push(namespace);
        return objects;
      } catch (error) {
        failures.set(namespace, isForbidden(error) ? `listing ${plural} in namespace ${namespace} is forbidden` : `listing ${plural} in namespace ${namespace} failed: ${oneLine(error)}`);
        return [];
      }
    }),
  );
  failures.set('', `listing ${plural} is forbidden`);
  return { served: true, objects: lists.flat(), covered: covered.sort(), failures };
}
