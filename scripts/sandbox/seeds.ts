import { mapWithConcurrency } from '../../src/util/concurrency';
import type { SandboxRest } from './rest';

export const STORK = 'stork.libopenstorage.org';
export const MIGRATION_REPLICAS = `${STORK}/migrationReplicas`;
export const MIGRATED = `${STORK}/migrated`;

export async function ensureNamespace(rest: SandboxRest, name: string, labels: Record<string, string> = {}): Promise<void> {
  await rest.ensure('/api/v1/namespaces', { metadata: { name, labels } });
}

function podTemplate(app: string): unknown {
  return { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `example/${app}:1` }] } };
}

export function statefulSet(name: string, replicas: number, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, annotations, labels }, spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate(name) } };
}

export function deployment(name: string, replicas: number, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, annotations, labels }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) } };
}

export function replicaSet(name: string, replicas: number, annotations: Record<string, string> = {}, labels: Record<string, string> = {}): unknown {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, annotations, labels }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) } };
}

export function cronJob(apiVersion: string, name: string, suspend: boolean, annotations: Record<string, string> = {}): unknown {
  return {
    apiVersion,
    kind: 'CronJob',
    metadata: { name, annotations },
    spec: { schedule: '*/10 * * * *', suspend, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name, image: `example/${name}:1` }] } } } } },
  };
}

/** batch/v1 CronJob arrived in 1.21: use what the server serves. */
export async function cronJobApiVersion(rest: SandboxRest): Promise<string> {
  const list = await rest.get<{ resources: Array<{ kind: string }> }>('/apis/batch/v1');
  return list.resources.some((resource) => resource.kind === 'CronJob') ? 'batch/v1' : 'batch/v1beta1';
}

export function collectionFor(object: unknown, namespace: string): string {
  const { apiVersion, kind } = object as { apiVersion: string; kind: string };
  const plural = `${kind.toLowerCase()}s`;
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}/namespaces/${namespace}/${plural}`;
}

export async function createIn(rest: SandboxRest, namespace: string, object: unknown): Promise<void> {
  await rest.ensure(collectionFor(object, namespace), object);
}

export function migrationSchedule(name: string, namespaces: string[], options: { suspend?: boolean; annotations?: Record<string, string>; labels?: Record<string, string>; lastSuccess?: Date; clusterPair?: string; selectors?: Record<string, string> } = {}): unknown {
  const finished = options.lastSuccess ?? new Date(Date.now() - 5 * 60_000);
  const created = new Date(finished.getTime() - 42_000);
  return {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'MigrationSchedule',
    metadata: { name, annotations: options.annotations ?? {}, labels: options.labels ?? {} },
    spec: {
      schedulePolicyName: 'default-migration-policy',
      suspend: options.suspend ?? false,
      template: {
        spec: {
          clusterPair: options.clusterPair ?? 'remotecluster',
          namespaces,
          ...(options.selectors ? { namespaceSelectors: options.selectors } : {}),
          includeResources: true,
          startApplications: false,
        },
      },
    },
    status: {
      applicationActivated: false,
      items: {
        Interval: [{ name: `${name}-interval-${finished.getTime()}`, creationTimestamp: created.toISOString(), finishTimestamp: finished.toISOString(), status: 'Successful' }],
      },
    },
  };
}

/**
 * Stork's static copy of a schedule on the destination, as its migration controller writes it:
 * suspended, annotated static-copy, and with no migration history (status.items null: the copy's
 * status is cleared, and a static copy is never run, so it never gains any).
 */
export function staticCopy(name: string, namespaces: string[], options: { annotations?: Record<string, string>; labels?: Record<string, string>; clusterPair?: string; selectors?: Record<string, string>; suspend?: boolean } = {}): unknown {
  const schedule = migrationSchedule(name, namespaces, { ...options, suspend: options.suspend ?? true, annotations: { ...(options.annotations ?? {}), [`${STORK}/static-copy`]: 'true' } }) as { status: unknown };
  return { ...schedule, status: { applicationActivated: false, items: null } };
}

/** Stork's migrationTime annotation value (Go layout 2006-01-02-150405, UTC as Stork's images run). */
export function migrationTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/**
 * The seed runbook's world. Source: namespace with StatefulSet zk (3 replicas), a SchedulePolicy,
 * ClusterPair remotecluster, MigrationSchedule migrationschedule with a recent success.
 * Destination: the migrated copy, zk at 0 with migrationReplicas "3", and the schedule's static copy.
 */
export async function seedZookeeper(source: SandboxRest, destination: SandboxRest, namespace = 'zookeeper'): Promise<void> {
  await source.ensure(`/apis/${STORK}/v1alpha1/schedulepolicies`, {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'SchedulePolicy',
    metadata: { name: 'default-migration-policy' },
    policy: { interval: { intervalMinutes: 15 } },
  });
  await ensureNamespace(source, namespace);
  await createIn(source, namespace, statefulSet('zk', 3));
  // A resources-only pair as Stork reports it once paired: scheduler Ready, storage NotProvided.
  await createIn(source, namespace, { apiVersion: `${STORK}/v1alpha1`, kind: 'ClusterPair', metadata: { name: 'remotecluster' }, spec: { options: {} }, status: { schedulerStatus: 'Ready', storageStatus: 'NotProvided' } });
  await createIn(source, namespace, migrationSchedule('migrationschedule', [namespace]));

  await ensureNamespace(destination, namespace);
  // As Stork's migration controller leaves them: the count, the migration's name and time (5 minutes ago, as the schedule's last success).
  const migrated = { [MIGRATION_REPLICAS]: '3', [MIGRATED]: 'true', [`${STORK}/migrationNamespace`]: namespace, [`${STORK}/migrationTime`]: migrationTime(new Date(Date.now() - 5 * 60_000)) };
  await createIn(destination, namespace, statefulSet('zk', 0, migrated));
  await createIn(destination, namespace, staticCopy('migrationschedule', [namespace]));
}

/**
 * Benchmark seed: N namespaces × M workloads on the destination at 0 with Stork's annotations
 * (cycling Deployment, StatefulSet, CronJob, standalone ReplicaSet), and a schedule per namespace on the source.
 */
export async function seedScale(source: SandboxRest, destination: SandboxRest, options: { prefix: string; namespaces: number; workloads: number; concurrency?: number }): Promise<string[]> {
  const cronVersion = await cronJobApiVersion(destination);
  const names = Array.from({ length: options.namespaces }, (_, index) => `${options.prefix}-${String(index).padStart(3, '0')}`);
  const limit = options.concurrency ?? 16;
  await mapWithConcurrency(names, limit, async (namespace) => {
    await Promise.all([ensureNamespace(source, namespace), ensureNamespace(destination, namespace)]);
  });
  const jobs: Array<{ rest: SandboxRest; namespace: string; object: unknown }> = [];
  for (const namespace of names) {
    jobs.push({ rest: source, namespace, object: migrationSchedule(`${namespace}-dr`, [namespace]) });
    for (let index = 0; index < options.workloads; index++) {
      const replicas = 1 + (index % 3);
      const annotations = { [MIGRATION_REPLICAS]: String(replicas), [MIGRATED]: 'true' };
      const name = `app-${index}`;
      const object = [deployment(name, 0, annotations), statefulSet(name, 0, annotations), cronJob(cronVersion, name, true, { [MIGRATED]: 'true' }), replicaSet(name, 0, annotations)][index % 4];
      jobs.push({ rest: destination, namespace, object });
    }
  }
  await mapWithConcurrency(jobs, limit, ({ rest, namespace, object }) => createIn(rest, namespace, object));
  return names;
}

/** The Deployments and StatefulSets of each namespace of the failover-scale seed: 4 Deployments + 1 StatefulSet. */
const FAILOVER_SCALE_WORKLOADS = [
  { kind: 'Deployment', name: 'app-0', replicas: 1 },
  { kind: 'Deployment', name: 'app-1', replicas: 2 },
  { kind: 'Deployment', name: 'app-2', replicas: 3 },
  { kind: 'Deployment', name: 'app-3', replicas: 1 },
  { kind: 'StatefulSet', name: 'db', replicas: 3 },
] as const;

/** A finished Migration as Stork's migration controller leaves it (what a schedule's status.items entry names). */
export function finishedMigration(name: string, schedule: string, namespaces: string[], finished: Date, resources: Array<{ kind: string; name: string; namespace: string }>): unknown {
  return {
    apiVersion: `${STORK}/v1alpha1`,
    kind: 'Migration',
    metadata: { name, annotations: { [`${STORK}/migration-schedule-name`]: schedule } },
    spec: { clusterPair: 'remotecluster', namespaces, includeResources: true, includeVolumes: true, startApplications: false },
    status: {
      stage: 'Final',
      status: 'Successful',
      resources: resources.map((resource) => ({ ...resource, group: 'apps', version: 'v1', status: 'Successful', reason: 'Resource migrated successfully', transformedBy: '' })),
      volumes: [],
      finishTimestamp: finished.toISOString(),
    },
  };
}

/**
 * One namespace of the failover-scale world, as Stork leaves a DR pair between two migrations.
 * Source: the apps running (4 Deployments + 1 StatefulSet, no Stork annotations: they are the
 * originals), the schedule `<ns>-dr` that replicates the namespace with a successful migration
 * 5 minutes ago, and that Migration. Destination: the migrated copies at 0 with Stork's
 * annotations (count, migrated, schedule namespace, migrationTime) and the schedule's static copy.
 */
export function failoverScaleNamespace(namespace: string, finished: Date): { source: unknown[]; destination: unknown[] } {
  const schedule = `${namespace}-dr`;
  const make = (kind: string, name: string, replicas: number, annotations: Record<string, string>): unknown => (kind === 'StatefulSet' ? statefulSet(name, replicas, annotations) : deployment(name, replicas, annotations));
  const migrated = (replicas: number): Record<string, string> => ({ [MIGRATION_REPLICAS]: String(replicas), [MIGRATED]: 'true', [`${STORK}/migrationNamespace`]: namespace, [`${STORK}/migrationTime`]: migrationTime(finished) });
  const migration = finishedMigration(`${schedule}-interval-${finished.getTime()}`, schedule, [namespace], finished, FAILOVER_SCALE_WORKLOADS.map(({ kind, name }) => ({ kind, name, namespace })));
  return {
    source: [...FAILOVER_SCALE_WORKLOADS.map(({ kind, name, replicas }) => make(kind, name, replicas, {})), migrationSchedule(schedule, [namespace], { lastSuccess: finished }), migration],
    destination: [...FAILOVER_SCALE_WORKLOADS.map(({ kind, name, replicas }) => make(kind, name, 0, migrated(replicas))), staticCopy(schedule, [namespace])],
  };
}

/** `npm run bench -- --failover-scale`'s world: N namespaces as failoverScaleNamespace makes them. Returns their names. */
export async function seedFailoverScale(source: SandboxRest, destination: SandboxRest, options: { prefix: string; namespaces: number; concurrency?: number }): Promise<string[]> {
  const names = Array.from({ length: options.namespaces }, (_, index) => `${options.prefix}-${String(index).padStart(4, '0')}`);
  const limit = options.concurrency ?? 16;
  const finished = new Date(Date.now() - 5 * 60_000);
  await mapWithConcurrency(names, limit, async (namespace) => {
    await Promise.all([ensureNamespace(source, namespace), ensureNamespace(destination, namespace)]);
  });
  const jobs = names.flatMap((namespace) => {
    const world = failoverScaleNamespace(namespace, finished);
    return [...world.source.map((object) => ({ rest: source, namespace, object })), ...world.destination.map((object) => ({ rest: destination, namespace, object }))];
  });
  await mapWithConcurrency(jobs, limit, ({ rest, namespace, object }) => createIn(rest, namespace, object));
  return names;
}

/**
 * The merge patch that puts a seeded object back as seeded, in the fields a failover or
 * activate/deactivate writes: a workload's count and its migrationReplicas record (removed where
 * the seed has none), a schedule's suspend and applicationActivated. Undefined for what they never write.
 */
export function resetPatch(object: unknown): unknown {
  const { kind, metadata, spec } = object as { kind: string; metadata: { annotations?: Record<string, string> }; spec: { replicas?: number; suspend?: boolean } };
  if (kind === 'Deployment' || kind === 'StatefulSet') {
    return { metadata: { annotations: { [MIGRATION_REPLICAS]: metadata.annotations?.[MIGRATION_REPLICAS] ?? null } }, spec: { replicas: spec.replicas } };
  }
  if (kind === 'MigrationSchedule') return { spec: { suspend: spec.suspend }, status: { applicationActivated: false } };
  return undefined;
}

/**
 * Puts both clusters of the failover-scale world back as seedFailoverScale left them (one merge
 * patch per object a run writes), so every measured run does the whole work from the same start.
 */
export async function resetFailoverScale(source: SandboxRest, destination: SandboxRest, names: readonly string[], concurrency = 16): Promise<void> {
  const jobs = names.flatMap((namespace) => {
    const world = failoverScaleNamespace(namespace, new Date());
    return [...world.source.map((object) => ({ rest: source, namespace, object })), ...world.destination.map((object) => ({ rest: destination, namespace, object }))];
  });
  await mapWithConcurrency(jobs, concurrency, async ({ rest, namespace, object }) => {
    const patch = resetPatch(object);
    if (patch === undefined) return;
    const { metadata } = object as { metadata: { name: string } };
    await rest.mergePatch(`${collectionFor(object, namespace)}/${metadata.name}`, patch);
  });
}
