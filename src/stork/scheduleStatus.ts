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

/**
 * Stork's migrationTime annotation (Go layout `2006-01-02-150405`, the controller's local time;
 * Stork's images run in UTC, so it is read as UTC). Undefined when garbled. Pure.
 */
export function parseMigrationTime(value: string | undefined): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2024-02-31 over into March: a value that does not read back the same is garbled.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return date;
}

/** How a Migration is doing, from its status.summary: "3/5 volumes, 10/12 resources". Empty when it has no summary yet. */
export function migrationProgress(migration: KubeObject): string {
  const summary = getPath(migration, ['status', 'summary']);
  if (!summary || typeof summary !== 'object' || Array.isArray(summary)) return '';
  const count = (key: string): number | undefined => (typeof summary[key] === 'number' ? (summary[key] as number) : undefined);
  const parts: string[] = [];
  const volumes = count('totalNumberOfVolumes');
  const resources = count('totalNumberOfResources');
  if (volumes) parts.push(`${count('numOfMigratedVolumes') ?? 0}/${volumes} volumes`);
  if (resources) parts.push(`${count('numOfMigratedResources') ?? 0}/${resources} resources`);
  return parts.join(', ');
}

/** The PVCs a Migration moved (status.volumes[] {persistentVolumeClaim, namespace}); malformed entries left out. Pure. */
export function migrationVolumes(migration: KubeObject): Array<{ namespace: string; claim: string }> {
  const volumes = getPath(migration, ['status', 'volumes']);
  if (!Array.isArray(volumes)) return [];
  return volumes.flatMap((volume) => {
    if (!volume || typeof volume !== 'object' || Array.isArray(volume)) return [];
    const claim = volume.persistentVolumeClaim;
    const namespace = volume.namespace;
    return typeof claim === 'string' && claim !== '' && typeof namespace === 'string' ? [{ namespace, claim }] : [];
  });
}
