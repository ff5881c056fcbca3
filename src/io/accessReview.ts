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
 * `kubectl auth can-i`): one review per verb, resource and namespace. Returns the denied ones.
 */
export async function deniedAccess(api: KubeApi, checks: readonly AccessCheck[]): Promise<AccessCheck[]> {
  const unique = [...new Map(checks.map((check) => [describeCheck(check), check])).values()];
  const answers = await mapWithConcurrency(unique, 8, (check) =>
    api.request<SelfSubjectAccessReview>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      verb: 'create',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: check.namespace, verb: check.verb, group: check.group, resource: check.resource } } },
    }),
  );
  return unique.filter((_check, index) => answers[index]?.status?.allowed !== true);
}
