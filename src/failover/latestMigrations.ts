import type { KubeObject } from '../kube/objects';
import { ACCEPTED_MIGRATION_STATUSES, FINISHED_MIGRATION_STATUSES, latestMigration, type MigrationEntry } from '../stork/scheduleStatus';

/**
 * What a failover reads of the source's schedules after suspending them: whether their latest
 * migration still runs (the end of Validations), then whether it succeeded (WaitAfterScaleDown).
 * The reading is io/rereadSchedules'; these decide on it. Pure.
 */

/** A schedule read again: as it is now, or why it could not be read. */
export type ScheduleReading = { schedule: KubeObject; now: KubeObject } | { schedule: KubeObject; error: string };

/** A schedule and its latest migration as last read. */
export interface ScheduleLatest {
  schedule: KubeObject;
  latest: MigrationEntry;
}

/** "ns/name" */
export function scheduleName(schedule: KubeObject): string {
  return `${schedule.metadata.namespace}/${schedule.metadata.name}`;
}

/** One look at suspended schedules whose latest migration may still run. */
export interface SettleLook {
  /** The first schedule (in order) that could not be read: the wait ends there. */
  failure?: string;
  /** Latest migration still under way: looked at again after a pause. */
  running: ScheduleLatest[];
  /** Latest migration over, but Failed: the destination holds the data of the last successful one. */
  failed: ScheduleLatest[];
}

export function settleLook(readings: readonly ScheduleReading[]): SettleLook {
  const look: SettleLook = { running: [], failed: [] };
  for (const reading of readings) {
    if ('error' in reading) return { ...look, failure: `cannot read migrationschedule ${scheduleName(reading.schedule)}: ${reading.error}` };
    const latest = latestMigration(reading.now);
    if (!latest) continue;
    if (!FINISHED_MIGRATION_STATUSES.has(latest.status)) look.running.push({ schedule: reading.schedule, latest });
    else if (latest.status === 'Failed') look.failed.push({ schedule: reading.schedule, latest });
  }
  return look;
}

/** The wait for a running migration that outlived --timeout: named by the first schedule still running. */
export function stillRunning(running: readonly ScheduleLatest[]): string | undefined {
  const [first] = running;
  if (!first) return undefined;
  const more = running.length > 1 ? ` (and ${running.length - 1} more schedule(s) still migrating)` : '';
  return `migration ${first.latest.name} of ${scheduleName(first.schedule)} still ${first.latest.status || 'running'} after --timeout${more}`;
}

/**
 * WaitAfterScaleDown's check, as Stork's: every schedule's latest migration exists and finished
 * Successful or PartialSuccess. The first schedule (in order) that fails it ends the stage with
 * Stork's words; else each schedule's latest migration, for the volumes it moved.
 */
export function acceptedLatest(readings: readonly ScheduleReading[], action: 'failover' | 'failback'): { failure: string } | { latest: ScheduleLatest[] } {
  const latest: ScheduleLatest[] = [];
  for (const reading of readings) {
    const name = scheduleName(reading.schedule);
    if ('error' in reading) return { failure: `cannot read migrationschedule ${name}: ${reading.error}` };
    const entry = latestMigration(reading.now);
    if (!entry) return { failure: `no migration detected for migrationschedule ${name}, resulting in the abortion of the ${action}` };
    if (!ACCEPTED_MIGRATION_STATUSES.has(entry.status)) return { failure: `migrationschedule ${name}'s latest migration ${entry.name} status is ${entry.status || 'not finished'}: it did not complete successfully, so the ${action} is aborted` };
    latest.push({ schedule: reading.schedule, latest: entry });
  }
  return { latest };
}
