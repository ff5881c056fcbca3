import path from 'node:path';

/** The name kubectl (1.26 and later) looks for on PATH to complete `kubectl failover …`. */
export const COMPLETION_SHIM_PREFIX = 'kubectl_complete-';

/** Started as kubectl_complete-failover (a symlink to the binary): the words are to complete. */
export function startedAsCompletionShim(argv0: string): boolean {
  return path.basename(argv0).startsWith(COMPLETION_SHIM_PREFIX);
}
