/** Annotation keys Stork writes on the objects it migrates (libopenstorage/stork). */
export const StorkAnnotation = {
  /** The source's replica count, on a migrated Deployment/StatefulSet/ReplicaSet/DeploymentConfig. */
  migrationReplicas: 'stork.libopenstorage.org/migrationReplicas',
  /** "true" on every object Stork migrated. */
  migrated: 'stork.libopenstorage.org/migrated',
  /** The namespace holding the MigrationSchedule that migrated the object (often an admin namespace). */
  migrationNamespace: 'stork.libopenstorage.org/migrationNamespace',
  /** "true" on the destination's copy of a MigrationSchedule. */
  staticCopy: 'stork.libopenstorage.org/static-copy',
  /** Older CRs: the active and suspended values of the suspend path. */
  crdActivate: 'stork.libopenstorage.org/migrationCRDActivate',
  crdDeactivate: 'stork.libopenstorage.org/migrationCRDDeactivate',
  /** When Stork last wrote a migrated object, as `2006-01-02-150405` in its controller's time zone. */
  migrationTime: 'stork.libopenstorage.org/migrationTime',
  prefix: 'stork.libopenstorage.org/',
} as const;

export const STORK_GROUP = 'stork.libopenstorage.org';
export const STORK_VERSION = 'v1alpha1';
