import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { deniedAccess, type AccessCheck } from '../../src/io/accessReview';
import type { KubeApi, KubeRequest } from '../../src/kube/client';

interface Attributes {
  namespace: string;
  verb: string;
  group: string;
  resource: string;
}

/** An API server that answers SelfSubjectAccessReviews from a rule, and records what was asked. */
function reviewer(rule: (attributes: Attributes) => boolean): KubeApi & { asked: Attributes[] } {
  const asked: Attributes[] = [];
  return {
    serverUrl: 'https://reviews.test',
    asked,
    async request<T>(request: KubeRequest): Promise<T> {
      const attributes = (request.body as { spec: { resourceAttributes: Attributes } }).spec.resourceAttributes;
      asked.push(attributes);
      return { status: { allowed: rule(attributes) } } as T;
    },
  };
}

const checks = (verb: AccessCheck['verb'], resource: string, namespaces: string[]): AccessCheck[] => namespaces.map((namespace) => ({ verb, group: 'apps', resource, namespace }));
const many = Array.from({ length: 50 }, (_, index) => `ns-${index}`);

test('allowed cluster-wide: one review answers for every namespace', async () => {
  const api = reviewer(() => true);
  assert.equal(await deniedAccess(api, checks('patch', 'deployments', many)), []);
  assert.equal(api.asked, [{ namespace: '', verb: 'patch', group: 'apps', resource: 'deployments' }]);
});

test('refused cluster-wide (RBAC per namespace): each namespace is asked, and only the refused ones are returned', async () => {
  const api = reviewer((attributes) => attributes.namespace === 'ns-1' || attributes.namespace === 'ns-2');
  const denied = await deniedAccess(api, checks('patch', 'statefulsets', ['ns-1', 'ns-2', 'ns-3']));
  assert.equal(denied.map((check) => check.namespace), ['ns-3']);
  assert.is(api.asked.length, 4, 'one cluster-wide review, then three');
  assert.is(api.asked[0]?.namespace, '');
});

test('one namespace: asked directly; duplicates asked once', async () => {
  const api = reviewer((attributes) => attributes.namespace !== 'zk');
  const denied = await deniedAccess(api, [...checks('patch', 'deployments', ['zk']), ...checks('patch', 'deployments', ['zk'])]);
  assert.equal(denied, checks('patch', 'deployments', ['zk']));
  assert.equal(api.asked, [{ namespace: 'zk', verb: 'patch', group: 'apps', resource: 'deployments' }]);
});

test.run();
