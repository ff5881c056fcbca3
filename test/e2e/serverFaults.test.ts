import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createIn, deployment, ensureNamespace, migrationSchedule, MIGRATION_REPLICAS } from '../../scripts/sandbox/seeds';
import { mapWithConcurrency } from '../../src/util/concurrency';
import { runFailover } from './cliHarness';
import { startFaultProxy, tooManyRequests, type FaultAction, type FaultHook, type ProxiedRequest } from '../support/faultProxy';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// Faults between the plugin and a real API server, made by a proxy in front of the sandbox's
// source server (test/support/faultProxy.ts): a competing write, 429s, silence, a lost answer.

interface Obj {
  metadata: { annotations?: Record<string, string> };
  spec: { replicas: number };
}

interface Report {
  objects: Array<{ name: string; kind: string; result: string; message?: string; patch?: Array<{ op: string; path: string; value?: unknown }> }>;
  summary: Record<string, number>;
  warnings: string[];
  wait?: { error?: string };
}

const dep = (ns: string, name: string): string => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const isPatchOf = (request: ProxiedRequest, name: string): boolean => request.method === 'PATCH' && request.path.endsWith(`/deployments/${name}`);

/** A namespace on the source that a MigrationSchedule protects, holding the given deployments. */
async function protectedNamespace(prefix: string, deployments: Array<{ name: string; replicas: number; annotations?: Record<string, string> }>): Promise<string> {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = uniqueNamespace(prefix);
  await ensureNamespace(rest, ns);
  await createIn(rest, ns, migrationSchedule('dr', [ns]));
  await mapWithConcurrency(deployments, 8, ({ name, replicas, annotations }) => createIn(rest, ns, deployment(name, replicas, annotations ?? {})));
  return ns;
}

async function proxyFor(ns: string, onRequest: FaultHook) {
  const box = await sandbox();
  return startFaultProxy({ target: box.cluster('source'), caFile: box.state.caFile, namespace: ns, onRequest });
}

test('deactivate never clobbers a count recorded between its read and its write: the held record fails the patch, the object is re-read, and the NOTE names the value replaced', async () => {
  const box = await sandbox();
  const rest = box.rest('source');
  const ns = await protectedNamespace('clobber', [
    // The record already equals the live count: before, the patch held only spec.replicas.
    { name: 'web', replicas: 3, annotations: { [MIGRATION_REPLICAS]: '3' } },
    // No record yet: its absence is held by a test of null.
    { name: 'fresh', replicas: 2, annotations: { other: 'x' } },
    // No record and no competing writer: the server accepts the test of null.
    { name: 'quiet', replicas: 1, annotations: { other: 'x' } },
  ]);
  const competed = new Set<string>();
  const proxy = await proxyFor(ns, async (request): Promise<FaultAction> => {
    for (const [name, value] of [['web', '77'], ['fresh', '55']] as const) {
      if (isPatchOf(request, name) && !competed.has(name)) {
        competed.add(name);
        await rest.mergePatch(dep(ns, name), { metadata: { annotations: { [MIGRATION_REPLICAS]: value } } });
      }
    }
    return 'forward';
  });
  const run = await runFailover(['deactivate', '--kubeconfig', proxy.kubeconfig, '--wait=false', '-o', 'json'], {});
  await proxy.close();
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as Report;
  const row = (name: string) => report.objects.find((object) => object.name === name);

  for (const [name, live, competing] of [['web', 3, '77'], ['fresh', 2, '55']] as const) {
    const object = await rest.get<Obj>(dep(ns, name));
    assert.is(object.spec.replicas, 0, name);
    // The live count is the truth where the app ran: the next activate scales back to it, not to the competing value.
    assert.is(object.metadata.annotations?.[MIGRATION_REPLICAS], String(live), name);
    assert.is(row(name)?.result, 'changed');
    assert.match(row(name)?.message ?? '', `re-planned after a concurrent edit (planned ${live} → 0, found ${live}): recorded count "${competing}" replaced by the live count ${live}`);
  }
  // The first write held the record as read: its value, or its absence.
  const firstPatch = (name: string) => JSON.parse(proxy.requests.find((request) => isPatchOf(request, name))?.body ?? '[]') as Array<{ op: string; path: string; value?: unknown }>;
  const key = '/metadata/annotations/stork.libopenstorage.org~1migrationReplicas';
  assert.equal(firstPatch('web').filter((op) => op.op === 'test'), [
    { op: 'test', path: '/spec/replicas', value: 3 },
    { op: 'test', path: key, value: '3' },
  ]);
  assert.equal(firstPatch('fresh').find((op) => op.path === key && op.op === 'test'), { op: 'test', path: key, value: null });
  assert.is(row('quiet')?.result, 'changed');
  assert.equal(row('quiet')?.patch?.find((op) => op.op === 'test' && op.path === key), { op: 'test', path: key, value: null });
  assert.is((await rest.get<Obj>(dep(ns, 'quiet'))).metadata.annotations?.[MIGRATION_REPLICAS], '1');
});

test('429 with Retry-After is retried, as kubectl does: a server shedding load fails no write', async () => {
  const box = await sandbox();
  const names = ['a', 'b', 'c', 'd', 'e', 'f'];
  const ns = await protectedNamespace('throttle', names.map((name) => ({ name, replicas: 1 })));
  // API Priority and Fairness turning away every other write.
  let patches = 0;
  const proxy = await proxyFor(ns, (request) => (request.method === 'PATCH' && ++patches % 2 === 1 ? tooManyRequests(1) : 'forward'));
  const run = await runFailover(['deactivate', '--kubeconfig', proxy.kubeconfig, '--wait=false'], {});
  await proxy.close();
  assert.is(run.code, 0, run.stderr);
  assert.ok((proxy.answered.get(429) ?? 0) >= 3, `${proxy.answered.get(429)} throttled`);
  assert.match(run.stdout, '6 changed, 0 unchanged, 0 failed');
  for (const name of names) assert.is((await box.rest('source').get<Obj>(dep(ns, name))).spec.replicas, 0, name);
});

test('a server that stops answering fails the run fast: writes it never got are not-attempted, those in flight unknown, the wait does not wait it out', async () => {
  const box = await sandbox();
  const names = Array.from({ length: 40 }, (_, index) => `app-${String(index).padStart(2, '0')}`);
  const ns = await protectedNamespace('silent', names.map((name) => ({ name, replicas: 1 })));
  let forwarded = 0;
  let silentSince = 0;
  const proxy = await proxyFor(ns, (request): FaultAction => {
    if (silentSince > 0) return 'hang';
    if (request.method === 'PATCH' && ++forwarded === 3) silentSince = Date.now();
    return 'forward';
  });
  const run = await runFailover(['deactivate', '--kubeconfig', proxy.kubeconfig, '--request-timeout', '1s', '--concurrency', '4', '--timeout', '30s', '-o', 'json'], {});
  const ended = Date.now();
  await proxy.close();
  assert.is(run.code, 1, run.stderr);
  // Before: objects ÷ concurrency × --request-timeout for the writes, then --timeout for the wait.
  assert.ok(silentSince > 0 && ended - silentSince < 10_000, `ended ${ended - silentSince} ms after the server went silent`);
  const report = JSON.parse(run.stdout) as Report;
  const count = (result: string): number => report.objects.filter((object) => object.result === result).length;
  assert.is(count('changed'), 3);
  assert.ok(count('unknown') >= 1 && count('unknown') <= 4, `${count('unknown')} unknown`);
  assert.is(count('changed') + count('unknown') + count('not-attempted'), 40);
  assert.equal([report.summary.unknown, report.summary.notAttempted], [count('unknown'), count('not-attempted')]);
  const notSent = report.objects.find((object) => object.result === 'not-attempted');
  assert.match(notSent?.message ?? '', /^not sent: the API server http:\/\/127\.0\.0\.1:\d+ stopped answering \(\d+ requests in a row: no answer within 1s \(--request-timeout\)\)$/);
  const unknown = report.objects.find((object) => object.result === 'unknown');
  assert.match(unknown?.message ?? '', 'no answer (no answer within 1s (--request-timeout)): the server may have applied it; could not be re-read afterwards');
  assert.match(report.warnings.join('\n'), 'running the command again is safe');
  assert.match(report.wait?.error ?? '', 'stopped answering');
  // What was never sent was never changed.
  const untouched = report.objects.filter((object) => object.result === 'not-attempted').map((object) => object.name);
  for (const name of untouched.slice(0, 5)) assert.is((await box.rest('source').get<Obj>(dep(ns, name))).spec.replicas, 1, name);
});

test('a write whose answer is lost is unknown, not failed; it is re-read at the end (found applied), and running again is safe', async () => {
  const box = await sandbox();
  const ns = await protectedNamespace('lost', [
    { name: 'lost', replicas: 2 },
    { name: 'fine', replicas: 1 },
  ]);
  let lostOnce = false;
  const proxy = await proxyFor(ns, (request): FaultAction => {
    if (isPatchOf(request, 'lost') && !lostOnce) {
      lostOnce = true;
      return 'forward-then-hang';
    }
    return 'forward';
  });
  const run = await runFailover(['deactivate', '--kubeconfig', proxy.kubeconfig, '--request-timeout', '2s', '--wait=false'], {});
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stdout, /deployment\/lost\s+2 → 0\s+unknown\s+no answer \(no answer within 2s \(--request-timeout\)\): the server may have applied it; re-read afterwards: found 0, as planned/);
  assert.match(run.stdout, /deployment\/fine\s+1 → 0\s+changed/);
  assert.match(run.stdout, '1 unknown');
  assert.match(run.stderr, /warning: 1 write\(s\) got no answer.*running the command again is safe/);
  assert.is((await box.rest('source').get<Obj>(dep(ns, 'lost'))).metadata.annotations?.[MIGRATION_REPLICAS], '2');

  const again = await runFailover(['deactivate', '--kubeconfig', proxy.kubeconfig, '--wait=false'], {});
  await proxy.close();
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, /already inactive: 2 unchanged/);
});

test.after(() => closeClients());
test.run();
