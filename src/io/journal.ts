import { appendFileSync, closeSync, existsSync, fsync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, truncateSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { JournalError, UsageError, oneLine } from '../core/errors';
import type { JournalEntry } from '../failover/journalModel';
import { parseJournalEntry } from '../failover/journalSchema';
import { checkRunId } from '../failover/runId';

/**
 * Where journals live: --journal, else ${XDG_STATE_HOME:-~/.local/state}/kubectl-failover (on
 * Windows %LOCALAPPDATA%\kubectl-failover), one `<run id>.jsonl` per run.
 */
export function journalDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'kubectl-failover');
  const state = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(state, 'kubectl-failover');
}

/** The journal of a run: --journal, else `<run id>.jsonl` in journalDirectory. An id that is not one is refused (exit 2) before any file is opened. */
export function journalPath(env: NodeJS.ProcessEnv, runId: string, explicit?: string): string {
  checkRunId(runId, 'run id');
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
      sealTornTail(file);
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

/** A journal's entries, each checked against the schema, with the line each came from. */
export interface ParsedJournal {
  /** Where it was read: a file path, or e.g. "configmap ns/name on context dst". */
  origin: string;
  entries: JournalEntry[];
  /** lines[i]: the 1-based line of entries[i], for plans and errors that point back at the journal. */
  lines: number[];
  /** A last line cut short by a crash while it was written (no newline, not JSON): left out. */
  tornLastLine?: number;
  /** What the callers print on stderr (`warning: …`): the torn last line, named. */
  warnings: string[];
}

/**
 * Parses a journal's text: one JSON entry per line, each checked against the schema and, when
 * `runId` is given (else the first entry's), holding that run id. Only a torn *last* line is
 * tolerated: the journal is flushed before the write it describes is sent, so a line cut short by
 * a crash describes a write that never happened. Any other bad line throws a JournalError naming
 * the origin and the line ("journal F line 7: …"): nothing is to be done on a journal's word once
 * part of it is unreadable (a lost middle line would be a write undo never puts back). Pure.
 */
export function parseJournalText(text: string, origin: string, options: { runId?: string } = {}): ParsedJournal {
  const parsed: ParsedJournal = { origin, entries: [], lines: [], warnings: [] };
  const complete = text.endsWith('\n');
  const rows = text === '' ? [] : (complete ? text.slice(0, -1) : text).split('\n');
  let expected = options.runId;
  for (const [index, row] of rows.entries()) {
    const line = index + 1;
    const torn = !complete && index === rows.length - 1;
    let value: unknown;
    try {
      if (row.trim() === '') throw new Error('empty line');
      value = JSON.parse(row);
    } catch (error) {
      if (torn) {
        parsed.tornLastLine = line;
        parsed.warnings.push(`journal ${origin} line ${line} is torn (cut short while it was written, so the write it describes was never sent): ignored`);
        continue;
      }
      throw new JournalError(origin, line, row.trim() === '' ? 'empty line (each line holds one JSON entry)' : `not JSON (${oneLine(error)})`);
    }
    const entry = parseJournalEntry(value);
    if (!entry.ok) throw new JournalError(origin, line, entry.problem);
    expected ??= entry.value.runId;
    if (entry.value.runId !== expected) throw new JournalError(origin, line, `runId ${entry.value.runId} is not this journal's run ${expected}`);
    parsed.entries.push(entry.value);
    parsed.lines.push(line);
  }
  return parsed;
}

/** Reads and checks a journal file (parseJournalText). No file is a usage error (exit 2); an unreadable or bad one a JournalError (exit 1). */
export function loadJournal(file: string, runId?: string): ParsedJournal {
  if (!existsSync(file)) throw new UsageError(`no journal ${file}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new JournalError(file, undefined, `cannot be read: ${oneLine(error)}`);
  }
  return parseJournalText(text, file, runId === undefined ? {} : { runId });
}

/** A journal's checked entries (loadJournal), for callers that need no line numbers and print no warnings. */
export function readJournal(file: string): JournalEntry[] {
  return loadJournal(file).entries;
}

/**
 * Before appending to a journal: a last line with no newline is completed if it is a whole entry,
 * and cut off if it is torn (its write was never sent: the line is flushed before the write), so
 * that the next entry starts on a line of its own and the journal stays readable.
 */
function sealTornTail(file: string): void {
  if (!existsSync(file)) return;
  // Bytes, not text: the cut must fall exactly after the last newline whatever the bytes before it.
  const bytes = readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  const kept = bytes.lastIndexOf(0x0a) + 1;
  try {
    JSON.parse(bytes.subarray(kept).toString('utf8'));
    appendFileSync(file, '\n');
  } catch {
    truncateSync(file, kept);
  }
}

/** The journals in a folder, by run id. */
export function listJournals(directory: string): Array<{ runId: string; file: string }> {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.jsonl'))
    .map((name) => ({ runId: name.slice(0, -'.jsonl'.length), file: path.join(directory, name) }));
}
