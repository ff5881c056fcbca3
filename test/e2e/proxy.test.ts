// Reaching the API server through an HTTP CONNECT proxy, as kubectl does: the kubeconfig's
// proxy-url, else HTTPS_PROXY unless NO_PROXY matches. A tiny CONNECT proxy on loopback (test
// support) in front of the sandbox's real destination server.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { startConnectProxy, type ConnectProxy } from '../support/connectProxy';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

/** A name only the proxy can resolve (.invalid never resolves, RFC 2606). */
const PROXIED_HOST = 'kf-proxied.invalid';
/** A name the sandbox's serving certificate covers (its SANs: kubernetes, kubernetes.default…, 127.0.0.1). */
const CERTIFICATE_NAME = 'kubernetes';

const proxies: ConnectProxy[] = [];

async function proxy(): Promise<ConnectProxy> {
  const started = await startConnectProxy({ [PROXIED_HOST]: '127.0.0.1' });
  proxies.push(started);
  return started;
}

/** A namespace on the destination with one workload to activate. */
async function standbyNamespace(): Promise<string> {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('proxy');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '1' }));
  return ns;
}

async function destination(): Promise<{ port: string; token: string; caFile: string }> {
  const box = await sandbox();
  const info = box.cluster('destination');
  return { port: new URL(info.server).port, token: info.adminToken, caFile: box.state.caFile };
}

test("the cluster's proxy-url: requests go through the proxy (it sees the CONNECT) and succeed", async () => {
  const { port, token, caFile } = await destination();
  const connect = await proxy();
  const ns = await standbyNamespace();
  const file = writeKubeconfig({ name: 'via-proxy', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority': caFile, 'proxy-url': connect.url }, user: { token } });
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', file, '--wait=false'], {});
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /deployment\/web\s+0 → 1\s+changed/);
  assert.ok(connect.connects.length > 0, 'the proxy saw no CONNECT');
  assert.equal([...new Set(connect.connects)], [`127.0.0.1:${port}`]);
});

test('a proxy-url that refuses connections: the run fails (no silent direct connection), exit 1', async () => {
  const { port, token, caFile } = await destination();
  const connect = await proxy();
  await connect.close();
  const file = writeKubeconfig({ name: 'dead-proxy', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority': caFile, 'proxy-url': connect.url }, user: { token } });
  const run = await runFailover(['status', '-n', 'default', '--kubeconfig', file], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: cannot reach the API server https://127.0.0.1:${port}: `);
});

test('HTTPS_PROXY: a server name only the proxy can resolve is reached through it; NO_PROXY matching the name: a direct DNS lookup, which fails', async () => {
  const { port, token, caFile } = await destination();
  const connect = await proxy();
  const ns = await standbyNamespace();
  const server = `https://${PROXIED_HOST}:${port}`;
  const file = writeKubeconfig({ name: 'by-name', cluster: { server, 'certificate-authority': caFile, 'tls-server-name': CERTIFICATE_NAME }, user: { token } });

  const proxied = await runFailover(['activate', '-n', ns, '--kubeconfig', file, '--wait=false'], { HTTPS_PROXY: connect.url });
  assert.is(proxied.code, 0, proxied.stderr);
  assert.match(proxied.stdout, /deployment\/web\s+0 → 1\s+changed/);
  assert.equal([...new Set(connect.connects)], [`${PROXIED_HOST}:${port}`]);

  // The lower-case spelling works too (as in Go).
  const lower = await runFailover(['status', '-n', ns, '--kubeconfig', file], { https_proxy: connect.url });
  assert.is(lower.code, 0, lower.stderr);
  assert.match(lower.stdout, `${ns} on by-name: active`);

  const seenBefore = connect.connects.length;
  for (const noProxy of [PROXIED_HOST, '.invalid', `${PROXIED_HOST}:${port}`]) {
    const direct = await runFailover(['status', '-n', ns, '--kubeconfig', file, '--request-timeout', '60s'], { HTTPS_PROXY: connect.url, NO_PROXY: noProxy });
    assert.is(direct.code, 1, noProxy);
    assert.is(direct.stderr, `error: cannot reach the API server ${server}: DNS lookup failed for ${PROXIED_HOST}\n`, noProxy);
  }
  assert.is(connect.connects.length, seenBefore, 'NO_PROXY: the proxy saw nothing');

  // NO_PROXY naming another host leaves the proxy in use.
  const other = await runFailover(['status', '-n', ns, '--kubeconfig', file], { HTTPS_PROXY: connect.url, NO_PROXY: 'other.example.com,10.0.0.0/8' });
  assert.is(other.code, 0, other.stderr);
  assert.ok(connect.connects.length > seenBefore);
});

test.after(async () => {
  for (const connect of proxies) await connect.close();
  closeClients();
});
test.run();
