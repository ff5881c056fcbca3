import type { Interruption } from './interrupt';

/**
 * The scripting interface: every `-o json|yaml` report carries this apiVersion and a kind, and
 * object results are these tokens. docs/scripting.md documents both; change them only with a new version.
 */
export const REPORT_API_VERSION = 'kubectl-failover.dev/v1alpha1';

export const RESULT_TOKENS = ['changed', 'would-change', 'unchanged', 'skipped', 'failed', 'unknown', 'not-attempted'] as const;
export type ResultToken = (typeof RESULT_TOKENS)[number];

/**
 * What a command's report amounts to; the CLI edge turns it into an exit code.
 * - succeeded: everything asked for was done (or there was nothing to do)
 * - failed: a read or a write failed, or its outcome is unknown
 * - timed-out: the changes were made but did not become ready within --timeout
 * - refused: checks before any write refused the request; nothing was changed (exit 2, with the report)
 */
export type Verdict = 'succeeded' | 'failed' | 'timed-out' | 'refused';

/** A command's result: the report to print and what it amounts to. */
export interface CommandOutcome<R> {
  report: R;
  verdict: Verdict;
  /** Stopped early by ^C or SIGTERM: the report holds what was done; the CLI prints the message and exits 130/143. */
  interruption?: Interruption;
  /** Why the request was refused (verdict refused, or a failure before any write): the CLI prints it as one `error:` line after the report. */
  refusal?: string;
}
