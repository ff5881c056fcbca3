import type { REPORT_API_VERSION } from '../core/report';
import type { Finding } from '../failover/findings';

/** One namespace's answer to "can it be failed over now". */
export interface NamespaceReadiness {
  namespace: string;
  /** No error finding concerns it (with --strict: no warning either). */
  ready: boolean;
  /** Age of the newest successful migration that covers it; null when unknown. */
  dataLossWindowSeconds: number | null;
  /** Where the window was read: the source schedule's history, or the destination's migrationTime stamps. */
  windowFrom?: 'schedule-status' | 'migration-time';
  /** Codes of the findings that concern it (the request-wide ones included). */
  findings: string[];
}

/** `kubectl failover check -o json|yaml`. */
export interface ReadinessReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'ReadinessReport';
  source: { context: string; reachable: boolean; error?: string; clusterPair?: string };
  destination: { context: string; reachable: boolean; error?: string };
  /** --strict: warnings count as errors. */
  strict: boolean;
  ready: boolean;
  namespaces: NamespaceReadiness[];
  findings: Finding[];
  checkedAt: string;
}
