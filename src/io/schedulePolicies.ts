import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { discoverKinds } from '../kube/discovery';
import { isForbidden, isNotFound } from '../kube/errors';
import type { KubeObject } from '../kube/objects';
import { objectPath } from '../kube/resources';
import { NAMESPACED_SCHEDULE_POLICY_KEY, SCHEDULE_POLICY_KEY, StorkKinds } from '../stork/kinds';

export type PolicyRead = { object: KubeObject } | { error: string; forbidden?: boolean };

/**
 * A schedule's policy as Stork looks it up: a NamespacedSchedulePolicy of that name in the
 * schedule's namespace first, else the cluster-wide SchedulePolicy. Never throws: what cannot be
 * read is said in `error`.
 */
export async function readSchedulePolicies(api: KubeApi, wanted: ReadonlyArray<{ name: string; namespace: string }>): Promise<Map<string, PolicyRead>> {
  const resources = await discoverKinds(api, [StorkKinds.schedulePolicy, StorkKinds.namespacedSchedulePolicy]);
  const namespaced = resources.get(NAMESPACED_SCHEDULE_POLICY_KEY);
  const clusterWide = resources.get(SCHEDULE_POLICY_KEY);
  const result = new Map<string, PolicyRead>();
  await Promise.all(
    [...new Map(wanted.map((entry) => [policyKey(entry.namespace, entry.name), entry])).values()].map(async ({ name, namespace }) => {
      const read = async (): Promise<PolicyRead> => {
        if (!name) return { error: 'the schedule names no schedulePolicyName' };
        for (const [resource, where] of [
          [namespaced, namespace],
          [clusterWide, undefined],
        ] as const) {
          if (!resource) continue;
          try {
            return { object: await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, where) }) };
          } catch (error) {
            if (isNotFound(error)) continue;
            return isForbidden(error) ? { error: `forbidden to read ${resource.resource}`, forbidden: true } : { error: oneLine(error) };
          }
        }
        return { error: `neither namespacedschedulepolicy ${namespace}/${name} nor schedulepolicy ${name} exists` };
      };
      result.set(policyKey(namespace, name), await read());
    }),
  );
  return result;
}

export function policyKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
