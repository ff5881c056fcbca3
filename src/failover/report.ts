import type { DryRunMode } from '../core/dryRun';
import { REPORT_API_VERSION, type Verdict } from '../core/report';
import type { ObjectResult } from '../io/apply';
import { reportRow, type ObjectReportRow } from '../report/activationReport';
import type { Finding } from './findings';
import { STAGE_DISPLAY, type FailoverOutcome, type FailoverStageName, type StageStatus } from './stages';

export interface StageReport {
  name: FailoverStageName;
  /** storkctl's display name. */
  display: string;
  /** Where it acts: source, destination, or both (Validations). */
  cluster: 'source' | 'destination' | 'both' | '';
  status: StageStatus;
  durationSeconds: number;
  /** One line: why it failed or was skipped, what it waited for. */
  message?: string;
  /** Each object written (or, in a dry run, that would be). */
  objects: ObjectReportRow[];
}

export interface DataLossWindow {
  schedule: string;
  /** Where it was read: the source's schedule, else the destination's static copy. */
  cluster: string;
  lastSuccess: string | null;
  ageSeconds: number | null;
  /**
   * What it was read from: the source schedule's status.items, or (the source not read: Stork's
   * static copies hold no history) the newest stork.libopenstorage.org/migrationTime of the
   * migrated objects on the destination, an upper bound.
   */
  from?: 'schedule-status' | 'migration-time';
  /** The namespaces of the run it covers. */
  namespaces?: string[];
}

/** `kubectl failover run -o json|yaml`. */
export interface FailoverReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'FailoverReport';
  runId: string;
  /**
   * The source cluster. With --via-stork the Stork controller reaches it through the schedule's
   * ClusterPair, not a context of ours: context is '' and reachable is null unless the Action
   * showed it (it skipped the source stages as Stork does when the source does not answer).
   */
  source: { context: string; reachable: boolean | null; error?: string; clusterPair?: string };
  destination: { context: string };
  dryRun: DryRunMode;
  schedule?: string;
  namespaces: string[];
  dataLossWindow: DataLossWindow[];
  lastMileMigrations: string[];
  stages: StageReport[];
  outcome: FailoverOutcome;
  /** Per namespace: what stands now (with --via-stork: from the Action's status.summary, its status and reason). */
  namespaceResults: NamespaceResult[];
  /** What Validations found (every finding; the warnings among them are also in `warnings`). */
  findings: Finding[];
  warnings: string[];
  /** --via-stork: the Action created (or followed) and its state when following ended. */
  action?: ActionState;
}

export interface NamespaceResult {
  namespace: string;
  result: 'active-on-destination' | 'active-on-source' | 'failed' | 'rolled-back' | 'unchanged' | 'planned';
  /** --via-stork: the summary item's status as Stork wrote it. */
  status?: string;
  message?: string;
}

/** The Action as it stood when following ended: Stork's own fields. */
export interface ActionState {
  name: string;
  namespace: string;
  actionType: string;
  created: string;
  stage: string;
  status: string;
  reason: string;
  /** storkctl get failover|failback's MORE INFO. */
  moreInfo: string;
}

export function stageReport(name: FailoverStageName, cluster: StageReport['cluster'], status: StageStatus, startedAt: number, now: number, fields: { message?: string; results?: readonly ObjectResult[]; dryRun?: DryRunMode; display?: string } = {}): StageReport {
  const report: StageReport = {
    name,
    display: fields.display ?? STAGE_DISPLAY[name],
    cluster,
    status,
    durationSeconds: Math.round((now - startedAt) / 100) / 10,
    objects: (fields.results ?? []).map((result) => reportRow(result, fields.dryRun ?? 'none')),
  };
  if (fields.message) report.message = fields.message;
  return report;
}

/** Any write that did not succeed (failed, unknown, not attempted). */
export function writeFailures(results: readonly ObjectResult[]): ObjectResult[] {
  return results.filter((result) => result.outcome === 'failed' || result.outcome === 'unknown' || result.outcome === 'not-attempted');
}

/**
 * Successful and dry runs succeed; a readiness timeout on the destination, or an Action still in
 * progress when following stopped, is timed-out (exit 3); everything else failed.
 */
export function failoverVerdict(report: FailoverReport): Verdict {
  if (report.outcome === 'Successful' || report.outcome === 'DryRun') return 'succeeded';
  if (report.outcome === 'InProgress') return 'timed-out';
  const scaleUp = report.stages.find((stage) => stage.name === 'ScaleUpDestination');
  if (report.outcome === 'Failed' && scaleUp?.status === 'TimedOut' && scaleUp.objects.every((row) => row.result !== 'failed')) return 'timed-out';
  return 'failed';
}
