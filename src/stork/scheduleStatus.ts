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
  const items = getPath(schedule, ['status', 'items']);
  if (!items || typeof items !== 'object' || Array.isArray(items)) return undefined;
  let best: LastSuccess | undefined;
  for (const list of Object.values(items)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry) || entry.status !== 'Successful') continue;
      const finished = new Date(String(entry.finishTimestamp ?? ''));
      const created = new Date(String(entry.creationTimestamp ?? ''));
      if (Number.isNaN(finished.getTime())) continue;
      if (!best || finished > best.finished) {
        best = { migration: String(entry.name ?? ''), finished, durationMs: Number.isNaN(created.getTime()) ? 0 : finished.getTime() - created.getTime() };
      }
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
  const items = getPath(schedule, ['status', 'items']);
  if (!items || typeof items !== 'object' || Array.isArray(items)) return undefined;
  let latest: MigrationEntry | undefined;
  for (const list of Object.values(items)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) continue;
      const created = parseTime(entry.creationTimestamp);
      const candidate: MigrationEntry = { name: String(entry.name ?? ''), status: String(entry.status ?? ''), created, finished: parseTime(entry.finishTimestamp) };
      if (!latest || (created?.getTime() ?? 0) >= (latest.created?.getTime() ?? 0)) latest = candidate;
    }
  }
  return latest;
}

function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
