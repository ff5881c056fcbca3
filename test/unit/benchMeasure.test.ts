import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compareFailover, markdownTable, median, requestText, type Sample } from '../../scripts/lib/benchMeasure';
import { failoverScaleNamespace, resetPatch } from '../../scripts/sandbox/seeds';

const sample = (seconds: number, peakMb: number, requests: Record<string, number>, cpuSeconds = seconds / 2): Sample => ({ seconds, cpuSeconds, peakMb, requests });

test('median: the middle value, the upper one of an even count', () => {
  assert.is(median([3, 1, 2]), 2);
  assert.is(median([4, 1, 3, 2]), 3);
  assert.ok(Number.isNaN(median([])));
});

test('compareFailover: the pair per round (times added, the larger peak), run against it', () => {
  const rounds = [
    { deactivate: sample(5, 100, { list: 7, patch: 10 }), activate: sample(6, 120, { list: 8, patch: 12 }), run: sample(12, 130, { list: 20, patch: 23 }) },
    // A slow round for everything: the pair's median is of the sums, not of each verb apart.
    { deactivate: sample(9, 100, { list: 7, patch: 10 }), activate: sample(1, 110, { list: 8, patch: 12 }), run: sample(30, 125, { list: 20, patch: 23 }) },
    { deactivate: sample(7, 90, { list: 7, patch: 10 }), activate: sample(7, 100, { list: 8, patch: 12 }), run: sample(13, 128, { list: 20, patch: 23 }) },
  ];
  const comparison = compareFailover(rounds);
  const byName = Object.fromEntries(comparison.rows.map((row) => [row.name, row]));
  assert.equal(Object.keys(byName), ['deactivate -A (source)', 'activate -A (destination)', 'deactivate -A (source), then activate -A (destination)', 'run -A --wait=false --skip-last-mile']);
  const pair = byName['deactivate -A (source), then activate -A (destination)'];
  assert.is(pair?.seconds, 11);
  assert.is(pair?.peakMb, 120);
  assert.equal(pair?.requests, { list: 15, patch: 22 });
  assert.is(byName['run -A --wait=false --skip-last-mile']?.seconds, 13);
  assert.is(comparison.timeRatio, 13 / 11);
  assert.is(comparison.memoryRatio, 130 / 120);
  assert.is(comparison.requestRatio, 43 / 37);
  assert.throws(() => compareFailover([]), /no rounds/);
});

test('requestText and markdownTable: what the bench prints', () => {
  assert.is(requestText({ list: 2, patch: 3 }), '5 (list 2, patch 3)');
  assert.is(requestText({}), '');
  assert.is(markdownTable(['a', 'bb'], [['xyz', '1']]), '| a   | bb |\n| --- | -- |\n| xyz | 1  |');
});

test('failover-scale seed: live apps and the schedule on the source, Stork\'s copies at 0 on the destination', () => {
  const finished = new Date('2026-01-02T03:04:05Z');
  const world = failoverScaleNamespace('dr-0001', finished);
  type Seeded = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec: { replicas?: number }; status?: { items?: unknown } };
  const source = world.source as Seeded[];
  const destination = world.destination as Seeded[];
  assert.equal(source.map((object) => object.kind), ['Deployment', 'Deployment', 'Deployment', 'Deployment', 'StatefulSet', 'MigrationSchedule', 'Migration']);
  assert.equal(destination.map((object) => object.kind), ['Deployment', 'Deployment', 'Deployment', 'Deployment', 'StatefulSet', 'MigrationSchedule']);
  for (const [index, live] of source.slice(0, 5).entries()) {
    const copy = destination[index];
    assert.is(copy?.metadata.name, live.metadata.name);
    assert.is(copy?.spec.replicas, 0);
    assert.is(copy?.metadata.annotations?.['stork.libopenstorage.org/migrationReplicas'], String(live.spec.replicas));
    assert.is(copy?.metadata.annotations?.['stork.libopenstorage.org/migrationTime'], '2026-01-02-030405');
    assert.is(live.metadata.annotations?.['stork.libopenstorage.org/migrationReplicas'], undefined);
  }
  // The schedule's last success names the Migration seeded beside it; the static copy has no history.
  const items = (source[5]?.status?.items as { Interval: Array<{ name: string; status: string }> }).Interval;
  assert.is(items[0]?.name, source[6]?.metadata.name);
  assert.is(items[0]?.status, 'Successful');
  assert.is(destination[5]?.status?.items, null);
  assert.is(destination[5]?.metadata.annotations?.['stork.libopenstorage.org/static-copy'], 'true');
});

test('resetPatch: a workload\'s count and record back as seeded (the record removed where it had none), a schedule\'s suspend and activation', () => {
  const world = failoverScaleNamespace('dr-0001', new Date());
  assert.equal(resetPatch(world.source[0]), { metadata: { annotations: { 'stork.libopenstorage.org/migrationReplicas': null } }, spec: { replicas: 1 } });
  assert.equal(resetPatch(world.destination[4]), { metadata: { annotations: { 'stork.libopenstorage.org/migrationReplicas': '3' } }, spec: { replicas: 0 } });
  assert.equal(resetPatch(world.source[5]), { spec: { suspend: false }, status: { applicationActivated: false } });
  assert.equal(resetPatch(world.destination[5]), { spec: { suspend: true }, status: { applicationActivated: false } });
  assert.is(resetPatch(world.source[6]), undefined);
});

test.run();
