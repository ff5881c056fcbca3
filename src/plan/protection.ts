import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import { StorkAnnotation } from '../stork/annotations';
import { migratedNamespaces, type NamespaceInfo } from '../stork/migrationSchedule';

/** The field manager of every write kubectl-failover makes. */
export const FIELD_MANAGER = 'kubectl-failover';
/**
 * The field manager of writes into a namespace Stork does not protect (deactivate --force): its
 * record of a count must not make that namespace look protected to a later `deactivate -A`.
 */
export const FORCED_FIELD_MANAGER = 'kubectl-failover-force';

/** Whether the migrationReplicas annotation was written only by a forced deactivate (read from metadata.managedFields). */
export function onlyForcedRecord(object: KubeObject): boolean {
  const managers = annotationManagers(object, StorkAnnotation.migrationReplicas);
  return managers.length > 0 && managers.every((manager) => manager === FORCED_FIELD_MANAGER);
}

function annotationManagers(object: KubeObject, key: string): string[] {
  const entries = object.metadata.managedFields;
  if (!Array.isArray(entries)) return [];
  const managers: string[] = [];
  for (const entry of entries) {
    const manager = getPath(entry, ['manager']);
    const owned = getPath(entry, ['fieldsV1', 'f:metadata', 'f:annotations', `f:${key}`]);
    if (typeof manager === 'string' && owned !== undefined) managers.push(manager);
  }
  return managers;
}

/**
 * Kubernetes' own namespaces. `-A` never acts on workloads there, whatever a MigrationSchedule lists
 * (kube-system is Stork's default admin namespace, so an admin schedule may well name it); only
 * naming one with -n reaches it (deactivate also needs --force). MigrationSchedules kept there are
 * read and updated like any other.
 */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease']);

export function isSystemNamespace(namespace: string): boolean {
  return SYSTEM_NAMESPACES.has(namespace);
}

/** Why a namespace is (or is not) protected by Stork on this cluster. */
export interface NamespaceProtection {
  namespace: string;
  protected: boolean;
  /** One line: "migrated by migrationschedule admin/daily", "holds objects migrated by Stork", "no MigrationSchedule migrates it and no object in it was migrated by Stork". */
  reason: string;
}

/**
 * A namespace is protected when a MigrationSchedule on this cluster migrates it (by list or by
 * label selector, from any namespace) or when it holds objects Stork migrated. Deactivation
 * touches protected namespaces only, so `-A` can never scale down kube-system and the like.
 */
export function namespaceProtection(
  namespaces: readonly NamespaceInfo[],
  schedules: readonly KubeObject[],
  objects: readonly KubeObject[],
): Map<string, NamespaceProtection> {
  const migratedBy = new Map<string, string>();
  for (const schedule of schedules) {
    for (const namespace of migratedNamespaces(schedule, namespaces)) {
      if (!migratedBy.has(namespace)) migratedBy.set(namespace, `${schedule.metadata.namespace}/${schedule.metadata.name}`);
    }
  }
  const holdsMigrated = new Set<string>();
  for (const object of objects) {
    const annotations = object.metadata.annotations ?? {};
    // A recorded migrationReplicas is as much Stork's mark as `migrated` (older Stork wrote only the
    // count, and Stork's DR scale-down writes it too), unless only our own forced deactivate wrote it.
    const recordedByStork = annotations[StorkAnnotation.migrationReplicas] !== undefined && !onlyForcedRecord(object);
    if (object.metadata.namespace && (annotations[StorkAnnotation.migrated] !== undefined || recordedByStork)) {
      holdsMigrated.add(object.metadata.namespace);
    }
  }
  const result = new Map<string, NamespaceProtection>();
  for (const { name } of namespaces) {
    const schedule = migratedBy.get(name);
    if (schedule) result.set(name, { namespace: name, protected: true, reason: `migrated by migrationschedule ${schedule}` });
    else if (holdsMigrated.has(name)) result.set(name, { namespace: name, protected: true, reason: 'holds objects migrated by Stork' });
    else result.set(name, { namespace: name, protected: false, reason: 'no MigrationSchedule migrates it and no object in it was migrated by Stork' });
  }
  return result;
}

/** Schedules that migrate at least one of the given namespaces. */
export function schedulesMigrating(schedules: readonly KubeObject[], namespaces: ReadonlySet<string>, allNamespaces: readonly NamespaceInfo[]): KubeObject[] {
  return schedules.filter((schedule) => [...migratedNamespaces(schedule, allNamespaces)].some((namespace) => namespaces.has(namespace)));
}
