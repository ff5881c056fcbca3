import type { KubeApi } from '../kube/client';
import { mapWithConcurrency } from '../util/concurrency';

export interface AccessCheck {
  verb: 'get' | 'list' | 'patch' | 'create' | 'delete' | 'update';
  group: string;
  resource: string;
  namespace: string;
}

interface SelfSubjectAccessReview {
  status?: { allowed?: boolean; reason?: string };
}

/** "patch deployments.apps in namespace zookeeper" */
export function describeCheck(check: AccessCheck): string {
  return `${check.verb} ${check.resource}${check.group ? `.${check.group}` : ''} in namespace ${check.namespace}`;
}

/**
 * Asks the API server, for each check, whether the caller may do it (SelfSubjectAccessReview, as
 * `kubectl auth can-i`). Where one verb and resource is checked in several namespaces, one review
 * for all namespaces comes first: allowed cluster-wide is allowed in each, which spares a review per
 * namespace on `-A`; refused there (RBAC often grants per namespace), each namespace is asked.
 * Returns the denied ones.
 */
export async function deniedAccess(api: KubeApi, checks: readonly AccessCheck[]): Promise<AccessCheck[]> {
  const unique = [...new Map(checks.map((check) => [describeCheck(check), check])).values()];
  const kindKey = (check: AccessCheck): string => `${check.verb} ${check.resource}.${check.group}`;
  const groups = new Map<string, AccessCheck[]>();
  for (const check of unique) groups.set(kindKey(check), [...(groups.get(kindKey(check)) ?? []), check]);
  const wide = [...groups.values()].filter((group) => group.length > 1).map((group) => ({ ...(group[0] as AccessCheck), namespace: '' }));
  const wideAnswers = await mapWithConcurrency(wide, 8, (check) => allowed(api, check));
  const allowedEverywhere = new Set(wide.filter((_check, index) => wideAnswers[index]).map(kindKey));
  const remaining = unique.filter((check) => !allowedEverywhere.has(kindKey(check)));
  const answers = await mapWithConcurrency(remaining, 8, (check) => allowed(api, check));
  return remaining.filter((_check, index) => !answers[index]);
}

/** One review; namespace '' asks for all namespaces. */
async function allowed(api: KubeApi, check: AccessCheck): Promise<boolean> {
  const review = await api.request<SelfSubjectAccessReview>({
    method: 'POST',
    path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    verb: 'create',
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: check.namespace, verb: check.verb, group: check.group, resource: check.resource } } },
  });
  return review.status?.allowed === true;
}
