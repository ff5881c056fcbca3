// kubectl's connection flags against the sandbox's real API servers: impersonation (--as,
// --as-group) as a break-glass account uses it, --cluster/--user/--server/--token overriding the
// kubeconfig, and -v=6 request logging.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Deployment {
  spec: { replicas: number };
}

/** A namespace on `cluster` holding one migrated Deployment at 0 with a recorded count of 2. */
async function standby(cluster: 'source' | 'destination', prefix: string): Promise<string> {
  const box = await sandbox();
  const ns = uniqueNamespace(prefix);
  await ensureNamespace(box.rest(cluster), ns);
  await createIn(box.rest(cluster), ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '2' }));
  return ns;
}

const replicas = async (cluster: 'source' | 'destination', ns: string): Promise<number> => (await (await sandbox()).rest(cluster).get<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/web`)).spec.replicas;

test('--as readonly with the admin credentials: the write is refused as that user (forbidden naming it), exit 1, nothing changed', async () => {
  const box = await sandbox();
  const ns = await standby('destination', 'as-readonly');
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--as', 'readonly', '--wait=false'], box.env);
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /deployment\/web\s+0 → 2\s+failed\s+deployments.apps "web" is forbidden: User "readonly" cannot patch resource "deployments"/);
  assert.is(await replicas('destination', ns), 0);
});

test('--as with --as-group system:masters: the server authorizes the impersonated group, the write is made', async () => {
  const box = await sandbox();
  const ns = await standby('destination', 'as-group');
  // The user alone may do nothing; the groups sent along make it an admin.
  const alone = await runFailover(['activate', '-n', ns, '--context', 'destination', '--as', 'oncall', '--wait=false'], box.env);
  assert.is(alone.code, 1);
  assert.match(alone.stderr + alone.stdout, 'User "oncall" cannot');
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--as', 'oncall', '--as-group', 'sre', '--as-group', 'system:masters', '--wait=false'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /deployment\/web\s+0 → 2\s+changed/);
  assert.is(await replicas('destination', ns), 2);
});

test('a user who may not impersonate: the server refuses it, one line, exit 1; --as-group without --as: exit 2', async () => {
  const box = await sandbox();
  const ns = await standby('destination', 'no-impersonate');
  const run = await runFailover(['status', '-n', ns, '--context', 'destination-readonly', '--as', 'admin'], box.env);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^error: .*User "readonly" cannot impersonate resource "users"/);
  assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  const groupsAlone = await runFailover(['status', '-n', ns, '--as-group', 'system:masters'], box.env);
  assert.equal([groupsAlone.code, groupsAlone.stderr], [2, 'error: --as-group needs --as: groups are impersonated together with a user, as in kubectl\n']);
});

test('--cluster and --user pick other kubeconfig entries; --server and --token override them (and a wrong pairing is refused by the server)', async () => {
  const box = await sandbox();
  const ns = await standby('source', 'override');
  // Context destination, but the source's cluster entry and admin user: acts on the source.
  const picked = await runFailover(['activate', '-n', ns, '--context', 'destination', '--cluster', 'source', '--user', 'source-admin', '--dry-run=server', '-o', 'json'], box.env);
  assert.is(picked.code, 0, picked.stderr);
  assert.match(picked.stdout, '"result": "would-change"');
  // The source's URL with the destination's token: the source does not know that token.
  const wrongToken = await runFailover(['status', '-n', ns, '--context', 'destination', '--server', box.cluster('source').server], box.env);
  assert.is(wrongToken.code, 1);
  assert.match(wrongToken.stderr, /Unauthorized|401/);
  // The source's URL and the source's admin token (break-glass style): the write is made there.
  const token = box.cluster('source').adminToken;
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--server', box.cluster('source').server, '--token', token, '--wait=false', '-v=6'], box.env);
  assert.is(run.code, 0, run.stderr);
  assert.is(await replicas('source', ns), 2);
  assert.not.match(run.stdout + run.stderr, token);
  // The destination's read-only token: refused on the write, naming that user.
  const ns2 = await standby('destination', 'override-token');
  const readonly = await runFailover(['activate', '-n', ns2, '--context', 'destination', '--token', box.cluster('destination').readonlyToken, '--wait=false'], box.env);
  assert.is(readonly.code, 1);
  assert.match(readonly.stdout, 'User "readonly" cannot patch');
});

test('-v=6: one stderr line per request (method, URL, status, milliseconds), never the token; -v alone logs no requests', async () => {
  const box = await sandbox();
  const ns = await standby('destination', 'verbose');
  const run = await runFailover(['activate', '-n', ns, '--context', 'destination', '--wait=false', '-v', '6'], box.env);
  assert.is(run.code, 0, run.stderr);
  const server = box.cluster('destination').server;
  const lines = run.stderr.split('\n').filter((line) => line.startsWith('GET ') || line.startsWith('PATCH '));
  assert.ok(lines.length >= 3, run.stderr);
  for (const line of lines) assert.match(line, new RegExp(`^(GET|PATCH) ${server}/\\S+ \\d{3} [A-Za-z ]+ in \\d+ milliseconds$`));
  assert.ok(lines.some((line) => line.startsWith(`PATCH ${server}/apis/apps/v1/namespaces/${ns}/deployments/web`) && line.includes(' 200 OK in ')), run.stderr);
  assert.ok(lines.some((line) => line.startsWith(`GET ${server}/api/v1/namespaces/${ns} 200 OK in `)), run.stderr);
  assert.not.match(run.stdout + run.stderr, box.cluster('destination').adminToken);
  const quiet = await runFailover(['activate', '-n', ns, '--context', 'destination', '--wait=false', '-v'], box.env);
  assert.is(quiet.code, 0, quiet.stderr);
  assert.not.match(quiet.stderr, / in \d+ milliseconds/);
});

test.after(() => closeClients());
test.run();
