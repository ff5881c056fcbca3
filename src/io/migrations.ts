import { beforeDeadline, type Clock } from '../core/clock';
import type { KubeApi } from '../kube/client';
import { ApiError, isNotFound } from '../kube/errors';
import { getPath } from '../kube/jsonPath';
import type { KubeObject } from '../kube/objects';
import { collectionPath, objectPath, type ApiResource } from '../kube/resources';
import { ACCEPTED_MIGRATION_STATUSES } from '../stork/scheduleStatus';

/** Creates a Migration (or, with serverDryRun, has the server validate it); an existing one of that name is kept. */
export async function createMigration(api: KubeApi, resource: ApiResource, migration: KubeObject, serverDryRun: boolean): Promise<{ created: KubeObject; existed: boolean }> {
  try {
    const created = await api.request<KubeObject>({ method: 'POST', path: collectionPath(resource, migration.metadata.namespace), body: migration, query: { dryRun: serverDryRun ? 'All' : undefined, fieldManager: 'kubectl-failover' } });
    return { created, existed: false };
  } catch (error) {
    if (error instanceof ApiError && error.statusCode === 409) {
      return { created: await api.request<KubeObject>({ method: 'GET', path: objectPath(resource, migration.metadata.name, migration.metadata.namespace) }), existed: true };
    }
    throw error;
  }
}

export interface FollowedMigration {
  stage: string;
  status: string;
  /** Final and Successful or PartialSuccess. */
  succeeded: boolean;
  timedOut: boolean;
  /** Following stopped by ^C or SIGTERM (the Migration goes on). */
  interrupted?: boolean;
}

/** Follows a Migration's status.stage/status.status until Final or the deadline; transient read errors are retried. */
export async function followMigration(api: KubeApi, resource: ApiResource, name: string, namespace: string, clock: Clock, deadline: number, onChange?: (stage: string, status: string, migration?: KubeObject) => void, signal?: AbortSignal): Promise<FollowedMigration> {
  let stage = '';
  let status = '';
  let interval = 250;
  for (;;) {
    if (signal?.aborted) return { stage, status, succeeded: false, timedOut: false, interrupted: true };
    try {
      const read = await beforeDeadline(clock, deadline, api.request<KubeObject>({ method: 'GET', path: objectPath(resource, name, namespace) }));
      if (read) {
        const nextStage = String(getPath(read.value, ['status', 'stage']) ?? '');
        const nextStatus = String(getPath(read.value, ['status', 'status']) ?? '');
        onChange?.(nextStage, nextStatus, read.value);
        stage = nextStage;
        status = nextStatus;
        if (stage === 'Final') return { stage, status, succeeded: ACCEPTED_MIGRATION_STATUSES.has(status), timedOut: false };
      }
    } catch (error) {
      if (isNotFound(error)) throw error;
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return { stage, status, succeeded: false, timedOut: true };
    await clock.sleep(Math.min(interval, remaining), signal);
    interval = Math.min(2_000, Math.round(interval * 1.5));
  }
}
