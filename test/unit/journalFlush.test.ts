// The journal's group commit: every write's entry is on disk before the write is sent, and the
// entries of writes sent together share one fsync.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { JournalEntry } from '../../src/failover/journalModel';
import { Journal, readJournal, type Syncer } from '../../src/io/journal';

const stage = (index: number): JournalEntry => ({ type: 'stage', runId: '0123456789', time: new Date(1_000 * index).toISOString(), stage: 'ScaleDownSource', status: 'Started' });

/** A syncer whose fsyncs finish only when the test says so. */
function heldSyncer(): { syncer: Syncer; calls: number; finish: (error?: NodeJS.ErrnoException) => void } {
  const pending: Array<(error: NodeJS.ErrnoException | null) => void> = [];
  const held = {
    calls: 0,
    syncer: ((_fd, done) => {
      held.calls++;
      pending.push(done);
    }) as Syncer,
    finish: (error?: NodeJS.ErrnoException) => pending.shift()?.(error ?? null),
  };
  return held;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('appendDurably: lines in call order; entries written while an fsync runs share the next one, and resolve only once it ends', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-journal-'));
  try {
    const held = heldSyncer();
    const journal = Journal.open(path.join(dir, 'run.jsonl'), held.syncer);
    const done: number[] = [];
    const append = (index: number): Promise<void> => journal.appendDurably(stage(index)).then(() => void done.push(index));
    const first = append(0);
    // Written after the first fsync began: it may not cover them, the next one does, all together.
    const rest = [1, 2, 3, 4].map(append);
    assert.is(held.calls, 1);
    await tick();
    assert.equal(done, [], 'nothing may be sent before its entry is flushed');
    held.finish();
    await first;
    assert.equal(done, [0]);
    assert.is(held.calls, 2);
    await tick();
    assert.equal(done, [0]);
    held.finish();
    await Promise.all(rest);
    assert.equal(done, [0, 1, 2, 3, 4]);
    assert.is(held.calls, 2);
    journal.append(stage(5));
    journal.close();
    assert.equal(readJournal(path.join(dir, 'run.jsonl')).map((entry) => entry.time), [0, 1, 2, 3, 4, 5].map((index) => new Date(1_000 * index).toISOString()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appendDurably: a failed fsync rejects the entries it covered (their writes are not sent); close waits for the fsyncs under way', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-journal-'));
  try {
    const held = heldSyncer();
    const journal = Journal.open(path.join(dir, 'run.jsonl'), held.syncer);
    const outcomes = [journal.appendDurably(stage(0)), journal.appendDurably(stage(1))].map((promise) => promise.then(() => 'flushed', (error: Error) => error.message));
    journal.close();
    const failure: NodeJS.ErrnoException = new Error('EIO: i/o error, fsync');
    held.finish(failure);
    held.finish();
    assert.equal(await Promise.all(outcomes), ['EIO: i/o error, fsync', 'flushed']);
    assert.is(held.calls, 2);
    assert.is(readFileSync(path.join(dir, 'run.jsonl'), 'utf8').split('\n').filter(Boolean).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('appendDurably with the real fsync: resolves, and the lines are there', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kf-journal-'));
  try {
    const journal = Journal.open(path.join(dir, 'run.jsonl'));
    await Promise.all(Array.from({ length: 20 }, (_, index) => journal.appendDurably(stage(index))));
    journal.close();
    assert.is(readJournal(path.join(dir, 'run.jsonl')).length, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
