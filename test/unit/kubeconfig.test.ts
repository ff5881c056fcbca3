import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UsageError } from '../../src/core/errors';
import { resolveContext } from '../../src/kube/kubeconfig';

const dir = mkdtempSync(path.join(tmpdir(), 'kf-kubeconfig-'));

function file(name: string, text: string): string {
  const target = path.join(dir, name);
  writeFileSync(target, text);
  return target;
}

const first = file(
  'first.yaml',
  `apiVersion: v1
kind: Config
current-context: alpha
clusters:
- name: one
  cluster: {server: https://one.example:6443}
users:
- name: u1
  user: {token: first-token}
contexts:
- name: alpha
  context: {cluster: one, user: u1, namespace: apps}
- name: shared
  context: {cluster: one, user: u1}
`,
);
const second = file(
  'second.yaml',
  `apiVersion: v1
kind: Config
current-context: beta
clusters:
- name: one
  cluster: {server: https://should-not-win:6443}
- name: two
  cluster: {server: https://two.example:6443}
users:
- name: u2
  user: {token: second-token}
contexts:
- name: beta
  context: {cluster: two, user: u2}
- name: shared
  context: {cluster: two, user: u2}
`,
);

test('KUBECONFIG merges files: first current-context and first definition of a name win', async () => {
  const resolved = await resolveContext({ env: { KUBECONFIG: `${first}${path.delimiter}${second}` } });
  assert.is(resolved.contextName, 'alpha');
  assert.is(resolved.server, 'https://one.example:6443');
  assert.is(resolved.namespace, 'apps');
  const shared = await resolveContext({ env: { KUBECONFIG: `${first}${path.delimiter}${second}` }, contextName: 'shared' });
  assert.is(shared.server, 'https://one.example:6443');
  assert.is(shared.namespace, 'default');
});

test('--context reaches contexts from later files without touching current-context', async () => {
  const resolved = await resolveContext({ env: { KUBECONFIG: `${first}${path.delimiter}${second}` }, contextName: 'beta' });
  assert.is(resolved.server, 'https://two.example:6443');
  assert.is(resolved.kubeConfig.getCurrentContext(), 'beta');
});

test('missing files in KUBECONFIG are skipped, as kubectl does', async () => {
  const resolved = await resolveContext({ env: { KUBECONFIG: `${path.join(dir, 'absent.yaml')}${path.delimiter}${second}` } });
  assert.is(resolved.contextName, 'beta');
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

test('unknown context: a usage error listing the available ones', async () => {
  const error = await rejection(resolveContext({ env: { KUBECONFIG: first }, contextName: 'prod' }));
  assert.instance(error, UsageError);
  assert.is(error.message, 'context "prod" not found in kubeconfig (available: alpha, shared)');
});

test('--kubeconfig that does not exist, and a KUBECONFIG of only missing files, are usage errors', async () => {
  assert.match((await rejection(resolveContext({ env: {}, kubeconfigPath: path.join(dir, 'nope') }))).message, /does not exist/);
  assert.match((await rejection(resolveContext({ env: { KUBECONFIG: path.join(dir, 'nope') } }))).message, /none of the files in KUBECONFIG exist/);
});

test('an unparsable kubeconfig names the file; a context pointing at a missing cluster is explained', async () => {
  const broken = file('broken.yaml', 'clusters: [ {name: x\n');
  const error = await rejection(resolveContext({ env: { KUBECONFIG: broken } }));
  assert.instance(error, UsageError);
  assert.match(error.message, /cannot load kubeconfig .*broken.yaml/);
  const dangling = file('dangling.yaml', 'current-context: c\ncontexts:\n- name: c\n  context: {cluster: gone, user: u}\n');
  assert.match((await rejection(resolveContext({ env: { KUBECONFIG: dangling } }))).message, /refers to cluster "gone"/);
});

test('an empty file among KUBECONFIG\'s files is skipped, as kubectl does', async () => {
  const empty = file('empty.yaml', '');
  const blank = file('blank.yaml', '\n  \n');
  const resolved = await resolveContext({ env: { KUBECONFIG: [empty, blank, second].join(path.delimiter) } });
  assert.is(resolved.contextName, 'beta');
  // Only empty files: there is no context to use, said as a usage error (not a TypeError).
  const error = await rejection(resolveContext({ env: { KUBECONFIG: empty } }));
  assert.instance(error, UsageError);
  assert.match(error.message, /no context selected/);
});

function withCa(name: string, ca: string): string {
  return file(name, `current-context: c\nclusters:\n- name: one\n  cluster: {server: 'https://one.example:6443', ${ca}}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: one, user: u}\n`);
}

test('certificate-authority-data that is not base64, or not a PEM certificate, is named as such (a usage error)', async () => {
  const notBase64 = await rejection(resolveContext({ env: { KUBECONFIG: withCa('ca-b64.yaml', "certificate-authority-data: 'not base64!'") } }));
  assert.instance(notBase64, UsageError);
  assert.is(notBase64.message, 'cluster "one" in the kubeconfig: certificate-authority-data is not base64');
  const notPem = await rejection(resolveContext({ env: { KUBECONFIG: withCa('ca-pem.yaml', `certificate-authority-data: ${Buffer.from('hello, not a certificate').toString('base64')}`) } }));
  assert.is(notPem.message, 'cluster "one" in the kubeconfig: certificate-authority-data holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)');
  const garbledPem = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');
  assert.match((await rejection(resolveContext({ env: { KUBECONFIG: withCa('ca-bad.yaml', `certificate-authority-data: ${garbledPem}`) } }))).message, 'certificate-authority-data holds a PEM block that is not a certificate');
  const caFile = file('not-a-ca.crt', 'just text\n');
  assert.is(
    (await rejection(resolveContext({ env: { KUBECONFIG: withCa('ca-file.yaml', `certificate-authority: ${caFile}`) } }))).message,
    `cluster "one" in the kubeconfig: certificate-authority file ${caFile} holds no PEM certificate (no "-----BEGIN CERTIFICATE-----" block)`,
  );
});

test('--cluster and --user pick other kubeconfig entries; --server and --token override the chosen ones', async () => {
  const env = { KUBECONFIG: `${first}${path.delimiter}${second}` };
  const picked = await resolveContext({ env, contextName: 'alpha', overrides: { cluster: 'two', user: 'u2' } });
  assert.equal([picked.contextName, picked.clusterName, picked.server, picked.namespace], ['alpha', 'two', 'https://two.example:6443', 'apps']);
  assert.is(picked.kubeConfig.getCurrentUser()?.token, 'second-token');
  assert.is(picked.kubeConfig.getCurrentCluster()?.server, 'https://two.example:6443');

  const overridden = await resolveContext({ env, overrides: { server: 'https://elsewhere:6443', token: 'break-glass' } });
  assert.equal([overridden.clusterName, overridden.server], ['one', 'https://elsewhere:6443']);
  assert.is(overridden.kubeConfig.getCurrentCluster()?.server, 'https://elsewhere:6443');
  assert.is(overridden.kubeConfig.getCurrentUser()?.token, 'break-glass');
  const headers = { headers: {} as Record<string, unknown> };
  await overridden.kubeConfig.applyToHTTPSOptions(headers);
  assert.is(headers.headers.Authorization, 'Bearer break-glass');
});

test('--token replaces an exec plugin too; --as and --as-group are carried to the client', async () => {
  const exec = file('exec.yaml', 'current-context: c\nclusters:\n- name: k\n  cluster: {server: https://k.example}\nusers:\n- name: e\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /nonexistent/plugin}\ncontexts:\n- name: c\n  context: {cluster: k, user: e}\n');
  const resolved = await resolveContext({ env: { KUBECONFIG: exec }, overrides: { token: 't0k3n', impersonate: { user: 'oncall', groups: ['sre', 'system:masters'] } } });
  const options = { headers: {} as Record<string, unknown> };
  // Without --token this would run the (missing) exec plugin and fail.
  await resolved.kubeConfig.applyToHTTPSOptions(options);
  assert.is(options.headers.Authorization, 'Bearer t0k3n');
  assert.equal(resolved.impersonate, { user: 'oncall', groups: ['sre', 'system:masters'] });
});

test('--cluster or --user naming no entry: a usage error listing the available ones', async () => {
  const env = { KUBECONFIG: first };
  const cluster = await rejection(resolveContext({ env, overrides: { cluster: 'prod' } }));
  assert.instance(cluster, UsageError);
  assert.is(cluster.message, 'cluster "prod" (from --cluster) not found in kubeconfig (available: one)');
  const user = await rejection(resolveContext({ env, overrides: { user: 'root' } }));
  assert.is(user.message, 'user "root" (from --user) not found in kubeconfig (available: u1)');
});

test.run();
