import type { CommandDeps } from '../../core/command';
import { UsageError } from '../../core/errors';
import { summarizeJournal, type RunRequest, type RunSummary } from '../../failover/journalModel';
import { resumeDecision, type ResumeScopeFlags } from '../../failover/resumeGate';
import { journalPath, loadJournal } from '../../io/journal';
import { terminalSafe } from '../../present/terminalText';

/**
 * `run --resume ID`: the run's journal, checked line by line (a bad line: exit 1, naming it), its
 * torn last line named on stderr, and the resume gates (finished, undone, other scope flags: exit 2),
 * all before anything is connected to or written.
 */
export function readResumableRun(deps: Pick<CommandDeps, 'env' | 'streams'>, runId: string, journalFlag: string | undefined, given: ResumeScopeFlags): { file: string; summary: RunSummary; request: RunRequest } {
  const file = journalPath(deps.env, runId, journalFlag);
  const journal = loadJournal(file, runId);
  for (const warning of journal.warnings) deps.streams.stderr.write(`warning: ${terminalSafe(warning)}\n`);
  const summary = summarizeJournal(runId, journal.entries);
  const decision = resumeDecision(summary, file, given);
  if (!decision.resumable) throw new UsageError(decision.reason);
  return { file, summary, request: decision.request };
}
