import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';

export interface LastSuccess {
  migration: string;
  finished: Date;
  durationMs: number;
}

/**
 * The newest Successful migration in status.items (a map from policy type, e.g. Interval or Daily,
 * to lists of {name, creationTimestamp, finishTimestamp, status}), as storkctl's
 * LAST-SUCCESS-TIME/DURATION columns show it.
 */
export function lastSuccess(schedule: KubeObject): LastSuccess | undefined {
  let best: LastSuccess | undefined;
  for (const entry of migrationEntries(schedule)) {
    if (entry.status !== 'Successful' || !entry.finished) continue;
    if (!best || entry.finished > best.finished) {
      best = { migration: entry.name, finished: entry.finished, durationMs: entry.created ? entry.finished.getTime() - entry.created.getTime() : 0 };
    }
  }
  return best;
}

export interface MigrationEntry {
  name: string;
  /** Stork's MigrationStatusType: "", Pending, InProgress, Successful, PartialSuccess, Failed, Purged. */
  status: string;
  created: Date | undefined;
  finished: Date | undefined;
}

/** Migration statuses after which nothing more happens. */
export const FINISHED_MIGRATION_STATUSES: ReadonlySet<string> = new Set(['Successful', 'PartialSuccess', 'Failed', 'Purged']);
/** The outcomes Stork accepts before failing over (waitAfterScaleDown). */
export const ACCEPTED_MIGRATION_STATUSES: ReadonlySet<string> = new Set(['Successful', 'PartialSuccess']);

/** The newest migration in status.items across policy types (by creation time), whatever its status. */
export function latestMigration(schedule: KubeObject): MigrationEntry | undefined {
  let latest: MigrationEntry | undefined;
  for (const entry of migrationEntries(schedule)) {
    if (!latest || (entry.created?.getTime() ?? 0) >= (latest.created?.getTime() ?? 0)) latest = entry;
  }
  return latest;
}

/** Every entry of status.items (a map from policy type, e.g. Interval or Daily, to lists), in order; malformed ones left out. */
function migrationEntries(schedule: KubeObject): MigrationEntry[] {
  const items = getPath(schedule, ['status', 'items']);
  if (!items || typeof items !== 'object' || Array.isArray(items)) return [];
  const entries: MigrationEntry[] = [];
  for (const list of Object.values(items)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
      entries.push({ name: String(entry.name ?? ''), status: String(entry.status ?? ''), created: parseTime(entry.creationTimestamp), finished: parseTime(entry.finishTimestamp) });
    }
  }
  return entries;
}

function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
