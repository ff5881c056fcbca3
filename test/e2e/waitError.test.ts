// Once a write has been made the report is never thrown away: an error while waiting (a 403 or 401
// from a read after the writes) becomes the report's wait.error, and `-o json` still prints
// everything that happened. The writes go to the sandbox's real API server; the fault proxy in
// front of it fails the reads of the wait, which a real server cannot be made to do on cue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { startFaultProxy, statusAnswer, type FaultHook, type FaultProxy, type ProxiedRequest } from '../support/faultProxy';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Report {
  kind: string;
  objects: Array<{ kind: string; name: string; result: string }>;
  summary: { changed: number };
  wait?: { total: number; ready: number; timedOut: boolean; error?: string };
}

const proxies: FaultProxy[] = [];

/** Two standby Deployments on the destination, and a kubeconfig reaching it through a fault proxy. */
async function setUp(onRequest: FaultHook): Promise<{ ns: string; file: string; proxy: FaultProxy }> {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('wait-error');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '2' }));
  await createIn(rest, ns, deployment('api', 0, { [MIGRATION_REPLICAS]: '1' }));
  // Served with the sandbox's certificate, passing the kubeconfig's own token on: the plugin verifies
  // and authenticates as against the real server, so the hook's answers are the only faults.
  const proxy = await startFaultProxy({ target: box.cluster('destination'), caFile: box.state.caFile, tls: true, credentials: 'client', onRequest });
  proxies.push(proxy);
  return { ns, file: proxy.kubeconfig, proxy };
}

/** Reads of the namespace's Deployments once a PATCH has gone through: the wait's reads. */
function waitRead(ns: string, request: ProxiedRequest, requests: readonly ProxiedRequest[]): boolean {
  return request.method === 'GET' && request.path.startsWith(`/apis/apps/v1/namespaces/${ns}/deployments`) && requests.some((earlier) => earlier.method === 'PATCH');
}

async function replicas(ns: string, name: string): Promise<number | undefined> {
  const box = await sandbox();
  return (await box.rest('destination').get<{ spec: { replicas?: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).spec.replicas;
}

test('a 403 while waiting: -o json still prints the report of the writes made, with wait.error; exit 1', async () => {
  let ns = '';
  const setup = await setUp((request, requests) =>
    waitRead(ns, request, requests) ? statusAnswer(403, 'Forbidden', `deployments.apps "web" is forbidden: User "admin" cannot get resource "deployments" in API group "apps" in the namespace "${ns}"`) : 'forward',
  );
  ns = setup.ns;
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', setup.file, '--timeout', '60s', '-o', 'json'], {});
  assert.is(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  assert.is(report.kind, 'ActivationReport');
  assert.equal(report.objects.map((row) => [row.name, row.result]), [
    ['api', 'changed'],
    ['web', 'changed'],
  ]);
  assert.is(report.wait?.timedOut, false);
  assert.match(report.wait?.error ?? '', `deployments.apps "web" is forbidden`);
  // The writes stand, and the error is said once, in the report, not as a thrown `error:` line.
  assert.equal([await replicas(ns, 'web'), await replicas(ns, 'api')], [2, 1]);
  assert.not.match(run.stderr, /^error:/m);
  assert.ok(setup.proxy.requests.some((request) => request.method === 'PATCH'), 'the writes went through the proxy');
});

test('a 401 while waiting, table output: the rows and "waiting stopped" with the cause; exit 1', async () => {
  let ns = '';
  const setup = await setUp((request, requests) => (waitRead(ns, request, requests) ? statusAnswer(401, 'Unauthorized', 'Unauthorized') : 'forward'));
  ns = setup.ns;
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', setup.file, '--timeout', '60s'], {});
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /deployment\/api\s+0 → 1\s+changed/);
  assert.match(run.stdout, /deployment\/web\s+0 → 2\s+changed/);
  assert.match(run.stdout, new RegExp(`2 changed, 0 unchanged, 0 failed in 1 namespace\\(s\\); waiting stopped after [\\d.]+s with 0/2 ready: you must be logged in to the server ${setup.proxy.url.replace(/\./g, '\\.')}`));
  assert.match(run.stderr, 'waiting stopped: you must be logged in');
  assert.equal([await replicas(ns, 'web'), await replicas(ns, 'api')], [2, 1]);
});

test('one read answering 500 while waiting is retried: every workload ready, exit 0', async () => {
  let ns = '';
  let failed = 0;
  const setup = await setUp((request, requests) => {
    if (!waitRead(ns, request, requests) || failed > 0) return 'forward';
    failed += 1;
    return statusAnswer(500, 'InternalError', 'etcdserver: leader changed');
  });
  ns = setup.ns;
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', setup.file, '--timeout', '60s', '-o', 'json'], {});
  assert.is(run.code, 0, run.stderr);
  assert.is(failed, 1, 'the fault was chosen once');
  // Counted by the proxy as sent, so a hook whose answer went nowhere cannot pass for a retried 500.
  assert.is(setup.proxy.answered.get(500), 1, 'the 500 was answered');
  const report = JSON.parse(run.stdout) as Report;
  assert.equal([report.summary.changed, report.wait?.ready, report.wait?.total, report.wait?.error], [2, 2, 2, undefined]);
});

test.after(async () => {
  for (const proxy of proxies) await proxy.close();
  closeClients();
});
test.run();
