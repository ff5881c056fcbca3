import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
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

/**
 * An append-only journal of one run: each entry one JSON line, written and flushed to disk
 * (fsync) before the write it describes is sent, so a crash at any point leaves a record that
 * `run --resume` and `undo` can read.
 */
export class Journal {
  private constructor(
    readonly file: string,
    private readonly fd: number,
  ) {}

  /** Opens (creating folders) for appending; a journal that cannot be written stops the run before its first write. */
  static open(file: string): Journal {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      return new Journal(file, openSync(file, 'a', 0o600));
    } catch (error) {
      throw new UsageError(`cannot write the journal ${file}: ${oneLine(error)}; nothing was changed (choose another place with --journal)`);
    }
  }

  append(entry: JournalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
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
