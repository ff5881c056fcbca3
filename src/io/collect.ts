import type { KubeApi } from '../kube/client';
import { discoverKinds, kindKey, type WantedKind } from '../kube/discovery';
import { isForbidden, isNotFound } from '../kube/errors';
import { listAll, listAllowed, listIfAllowed } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import { UsageError } from '../core/errors';
import type { NamespaceSelection, Workload } from '../plan/types';
import { StorkAnnotation } from '../stork/annotations';
import { APPLICATION_REGISTRATION_KEY, MIGRATION_SCHEDULE_KEY, NamespaceResource, StorkKinds, WorkloadKinds } from '../stork/kinds';
import { migratedNamespaces, type NamespaceInfo } from '../stork/migrationSchedule';
import { registeredKinds, type RegisteredKind } from '../stork/applicationRegistration';


export interface CollectOptions {
  namespaces: NamespaceSelection;
  labelSelector?: string | undefined;
  /**
   * A named namespace that does not exist: a usage error (the default: the user named it), or read
   * as empty and listed in `missingNamespaces` (the source of a failover, where Stork lists a
   * deleted namespace as empty).
   */
  missingNamespaces?: 'error' | 'empty';
}


/** What the cluster holds that activation cares about, read in as few requests as possible. */
export interface ClusterSnapshot {
  resources: Map<string, ApiResource>;
  workloads: Workload[];
  /**
   * With -l, and MigrationSchedules to decide on: every workload of the namespaces read, selected or
   * not (a second read without the selector), so the planner can tell whether the selection holds
   * all a schedule's namespaces hold. Undefined otherwise.
   */
  unfilteredWorkloads?: Workload[];
  /** All MigrationSchedules visible (any namespace: they often live in an admin namespace). */
  schedules: KubeObject[];
  /** Every namespace with -A; the named ones otherwise. */
  namespaces: NamespaceInfo[];
  registeredKinds: RegisteredKind[];
  storkInstalled: boolean;
  warnings: string[];
  /** Named namespaces that do not exist (only with missingNamespaces: 'empty'). */
  missingNamespaces: string[];
}

const WORKLOAD_KINDS: readonly WantedKind[] = Object.values(WorkloadKinds);


/**
 * Reads workloads, schedules and namespaces. With -A: one LIST per kind for the whole cluster.
 * With -n: one LIST per kind and namespace. Discovery runs once; lists run in parallel.
 */
export async function collectSnapshot(client: KubeApi, options: CollectOptions): Promise<ClusterSnapshot> {
  const resources = await discoverKinds(client, [...WORKLOAD_KINDS, StorkKinds.migrationSchedule, StorkKinds.applicationRegistration]);
  const warnings: string[] = [];
  const scheduleResource = resources.get(MIGRATION_SCHEDULE_KEY);
  const registrationResource = resources.get(APPLICATION_REGISTRATION_KEY);

  const missingNamespaces: string[] = [];
  const onMissing = options.missingNamespaces === 'empty' ? (name: string): void => void missingNamespaces.push(name) : undefined;
  const [namespaces, registrations] = await Promise.all([
    readNamespaces(client, options.namespaces, onMissing),
    registrationResource ? listOrWarn(client, registrationResource, {}, warnings) : Promise.resolve([]),
  ]);
  const registered = registeredKinds(registrations);
  if (registered.length > 0) {
    const served = await discoverKinds(client, registered.map((kind) => ({ group: kind.group, kind: kind.kind, versions: [kind.version] })));
    for (const [key, resource] of served) resources.set(key, resource);
  }
  const registeredServed = registered.filter((kind) => resources.has(kindKey(kind.group, kind.kind)));

  // One LIST per kind: a kind both built in and registered (VirtualMachine) is read once.
  const workloadResources = [...new Map([...WORKLOAD_KINDS, ...registeredServed].map((kind) => [kindKey(kind.group, kind.kind), resources.get(kindKey(kind.group, kind.kind))])).values()].filter(
    (resource): resource is ApiResource => resource !== undefined && resource.namespaced,
  );

  const [workloadLists, schedules] = await Promise.all([
    Promise.all(
      workloadResources.map(async (resource) => {
        const objects = await listInScope(client, resource, options);
        return objects.map((object) => ({ object, resourceKey: kindKey(resource.group, resource.kind) }));
      }),
    ),
    scheduleResource ? readSchedules(client, scheduleResource, options.namespaces, warnings) : Promise.resolve({ schedules: [], clusterWide: true }),
  ]);
  const workloads = workloadLists.flat();
  const allSchedules = schedules.clusterWide ? schedules.schedules : await addAdminNamespaceSchedules(client, scheduleResource, schedules.schedules, workloads, warnings);
  const snapshot: ClusterSnapshot = {
    resources,
    workloads,
    schedules: allSchedules,
    namespaces,
    registeredKinds: registeredServed,
    storkInstalled: scheduleResource !== undefined,
    warnings,
    missingNamespaces: missingNamespaces.sort(),
  };
  if (options.labelSelector && schedulesCover(allSchedules, namespaces, options.namespaces)) {
    const lists = await Promise.all(workloadResources.map(async (resource) => (await listInScope(client, resource, { namespaces: options.namespaces })).map((object) => ({ object, resourceKey: kindKey(resource.group, resource.kind) }))));
    snapshot.unfilteredWorkloads = lists.flat();
  }
  return snapshot;
}

/** Whether any schedule migrates a namespace of the selection (only then does the planner need the unselected workloads). */
function schedulesCover(schedules: readonly KubeObject[], namespaces: readonly NamespaceInfo[], selection: NamespaceSelection): boolean {
  if (selection.all) return schedules.length > 0;
  return schedules.some((schedule) => selection.names.some((name) => migratedNamespaces(schedule, namespaces).has(name)));
}

/**
 * Above this many named namespaces, one cluster-wide LIST (filtered here) replaces a request per
 * namespace: `run -A` names every namespace the destination holds, on the source. Where the
 * cluster-wide read is forbidden (RBAC granted per namespace), each namespace is read.
 */
export const WIDE_READ_THRESHOLD = 16;

/** onMissing: a missing namespace is left out and reported there, instead of a usage error. */
async function readNamespaces(client: KubeApi, selection: NamespaceSelection, onMissing?: (name: string) => void): Promise<NamespaceInfo[]> {
  if (selection.all) {
    const list = await listAll(client, NamespaceResource);
    return list.map(namespaceInfo);
  }
  if (selection.names.length > WIDE_READ_THRESHOLD) {
    const all = await listIfAllowed(client, NamespaceResource);
    if (all) {
      const byName = new Map(all.map((object) => [object.metadata.name, namespaceInfo(object)]));
      return selection.names.flatMap((name) => {
        const info = byName.get(name);
        if (info) return [info];
        if (onMissing) {
          onMissing(name);
          return [];
        }
        throw new UsageError(`namespace "${name}" not found`);
      });
    }
  }
  const read = await Promise.all(
    selection.names.map(async (name) => {
      try {
        return await readNamespace(client, name);
      } catch (error) {
        if (!onMissing || !(error instanceof UsageError)) throw error;
        onMissing(name);
        return undefined;
      }
    }),
  );
  return read.filter((info): info is NamespaceInfo => info !== undefined);
}

/** One namespace named by the user: a usage error if it does not exist. */
export async function readNamespace(client: KubeApi, name: string): Promise<NamespaceInfo> {
  try {
    return namespaceInfo(await client.request<KubeObject>({ method: 'GET', path: objectPath(NamespaceResource, name) }));
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`namespace "${name}" not found`);
    // Users allowed into a namespace are often not allowed to read Namespace objects.
    if (isForbidden(error)) return { name, labels: {} };
    throw error;
  }
}

function namespaceInfo(object: KubeObject): NamespaceInfo {
  return { name: object.metadata.name, labels: object.metadata.labels ?? {} };
}

async function listInScope(client: KubeApi, resource: ApiResource, options: CollectOptions): Promise<KubeObject[]> {
  const labelSelector = options.labelSelector;
  if (options.namespaces.all) return listAll(client, resource, { labelSelector });
  const names = options.namespaces.names;
  if (names.length > WIDE_READ_THRESHOLD) {
    const wanted = new Set(names);
    const all = await listIfAllowed(client, resource, { labelSelector });
    if (all) return all.filter((object) => wanted.has(object.metadata.namespace ?? ''));
  }
  const lists = await Promise.all(names.map((namespace) => listAll(client, resource, { namespace, labelSelector })));
  return lists.flat();
}

async function listOrWarn(client: KubeApi, resource: ApiResource, options: { namespace?: string }, warnings: string[]): Promise<KubeObject[]> {
  return listAllowed(client, resource, options, (what) => warnings.push(`cannot list ${what}: forbidden`));
}

/** Schedules cluster-wide when allowed; else those in the named namespaces (clusterWide tells which). */
async function readSchedules(
  client: KubeApi,
  resource: ApiResource,
  selection: NamespaceSelection,
  warnings: string[],
): Promise<{ schedules: KubeObject[]; clusterWide: boolean }> {
  try {
    return { schedules: await listAll(client, resource), clusterWide: true };
  } catch (error) {
    if (!isForbidden(error)) throw error;
  }
  if (selection.all) {
    warnings.push('cannot list migrationschedules in all namespaces: forbidden; schedules are not updated');
    return { schedules: [], clusterWide: false };
  }
  const lists = await Promise.all(selection.names.map((namespace) => listOrWarn(client, resource, { namespace }, warnings)));
  return { schedules: lists.flat(), clusterWide: false };
}

/** Schedules could only be read per namespace: also read the admin namespaces Stork named on the objects. */
async function addAdminNamespaceSchedules(
  client: KubeApi,
  resource: ApiResource | undefined,
  schedules: KubeObject[],
  workloads: readonly Workload[],
  warnings: string[],
): Promise<KubeObject[]> {
  if (!resource) return schedules;
  const known = new Set(schedules.map((schedule) => schedule.metadata.namespace));
  const adminNamespaces = new Set<string>();
  for (const { object } of workloads) {
    const admin = object.metadata.annotations?.[StorkAnnotation.migrationNamespace];
    if (admin && !known.has(admin)) adminNamespaces.add(admin);
  }
  if (adminNamespaces.size === 0) return schedules;
  const extra = await Promise.all([...adminNamespaces].map((namespace) => listOrWarn(client, resource, { namespace }, warnings)));
  return [...schedules, ...extra.flat()];
}
