import { UsageError, oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { discoverKinds } from '../kube/discovery';
import { isNotFound } from '../kube/errors';
import { getPath } from '../kube/jsonPath';
import { listAll } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import { performNamespaces } from '../plan/scheduleScope';
import type { DrActionType } from '../stork/action';
import { StorkAnnotation } from '../stork/annotations';
import { ACTION_KEY, CLUSTER_PAIR_KEY, MIGRATION_SCHEDULE_KEY, NamespaceResource, StorkKinds } from '../stork/kinds';
import { scheduleClusterPair } from '../stork/migrationSchedule';

export interface PerformRequest {
  actionType: DrActionType;
  /** The context the Action is created on, for messages. */
  contextName: string;
  /** -n: the schedule's namespace, which is the Action's. */
  namespace: string;
  /** -m: the reference MigrationSchedule ('' when not given). */
  reference: string;
  include: readonly string[];
  exclude: readonly string[];
  skipSourceOperations: boolean;
}

export interface PerformPlan {
  /** Where Actions are served on this cluster. */
  actionResource: ApiResource;
  schedule: KubeObject;
  clusterPair: string;
  /** The Action's namespaces, as storkctl would send them. */
  namespaces: string[];
}

/** Where the action controller is missing: what is needed, and what works without it. */
export function actionsNotServed(contextName: string): string {
  return `actions.stork.libopenstorage.org is not served on context ${contextName}: --via-stork needs Stork 24 or later with its action controller running there; \`kubectl failover run\` without --via-stork works without it`;
}

/**
 * storkctl perform failover|failback's validationsForPerformDRCommands, in its order and with its
 * messages, each a UsageError (exit 2, nothing created): -m given; the schedule found in -n; for a
 * failover, its static copy ("true"); its ClusterPair found in -n (unless a failover skips the
 * source); its namespaces (namespaceSelectors resolved here, one LIST per key=value); include or
 * exclude, a subset. Before the schedule is read, the Action kind must be served. Reads only.
 */
export async function validateForPerform(api: KubeApi, request: PerformRequest): Promise<PerformPlan> {
  const { actionType, namespace, reference } = request;
  if (reference === '') throw new UsageError(`reference MigrationSchedule name needs to be provided for ${actionType} (-m/--migration-reference)`);
  const resources = await discoverKinds(api, [StorkKinds.action, StorkKinds.migrationSchedule, StorkKinds.clusterPair]);
  const actionResource = resources.get(ACTION_KEY);
  if (!actionResource) throw new UsageError(actionsNotServed(request.contextName));

  const notFound = `unable to find the reference MigrationSchedule ${reference} in the ${namespace} namespace`;
  const schedule = await readOrRefuse(api, resources.get(MIGRATION_SCHEDULE_KEY), reference, namespace, notFound);
  if (actionType === 'failover' && schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true') {
    throw new UsageError(
      `ensure that \`kubectl failover run --via-stork\` is run in the cluster you want to failover to: migrationschedule ${namespace}/${reference} on context ${request.contextName} is not Stork's static copy`,
    );
  }
  const clusterPair = scheduleClusterPair(schedule);
  if (!(actionType === 'failover' && request.skipSourceOperations)) {
    await readOrRefuse(api, resources.get(CLUSTER_PAIR_KEY), clusterPair, namespace, `unable to find the ClusterPair ${clusterPair} in the ${namespace} namespace`);
  }
  let migrated: string[];
  try {
    migrated = await scheduleNamespaces(api, schedule);
  } catch (error) {
    throw new UsageError(`unable to get the namespaces based on the --namespace-selectors in the provided MigrationSchedule: ${oneLine(error)}`);
  }
  const scope = performNamespaces(migrated, request);
  if (!scope.ok) throw new UsageError(scope.problem);
  // storkctl would start an Action for no namespace at all; nothing would fail over.
  if (scope.names.length === 0) throw new UsageError(`the ${actionType} would cover no namespace: migrationschedule ${namespace}/${reference} migrates ${migrated.length > 0 ? migrated.join(', ') : 'none'}`);
  return { actionResource, schedule, clusterPair, namespaces: scope.names };
}

/** A GET whose NotFound (or a kind not served) is storkctl's refusal; other failures keep their own words (exit 1). */
async function readOrRefuse(api: KubeApi, resource: ApiResource | undefined, name: string, namespace: string, refusal: string): Promise<KubeObject> {
  if (!resource || name === '') throw new UsageError(refusal);
  try {
    return await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, namespace) });
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(refusal);
    throw error;
  }
}

/**
 * GetMergedNamespacesWithLabelSelector: spec.template.spec.namespaces, then the namespaces each
 * namespaceSelectors entry selects on this cluster (one LIST per key=value; the keys sorted, where
 * Go's map order is random), without repeats.
 */
async function scheduleNamespaces(api: KubeApi, schedule: KubeObject): Promise<string[]> {
  const names = new Set<string>();
  const listed = getPath(schedule, ['spec', 'template', 'spec', 'namespaces']);
  if (Array.isArray(listed)) for (const name of listed) if (typeof name === 'string') names.add(name);
  const selectors = getPath(schedule, ['spec', 'template', 'spec', 'namespaceSelectors']);
  if (selectors && typeof selectors === 'object' && !Array.isArray(selectors)) {
    for (const [key, value] of Object.entries(selectors).sort(([a], [b]) => a.localeCompare(b))) {
      const selected = await listAll(api, NamespaceResource, { labelSelector: `${key}=${String(value)}` });
      for (const namespace of selected) names.add(namespace.metadata.name);
    }
  }
  return [...names];
}
