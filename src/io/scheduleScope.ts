import { UsageError } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { discoverKinds } from '../kube/discovery';
import { isForbidden, isNotFound } from '../kube/errors';
import { getPath } from '../kube/jsonPath';
import { listAll } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { apiVersionOf, objectPath } from '../kube/resources';
import { scheduleScope, type ScheduledNamespace, type ScheduleReference } from '../plan/scheduleScope';
import { MIGRATION_SCHEDULE_KEY, NamespaceResource, StorkKinds } from '../stork/kinds';
import type { NamespaceInfo } from '../stork/migrationSchedule';

export interface ResolvedScheduleScope {
  /** The MigrationSchedule as read. */
  schedule: KubeObject;
  /** The namespaces to act on (never empty). */
  selection: { all: false; names: readonly string[] };
  /** Each namespace the schedule migrates, in or out, and why (for the report's scope). */
  namespaces: ScheduledNamespace[];
  /** In scope but absent from this cluster. */
  warnings: string[];
}

/**
 * Reads the MigrationSchedule `-m` names (in `namespace`: -n, else the context's) and the
 * cluster's namespaces, and turns them into the namespaces a verb covers. Nothing is written; an
 * unknown schedule, Stork not installed, or a scope that cannot be met is a UsageError (exit 2).
 */
export async function resolveScheduleScope(api: KubeApi, contextName: string, reference: ScheduleReference, namespace: string): Promise<ResolvedScheduleScope> {
  const resources = await discoverKinds(api, [StorkKinds.migrationSchedule]);
  const resource = resources.get(MIGRATION_SCHEDULE_KEY);
  if (!resource) throw new UsageError(`Stork is not installed on context ${contextName}: migrationschedules.stork.libopenstorage.org is not served`);
  let schedule: KubeObject;
  try {
    const read = await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, reference.name, namespace) });
    schedule = { ...read, apiVersion: apiVersionOf(resource), kind: resource.kind };
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`migrationschedule "${reference.name}" not found in namespace ${namespace}`);
    throw error;
  }
  const clusterNamespaces = await readClusterNamespaces(api, schedule);
  const scope = scheduleScope(schedule, clusterNamespaces, reference);
  if (!scope.ok) throw new UsageError(scope.problem);
  const warnings = scope.missing.map((missing) => `namespace ${missing} is migrated by migrationschedule ${namespace}/${reference.name} but does not exist on context ${contextName}: left out`);
  return { schedule, selection: { all: false, names: scope.names }, namespaces: scope.namespaces, warnings };
}

/**
 * The namespaces of the cluster, with labels for the schedule's namespaceSelectors: one LIST.
 * A user who may not list namespaces gets each listed one read by name instead (as much as
 * allowed), unless the schedule selects by label, which needs the list.
 */
async function readClusterNamespaces(api: KubeApi, schedule: KubeObject): Promise<NamespaceInfo[]> {
  try {
    return (await listAll(api, NamespaceResource)).map((object) => ({ name: object.metadata.name, labels: object.metadata.labels ?? {} }));
  } catch (error) {
    const selectors = getPath(schedule, ['spec', 'template', 'spec', 'namespaceSelectors']);
    const selects = selectors !== null && typeof selectors === 'object' && Object.keys(selectors).length > 0;
    if (!isForbidden(error) || selects) throw error;
  }
  const listed = getPath(schedule, ['spec', 'template', 'spec', 'namespaces']);
  const names = Array.isArray(listed) ? listed.filter((name): name is string => typeof name === 'string') : [];
  const found = await Promise.all(
    names.map(async (name): Promise<NamespaceInfo | undefined> => {
      try {
        const object = await api.request<KubeObject>({ method: 'GET', path: objectPath(NamespaceResource, name) });
        return { name, labels: object.metadata.labels ?? {} };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        // Not allowed to read it either: assume it is there; reading its objects will tell.
        if (isForbidden(error)) return { name, labels: {} };
        throw error;
      }
    }),
  );
  return found.filter((entry): entry is NamespaceInfo => entry !== undefined);
}
