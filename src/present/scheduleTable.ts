import type { DryRunMode } from '../core/dryRun';
import type { ObjectResult } from '../io/apply';
import { applyChanges } from '../plan/jsonPatch';
import type { ChangeReport } from '../report/activationReport';
import type { KubeObject } from '../kube/objects';
import { isSuspended, scheduleClusterPair, schedulePolicyName } from '../stork/migrationSchedule';
import { lastSuccess } from '../stork/scheduleStatus';
import { formatGoDuration } from '../util/duration';
import { renderTable } from './table';
import { terminalSafe } from './terminalText';

export interface ScheduleRow {
  schedule: KubeObject;
  result: string;
  note?: string;
}

/** storkctl's `get migrationschedule` columns, plus this run's result. */
export function renderScheduleTable(rows: readonly ScheduleRow[], withNamespace: boolean): string {
  const header = [...(withNamespace ? ['NAMESPACE'] : []), 'NAME', 'POLICYNAME', 'CLUSTERPAIR', 'SUSPEND', 'LAST-SUCCESS-TIME', 'LAST-SUCCESS-DURATION', 'RESULT', 'NOTE'];
  const body = rows.map(({ schedule, result, note }) => {
    const success = lastSuccess(schedule);
    return [
      ...(withNamespace ? [schedule.metadata.namespace ?? ''] : []),
      schedule.metadata.name,
      schedulePolicyName(schedule),
      scheduleClusterPair(schedule),
      String(isSuspended(schedule)),
      success ? success.finished.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '',
      success ? formatGoDuration(success.durationMs) : '',
      result,
      note ?? '',
    ];
  });
  return renderTable(header, body);
}

/**
 * The table of a suspend/resume run: each schedule as it now is (a real run), as the server
 * answered (server dry run) or as planned (client dry run). A row the server refused shows the
 * schedule as it was, not as predicted.
 */
export function renderScheduleChanges(outcome: { report: ChangeReport; results: readonly ObjectResult[]; namespace: string | undefined }, dryRun: DryRunMode): string {
  if (outcome.results.length === 0) return `no MigrationSchedule matched in ${outcome.namespace ? `namespace ${terminalSafe(outcome.namespace)}` : 'any namespace'}\n`;
  const rows = outcome.results.map((result, index): ScheduleRow => {
    const changed = result.outcome === 'changed';
    const shown = result.after ?? (changed && dryRun === 'client' ? applyChanges(result.plan.live, result.plan.changes) : result.plan.live);
    const row = outcome.report.objects[index];
    return { schedule: shown, result: row?.result ?? result.outcome, ...(result.message ? { note: result.message } : {}) };
  });
  return renderScheduleTable(rows, outcome.namespace === undefined);
}
