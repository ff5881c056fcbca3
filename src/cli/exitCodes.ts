/** Exit codes are an interface for scripts; the README documents them. */
export const ExitCode = {
  /** Everything asked for was done (or there was nothing to do). */
  Success: 0,
  /** An operation failed or partly failed: a write was refused, a workload did not become ready in time, the cluster could not be reached. */
  OperationFailed: 1,
  /** Usage or configuration error: bad flag, kubeconfig problem, unknown context or namespace, Stork not installed. Nothing was changed. */
  UsageError: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
