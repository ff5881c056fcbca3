// --source-from-clusterpair: a ClusterPair's spec.config (client-go's clientcmdapi.Config as JSON:
// maps keyed by name, base64 byte fields) turned into our client's credentials, which ClusterPair
// the schedules name, reading it, the journal's record of the route, and the flag's rules.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CommandDeps } from '../../src/core/command';
import { UsageError } from '../../src/core/errors';
import { describeRequest, summarizeJournal, type JournalEntry, type RunRequest } from '../../src/failover/journalModel';
import { clusterPairOfSchedules, throughClusterPair } from '../../src/failover/sourceRoute';
import { clusterPairPath, openClusterPairSource, readClusterPair } from '../../src/io/clusterPairSource';
import { authenticatedUser } from '../../src/io/whoAmI';
import { ApiError } from '../../src/kube/errors';
import { clusterPairContext, type ResolvedContext } from '../../src/kube/kubeconfig';
import type { Json, KubeObject } from '../../src/kube/objects';
import { clusterPairCredentials } from '../../src/stork/clusterPairConfig';
import { migrationSchedule } from '../../scripts/sandbox/seeds';
import { runFailover } from '../e2e/cliHarness';
import { FakeApi } from '../support/fakeApi';

/** A throwaway self-signed certificate (CN=kf-unit-test-ca, EC P-256): only ever parsed. */
const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBizCCATGgAwIBAgIULADKVUSY3KCjnhSUZA+m9U70B/EwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPa2YtdW5pdC10ZXN0LWNhMCAXDTI2MTEyNTIxNTgwNFoYDzIx
MjYxMTAxMjE1ODA0WjAaMRgwFgYDVQQDDA9rZi11bml0LXRlc3QtY2EwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAATwiuHtLM7RDspd6AjDshIDHaTIV9seJEqqKn5j
HEnbHUdYKY5vqq+sD/AsrRBHr51eDHc+HU4l+TwEAhMtHBBpo1MwUTAdBgNVHQ4E
FgQUlmyc0k+iBCfPfaIFmb5PtrSIRPwwHwYDVR0jBBgwFoAUlmyc0k+iBCfPfaIF
mb5PtrSIRPwwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA1Z0K
laT9NhzzWeH0Jaqg+NoeV1eVsiZzGySWltEarx4CIADOTSek26Sh/L1mNkp3cUlf
uKk9xzYP92x1lf7r9pq3
-----END CERTIFICATE-----
`;
const CA_DATA = Buffer.from(CA_PEM).toString('base64');
const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A ClusterPair as Stork stores it: maps keyed by name, LocationOfOrigin serialized (it has no json tag), preferences {}. */
function clusterPair(config: Json | undefined, name = 'remotecluster', namespace = 'zookeeper'): KubeObject {
  return {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'ClusterPair',
    metadata: { name, namespace },
    spec: { ...(config === undefined ? {} : { config }), options: {} },
  };
}

const storkConfig = (overrides: { [key: string]: Json } = {}): { [key: string]: Json } => ({
  preferences: {},
  clusters: { source: { LocationOfOrigin: '/root/.kube/config', server: 'https://10.0.0.1:6443', 'certificate-authority-data': CA_DATA } },
  users: { 'source-admin': { LocationOfOrigin: '/root/.kube/config', token: 'stored-token' } },
  contexts: { source: { LocationOfOrigin: '/root/.kube/config', cluster: 'source', user: 'source-admin', namespace: 'zookeeper' } },
  'current-context': 'source',
  ...overrides,
});

function refusal(config: Json | undefined): string {
  try {
    clusterPairCredentials(clusterPair(config), 'destination');
  } catch (error) {
    assert.instance(error, UsageError);
    const message = (error as Error).message;
    assert.not.match(message, '\n');
    return message;
  }
  throw new Error('expected a refusal');
}

test("the maps form: current-context's cluster and user, base64 CA data kept as is, the context's namespace", () => {
  const credentials = clusterPairCredentials(clusterPair(storkConfig()), 'destination');
  assert.equal(credentials, {
    pair: { namespace: 'zookeeper', name: 'remotecluster' },
    contextName: 'source',
    cluster: { name: 'source', server: 'https://10.0.0.1:6443', skipTLSVerify: false, caData: CA_DATA },
    user: { name: 'source-admin', token: 'stored-token' },
    namespace: 'zookeeper',
  });
});

test('no current-context and exactly one context: that one; client certificate data, insecure-skip-tls-verify, tls-server-name, proxy-url, basic auth and act-as carried over', () => {
  const config = storkConfig({
    'current-context': '',
    clusters: { dr: { server: 'https://dr.example:6443', 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.dr.example', 'proxy-url': 'http://proxy:3128' } },
    users: { stork: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY'), username: 'u', password: 'p', 'act-as': 'breakglass', 'act-as-groups': ['ops'] } },
    contexts: { only: { cluster: 'dr', user: 'stork' } },
  });
  const credentials = clusterPairCredentials(clusterPair(config), 'destination');
  assert.is(credentials.contextName, 'only');
  assert.equal(credentials.cluster, { name: 'dr', server: 'https://dr.example:6443', skipTLSVerify: true, tlsServerName: 'api.dr.example', proxyUrl: 'http://proxy:3128' });
  assert.equal(credentials.user, { name: 'stork', certData: b64('CERT'), keyData: b64('KEY'), username: 'u', password: 'p' });
  assert.equal(credentials.impersonate, { user: 'breakglass', groups: ['ops'] });
  assert.is(credentials.namespace, 'default');
  // A context without a user: anonymous requests, as client-go sends them.
  const anonymous = clusterPairCredentials(clusterPair(storkConfig({ contexts: { source: { cluster: 'source', user: '' } } })), 'destination');
  assert.is(anonymous.user, undefined);
});

test('what cannot be used is refused in one line naming the ClusterPair and the field', () => {
  const prefix = 'clusterpair zookeeper/remotecluster on context destination: ';
  assert.is(refusal(undefined), `${prefix}has no spec.config, so it holds no credentials for the source; the source cannot be reached through it (name it with --source-context instead)`);
  assert.match(refusal(storkConfig({ contexts: {}, 'current-context': '' })), `${prefix}spec.config has no contexts`);
  assert.match(refusal(storkConfig({ 'current-context': '', contexts: { a: { cluster: 'source' }, b: { cluster: 'source' } } })), 'spec.config has no current-context and 2 contexts (a, b)');
  assert.match(refusal(storkConfig({ 'current-context': 'gone' })), 'spec.config.current-context "gone" is not in spec.config.contexts (available: source)');
  assert.match(refusal(storkConfig({ contexts: { source: { cluster: 'elsewhere', user: 'source-admin' } } })), 'spec.config.contexts.source.cluster "elsewhere" is not in spec.config.clusters (available: source)');
  assert.match(refusal(storkConfig({ contexts: { source: { cluster: 'source', user: 'nobody' } } })), 'spec.config.contexts.source.user "nobody" is not in spec.config.users (available: source-admin)');
  assert.match(refusal(storkConfig({ clusters: { source: { server: '10.0.0.1:6443' } } })), 'spec.config.clusters.source.server "10.0.0.1:6443" is not a URL');
  assert.match(refusal(storkConfig({ clusters: { source: { server: '' } } })), 'spec.config.clusters.source.server "" is not a URL');
  assert.match(refusal(storkConfig({ clusters: { source: { server: 'https://10.0.0.1:6443', 'certificate-authority': '/etc/kubernetes/pki/ca.crt' } } })), "spec.config.clusters.source.certificate-authority (/etc/kubernetes/pki/ca.crt) is a file path on Stork's pod");
  assert.match(refusal(storkConfig({ clusters: { source: { server: 'https://10.0.0.1:6443', 'certificate-authority-data': 'not base64!' } } })), 'spec.config.clusters.source: certificate-authority-data is not base64');
  assert.match(refusal(storkConfig({ clusters: [{ name: 'source', cluster: { server: 'https://10.0.0.1:6443' } }] })), "spec.config.clusters is a list; a ClusterPair holds client-go's Config, whose clusters are a map keyed by name");
  const user = (fields: { [key: string]: Json }): string => refusal(storkConfig({ users: { 'source-admin': fields } }));
  assert.match(user({ tokenFile: '/var/run/secrets/token' }), "spec.config.users.source-admin.tokenFile is a file path on Stork's pod");
  assert.match(user({ 'client-certificate': '/certs/client.crt', 'client-key-data': b64('KEY') }), 'spec.config.users.source-admin.client-certificate is a file path');
  assert.match(user({ 'client-certificate-data': b64('CERT'), 'client-key': '/certs/client.key' }), 'spec.config.users.source-admin.client-key is a file path');
  assert.match(user({ exec: { command: 'aws', args: ['eks', 'get-token'], apiVersion: 'client.authentication.k8s.io/v1beta1' } }), "spec.config.users.source-admin.exec runs a credential plugin inside Stork's pod");
  assert.match(user({ 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/google-cloud-sdk/bin/gcloud' } } }), 'spec.config.users.source-admin.auth-provider is an auth provider plugin');
  assert.match(user({ 'client-certificate-data': b64('CERT') }), 'spec.config.users.source-admin has client-certificate-data without client-key-data');
  assert.match(user({ 'client-certificate-data': 'nope!', 'client-key-data': b64('KEY') }), 'spec.config.users.source-admin.client-certificate-data is not base64');
  assert.match(user({ token: 't', 'act-as-groups': ['ops'] }), 'act-as-groups is set without act-as');
  // Empty values, as Go's encoding leaves them when a field is unset with no omitempty, are not credentials.
  assert.is(clusterPairCredentials(clusterPair(storkConfig({ users: { 'source-admin': { token: 't', tokenFile: '', exec: null } } })), 'd').user?.token, 't');
});

test("the session's KubeConfig: the ClusterPair's token and CA, no kubectl override flag, Stork's context name in messages", async () => {
  const resolved = await clusterPairContext(clusterPairCredentials(clusterPair(storkConfig()), 'destination'));
  assert.equal([resolved.contextName, resolved.clusterName, resolved.server, resolved.namespace, resolved.impersonate], ['ClusterPair zookeeper/remotecluster', 'source', 'https://10.0.0.1:6443', 'zookeeper', undefined]);
  const options: { headers?: Record<string, unknown>; ca?: unknown } = {};
  await resolved.kubeConfig.applyToHTTPSOptions(options);
  assert.is(options.headers?.Authorization, 'Bearer stored-token');
  assert.is(String(options.ca), CA_PEM);
  const dr = await clusterPairContext(clusterPairCredentials(clusterPair(storkConfig({ clusters: { source: { server: 'https://10.0.0.1:6443', 'tls-server-name': 'api.dr', 'proxy-url': 'socks5://p:1080' } } })), 'destination'));
  assert.equal([dr.tlsServerName, dr.proxyUrl], ['api.dr', 'socks5://p:1080']);
});

test('which ClusterPair: the one the schedules name, in their namespace; none, unnamed or different ones are refused naming them', () => {
  const schedule = (name: string, namespace: string, clusterPair: string): KubeObject => ({ ...(migrationSchedule(name, ['app'], { clusterPair }) as KubeObject), metadata: { name, namespace } });
  assert.equal(clusterPairOfSchedules([schedule('a', 'admin', 'remote'), schedule('b', 'admin', 'remote')], 'destination', ['app']), { namespace: 'admin', name: 'remote' });
  const refused = (schedules: KubeObject[]): string => {
    try {
      clusterPairOfSchedules(schedules, 'destination', ['app', 'web']);
    } catch (error) {
      assert.instance(error, UsageError);
      return (error as Error).message;
    }
    throw new Error('expected a refusal');
  };
  assert.is(refused([]), '--source-from-clusterpair: no MigrationSchedule on context destination migrates app, web, so none names a ClusterPair to reach the source through; name the source with --source-context (or --from)');
  assert.match(refused([schedule('a', 'admin', '')]), 'migrationschedule admin/a on context destination names no ClusterPair (spec.template.spec.clusterPair)');
  assert.is(
    refused([schedule('a', 'app', 'remote'), schedule('b', 'web', 'remote'), schedule('c', 'web', 'remote')]),
    '--source-from-clusterpair: the MigrationSchedules on context destination that migrate these namespaces name different ClusterPairs: clusterpair app/remote (migrationschedule app/a), clusterpair web/remote (migrationschedule web/b, web/c); choose one schedule with -m, or name the source with --source-context (or --from)',
  );
  assert.match(refused([schedule('a', 'admin', 'one'), schedule('b', 'admin', 'two')]), 'clusterpair admin/one (migrationschedule admin/a), clusterpair admin/two (migrationschedule admin/b)');
  assert.is(throughClusterPair({ namespace: 'zookeeper', name: 'remotecluster' }), "source: through ClusterPair zookeeper/remotecluster (Stork's stored credentials, not yours)");
});

test('reading the ClusterPair: NotFound and Forbidden are usage errors saying what is missing; the session is opened from its credentials', async () => {
  const pair = { namespace: 'zookeeper', name: 'remotecluster' };
  const api = new FakeApi();
  const missing = await readClusterPair(api, pair, 'destination').then(() => undefined, (error: unknown) => error);
  assert.instance(missing, UsageError);
  assert.is((missing as Error).message, 'clusterpair zookeeper/remotecluster not found on context destination');
  api.before = (request) => {
    if (request.path === clusterPairPath(pair)) throw new ApiError(403, { reason: 'Forbidden', message: 'clusterpairs.stork.libopenstorage.org "remotecluster" is forbidden: User "oncall" cannot get resource "clusterpairs"' }, 'GET', request.path);
  };
  const forbidden = await readClusterPair(api, pair, 'destination').then(() => undefined, (error: unknown) => error);
  assert.instance(forbidden, UsageError);
  assert.match((forbidden as Error).message, 'cannot read clusterpair zookeeper/remotecluster on context destination: reading ClusterPairs (they hold credentials) needs get on clusterpairs.stork.libopenstorage.org in namespace zookeeper');
  assert.match((forbidden as Error).message, 'User "oncall"');

  api.before = undefined;
  api.put(clusterPairPath(pair), clusterPair(storkConfig()));
  const opened: ResolvedContext[] = [];
  const source = new FakeApi();
  const deps: Pick<CommandDeps, 'clusterFrom'> = { clusterFrom: async (kubeContext) => (opened.push(kubeContext), { kubeContext, api: source }) };
  const result = await openClusterPairSource(deps, api, 'destination', pair);
  assert.is(result.session.api, source);
  assert.equal(opened.map((context) => [context.contextName, context.server]), [['ClusterPair zookeeper/remotecluster', 'https://10.0.0.1:6443']]);
  assert.is(result.credentials.user?.name, 'source-admin');
});

test('whoami: the SelfSubjectReview user where served (v1, else v1beta1); nothing where not', async () => {
  const api = new FakeApi();
  assert.is(await authenticatedUser(api), undefined);
  const asked: string[] = [];
  const answering = { serverUrl: 'https://x', request: async <T>(request: { path: string }): Promise<T> => {
    asked.push(request.path);
    if (request.path.includes('/v1/')) throw new ApiError(404, { reason: 'NotFound' }, 'POST', request.path);
    return { status: { userInfo: { username: 'system:serviceaccount:kube-system:stork' } } } as T;
  } };
  assert.is(await authenticatedUser(answering), 'system:serviceaccount:kube-system:stork');
  assert.equal(asked, ['/apis/authentication.k8s.io/v1/selfsubjectreviews', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews']);
});

test("the journal records the route: the request says --source-from-clusterpair, a source entry the ClusterPair; old journals read as before", () => {
  const request: RunRequest = { sourceContext: '', sourceFromClusterPair: true, destinationContext: 'destination', namespace: 'zookeeper', allNamespaces: false, skipSourceOperations: false, allowSplitBrain: false, skipLastMile: false, failback: false };
  const entries: JournalEntry[] = [
    { type: 'start', runId: 'r1', time: 't0', request },
    { type: 'stage', runId: 'r1', time: 't1', stage: 'Validations', status: 'Started' },
    { type: 'source', runId: 'r1', time: 't2', clusterPair: { namespace: 'zookeeper', name: 'remotecluster' } },
  ];
  const summary = summarizeJournal('r1', entries);
  assert.equal(summary.sourceClusterPair, { namespace: 'zookeeper', name: 'remotecluster' });
  assert.is(describeRequest(summary.request, summary.sourceClusterPair), 'ClusterPair zookeeper/remotecluster → destination, namespace zookeeper');
  assert.is(describeRequest(request), 'ClusterPair → destination, namespace zookeeper');
  // A journal written before the flag existed: no sourceFromClusterPair, no source entry.
  const old = summarizeJournal('r0', [{ type: 'start', runId: 'r0', time: 't0', request: { ...request, sourceContext: 'source', sourceFromClusterPair: undefined } as unknown as RunRequest }]);
  assert.equal([old.sourceClusterPair, describeRequest(old.request, old.sourceClusterPair)], [undefined, 'source → destination, namespace zookeeper']);
});

test('the flag: not with --from (exit 2, before any cluster is read), not with --via-stork; without either, the error names both ways', async () => {
  for (const verb of ['run', 'failback']) {
    const both = await runFailover([verb, '--source-from-clusterpair', '--from', 'source', '--to', 'destination', '-m', 'migrationschedule', '-n', 'zookeeper'], { KUBECONFIG: '/nonexistent/kubeconfig' });
    assert.equal([both.code, both.stdout, both.stderr], [2, '', 'error: --source-from-clusterpair and --source-context (--from) cannot be used together: the source is reached either through the ClusterPair or through your context\n'], verb);
  }
  const neither = await runFailover(['run', '--to', 'destination', '-n', 'zookeeper'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  assert.equal([neither.code, neither.stderr], [2, "error: name the cluster the apps run on now with --source-context (or --from), or reach it through the destination's ClusterPair with --source-from-clusterpair\n"]);
  const viaStork = await runFailover(['run', '--via-stork', '--source-from-clusterpair', '--to', 'destination', '-m', 'migrationschedule', '-n', 'zookeeper'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  assert.equal([viaStork.code, viaStork.stderr], [2, 'error: --via-stork leaves the failover to the Stork controller: --source-from-clusterpair does not apply (run without --via-stork to use it)\n']);
  // Accepted: the run goes on to the kubeconfig (here missing, so a usage error of its own).
  const accepted = await runFailover(['run', '--source-from-clusterpair', '--to', 'destination', '-n', 'zookeeper'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  assert.equal([accepted.code, accepted.stderr.split('\n').slice(1).join('\n')], [2, 'error: no kubeconfig found: none of the files in KUBECONFIG exist (/nonexistent/kubeconfig)\n']);
});

test.run();
