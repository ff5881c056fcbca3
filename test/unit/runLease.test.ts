import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { microTime, parseKubeTime } from '../../src/kube/time';
import {
  LeaseAnnotation,
  claimIdentity,
  describeHolder,
  describeWait,
  isOlderThan,
  judgeLease,
  leaseNamespaces,
  newLease,
  readLease,
  renewalPatch,
  selectionsOverlap,
  takenLease,
  type LeaseClaim,
  type LeaseHolderInfo,
} from '../../src/plan/runLease';

// The pure half of the run lease: reading back a Lease anyone may have written, judging it, and
// the overlap of two runs' scopes.

const T0 = Date.parse('2024-05-01T10:00:00Z');
const holder = { runId: '0123456789', user: 'alice', host: 'laptop-a' };
const claim: LeaseClaim = { holder, identity: claimIdentity(holder, 4242, 'abcd0123'), pid: 4242, since: T0, durationSeconds: 60 };

function lease(spec: Record<string, unknown>, annotations?: Record<string, unknown>): unknown {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kubectl-failover', namespace: 'zk', uid: 'u1', resourceVersion: '7', ...(annotations ? { annotations } : {}) }, spec };
}

const theirs = lease(
  { holderIdentity: 'aaaaaaaaaa/laptop-b/77/0000ffff', leaseDurationSeconds: 60, renewTime: microTime(T0 - 10_000), acquireTime: microTime(T0 - 30_000) },
  { [LeaseAnnotation.runId]: 'aaaaaaaaaa', [LeaseAnnotation.user]: 'bob', [LeaseAnnotation.host]: 'laptop-b', [LeaseAnnotation.since]: microTime(T0 - 30_000), [LeaseAnnotation.stage]: 'ScaleDownSource' },
);

test('MicroTime has six fractional digits and reads back', () => {
  assert.is(microTime(T0 + 5), '2024-05-01T10:00:00.005000Z');
  assert.is(parseKubeTime(microTime(T0 + 5)), T0 + 5);
  assert.is(parseKubeTime('2024-05-01T10:00:00Z'), T0);
  for (const bad of ['yesterday', '2024-05-01', 42, null, '2024-13-45T99:00:00Z']) assert.is(parseKubeTime(bad), undefined, String(bad));
});

test('a Lease of another run reads back whole, and holds us off until it expires', () => {
  const reading = readLease(theirs);
  assert.equal(reading, {
    state: 'held',
    resourceVersion: '7',
    holder: { identity: 'aaaaaaaaaa/laptop-b/77/0000ffff', renewedAt: T0 - 10_000, durationSeconds: 60, runId: 'aaaaaaaaaa', user: 'bob', host: 'laptop-b', stage: 'ScaleDownSource', since: T0 - 30_000, pid: 77 },
    problems: [],
  });
  if (reading?.state !== 'held') throw new Error('held');
  assert.equal(judgeLease(reading, claim, T0, () => true), { kind: 'held', holder: reading.holder, expiresAt: T0 + 50_000 });
  assert.equal(judgeLease(reading, claim, T0 + 50_001, () => true), { kind: 'expired', previous: reading.holder });
  assert.is(describeHolder(reading.holder), 'run aaaaaaaaaa by bob on laptop-b since 2024-05-01T09:59:30Z (stage ScaleDownSource)');
});

test('free, ours, and not a Lease at all', () => {
  assert.equal(readLease(lease({ leaseDurationSeconds: 60 })), { state: 'free', resourceVersion: '7' });
  assert.equal(readLease(lease({ holderIdentity: '' })), { state: 'free', resourceVersion: '7' });
  const ours = readLease(lease({ holderIdentity: claim.identity, leaseDurationSeconds: 60, renewTime: microTime(T0) }));
  assert.equal(ours && judgeLease(ours, claim, T0, () => true), { kind: 'ours' });
  for (const junk of [undefined, null, 'text', [], { metadata: {} }, { metadata: { resourceVersion: 7 } }]) assert.is(readLease(junk), undefined);
});

test('garbled annotations: the holder is still judged by its spec; what did not validate is left out and named', () => {
  const garbled = lease(
    { holderIdentity: 'someone', leaseDurationSeconds: 60, renewTime: microTime(T0) },
    { [LeaseAnnotation.runId]: 'not-a-run', [LeaseAnnotation.user]: 'eve\u001b[31m', [LeaseAnnotation.host]: 42, [LeaseAnnotation.since]: 'last week', [LeaseAnnotation.stage]: 'x'.repeat(300) },
  );
  const reading = readLease(garbled);
  if (reading?.state !== 'held') throw new Error('held');
  assert.equal(reading.holder, { identity: 'someone', renewedAt: T0, durationSeconds: 60 });
  assert.is(reading.problems.length, 5);
  assert.is(describeHolder(reading.holder), 'holder someone by an unknown user');
  assert.is(judgeLease(reading, claim, T0 + 1000, () => true).kind, 'held');
  // Its age unreadable: it counts as older, so we back off rather than wait.
  assert.ok(isOlderThan(reading.holder, claim));
});

test('a holder without a readable renewTime or duration is never guessed at', () => {
  for (const spec of [
    { holderIdentity: 'x', leaseDurationSeconds: 60 },
    { holderIdentity: 'x', leaseDurationSeconds: 60, renewTime: 'soon' },
    { holderIdentity: 'x', leaseDurationSeconds: 0, renewTime: microTime(T0) },
    { holderIdentity: 'x', leaseDurationSeconds: '60', renewTime: microTime(T0) },
    { holderIdentity: 12, leaseDurationSeconds: 60, renewTime: microTime(T0) },
  ]) {
    const reading = readLease(lease(spec));
    assert.is(reading?.state, 'unreadable', JSON.stringify(spec));
    if (reading) assert.is(judgeLease(reading, claim, T0 + 3_600_000, () => false).kind, 'unreadable');
  }
  // acquireTime stands in for a renewTime never written.
  assert.is(readLease(lease({ holderIdentity: 'x', leaseDurationSeconds: 60, acquireTime: microTime(T0) }))?.state, 'held');
});

test('the same run, on this host, whose process is gone: abandoned (a resume after a crash takes it at once)', () => {
  const mine = (pid: number) => readLease(lease({ holderIdentity: claimIdentity(holder, pid, '00000001'), leaseDurationSeconds: 60, renewTime: microTime(T0) }, { [LeaseAnnotation.runId]: holder.runId, [LeaseAnnotation.host]: holder.host }));
  const gone = mine(999);
  if (!gone) throw new Error('lease');
  assert.is(judgeLease(gone, claim, T0, () => false).kind, 'abandoned');
  // Alive, or another host, or another run: held.
  assert.is(judgeLease(gone, claim, T0, () => true).kind, 'held');
  const elsewhere = readLease(lease({ holderIdentity: claimIdentity({ ...holder, host: 'laptop-b' }, 999, '00000001'), leaseDurationSeconds: 60, renewTime: microTime(T0) }, { [LeaseAnnotation.runId]: holder.runId, [LeaseAnnotation.host]: 'laptop-b' }));
  if (!elsewhere) throw new Error('lease');
  assert.is(judgeLease(elsewhere, claim, T0, () => false).kind, 'held');
});

test('the older claim wins; equal ages are settled by the identity, the same way on both sides', () => {
  const info = (since: number, identity: string): LeaseHolderInfo => ({ identity, since, renewedAt: since, durationSeconds: 60 });
  assert.ok(isOlderThan(info(T0 - 1, 'z'), claim));
  assert.not.ok(isOlderThan(info(T0 + 1, 'a'), claim));
  const a: LeaseClaim = { ...claim, identity: 'a' };
  const b: LeaseClaim = { ...claim, identity: 'b' };
  assert.ok(isOlderThan(info(T0, 'a'), b));
  assert.not.ok(isOlderThan(info(T0, 'b'), a));
});

test('a new Lease and a taken one carry the claim; a takeover keeps foreign labels and annotations, drops the old stage, counts a transition', () => {
  const created = newLease('zk', claim, 'Prepare', T0) as { metadata: { annotations: Record<string, string>; labels: Record<string, string> }; spec: Record<string, unknown> };
  assert.equal(created.metadata.annotations, { [LeaseAnnotation.runId]: '0123456789', [LeaseAnnotation.user]: 'alice', [LeaseAnnotation.host]: 'laptop-a', [LeaseAnnotation.since]: microTime(T0), [LeaseAnnotation.stage]: 'Prepare' });
  assert.equal(created.metadata.labels, { 'app.kubernetes.io/managed-by': 'kubectl-failover' });
  assert.equal(created.spec, { holderIdentity: claim.identity, leaseDurationSeconds: 60, acquireTime: microTime(T0), renewTime: microTime(T0), leaseTransitions: 0 });

  const read = structuredClone(theirs) as { metadata: { annotations: Record<string, string>; labels?: Record<string, string> }; spec: Record<string, unknown> };
  read.metadata.annotations.note = 'keep me';
  read.metadata.labels = { team: 'db' };
  read.spec.leaseTransitions = 3;
  const taken = takenLease(read, claim, undefined, T0) as typeof read;
  assert.is(taken.metadata.annotations.note, 'keep me');
  assert.is(taken.metadata.annotations[LeaseAnnotation.stage], undefined);
  assert.is(taken.metadata.annotations[LeaseAnnotation.user], 'alice');
  assert.equal(taken.metadata.labels, { team: 'db' });
  assert.is((taken.metadata as unknown as { resourceVersion: string }).resourceVersion, '7');
  assert.is(taken.spec.leaseTransitions, 4);
  assert.is(taken.spec.holderIdentity, claim.identity);
});

test('a renewal tests that we still hold it; a stage goes in the same patch', () => {
  assert.equal(renewalPatch(claim, T0), [
    { op: 'test', path: '/spec/holderIdentity', value: claim.identity },
    { op: 'replace', path: '/spec/renewTime', value: microTime(T0) },
  ]);
  assert.equal(renewalPatch(claim, T0, 'ScaleUpDestination').at(-1), { op: 'add', path: '/metadata/annotations/kubectl-failover.dev~1stage', value: 'ScaleUpDestination' });
});

test('scopes overlap exactly where they share a namespace', () => {
  const all = { all: true as const };
  const ns = (...names: string[]) => ({ all: false as const, names });
  assert.ok(selectionsOverlap(all, ns('zk')));
  assert.ok(selectionsOverlap(ns('zk'), all));
  assert.ok(selectionsOverlap(all, all));
  assert.ok(selectionsOverlap(ns('a', 'zk'), ns('zk', 'b')));
  assert.not.ok(selectionsOverlap(ns('a'), ns('b')));
  assert.not.ok(selectionsOverlap(ns(), all));
  // -A leases every namespace of the cluster, so it meets -n zk in zk's Lease.
  assert.equal(leaseNamespaces(all, ['zk', 'default', 'zk']), ['default', 'zk']);
  assert.equal(leaseNamespaces(ns('b', 'a', 'b'), ['zk']), ['a', 'b']);
});

test('waits read as an operator says them', () => {
  assert.is(describeWait(41_200), '42s');
  assert.is(describeWait(59_900), '60s');
  assert.is(describeWait(190_000), '3m10s');
  assert.is(describeWait(-5), '0s');
});

test.run();
