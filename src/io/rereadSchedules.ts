import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { listIfAllowed } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { objectPath, type ApiResource } from '../kube/resources';
import type { ScheduleReading } from '../failover/latestMigrations';
import { mapWithConcurrency } from '../util/concurrency';
import { WIDE_READ_THRESHOLD } from './collect';

/**
 * Reads the given MigrationSchedules again, as they are now, in their order. A few are read one
 * GET each; above WIDE_READ_THRESHOLD, one LIST for the cluster (filtered here) serves them all, or
 * where that is forbidden, one LIST per namespace holding some (and a GET each where even that is
 * forbidden): a failover of 1,000 namespaces polls its schedules with one request, not 1,000.
 * Never throws: a schedule that cannot be read (gone, forbidden, no answer) says why in its reading.
 */
export async function rereadSchedules(api: KubeApi, resource: ApiResource, schedules: readonly KubeObject[], concurrency: number): Promise<ScheduleReading[]> {
  const getEach = (some: readonly KubeObject[]): Promise<ScheduleReading[]> =>
    mapWithConcurrency(some, concurrency, async (schedule): Promise<ScheduleReading> => {
      try {
        return { schedule, now: await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, schedule.metadata.name, schedule.metadata.namespace) }) };
      } catch (error) {
        return { schedule, error: oneLine(error) };
      }
    });
  if (schedules.length <= WIDE_READ_THRESHOLD) return getEach(schedules);

  let all: KubeObject[] | undefined;
  try {
    all = await listIfAllowed(api, resource);
  } catch (error) {
    const why = oneLine(error);
    return schedules.map((schedule) => ({ schedule, error: why }));
  }
  if (all) {
    const listed = byName(all);
    return schedules.map((schedule) => found(schedule, listed, resource));
  }

  // Listed in each namespace: the namespaces' lists, or why one could not be had (undefined: forbidden there too).
  const namespaces = [...new Set(schedules.map((schedule) => schedule.metadata.namespace ?? ''))];
  const lists = new Map<string, KubeObject[] | undefined | { error: string }>();
  await mapWithConcurrency(namespaces, concurrency, async (namespace) => {
    try {
      lists.set(namespace, await listIfAllowed(api, resource, { namespace }));
    } catch (error) {
      lists.set(namespace, { error: oneLine(error) });
    }
  });
  const unlisted = schedules.filter((schedule) => lists.get(schedule.metadata.namespace ?? '') === undefined);
  const fetched = new Map((await getEach(unlisted)).map((reading) => [reading.schedule, reading]));
  const listed = byName([...lists.values()].flatMap((list) => (Array.isArray(list) ? list : [])));
  return schedules.map((schedule): ScheduleReading => {
    const list = lists.get(schedule.metadata.namespace ?? '');
    if (list === undefined) return fetched.get(schedule) ?? { schedule, error: 'not read' };
    if ('error' in list) return { schedule, error: list.error };
    return found(schedule, listed, resource);
  });
}

const keyOf = (object: KubeObject): string => `${object.metadata.namespace}/${object.metadata.name}`;

function byName(objects: readonly KubeObject[]): Map<string, KubeObject> {
  return new Map(objects.map((object) => [keyOf(object), object]));
}

/** The schedule as listed, or not found (deleted since it was read), in the words of a 404. */
function found(schedule: KubeObject, listed: ReadonlyMap<string, KubeObject>, resource: ApiResource): ScheduleReading {
  const now = listed.get(keyOf(schedule));
  return now ? { schedule, now } : { schedule, error: `${resource.resource}${resource.group ? `.${resource.group}` : ''} "${schedule.metadata.name}" not found` };
}
