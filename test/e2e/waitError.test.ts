// Once a write has been made the report is never thrown away: an error while waiting (a 403 or 401
// from a read after the writes) becomes the report's wait.error, and `-o json` still prints
// everything that happened. The writes go to the sandbox's real API server; the fault proxy in
// front of it fails the reads of the wait, which a real server cannot be made to do on cue.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { runFailover } from './cliHarness';
import { startFaultProxy, statusBody, type FaultAnswer, type FaultProxy, type SeenRequest } from '../support/answerFaultProxy';
import { writeKubeconfig } from '../support/kubeconfig';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

interface Report {
  kind: string;
  objects: Array<{ kind: string; name: string; result: string }>;
  summary: { changed: number };
  wait?: { total: number; ready: number; timedOut: boolean; error?: string };
}

const proxies: FaultProxy[] = [];

/** Two standby Deployments on the destination, and a kubeconfig reaching it through a fault proxy. */
async function setUp(fault: (request: SeenRequest, seen: readonly SeenRequest[]) => FaultAnswer | undefined): Promise<{ ns: string; file: string; proxy: FaultProxy }> {
  const box = await sandbox();
  const rest = box.rest('destination');
  const ns = uniqueNamespace('wait-error');
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, deployment('web', 0, { [MIGRATION_REPLICAS]: '2' }));
  await createIn(rest, ns, deployment('api', 0, { [MIGRATION_REPLICAS]: '1' }));
  const proxy = await startFaultProxy(box.state, box.cluster('destination').server, fault);
  proxies.push(proxy);
  const file = writeKubeconfig({ name: 'faulty', cluster: { server: proxy.url, 'certificate-authority': box.state.caFile }, user: { token: box.cluster('destination').adminToken } });
  return { ns, file, proxy };
}

/** Reads of the namespace's Deployments once a PATCH has gone through: the wait's reads. */
function waitRead(ns: string, request: SeenRequest, seen: readonly SeenRequest[]): boolean {
  return request.method === 'GET' && request.url.startsWith(`/apis/apps/v1/namespaces/${ns}/deployments`) && seen.some((earlier) => earlier.method === 'PATCH');
}

async function replicas(ns: string, name: string): Promise<number | undefined> {
  const box = await sandbox();
  return (await box.rest('destination').get<{ spec: { replicas?: number } }>(`/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).spec.replicas;
}

test('a 403 while waiting: -o json still prints the report of the writes made, with wait.error; exit 1', async () => {
  let ns = '';
  const setup = await setUp((request, seen) =>
    waitRead(ns, request, seen) ? { status: 403, body: statusBody(403, 'Forbidden', `deployments.apps "web" is forbidden: User "admin" cannot get resource "deployments" in API group "apps" in the namespace "${ns}"`) } : undefined,
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
  assert.ok(setup.proxy.seen.some((request) => request.method === 'PATCH'), 'the writes went through the proxy');
});

test('a 401 while waiting, table output: the rows and "waiting stopped" with the cause; exit 1', async () => {
  let ns = '';
  const setup = await setUp((request, seen) => (waitRead(ns, request, seen) ? { status: 401, body: statusBody(401, 'Unauthorized', 'Unauthorized') } : undefined));
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
  const setup = await setUp((request, seen) => {
    if (!waitRead(ns, request, seen) || failed > 0) return undefined;
    failed += 1;
    return { status: 500, body: statusBody(500, 'InternalError', 'etcdserver: leader changed') };
  });
  ns = setup.ns;
  const run = await runFailover(['activate', '-n', ns, '--kubeconfig', setup.file, '--timeout', '60s', '-o', 'json'], {});
  assert.is(run.code, 0, run.stderr);
  assert.is(failed, 1, 'the fault was injected');
  const report = JSON.parse(run.stdout) as Report;
  assert.equal([report.summary.changed, report.wait?.ready, report.wait?.total, report.wait?.error], [2, 2, 2, undefined]);
});

test.after(async () => {
  for (const proxy of proxies) await proxy.close();
  closeClients();
});
test.run();
