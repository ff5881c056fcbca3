import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ensureNamespace } from '../../scripts/sandbox/seeds';
import { UsageError } from '../../src/core/errors';
import { acquireRunLease, findRunLeaseHolders, resolveLeaseNamespaces, runHolder, RunLeaseHeldError, type RunLease } from '../../src/io/runLease';
import { microTime } from '../../src/kube/time';
import { LeaseAnnotation, RUN_LEASE_NAME } from '../../src/plan/runLease';
import { closeSandboxApis, sandboxApi } from '../support/sandboxApi';
import { closeClients, sandbox, uniqueNamespace } from '../support/sandbox';

// The run lease against a real API server: one run at a time per namespace, exactly one winner
// of a race, expiry, renewal, release, and Leases written by someone else.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const leasePath = (namespace: string): string => `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${RUN_LEASE_NAME}`;
const holder = (runId: string) => ({ runId, user: `user-${runId}`, host: `host-${runId}` });

interface LeaseObject {
  metadata: { annotations?: Record<string, string>; resourceVersion: string };
  spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

async function namespaces(...prefixes: string[]): Promise<string[]> {
  const box = await sandbox();
  const names = prefixes.map((prefix) => uniqueNamespace(prefix));
  for (const name of names) await ensureNamespace(box.rest('destination'), name);
  return names;
}

async function refusal(promise: Promise<unknown>): Promise<RunLeaseHeldError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RunLeaseHeldError) return error;
    throw error;
  }
  throw new Error('expected a RunLeaseHeldError');
}

test('two runs racing for the same namespace (Promise.all): exactly one wins; the other is told run, user and host', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('race');
  const api = await sandboxApi(box, 'destination');
  const other = await sandboxApi(box, 'destination');
  const attempts = await Promise.allSettled([
    acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('aaaaaaaaaa') }),
    acquireRunLease(other, { cluster: 'destination', namespaces: [ns], holder: holder('bbbbbbbbbb') }),
  ]);
  const won = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
  const lost = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason as unknown] : []));
  assert.is(won.length, 1);
  assert.is(lost.length, 1);
  const [winner] = won as [RunLease];
  const error = lost[0];
  assert.instance(error, RunLeaseHeldError);
  assert.instance(error, UsageError, 'exit 2 at the CLI edge');
  const runId = winner.identity.slice(0, 10);
  try {
    const message = (error as Error).message;
    assert.match(message, `namespace ${ns} on destination is held by another failover run: run ${runId} by user-${runId} on host-${runId} since `, message);
    assert.match(message, /its lease expires in \d+s unless renewed; nothing was changed$/, message);
    assert.equal(winner.namespaces, [ns]);
  } finally {
    assert.equal(await winner.release(), []);
  }
});

test('overlapping multi-namespace scopes racing, taken in opposite orders: exactly one wins, every time', async () => {
  const box = await sandbox();
  const apis = [await sandboxApi(box, 'destination'), await sandboxApi(box, 'destination'), await sandboxApi(box, 'destination')];
  // A long wait for younger runs to back off: on a busy machine a short one could refuse all three (safe, but not this test).
  for (let round = 0; round < 5; round++) {
    const scope = await namespaces('multi-a', 'multi-b', 'multi-c', 'multi-d');
    const attempts = await Promise.allSettled(
      apis.map((api, index) =>
        acquireRunLease(api, { cluster: 'destination', namespaces: index % 2 === 0 ? scope : [...scope].reverse(), holder: holder(`${index}`.repeat(10)), concurrency: 2, contentionWaitMs: 15_000 }),
      ),
    );
    const won = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    assert.is(won.length, 1, `round ${round}: ${attempts.map((attempt) => (attempt.status === 'rejected' ? String(attempt.reason) : 'won')).join(' | ')}`);
    for (const attempt of attempts) if (attempt.status === 'rejected') assert.instance(attempt.reason, RunLeaseHeldError);
    assert.equal(won[0]?.namespaces, [...scope].sort());
    await won[0]?.release();
    // The losers left nothing behind: every Lease is gone with the winner's release.
    for (const ns of scope) assert.is(await box.rest('destination').find(leasePath(ns)), undefined);
  }
});

test('two processes racing: exactly one wins; the loser names the winner', async () => {
  const box = await sandbox();
  const [a = '', b = ''] = await namespaces('proc-a', 'proc-b');
  const startAt = Date.now() + 4000; // both processes connected and waiting by then, on a machine not too busy
  const racers = [
    [`${a},${b}`, 'cccccccccc'],
    [`${b},${a}`, 'dddddddddd'],
  ].map(([scope = '', runId = '']) => spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test/e2e/leaseRacer.ts'), scope, runId, String(startAt)], { cwd: root, env: box.env, stdio: ['pipe', 'pipe', 'inherit'] }));
  const answers = await Promise.all(
    racers.map(
      (child) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString('utf8');
            if (out.includes('\n')) resolve(out.trim());
          });
          child.once('close', () => reject(new Error(`a racer ended without answering: ${out}`)));
        }),
    ),
  );
  // Every racer has answered while the winner still holds: now let them go.
  for (const child of racers) child.stdin.end();
  await Promise.all(racers.map((child) => new Promise((resolve) => (child.exitCode === null ? child.once('close', resolve) : resolve(undefined)))));
  const results = answers.map((answer) => JSON.parse(answer) as { runId: string; won: boolean; held?: boolean; message?: string });
  assert.is(results.filter((result) => result.won).length, 1, JSON.stringify(results));
  const winner = results.find((result) => result.won);
  const loser = results.find((result) => !result.won);
  assert.ok(loser?.held, loser?.message);
  assert.match(loser?.message ?? '', `run ${winner?.runId} by user-${winner?.runId} on host-${winner?.runId}`);
});

test('-A and -n overlap: an -A run holds every namespace, so -n zk is refused, and the other way round', async () => {
  const box = await sandbox();
  const [zk = ''] = await namespaces('zk');
  const api = await sandboxApi(box, 'destination');
  const everything = await resolveLeaseNamespaces(api, undefined);
  assert.ok(everything.includes(zk) && everything.includes('default'));
  const wide = await acquireRunLease(api, { cluster: 'destination', namespaces: everything, holder: holder('eeeeeeeeee') });
  const refused = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: await resolveLeaseNamespaces(api, [zk]), holder: holder('ffffffffff') }));
  assert.match(refused.message, `namespace ${zk} on destination is held by another failover run: run eeeeeeeeee`);
  await wide.release();

  const narrow = await acquireRunLease(api, { cluster: 'destination', namespaces: [zk], holder: holder('ffffffffff') });
  const wideRefused = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: await resolveLeaseNamespaces(api, undefined), holder: holder('eeeeeeeeee') }));
  assert.equal(wideRefused.conflicts.map((conflict) => conflict.namespace), [zk]);
  // Refused, it released what it had taken: a third run in another namespace is not held up.
  assert.is(await box.rest('destination').find(leasePath('default')), undefined);
  await narrow.release();
});

test('-n a and -n b do not overlap: both run', async () => {
  const box = await sandbox();
  const [a = '', b = ''] = await namespaces('apart-a', 'apart-b');
  const api = await sandboxApi(box, 'destination');
  const [first, second] = await Promise.all([
    acquireRunLease(api, { cluster: 'destination', namespaces: [a], holder: holder('1111111111') }),
    acquireRunLease(api, { cluster: 'destination', namespaces: [b], holder: holder('2222222222') }),
  ]);
  assert.equal(first.namespaces, [a]);
  assert.equal(second.namespaces, [b]);
  await Promise.all([first.release(), second.release()]);
});

test('the Lease says who holds it and the stage; update(stage) changes it; release deletes it', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('stage');
  const api = await sandboxApi(box, 'destination');
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('3333333333'), stage: 'Prepare' });
  const rest = box.rest('destination');
  const read = await rest.get<LeaseObject & { metadata: { labels: Record<string, string> } }>(leasePath(ns));
  assert.is(read.spec.holderIdentity, lease.identity);
  assert.is(read.spec.leaseDurationSeconds, 60);
  assert.equal(read.metadata.labels, { 'app.kubernetes.io/managed-by': 'kubectl-failover' });
  assert.is(read.metadata.annotations?.[LeaseAnnotation.runId], '3333333333');
  assert.is(read.metadata.annotations?.[LeaseAnnotation.user], 'user-3333333333');
  assert.is(read.metadata.annotations?.[LeaseAnnotation.host], 'host-3333333333');
  assert.is(read.metadata.annotations?.[LeaseAnnotation.stage], 'Prepare');
  assert.equal(await lease.update('ScaleUpDestination'), []);
  const updated = await rest.get<LeaseObject>(leasePath(ns));
  assert.is(updated.metadata.annotations?.[LeaseAnnotation.stage], 'ScaleUpDestination');
  assert.ok((updated.spec.renewTime ?? '') > (read.spec.renewTime ?? ''), 'renewed with the stage');
  const refused = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('4444444444') }));
  assert.match(refused.message, '(stage ScaleUpDestination)');
  // Who holds what, read without taking anything (a dry run, `runs`): the read-only identity may.
  const readonly = await sandboxApi(box, 'destination-readonly');
  const holders = await findRunLeaseHolders(readonly, 'destination', [ns, 'default']);
  assert.equal(holders.map((found) => [found.namespace, found.holder?.runId, found.holder?.stage]), [[ns, '3333333333', 'ScaleUpDestination']]);
  assert.equal(await lease.release(), []);
  assert.is(await rest.find(leasePath(ns)), undefined);
  assert.equal(await lease.release(), [], 'a second release does nothing');
  const next = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('4444444444') });
  await next.release();
});

test('renewal keeps a Lease alive past its duration; once released, the next run takes it', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('renew');
  const api = await sandboxApi(box, 'destination');
  const failures: unknown[] = [];
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('5555555555'), durationSeconds: 1, onRenewFailure: (found) => failures.push(...found) });
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const refused = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('6666666666') }));
  assert.match(refused.message, 'run 5555555555');
  assert.equal(failures, []);
  await lease.release();
  const next = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('6666666666') });
  assert.equal(next.warnings, []);
  await next.release();
});

test('an expired Lease (a run that died) is taken over, with a warning naming the previous holder', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('expired');
  const rest = box.rest('destination');
  // As a crashed run leaves it: held, last renewed 5 s ago, for 2 s.
  await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
    metadata: { name: RUN_LEASE_NAME, annotations: { [LeaseAnnotation.runId]: '7777777777', [LeaseAnnotation.user]: 'carol', [LeaseAnnotation.host]: 'crashed-box', [LeaseAnnotation.since]: microTime(Date.now() - 60_000), [LeaseAnnotation.stage]: 'ScaleDownSource' } },
    spec: { holderIdentity: '7777777777/crashed-box/1/00000000', leaseDurationSeconds: 2, renewTime: microTime(Date.now() - 5000), acquireTime: microTime(Date.now() - 60_000), leaseTransitions: 0 },
  });
  const api = await sandboxApi(box, 'destination');
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('8888888888') });
  assert.is(lease.warnings.length, 1);
  assert.match(lease.warnings[0] ?? '', `took over the run lease in namespace ${ns} on destination from run 7777777777 by carol on crashed-box since `);
  assert.match(lease.warnings[0] ?? '', '(stage ScaleDownSource) (not renewed for 2s)');
  const read = await rest.get<LeaseObject & { spec: { leaseTransitions: number } }>(leasePath(ns));
  assert.is(read.spec.holderIdentity, lease.identity);
  assert.is(read.spec.leaseTransitions, 1);
  assert.is(read.metadata.annotations?.[LeaseAnnotation.stage], undefined, 'the previous holder’s stage is gone');
  await lease.release();
});

test('a run that stops renewing holds others off for its duration, then is taken over', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('lapse');
  // As a run that just hung leaves it: renewed a moment ago, for 1 s, and never again.
  await box.rest('destination').create(`/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, {
    metadata: { name: RUN_LEASE_NAME, annotations: { [LeaseAnnotation.runId]: '9999999999', [LeaseAnnotation.since]: microTime(Date.now()) } },
    spec: { holderIdentity: '9999999999/hung-box/1/00000000', leaseDurationSeconds: 1, renewTime: microTime(Date.now()) },
  });
  const api = await sandboxApi(box, 'destination');
  await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('abcdefabcd') }));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const second = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('abcdefabcd') });
  assert.match(second.warnings[0] ?? '', 'from run 9999999999 by an unknown user');
  await second.release();
});

test('Leases written by someone else: garbled annotations are named as unknown; an unreadable spec is refused with how to clear it', async () => {
  const box = await sandbox();
  const [garbled = '', broken = ''] = await namespaces('garbled', 'broken');
  const rest = box.rest('destination');
  await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${garbled}/leases`, {
    metadata: { name: RUN_LEASE_NAME, annotations: { [LeaseAnnotation.runId]: 'DROP TABLE', [LeaseAnnotation.user]: 'mallory\u001b[2J', [LeaseAnnotation.since]: 'a while ago' } },
    spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 60, renewTime: microTime(Date.now()) },
  });
  await rest.create(`/apis/coordination.k8s.io/v1/namespaces/${broken}/leases`, { metadata: { name: RUN_LEASE_NAME }, spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 60 } });
  const api = await sandboxApi(box, 'destination');
  const held = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: [garbled], holder: holder('1234512345') }));
  assert.match(held.message, `namespace ${garbled} on destination is held by another failover run: holder someone-else by an unknown user; its lease expires in`);
  assert.not.match(held.message, 'mallory');
  const unreadable = await refusal(acquireRunLease(api, { cluster: 'destination', namespaces: [broken], holder: holder('1234512345') }));
  assert.match(unreadable.message, `namespace ${broken} on destination holds a Lease kubectl-failover that cannot be read (it has a holder but no readable spec.renewTime); nothing was changed. If no failover is under way there, delete it: kubectl delete lease kubectl-failover -n ${broken}`);
});

test('a namespace the cluster does not have is reported absent, not held', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('present');
  const api = await sandboxApi(box, 'destination');
  const missing = uniqueNamespace('missing');
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns, missing], holder: holder('5432154321') });
  assert.equal(lease.namespaces, [ns]);
  assert.equal(lease.absentNamespaces, [missing]);
  await lease.release();
});

test('a Lease taken from under a run is reported lost by the renewal, naming who holds it, and never written back', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('lost');
  const api = await sandboxApi(box, 'destination');
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [ns], holder: holder('6543265432') });
  const rest = box.rest('destination');
  const read = await rest.get<LeaseObject>(leasePath(ns));
  await rest.replace(leasePath(ns), { ...read, metadata: { ...read.metadata, annotations: { [LeaseAnnotation.runId]: 'fedcbafedc', [LeaseAnnotation.user]: 'dave' } }, spec: { ...read.spec, holderIdentity: 'fedcbafedc/elsewhere/1/00000000' } });
  const failures = await lease.renew();
  assert.equal(failures, [{ namespace: ns, lost: true, message: `lost the run lease in namespace ${ns} on destination: it is held by run fedcbafedc by dave` }]);
  assert.equal(lease.namespaces, []);
  assert.equal(await lease.release(), []);
  assert.is((await rest.get<LeaseObject>(leasePath(ns))).spec.holderIdentity, 'fedcbafedc/elsewhere/1/00000000', 'left to its new holder');
});

test('release deletes a Lease still ours even if someone edited it since, and leaves one taken over meanwhile', async () => {
  const box = await sandbox();
  const [edited = '', taken = ''] = await namespaces('edited', 'taken');
  const api = await sandboxApi(box, 'destination');
  const lease = await acquireRunLease(api, { cluster: 'destination', namespaces: [edited, taken], holder: holder('1212121212') });
  const rest = box.rest('destination');
  await rest.mergePatch(leasePath(edited), { metadata: { labels: { audited: 'yes' } } });
  const read = await rest.get<LeaseObject>(leasePath(taken));
  await rest.replace(leasePath(taken), { ...read, spec: { ...read.spec, holderIdentity: 'fedcbafedc/elsewhere/1/00000000' } });
  assert.equal(await lease.release(), []);
  assert.is(await rest.find(leasePath(edited)), undefined);
  assert.is((await rest.get<LeaseObject>(leasePath(taken))).spec.holderIdentity, 'fedcbafedc/elsewhere/1/00000000');
});

test('without the rights to Leases: a usage error naming them, and nothing left behind', async () => {
  const box = await sandbox();
  const [ns = ''] = await namespaces('rbac');
  const readonly = await sandboxApi(box, 'destination-readonly');
  try {
    await acquireRunLease(readonly, { cluster: 'destination', namespaces: [ns], holder: holder('7654376543') });
    assert.unreachable('acquired without rights');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.match((error as Error).message, `cannot take the run lease in namespace ${ns} on destination: `);
    assert.match((error as Error).message, 'needs get, create, update, patch and delete on leases (coordination.k8s.io)');
  }
});

test('the holder names the --as user, else the authenticated one, else the local account; the host is this machine', async () => {
  const box = await sandbox();
  const api = await sandboxApi(box, 'destination');
  assert.equal(await runHolder(api, '0123456789', { impersonatedUser: 'oncall', host: 'h' }), { runId: '0123456789', user: 'oncall', host: 'h' });
  const found = await runHolder(api, '0123456789');
  // Kubernetes 1.20 serves no SelfSubjectReview (1.27+): the local account stands in.
  assert.match(found.user, /\S/);
  assert.ok(found.host.length > 0);
});

// The cost of a wide scope: one GET and one create per namespace to acquire, one PATCH per namespace
// per renewal round (every duration/3) or stage, one DELETE per namespace to release. KF_LEASE_SCALE=1000
// measures it at that size and prints the times.
test('cost: one request per Lease per renewal round; acquire and release one or two each', async () => {
  const box = await sandbox();
  const count = Number(process.env.KF_LEASE_SCALE ?? 20);
  const prefix = uniqueNamespace('scale');
  const names = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  const rest = box.rest('destination');
  const { mapWithConcurrency } = await import('../../src/util/concurrency');
  await mapWithConcurrency(names, 16, (name) => ensureNamespace(rest, name));
  const api = await sandboxApi(box, 'destination');
  const counts = (): string => JSON.stringify(Object.fromEntries(api.requestCounts));
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    api.requestCounts.clear();
    const started = performance.now();
    const value = await work();
    if (process.env.KF_LEASE_SCALE) process.stderr.write(`[lease cost] ${count} namespaces, ${what}: ${Math.round(performance.now() - started)} ms, requests ${counts()}\n`);
    return value;
  };
  const lease = await timed('acquire', () => acquireRunLease(api, { cluster: 'destination', namespaces: names, holder: holder('0000011111') }));
  assert.equal(Object.fromEntries(api.requestCounts), { get: count, create: count });
  assert.equal(await timed('renewal round', () => lease.renew()), []);
  assert.equal(Object.fromEntries(api.requestCounts), { patch: count });
  assert.equal(await timed('update(stage)', () => lease.update('ScaleUpDestination')), []);
  assert.equal(await timed('release', () => lease.release()), []);
  assert.equal(Object.fromEntries(api.requestCounts), { delete: count });
});

test.after(() => {
  closeSandboxApis();
  closeClients();
});
test.run();
