import type { InterruptSignal } from '../core/interrupt';
import type { Verdict } from '../core/report';

/** Exit codes are an interface for scripts; docs/scripting.md documents them. Every verb uses this table. */
export const ExitCode = {
  /** Everything asked for was done (or there was nothing to do). */
  Success: 0,
  /** A read or a write failed (or its outcome is unknown), or the cluster could not be reached. */
  OperationFailed: 1,
  /** Usage or configuration error: bad flag, kubeconfig problem, unknown context or namespace. Nothing was changed. */
  UsageError: 2,
  /** The changes were made but did not become ready (or a followed operation did not finish) within --timeout. */
  TimedOut: 3,
  /** Interrupted by SIGINT (^C). */
  Interrupted: 130,
  /** Stopped by SIGTERM. */
  Terminated: 143,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(verdict: Verdict): ExitCode {
  switch (verdict) {
    case 'succeeded':
      return ExitCode.Success;
    case 'failed':
      return ExitCode.OperationFailed;
    case 'timed-out':
      return ExitCode.TimedOut;
    case 'refused':
      return ExitCode.UsageError;
  }
}

/** 128 + the signal's number, as a shell reports a process the signal ended. */
export function exitCodeForSignal(signal: InterruptSignal): ExitCode {
  return signal === 'SIGTERM' ? ExitCode.Terminated : ExitCode.Interrupted;
}

export const EXIT_CODES_EPILOGUE = 'Exit codes: 0 done, 1 a read or write failed, 2 usage or configuration error (nothing changed), 3 changed but not ready within --timeout, 130/143 interrupted.';
