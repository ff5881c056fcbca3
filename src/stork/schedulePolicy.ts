import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';

const DAY_MS = 86_400_000;

/**
 * How often a SchedulePolicy triggers, for Stork's "within the scheduled policy duration" rule
 * (schedule.AlreadyTriggered): the interval, else a day, a week or a month. The shortest of the
 * policies it sets; undefined when it sets none. Pure.
 */
export function policyWindowMs(policy: KubeObject | undefined): number | undefined {
  if (!policy) return undefined;
  const windows: number[] = [];
  const minutes = getPath(policy, ['policy', 'interval', 'intervalMinutes']);
  if (typeof minutes === 'number' && minutes > 0) windows.push(minutes * 60_000);
  if (getPath(policy, ['policy', 'daily']) !== undefined) windows.push(DAY_MS);
  if (getPath(policy, ['policy', 'weekly']) !== undefined) windows.push(7 * DAY_MS);
  if (getPath(policy, ['policy', 'monthly']) !== undefined) windows.push(31 * DAY_MS);
  return windows.length > 0 ? Math.min(...windows) : undefined;
}
