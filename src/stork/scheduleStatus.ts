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
