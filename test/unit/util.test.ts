import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { palette } from '../../src/present/colors';
import { unifiedDiff } from '../../src/present/diff';
import { renderTable } from '../../src/present/table';
import { retryAfterMs } from '../../src/kube/client';
import { mapWithConcurrency } from '../../src/util/concurrency';
import { formatDuration, formatGoDuration, parseDuration } from '../../src/util/duration';

test('parseDuration reads kubectl durations and rejects garbage', () => {
  assert.is(parseDuration('0'), 0);
  assert.is(parseDuration('30'), 30_000);
  assert.is(parseDuration('30s'), 30_000);
  assert.is(parseDuration('1m30s'), 90_000);
  assert.is(parseDuration('500ms'), 500);
  assert.is(parseDuration('2h'), 7_200_000);
  assert.is(parseDuration('soon'), undefined);
  assert.is(parseDuration('-5s'), undefined);
  assert.is(parseDuration(''), undefined);
});

test('formatDuration prints ages like kubectl', () => {
  assert.is(formatDuration(45_000), '45s');
  assert.is(formatDuration(192_000), '3m12s');
  assert.is(formatDuration(7_500_000), '2h5m');
  assert.is(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3d4h');
});

test('formatGoDuration matches storkctl (Go durations)', () => {
  assert.is(formatGoDuration(300_000), '5m0s');
  assert.is(formatGoDuration(42_000), '42s');
  assert.is(formatGoDuration(3_723_000), '1h2m3s');
});

test('unifiedDiff shows the changed line with context and hunk header', () => {
  const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].join('\n');
  const after = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h'].join('\n');
  const diff = unifiedDiff(before, after, { from: 'x (live)', to: 'x (planned)' }, palette(false), 2);
  assert.is(diff, ['--- x (live)', '+++ x (planned)', '@@ -3,5 +3,5 @@', ' c', ' d', '-e', '+E', ' f', ' g', ''].join('\n'));
});

test('unifiedDiff of equal texts is empty; colours only when enabled', () => {
  assert.is(unifiedDiff('a\nb', 'a\nb', { from: 'a', to: 'b' }, palette(true)), '');
  assert.match(unifiedDiff('a', 'b', { from: 'a', to: 'b' }, palette(true)), '\u001b[32m+b');
  assert.not.match(unifiedDiff('a', 'b', { from: 'a', to: 'b' }, palette(false)), '\u001b');
});

test('renderTable pads columns like kubectl', () => {
  assert.is(renderTable(['NAME', 'READY'], [['zk', '3/3'], ['zookeeper-x', '0/1']]), 'NAME          READY\nzk            3/3\nzookeeper-x   0/1\n');
});

test('renderTable aligns coloured cells by what is visible', () => {
  const green = (text: string): string => `\u001b[32m${text}\u001b[39m`;
  const table = renderTable(['RESULT', 'NOTE'], [[{ text: 'changed', style: green }, 'a'], ['unchanged', 'b']]);
  assert.match(table, green('changed'));
  assert.is(table.replace(/\u001b\[\d+m/g, ''), 'RESULT      NOTE\nchanged     a\nunchanged   b\n');
});

test('renderTable escapes what a cell holds: a newline cannot forge a row, an escape sequence cannot reach the terminal', () => {
  const table = renderTable(['NAME', 'NOTE'], [['web', 'recorded "3\nzookeeper   statefulset/evil   changed"'], ['db', 'title\u001b]0;pwned\u0007 \u001b[2J\u202eevil']]);
  assert.is(table.split('\n').length, 4);
  assert.not.match(table, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  assert.match(table, 'recorded "3\\nzookeeper   statefulset/evil   changed"');
  assert.match(table, 'title\\u001b]0;pwned\\u0007 \\u001b[2J\\u202eevil');
  // Escaped text is what is measured: the columns still line up.
  assert.is(table.split('\n')[1]?.indexOf('recorded'), table.split('\n')[0]?.indexOf('NOTE'));
});

test('mapWithConcurrency keeps order and never exceeds the bound', async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (value) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5 * (8 - value)));
    inFlight--;
    return value * 10;
  });
  assert.equal(results, [10, 20, 30, 40, 50, 60, 70]);
  assert.is(peak, 3);
});

test('Retry-After: seconds or an HTTP date; anything else is not a delay', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.is(retryAfterMs('3', now), 3000);
  assert.is(retryAfterMs(' 0 ', now), 0);
  assert.is(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now), 5000);
  assert.is(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
  assert.is(retryAfterMs('soon', now), undefined);
  assert.is(retryAfterMs(undefined, now), undefined);
});

test.run();
