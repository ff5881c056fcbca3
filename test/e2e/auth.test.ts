// Credentials as real kubeconfigs carry them, against the sandbox's real API server: an exec
// credential plugin (how EKS, GKE and OIDC logins work), a plugin that fails, a client certificate.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

/** The destination's server entry, trusting the sandbox's CA. */
async function destinationCluster(): Promise<Record<string, unknown>> {
  const box = await sandbox();
  return { server: box.cluster('destination').server, 'certificate-authority': box.state.caFile };
}

/** A kubeconfig for the destination whose user runs `script` as its exec credential plugin. */
async function execKubeconfig(script: string): Promise<string> {
  const plugin = path.join(mkdtempSync(path.join(tmpdir(), 'kf-exec-')), 'credential-plugin');
  writeFileSync(plugin, `#!/bin/sh\n${script}\n`);
  chmodSync(plugin, 0o755);
  const user = { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: plugin, interactiveMode: 'Never' } };
  return writeKubeconfig({ name: 'exec', cluster: await destinationCluster(), user });
}

test('an exec credential plugin: its token authenticates every request, and is never printed', async () => {
  const box = await sandbox();
  const token = box.cluster('destination').adminToken;
  const file = await execKubeconfig(`echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${token}"}}'`);
  const ns = uniqueNamespace('exec');
  const rest = box.rest('destination');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '2' }));
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', file, '--timeout', '60s', '-v'], {});
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /deployment\/web\s+0 → 2\s+changed/);
  assert.not.match(run.stdout + run.stderr, token);
  assert.is((await rest.get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas, 2);
});

test('an exec credential plugin that fails: its message in one line, exit 2', async () => {
  const file = await execKubeconfig('echo "token expired, run: cloud login" >&2; exit 1');
  const run = await runFailover(['activate', '-n', 'default', '--kubeconfig', file], {});
  // A configuration problem, found before any request: exit 2, the plugin's own words kept.
  assert.is(run.code, 2);
  assert.is(run.stderr, 'error: cannot use context "exec": token expired, run: cloud login\n');
  assert.is(run.stdout, '');
});

test('a client certificate (x509 auth): the request is authenticated as its CN and group', async () => {
  const box = await sandbox();
  const user = { 'client-certificate': box.state.clientCert.certFile, 'client-key': box.state.clientCert.keyFile };
  const file = writeKubeconfig({ name: 'cert', cluster: await destinationCluster(), user });
  const ns = uniqueNamespace('cert');
  const rest = box.rest('destination');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '1' }));
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', file, '--timeout', '60s'], {});
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /deployment\/web\s+0 → 1\s+changed/);
  const web = await rest.get<{ spec: { replicas: number }; metadata: { managedFields?: Array<{ manager: string }> } }>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
  assert.is(web.spec.replicas, 1);
  assert.ok(web.metadata.managedFields?.some((entry) => entry.manager === 'kubectl-failover'), 'written with fieldManager kubectl-failover');
});

test.after(() => closeClients());
test.run();
