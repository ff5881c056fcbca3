import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';

/** A namespace as far as schedule selection cares: its name and labels. */
export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

/**
 * The namespaces a MigrationSchedule migrates: spec.template.spec.namespaces plus every namespace
 * matching one of spec.template.spec.namespaceSelectors (a map; each key=value pair selects the
 * namespaces carrying that label; the union of all).
 */
export function migratedNamespaces(schedule: KubeObject, namespaces: readonly NamespaceInfo[]): Set<string> {
  const result = new Set<string>();
  const listed = getPath(schedule, ['spec', 'template', 'spec', 'namespaces']);
  if (Array.isArray(listed)) {
    for (const name of listed) if (typeof name === 'string') result.add(name);
  }
  const selectors = getPath(schedule, ['spec', 'template', 'spec', 'namespaceSelectors']);
  if (selectors && typeof selectors === 'object' && !Array.isArray(selectors)) {
    for (const [key, value] of Object.entries(selectors)) {
      for (const namespace of namespaces) {
        if (namespace.labels[key] === value) result.add(namespace.name);
      }
    }
  }
  return result;
}

export function scheduleClusterPair(schedule: KubeObject): string {
  const pair = getPath(schedule, ['spec', 'template', 'spec', 'clusterPair']);
  return typeof pair === 'string' ? pair : '';
}

export function schedulePolicyName(schedule: KubeObject): string {
  const name = getPath(schedule, ['spec', 'schedulePolicyName']);
  return typeof name === 'string' ? name : '';
}

export function isSuspended(schedule: KubeObject): boolean {
  return getPath(schedule, ['spec', 'suspend']) === true;
}
