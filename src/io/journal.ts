import { closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { UsageError, oneLine } from '../core/errors';
import type { JournalEntry } from '../failover/journalModel';

/**
 * Where journals live: --journal, else ${XDG_STATE_HOME:-~/.local/state}/kubectl-failover (on
 * Windows %LOCALAPPDATA%\kubectl-failover), one `<run id>.jsonl` per run.
 */
export function journalDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'kubectl-failover');
  const state = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(state, 'kubectl-failover');
}

export function journalPath(env: NodeJS.ProcessEnv, runId: string, explicit?: string): string {
  return explicit ?? path.join(journalDirectory(env), `${runId}.jsonl`);
}

/** Flushes a file to disk and calls back (node:fs fsync; a test counts the calls). */
export type Syncer = (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void;

/**
 * An append-only journal of one run: each entry one JSON line, written and flushed to disk
 * (fsync) before the write it describes is sent, so a crash at any point leaves a record that
 * `run --resume` and `undo` can read.
 */
export class Journal {
  /** Callers of appendDurably whose line is written but not yet covered by an fsync. */
  private waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private syncing = false;
  private closeWhenSynced = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
    private readonly syncer: Syncer,
  ) {}

  /** Opens (creating folders) for appending; a journal that cannot be written stops the run before its first write. */
  static open(file: string, syncer: Syncer = fsync): Journal {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      return new Journal(file, openSync(file, 'a', 0o600), syncer);
    } catch (error) {
      throw new UsageError(`cannot write the journal ${file}: ${oneLine(error)}; nothing was changed (choose another place with --journal)`);
    }
  }

  /** Writes an entry and flushes it (and every line before it) to disk before returning. */
  append(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
  }

  /**
   * Writes an entry now (so lines keep the order of the calls) and resolves once an fsync begun
   * after it has finished: only then may the write it describes be sent. The writes of one stage
   * are journalled by up to --concurrency senders at once; one fsync covers every line written
   * before it began, so they share it (group commit) instead of taking turns on the disk, and the
   * fsync runs off the event loop, so answers already in keep being read meanwhile.
   */
  appendDurably(entry: JournalEntry): Promise<void> {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.syncWaiting();
    });
  }

  private syncWaiting(): void {
    if (this.syncing || this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    this.syncing = true;
    this.syncer(this.fd, (error) => {
      this.syncing = false;
      for (const caller of batch) {
        if (error) caller.reject(error);
        else caller.resolve();
      }
      if (this.waiting.length > 0) this.syncWaiting();
      else if (this.closeWhenSynced) closeSync(this.fd);
    });
  }

  close(): void {
    // An fsync still under way (a caller that stopped waiting, on an interrupt) ends first.
    if (this.syncing || this.waiting.length > 0) this.closeWhenSynced = true;
    else closeSync(this.fd);
  }
}

/** Reads a journal's entries; a torn last line (a crash while writing it) is ignored. */
export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) throw new UsageError(`no journal ${file}`);
  const entries: JournalEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as JournalEntry);
    } catch {
      // Only the last line can be torn; anything else is not ours to guess at.
    }
  }
  return entries;
}

/** The journals in a folder, by run id. */
export function listJournals(directory: string): Array<{ runId: string; file: string }> {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => ({ runId: name.slice(0, -'.jsonl'.length), file: path.join(directory, name) }));
}
