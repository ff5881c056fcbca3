/**
 * The keys kubectl-failover writes under its own prefix, in one place: the last-run stamp on the
 * objects a run changes, the run lease's annotations, the run record's labels. Anyone reading the
 * clusters (kubectl, an audit) finds them all under `kubectl-failover.dev/`.
 */
export const MARK_PREFIX = 'kubectl-failover.dev/';

/** On every object a run writes, set in the same patch as the change: which run touched it last. */
export const LAST_RUN_ANNOTATION = `${MARK_PREFIX}last-run`;

/** The standard label naming the tool that manages an object (Leases, run records). */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubectl-failover';

/** The shape of a run id (`run` makes them: 5 random bytes in hex). */
export const RUN_ID_PATTERN = /^[0-9a-f]{10}$/;

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID_PATTERN.test(value);
}
