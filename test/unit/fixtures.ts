import type { KubeObject } from '../../src/kube/objects';

/** A workload as the API server returns it, with just the fields the planner reads. */
export function workload(kind: string, name: string, fields: { replicas?: number; annotations?: Record<string, string>; namespace?: string; owner?: string; spec?: Record<string, unknown> } = {}): KubeObject {
  const object: KubeObject = {
    apiVersion: kind === 'CronJob' ? 'batch/v1beta1' : 'apps/v1',
    kind,
    metadata: { name, namespace: fields.namespace ?? 'zookeeper', resourceVersion: '10', generation: 1 },
    spec: { ...(fields.replicas === undefined ? {} : { replicas: fields.replicas }), ...((fields.spec ?? {}) as Record<string, never>) },
  };
  if (fields.annotations) object.metadata.annotations = fields.annotations;
  if (fields.owner) object.metadata.ownerReferences = [{ kind: 'Deployment', name: fields.owner, controller: true }];
  return object;
}

export const REPLICAS = 'stork.libopenstorage.org/migrationReplicas';
export const MIGRATED = 'stork.libopenstorage.org/migrated';
