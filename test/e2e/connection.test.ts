// Connection faults a real API server produces on demand: a serving certificate the kubeconfig does
// not trust, and credentials it rejects. Each is one line naming the server, exit 1, nothing changed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runFailover } from './cliHarness';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox } from '../support/sandbox';

const TOKEN = 'not-a-valid-token-3f9a';

/** A kubeconfig for the sandbox's destination server with the given cluster fields and a bad token. */
async function kubeconfig(cluster: (server: string, caFile: string) => Record<string, unknown>, token = TOKEN): Promise<{ file: string; server: string }> {
  const box = await sandbox();
  const { server } = box.cluster('destination');
  return { file: writeKubeconfig({ name: 'c', cluster: cluster(server, box.state.caFile), user: { token } }), server };
}

test('a serving certificate the kubeconfig does not trust: TLS verification fails, one line, exit 1', async () => {
  const { file, server } = await kubeconfig((url) => ({ server: url }));
  const run = await runFailover(['activate', '-n', 'default', '--kubeconfig', file], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: cannot reach the API server ${server}: TLS verification failed: self-signed certificate`);
  assert.is(run.stderr.split('\n').filter((line) => line.startsWith('error:')).length, 1);
  assert.is(run.stdout, '');
});

test('insecure-skip-tls-verify in the kubeconfig is honoured; rejected credentials: one line naming the server, token never shown', async () => {
  const { file, server } = await kubeconfig((url) => ({ server: url, 'insecure-skip-tls-verify': true }));
  const run = await runFailover(['activate', '-n', 'default', '--kubeconfig', file, '-v'], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: you must be logged in to the server ${server}: the credentials in the kubeconfig were rejected (Unauthorized)\n`);
  assert.not.match(run.stderr + run.stdout, TOKEN);
});

test('the right CA and a rejected token: the same one line (TLS passes, authentication fails)', async () => {
  const { file, server } = await kubeconfig((url, caFile) => ({ server: url, 'certificate-authority': caFile }));
  const run = await runFailover(['suspend', '-A', '--kubeconfig', file], {});
  assert.is(run.code, 1);
  assert.match(run.stderr, `error: you must be logged in to the server ${server}`);
});

test.after(() => closeClients());
test.run();
