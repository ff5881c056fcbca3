import type { KubeApi } from '../kube/client';

interface SelfSubjectReview {
  status?: { userInfo?: { username?: string } };
}

/**
 * The user the API server authenticates the session's credentials as (`kubectl auth whoami`:
 * a SelfSubjectReview, v1 since Kubernetes 1.28, v1beta1 in 1.27), or undefined where the server
 * does not serve it or refuses. Only ever a detail of a message, so every failure is quiet.
 */
export async function authenticatedUser(api: KubeApi): Promise<string | undefined> {
  for (const version of ['v1', 'v1beta1']) {
    try {
      const review = await api.request<SelfSubjectReview>({
        method: 'POST',
        path: `/apis/authentication.k8s.io/${version}/selfsubjectreviews`,
        verb: 'create',
        body: { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' },
      });
      const username = review.status?.userInfo?.username;
      if (username) return username;
    } catch {
      // Not served (older servers answer 404), or not allowed: try the next, then say nothing.
    }
  }
  return undefined;
}
