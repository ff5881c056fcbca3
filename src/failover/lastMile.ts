import type { KubeObject } from '../kube/objects';
import { getPath } from '../kube/jsonPath';
import { STORK_GROUP, STORK_VERSION } from '../stork/annotations';

/** Kubernetes object names are at most 253 characters. */
const MAX_NAME = 253;

export const LAST_MILE_SCHEDULE_ANNOTATION = 'stork.libopenstorage.org/lastmile-migration-schedule-name';

/**
 * Stork's getLastMileMigrationName: `<schedule>-lastmile-<failover|failback>-<first 7 characters of
 * the id>` (the Action's UID for Stork, the run ID for `run`), the schedule's name cut to fit.
 */
export function lastMileMigrationName(scheduleName: string, runId: string, actionType: 'failover' | 'failback' = 'failover'): string {
  const suffix = `-lastmile-${actionType}-${runId.replace(/[^a-z0-9]/g, '').slice(0, 7)}`;
  return `${scheduleName.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

/**
 * The last-mile Migration, as Stork's getLastMileMigrationSpec builds it: the schedule's template
 * spec with no namespace selectors, the run's namespaces (those the schedule migrates), and
 * startApplications false; the schedule's annotations plus the last-mile schedule name. It is
 * created on the source, in the schedule's namespace. Pure.
 */
export function lastMileMigration(schedule: KubeObject, namespaces: readonly string[], runId: string, actionType: 'failover' | 'failback' = 'failover'): KubeObject {
  const template = getPath(schedule, ['spec', 'template', 'spec']);
  const spec = template && typeof template === 'object' && !Array.isArray(template) ? { ...template } : {};
  delete spec.namespaceSelectors;
  return {
    apiVersion: `${STORK_GROUP}/${STORK_VERSION}`,
    kind: 'Migration',
    metadata: {
      name: lastMileMigrationName(schedule.metadata.name, runId, actionType),
      namespace: schedule.metadata.namespace ?? '',
      annotations: { ...(schedule.metadata.annotations ?? {}), [LAST_MILE_SCHEDULE_ANNOTATION]: schedule.metadata.name },
    },
    spec: { ...spec, namespaces: [...namespaces], startApplications: false },
  };
}
