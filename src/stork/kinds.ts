import type { WantedKind } from '../kube/discovery';
import type { ApiResource } from '../kube/resources';
import { STORK_GROUP, STORK_VERSION } from './annotations';

/** The kinds activation knows, with the API versions it understands (most preferred first). */
export const WorkloadKinds = {
  deployment: { group: 'apps', kind: 'Deployment', versions: ['v1'] },
  statefulSet: { group: 'apps', kind: 'StatefulSet', versions: ['v1'] },
  replicaSet: { group: 'apps', kind: 'ReplicaSet', versions: ['v1'] },
  deploymentConfig: { group: 'apps.openshift.io', kind: 'DeploymentConfig', versions: ['v1'] },
  // batch/v1 CronJob arrived in 1.21; older servers serve only v1beta1.
  cronJob: { group: 'batch', kind: 'CronJob', versions: ['v1', 'v1beta1'] },
  virtualMachine: { group: 'kubevirt.io', kind: 'VirtualMachine', versions: ['v1'] },
  // IBM Blockchain Platform: scaled through spec.replicas and migrationReplicas like a Deployment.
  ibpPeer: { group: 'ibp.com', kind: 'IBPPeer', versions: ['v1alpha1'] },
  ibpCa: { group: 'ibp.com', kind: 'IBPCA', versions: ['v1alpha1'] },
  ibpOrderer: { group: 'ibp.com', kind: 'IBPOrderer', versions: ['v1alpha1'] },
  ibpConsole: { group: 'ibp.com', kind: 'IBPConsole', versions: ['v1alpha1'] },
} as const satisfies Record<string, WantedKind>;

export const StorkKinds = {
  migrationSchedule: { group: STORK_GROUP, kind: 'MigrationSchedule', versions: [STORK_VERSION] },
  applicationRegistration: { group: STORK_GROUP, kind: 'ApplicationRegistration', versions: [STORK_VERSION] },
  schedulePolicy: { group: STORK_GROUP, kind: 'SchedulePolicy', versions: [STORK_VERSION] },
  /** A SchedulePolicy in one namespace; Stork looks for it (same name, the schedule's namespace) before the cluster-wide one. */
  namespacedSchedulePolicy: { group: STORK_GROUP, kind: 'NamespacedSchedulePolicy', versions: [STORK_VERSION] },
  migration: { group: STORK_GROUP, kind: 'Migration', versions: [STORK_VERSION] },
  /** Stork 24 and later, registered by its action controller: failover and failback requests. */
  action: { group: STORK_GROUP, kind: 'Action', versions: [STORK_VERSION] },
  clusterPair: { group: STORK_GROUP, kind: 'ClusterPair', versions: [STORK_VERSION] },
} as const satisfies Record<string, WantedKind>;

export const NamespaceResource: ApiResource = { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false };
/** Core kinds every server serves, read and written by the stash and podsPath rules. */
export const ConfigMapResource: ApiResource = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true };
export const PersistentVolumeClaimResource: ApiResource = { group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true };
export const PodResource: ApiResource = { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true };

/** kind.group of a kind, the key discovery results and plans are filed under. */
function keyOf(kind: { group: string; kind: string }): string {
  return `${kind.kind}.${kind.group}`;
}

/** The kinds scaled through spec.replicas and the migrationReplicas annotation. */
export const SCALED_WORKLOAD_KEYS: ReadonlySet<string> = new Set([WorkloadKinds.deployment, WorkloadKinds.statefulSet, WorkloadKinds.replicaSet, WorkloadKinds.deploymentConfig].map(keyOf));

/** IBM Blockchain Platform kinds (Stork's updateIBPObjects): spec.replicas from migrationReplicas, and no ready count to wait for. */
export const IBP_KEYS: ReadonlySet<string> = new Set([WorkloadKinds.ibpPeer, WorkloadKinds.ibpCa, WorkloadKinds.ibpOrderer, WorkloadKinds.ibpConsole].map(keyOf));

export const CRONJOB_KEY = keyOf(WorkloadKinds.cronJob);
export const CONFIGMAP_KEY = keyOf(ConfigMapResource);
export const PVC_KEY = keyOf(PersistentVolumeClaimResource);
export const POD_KEY = keyOf(PodResource);
export const VIRTUAL_MACHINE_KEY = keyOf(WorkloadKinds.virtualMachine);
export const MIGRATION_SCHEDULE_KEY = keyOf(StorkKinds.migrationSchedule);
export const APPLICATION_REGISTRATION_KEY = keyOf(StorkKinds.applicationRegistration);
export const MIGRATION_KEY = keyOf(StorkKinds.migration);
export const SCHEDULE_POLICY_KEY = keyOf(StorkKinds.schedulePolicy);
export const NAMESPACED_SCHEDULE_POLICY_KEY = keyOf(StorkKinds.namespacedSchedulePolicy);
export const ACTION_KEY = keyOf(StorkKinds.action);
export const CLUSTER_PAIR_KEY = keyOf(StorkKinds.clusterPair);

/**
 * spec.replicas as the API server would default it when absent: 1 for Deployments, StatefulSets
 * and ReplicaSets, 0 for OpenShift DeploymentConfigs.
 */
export function specReplicas(object: { kind: string; spec?: { [key: string]: unknown } }): number {
  const value = object.spec?.replicas;
  if (typeof value === 'number') return value;
  return object.kind === WorkloadKinds.deploymentConfig.kind ? 0 : 1;
}
