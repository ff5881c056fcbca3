import type { KubeObject } from '../kube/objects';
import { isSuspended, scheduleClusterPair, schedulePolicyName } from '../stork/migrationSchedule';
import { lastSuccess } from '../stork/scheduleStatus';
import { formatGoDuration } from '../util/duration';
import { renderTable } from './table';

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
