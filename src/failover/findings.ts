/**
 * What a readiness look at a failover finds: `run`'s Validations, `check`, and the reconciler
 * detection all speak in findings, so one condition has one code wherever it is reported.
 * Codes are an interface (docs/status-check.md lists them; `check -o prometheus` exports them): add, never rename.
 */
export const FINDING_CODES = [
  // the pair and the route
  'same-cluster',
  'source-unreachable',
  'destination-unreadable',
  // schedules and migrations
  'schedule-missing',
  'schedule-suspended',
  'policy-missing',
  'migration-failed',
  'migration-running',
  'no-migration',
  'rpo-exceeded',
  'rpo-unknown',
  'static-copy-missing',
  'static-copy-not-suspended',
  'clusterpair-not-ready',
  // what the destination will write
  'count-missing',
  'count-invalid',
  'stash-invalid',
  'namespace-missing',
  'owned-workload',
  // who may write
  'rbac-denied',
  // others at work
  'source-still-runs',
  'reconciler-active',
  'reconciler-unreadable',
  'lease-held',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

/** error: a failover must not start; warning: it may, and the report says why it might not be wise. */
export type FindingSeverity = 'error' | 'warning';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** Where it was found. */
  cluster: 'source' | 'destination' | 'both';
  /** The namespace it concerns; absent when it concerns the whole request. */
  namespace?: string;
  /** One line, for a person. */
  message: string;
  /** The flag that overrides it, when one does ("--force"). */
  override?: string;
  /** Every object it concerns, where the message names only the first few. */
  objects?: string[];
}

export function isBlocking(finding: Finding, strict = false): boolean {
  return finding.severity === 'error' || (strict && finding.severity === 'warning');
}
