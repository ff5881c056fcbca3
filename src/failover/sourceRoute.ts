import { UsageError } from '../core/errors';
import type { KubeObject } from '../kube/objects';
import { pairName, type ClusterPairRef } from '../stork/clusterPairConfig';
import { scheduleClusterPair } from '../stork/migrationSchedule';

/** Said wherever the source is reached through a ClusterPair: whose rights the run then has on the source. */
export const STORED_CREDENTIALS = "Stork's stored credentials, not yours";

/** "ClusterPair zookeeper/remotecluster" */
export const clusterPairLabel = (pair: ClusterPairRef): string => `ClusterPair ${pairName(pair)}`;

/** The checklist's words for the route: "source: through ClusterPair zookeeper/remotecluster (Stork's stored credentials, not yours)". */
export const throughClusterPair = (pair: ClusterPairRef): string => `source: through ${clusterPairLabel(pair)} (${STORED_CREDENTIALS})`;

/**
 * Pure: the ClusterPair through which --source-from-clusterpair reaches the source, from the
 * MigrationSchedules on the destination that migrate the run's namespaces (with -m, that one
 * schedule). As Stork's controller, the ClusterPair is the one the schedule names
 * (spec.template.spec.clusterPair), in the schedule's namespace. Schedules naming different
 * ClusterPairs (or the same name in different namespaces, which are different objects) leave the
 * source ambiguous: refused, naming them.
 */
export function clusterPairOfSchedules(schedules: readonly KubeObject[], destinationContext: string, namespaces: readonly string[]): ClusterPairRef {
  const scheduleName = (schedule: KubeObject): string => `${schedule.metadata.namespace ?? ''}/${schedule.metadata.name}`;
  if (schedules.length === 0) {
    throw new UsageError(`--source-from-clusterpair: no MigrationSchedule on context ${destinationContext} migrates ${namespaces.length > 0 ? namespaces.join(', ') : 'the selected namespaces'}, so none names a ClusterPair to reach the source through; name the source with --source-context (or --from)`);
  }
  const unnamed = schedules.filter((schedule) => scheduleClusterPair(schedule) === '');
  if (unnamed.length > 0) {
    throw new UsageError(`--source-from-clusterpair: ${unnamed.map((schedule) => `migrationschedule ${scheduleName(schedule)}`).join(', ')} on context ${destinationContext} ${unnamed.length > 1 ? 'name' : 'names'} no ClusterPair (spec.template.spec.clusterPair)`);
  }
  const pairs = new Map<string, { pair: ClusterPairRef; schedules: string[] }>();
  for (const schedule of schedules) {
    const pair = { namespace: schedule.metadata.namespace ?? '', name: scheduleClusterPair(schedule) };
    const entry = pairs.get(pairName(pair)) ?? { pair, schedules: [] };
    entry.schedules.push(scheduleName(schedule));
    pairs.set(pairName(pair), entry);
  }
  const [only, ...others] = [...pairs.values()];
  if (!only) throw new UsageError('--source-from-clusterpair: no ClusterPair found');
  if (others.length > 0) {
    const listed = [only, ...others].map((entry) => `clusterpair ${pairName(entry.pair)} (migrationschedule ${entry.schedules.join(', ')})`).join(', ');
    throw new UsageError(`--source-from-clusterpair: the MigrationSchedules on context ${destinationContext} that migrate these namespaces name different ClusterPairs: ${listed}; choose one schedule with -m, or name the source with --source-context (or --from)`);
  }
  return only.pair;
}
