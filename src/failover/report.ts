import type { DryRunMode } from '../core/dryRun';
import { REPORT_API_VERSION, type Verdict } from '../core/report';
import type { ObjectResult } from '../io/apply';
import { reportRow, type ObjectReportRow } from '../report/activationReport';
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
}

/** `kubectl failover run -o json|yaml`. */
export interface FailoverReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: 'FailoverReport';
  runId: string;
  source: { context: string; reachable: boolean; error?: string };
  destination: { context: string };
  dryRun: DryRunMode;
  schedule?: string;
  namespaces: string[];
  dataLossWindow: DataLossWindow[];
  lastMileMigrations: string[];
  stages: StageReport[];
  outcome: FailoverOutcome;
  /** Per namespace: what stands now. */
  namespaceResults: Array<{ namespace: string; result: 'active-on-destination' | 'failed' | 'rolled-back' | 'unchanged' | 'planned'; message?: string }>;
  warnings: string[];
}

export function stageReport(name: FailoverStageName, cluster: StageReport['cluster'], status: StageStatus, startedAt: number, now: number, fields: { message?: string; results?: readonly ObjectResult[]; dryRun?: DryRunMode } = {}): StageReport {
  const report: StageReport = {
    name,
    display: STAGE_DISPLAY[name],
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

/** Successful and dry runs succeed; a readiness timeout on the destination is timed-out (exit 3); everything else failed. */
export function failoverVerdict(report: FailoverReport): Verdict {
  if (report.outcome === 'Successful' || report.outcome === 'DryRun') return 'succeeded';
  const scaleUp = report.stages.find((stage) => stage.name === 'ScaleUpDestination');
  if (report.outcome === 'Failed' && scaleUp?.status === 'TimedOut' && scaleUp.objects.every((row) => row.result !== 'failed')) return 'timed-out';
  return 'failed';
}
