import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { executeActivation, type ActivationOptions } from '../../src/commands/activate/execute';
import type { GlobalOptions } from '../../src/cli/globalOptions';
import { applyPlans } from '../../src/io/apply';
import { waitForWorkloads } from '../../src/io/wait';
import { CircuitBreaker } from '../../src/kube/breaker';
import { ApiError, ConnectionError, ServerDownError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import type { ApiResource } from '../../src/kube/resources';
import { planObject } from '../../src/plan/activation';
import { FakeApi, fakeClock, fakeDeps } from '../support/fakeApi';
import { REPLICAS, workload } from './fixtures';

// The I/O orchestration (apply, wait, execute) against an in-memory API and a clock that does not
// wait: the faults a real server cannot produce on demand, each asserted on the report.

const DEPLOYMENTS: ApiResource = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true };
const resources = new Map([['Deployment.apps', DEPLOYMENTS]]);
const path = (name: string): string => `/apis/apps/v1/namespaces/zookeeper/deployments/${name}`;

function standby(name: string, recorded: string, status: Record<string, number> = {}): KubeObject {
  const object = workload('Deployment', name, { replicas: 0, annotations: { [REPLICAS]: recorded } });
  object.status = status;
  return object;
}

function apiWith(...objects: KubeObject[]): FakeApi {
  const api = new FakeApi();
  api.put('/api/v1/namespaces/zookeeper', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'zookeeper' } });
  for (const object of objects) api.put(path(object.metadata.name), object);
  return api;
}

const replan = (object: KubeObject) => planObject(object, 'Deployment.apps', 'activate', []);

test('a concurrent edit fails the patch test: re-read once, re-planned, written, and the note says so', async () => {
  const api = apiWith(standby('web', '3'));
  const plan = replan(standby('web', '3'));
  api.before = (request, count) => {
    // Someone rewrites the record between our read and our first write.
    if (request.method === 'PATCH' && count === 1) {
      const live = api.get(path('web'));
      if (live?.metadata.annotations) live.metadata.annotations[REPLICAS] = '5';
    }
  };
  const [result] = await applyPlans(api, resources, [plan], { serverDryRun: false, concurrency: 1, replan });
  assert.is(result?.outcome, 'changed');
  assert.match(result?.message ?? '', 're-planned after a concurrent edit');
  assert.is(api.get(path('web'))?.spec?.replicas, 5);
});

test('a second concurrent edit: failed, "changed concurrently twice", nothing clobbered', async () => {
  const api = apiWith(standby('web', '3'));
  const plan = replan(standby('web', '3'));
  let edits = 0;
  api.before = (request) => {
    if (request.method !== 'PATCH') return;
    const live = api.get(path('web'));
    if (live?.metadata.annotations) live.metadata.annotations[REPLICAS] = String(10 + ++edits);
  };
  const [result] = await applyPlans(api, resources, [plan], { serverDryRun: false, concurrency: 1, replan });
  assert.is(result?.outcome, 'failed');
  assert.match(result?.message ?? '', 'changed concurrently twice');
  assert.is(api.get(path('web'))?.spec?.replicas, 0);
});

test('a re-plan that ends unchanged still counts towards the progress total', async () => {
  const api = apiWith(standby('web', '3'));
  const plan = replan(standby('web', '3'));
  api.before = (request, count) => {
    if (request.method === 'PATCH' && count === 1) {
      const live = api.get(path('web'));
      if (live?.spec) live.spec.replicas = 3;
    }
  };
  let counted = 0;
  const [result] = await applyPlans(api, resources, [plan], { serverDryRun: false, concurrency: 1, replan, onResult: (_result, planned) => void (planned.action === 'change' && counted++) });
  assert.is(result?.outcome, 'unchanged');
  assert.is(counted, 1);
});

test('wait: a workload that never becomes ready times out at the deadline, named with why', async () => {
  const api = apiWith(standby('web', '3'));
  api.get(path('web'))!.spec = { replicas: 3 };
  const clock = fakeClock();
  const target = { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'zookeeper', name: 'web' }, resourceKey: 'Deployment.apps' };
  const result = await waitForWorkloads(api, resources, [target], { direction: 'activate', timeoutMs: 60_000, clock });
  assert.is(result.timedOut, true);
  assert.is(result.done, 0);
  assert.is(result.pending[0]?.detail, '0/3 ready');
  assert.ok(result.elapsedMs >= 60_000 && result.elapsedMs < 70_000, `elapsed ${result.elapsedMs}`);
  // It backs off: far fewer reads than one per 250 ms over a minute.
  const reads = api.log.filter((entry) => entry.method === 'GET').length;
  assert.ok(reads > 3 && reads < 40, `${reads} reads`);
});

test('wait: a hung request cannot stretch it past the deadline', async () => {
  const api = apiWith(standby('web', '3'));
  api.before = () => new Promise<void>(() => undefined);
  const clock = fakeClock();
  const target = { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'zookeeper', name: 'web' }, resourceKey: 'Deployment.apps' };
  const result = await waitForWorkloads(api, resources, [target], { direction: 'activate', timeoutMs: 30_000, clock });
  assert.is(result.timedOut, true);
  assert.is(result.elapsedMs, 30_000);
  assert.is(result.pending[0]?.detail, 'no answer from the API server in time');
});

test('wait: a 500 or a dropped connection is retried; a 403 stops the wait with the error', async () => {
  const api = apiWith(standby('web', '3', { replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3 }));
  api.get(path('web'))!.spec = { replicas: 3 };
  const target = { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'zookeeper', name: 'web' }, resourceKey: 'Deployment.apps' };
  api.before = (_request, count) => {
    if (count === 1) throw new ApiError(500, { message: 'etcdserver: leader changed' }, 'GET', '/x');
    if (count === 2) throw new ConnectionError('https://fake.invalid', 'connection reset by the server');
  };
  const retried = await waitForWorkloads(api, resources, [target], { direction: 'activate', timeoutMs: 60_000, clock: fakeClock() });
  assert.equal([retried.done, retried.timedOut, retried.error], [1, false, undefined]);

  api.before = () => {
    throw new ApiError(403, { message: 'deployments.apps "web" is forbidden: User "x" cannot get resource' }, 'GET', '/x');
  };
  const stopped = await waitForWorkloads(api, resources, [target], { direction: 'activate', timeoutMs: 60_000, clock: fakeClock() });
  assert.is(stopped.timedOut, false);
  assert.match(stopped.error ?? '', 'forbidden');
});

const globals: GlobalOptions = { overrides: {}, allNamespaces: false, dryRun: 'none', output: 'json', requestTimeoutMs: 30_000, color: false, verbose: false, logRequests: false, namespace: 'zookeeper' };
const activation: ActivationOptions = { globals, direction: 'activate', wait: true, timeoutMs: 60_000, concurrency: 4, force: false, reconcilers: { holdMs: 0, pause: false, ignore: false } };

test('execute: a 500 during the wait keeps the report of the writes made; the verdict is failed, not thrown', async () => {
  const api = apiWith(standby('web', '3'), standby('api', '2'));
  let patches = 0;
  api.before = (request) => {
    if (request.method === 'PATCH') patches += 1;
    // Once both writes are made, every read fails with an error retrying cannot fix.
    if (patches === 2 && request.method === 'GET') throw new ApiError(401, { message: 'Unauthorized' }, 'GET', request.path);
  };
  const outcome = await executeActivation(activation, fakeDeps(api, fakeClock()));
  assert.is(outcome.verdict, 'failed');
  assert.equal(outcome.report.objects.map((row) => [row.name, row.result]), [
    ['api', 'changed'],
    ['web', 'changed'],
  ]);
  assert.match(outcome.report.wait?.error ?? '', 'you must be logged in');
  assert.is(api.get(path('web'))?.spec?.replicas, 3);
});

test('execute: not ready within --timeout is the timed-out verdict (exit 3), the writes reported', async () => {
  const api = apiWith(standby('web', '3'));
  const outcome = await executeActivation(activation, fakeDeps(api, fakeClock()));
  assert.is(outcome.verdict, 'timed-out');
  assert.is(outcome.report.summary.changed, 1);
  assert.is(outcome.report.wait?.timedOut, true);
  assert.is(outcome.report.apiVersion, 'kubectl-failover.dev/v1alpha1');
});

test('execute: a dry run writes nothing and reports would-change', async () => {
  const api = apiWith(standby('web', '3'));
  for (const dryRun of ['client', 'server'] as const) {
    const outcome = await executeActivation({ ...activation, globals: { ...globals, dryRun } }, fakeDeps(api, fakeClock()));
    assert.is(outcome.verdict, 'succeeded');
    assert.is(outcome.report.objects[0]?.result, 'would-change');
    assert.is(api.get(path('web'))?.spec?.replicas, 0);
  }
});

test('a missing annotations map created concurrently is not replaced: the test of null fails, the re-plan adds into it', async () => {
  const running = workload('Deployment', 'tool', { replicas: 2 });
  const api = apiWith(running);
  const plan = planObject(running, 'Deployment.apps', 'deactivate', []);
  api.before = (request, count) => {
    // Someone annotates the object between our read and our first write.
    if (request.method === 'PATCH' && count === 1) api.get(path('tool'))!.metadata.annotations = { 'team.example.com/owner': 'payments' };
  };
  const [result] = await applyPlans(api, resources, [plan], { serverDryRun: false, concurrency: 1, replan: (object) => planObject(object, 'Deployment.apps', 'deactivate', []) });
  assert.is(result?.outcome, 'changed');
  assert.match(result?.message ?? '', 're-planned after a concurrent edit');
  const after = api.get(path('tool'));
  assert.equal(after?.metadata.annotations, { 'team.example.com/owner': 'payments', [REPLICAS]: '2' });
  assert.is(after?.spec?.replicas, 0);
  // The first patch held the absence; the second added into the map that now exists.
  // (and held the record's absence with a test of null, as every deactivate does).
  assert.equal(result?.patch?.filter((op) => op.path.startsWith('/metadata/annotations')).map((op) => [op.op, op.path]), [
    ['test', '/metadata/annotations/stork.libopenstorage.org~1migrationReplicas'],
    ['add', '/metadata/annotations/stork.libopenstorage.org~1migrationReplicas'],
  ]);
});

test("a kind both built in and registered (Stork's default virtualmachine registration): listed once, planned once, by the registration's rule", async () => {
  const api = apiWith();
  api.served.push(
    { group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', resource: 'virtualmachines', namespaced: true },
    { group: 'stork.libopenstorage.org', version: 'v1alpha1', kind: 'ApplicationRegistration', resource: 'applicationregistrations', namespaced: false },
  );
  api.put('/apis/stork.libopenstorage.org/v1alpha1/applicationregistrations/virtualmachine', {
    apiVersion: 'stork.libopenstorage.org/v1alpha1',
    kind: 'ApplicationRegistration',
    metadata: { name: 'virtualmachine' },
    resources: [{ group: 'kubevirt.io', version: 'v1', kind: 'VirtualMachine', keepStatus: false, suspendOptions: { path: 'spec.runStrategy', type: 'string', value: 'Halted' } }],
  } as KubeObject);
  api.put('/apis/kubevirt.io/v1/namespaces/zookeeper/virtualmachines/db', {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name: 'db', namespace: 'zookeeper', annotations: { 'stork.libopenstorage.org/migrated': 'true', 'stork.libopenstorage.org/spec.runStrategy': 'RerunOnFailure,Halted' } },
    spec: { runStrategy: 'Halted' },
  });
  const outcome = await executeActivation(activation, fakeDeps(api, fakeClock()));
  assert.equal(outcome.report.objects.map((row) => [row.kind, row.name, row.result]), [['VirtualMachine', 'db', 'changed']]);
  assert.is(api.log.filter((entry) => entry.method === 'GET' && entry.path.endsWith('/virtualmachines')).length, 1);
  // The built-in rule would have set Always; the registration restores the recorded value.
  assert.is(api.get('/apis/kubevirt.io/v1/namespaces/zookeeper/virtualmachines/db')?.spec?.runStrategy, 'RerunOnFailure');
  assert.is(outcome.verdict, 'succeeded');
});

const timeout = (): ConnectionError => new ConnectionError('https://fake.invalid', 'no answer within 1s (--request-timeout)', true);

test('circuit breaker: after 3 requests in a row without an answer it stops sending; a probe still goes; any answer resets it', async () => {
  const api = apiWith(standby('web', '3'));
  let silent = true;
  api.before = () => {
    if (silent) throw timeout();
  };
  const breaker = new CircuitBreaker(api);
  const get = (probe = false) => breaker.request({ method: 'GET', path: path('web'), probe });
  for (let index = 0; index < 3; index++) await get().then(() => assert.unreachable(), (error: unknown) => assert.instance(error, ConnectionError));
  const sent = api.log.length;
  await get().then(() => assert.unreachable(), (error: unknown) => {
    assert.instance(error, ServerDownError);
    assert.is((error as Error).message, 'not sent: the API server https://fake.invalid stopped answering (3 requests in a row: no answer within 1s (--request-timeout))');
  });
  assert.is(api.log.length, sent, 'nothing sent once open');
  silent = false;
  await get(true);
  assert.is(breaker.open, false);
  await get();
});

test('a server that stops answering: the writes it never got are not-attempted, those it got unknown; the re-read probe fails, so no one-timeout-per-object', async () => {
  const names = Array.from({ length: 10 }, (_, index) => `app-${index}`);
  const api = apiWith(...names.map((name) => standby(name, '2')));
  let patches = 0;
  api.before = (request) => {
    if (request.method === 'PATCH' && ++patches > 2) throw timeout();
    if (request.method === 'GET' && patches > 2) throw timeout();
  };
  const breaker = new CircuitBreaker(api);
  const plans = names.map((name) => replan(standby(name, '2')));
  const results = await applyPlans(breaker, resources, plans, { serverDryRun: false, concurrency: 1, replan });
  assert.equal(results.map((result) => result.outcome), ['changed', 'changed', 'unknown', 'unknown', 'unknown', 'not-attempted', 'not-attempted', 'not-attempted', 'not-attempted', 'not-attempted']);
  assert.match(results[2]?.message ?? '', 'no answer (no answer within 1s (--request-timeout)): the server may have applied it; could not be re-read afterwards');
  assert.match(results[9]?.message ?? '', 'not sent: the API server https://fake.invalid stopped answering');
  // 2 written, 3 timed out, one re-read probe: the other five were never sent.
  assert.equal(api.log.filter((entry) => entry.method !== 'GET').length, 5);
  assert.equal(api.log.filter((entry) => entry.method === 'GET').length, 1);
});

test('a write applied but unanswered is unknown, and the re-read says the change is there', async () => {
  const api = apiWith(standby('web', '3'), standby('api', '2'));
  api.before = (request) => {
    if (request.method === 'PATCH' && request.path === path('web')) {
      // The server applies it; the answer is lost.
      api.get(path('web'))!.spec = { replicas: 3 };
      throw timeout();
    }
  };
  const results = await applyPlans(api, resources, [replan(standby('web', '3')), replan(standby('api', '2'))], { serverDryRun: false, concurrency: 2, replan });
  assert.equal(results.map((result) => result.outcome), ['unknown', 'changed']);
  assert.match(results[0]?.message ?? '', 'the server may have applied it; re-read afterwards: found 3, as planned');
  // A refused connection never carried the request: failed, not unknown. A dry run changes nothing: failed.
  api.before = () => {
    throw new ConnectionError('https://fake.invalid', 'connection refused', false);
  };
  const [refused] = await applyPlans(api, resources, [replan(standby('api', '9'))], { serverDryRun: false, concurrency: 1, replan });
  assert.is(refused?.outcome, 'failed');
  api.before = () => {
    throw timeout();
  };
  const [dry] = await applyPlans(api, resources, [replan(standby('api', '9'))], { serverDryRun: true, concurrency: 1, replan });
  assert.is(dry?.outcome, 'failed');
});

test('execute, interrupted during the writes: the rest not sent, no wait, the report kept, and the command says how far it got', async () => {
  const names = ['a', 'b', 'c', 'd'];
  const api = apiWith(...names.map((name) => standby(name, '1')));
  const interrupt = new AbortController();
  api.before = (request) => {
    if (request.method === 'PATCH' && api.log.filter((entry) => entry.method === 'PATCH').length === 2) interrupt.abort('SIGTERM');
  };
  const outcome = await executeActivation({ ...activation, concurrency: 1 }, fakeDeps(api, fakeClock(), 'zookeeper', interrupt.signal));
  assert.equal(outcome.report.objects.map((row) => row.result), ['changed', 'changed', 'not-attempted', 'not-attempted']);
  assert.is(outcome.report.objects[3]?.message, 'not sent: interrupted');
  assert.equal(outcome.interruption, { signal: 'SIGTERM', message: 'interrupted after 2 of 4 writes; run the command again to finish' });
  assert.is(outcome.report.wait, undefined);
  assert.is(api.log.filter((entry) => entry.method === 'PATCH').length, 2);
});

test('execute, interrupted while reading: nothing changed, an InterruptedError at once', async () => {
  const api = apiWith(standby('web', '1'));
  const interrupt = new AbortController();
  api.before = (request) => {
    if (request.path === '/apis') {
      interrupt.abort('SIGINT');
      return new Promise<void>(() => undefined);
    }
  };
  await executeActivation(activation, fakeDeps(api, fakeClock(), 'zookeeper', interrupt.signal)).then(
    () => assert.unreachable(),
    (error: unknown) => {
      assert.is((error as Error).name, 'InterruptedError');
      assert.is((error as Error).message, 'interrupted before any change was made');
    },
  );
  assert.is(api.log.filter((entry) => entry.method === 'PATCH').length, 0);
});

test('wait: an interrupt ends it at once with what it saw', async () => {
  const api = apiWith(standby('web', '3'));
  api.get(path('web'))!.spec = { replicas: 3 };
  const interrupt = new AbortController();
  const clock = fakeClock();
  const target = { ref: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'zookeeper', name: 'web' }, resourceKey: 'Deployment.apps' };
  api.before = (_request, count) => {
    if (count === 3) interrupt.abort('SIGINT');
  };
  const result = await waitForWorkloads(api, resources, [target], { direction: 'activate', timeoutMs: 600_000, clock, signal: interrupt.signal });
  assert.equal([result.interrupted, result.timedOut, result.done], [true, false, 0]);
  assert.ok(api.log.length <= 4, `${api.log.length} reads`);
});

test('circuit breaker: once a request went unanswered, new ones wait for those in flight, so no more go out than were already out', async () => {
  const names = Array.from({ length: 12 }, (_, index) => `app-${index}`);
  const api = apiWith(...names.map((name) => standby(name, '2')));
  api.before = async (request) => {
    if (request.method !== 'PATCH') return;
    await new Promise((resolve) => setTimeout(resolve, 5 + api.log.length));
    throw timeout();
  };
  const results = await applyPlans(new CircuitBreaker(api), resources, names.map((name) => replan(standby(name, '2'))), { serverDryRun: false, concurrency: 4, replan });
  assert.is(results.filter((result) => result.outcome === 'unknown').length, 4);
  assert.is(results.filter((result) => result.outcome === 'not-attempted').length, 8);
  assert.is(api.log.filter((entry) => entry.method === 'PATCH').length, 4);
});

test.run();
