// Test support: the sandbox runs no controller-manager, scheduler or kubelet, so nothing updates
// workload status or creates Pods. This status simulator stands in for them: for Deployments,
// StatefulSets and ReplicaSets it makes status follow spec.replicas after a delay, and keeps Pods
// (zk-0, zk-1, … for StatefulSets) Running and Ready. Knobs, as annotations on a workload:
//   sandbox.kubectl-failover.dev/ready-delay-ms: "5000"   slow to become ready
//   sandbox.kubectl-failover.dev/never-ready: "true"      pods exist but readyReplicas stays 0
import { readState, restFor } from './cluster';
import type { SandboxRest } from './rest';

const DEFAULT_DELAY_MS = 300;
const POLL_MS = 150;
const KINDS = ['deployments', 'statefulsets', 'replicasets'] as const;
const OWNER_LABEL = 'sandbox.kubectl-failover.dev/owner';

interface Workload {
  kind?: string;
  metadata: { name: string; namespace: string; generation?: number; annotations?: Record<string, string>; ownerReferences?: unknown[] };
  spec: { replicas?: number };
  status?: { replicas?: number; readyReplicas?: number; observedGeneration?: number };
}

interface Pod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { phase?: string };
}

/** When each out-of-sync workload was first seen (keyed by server and object), for the delay. */
const firstSeen = new Map<string, number>();

function podNames(kind: string, workload: Workload, count: number): string[] {
  return Array.from({ length: count }, (_, index) => (kind === 'statefulsets' ? `${workload.metadata.name}-${index}` : `${workload.metadata.name}-sim-${index}`));
}

async function syncWorkload(rest: SandboxRest, kind: string, workload: Workload, pods: Pod[]): Promise<void> {
  const { name, namespace, generation = 1, annotations = {} } = workload.metadata;
  const desired = workload.spec.replicas ?? 1;
  const neverReady = annotations['sandbox.kubectl-failover.dev/never-ready'] === 'true';
  const delay = Number(annotations['sandbox.kubectl-failover.dev/ready-delay-ms'] ?? DEFAULT_DELAY_MS);
  const ready = neverReady ? 0 : desired;
  const status = workload.status ?? {};
  const key = `${rest.server} ${kind}/${namespace}/${name}`;
  const owner = `${kind}.${name}`;
  const wanted = new Set(podNames(kind, workload, desired));
  const ownPods = pods.filter((pod) => pod.metadata.namespace === namespace && (pod.metadata.labels?.[OWNER_LABEL] === owner || wanted.has(pod.metadata.name)));
  const inSync = status.observedGeneration === generation && (status.replicas ?? 0) === desired && (status.readyReplicas ?? 0) === ready && ownPods.length === desired;
  if (inSync) {
    firstSeen.delete(key);
    return;
  }
  const seen = firstSeen.get(key) ?? Date.now();
  firstSeen.set(key, seen);
  if (Date.now() - seen < delay) return;

  const podPath = `/api/v1/namespaces/${namespace}/pods`;
  await Promise.all([
    ...ownPods.filter((pod) => !wanted.has(pod.metadata.name)).map((pod) => rest.delete(`${podPath}/${pod.metadata.name}?gracePeriodSeconds=0`).catch(() => undefined)),
    ...[...wanted]
      .filter((podName) => !ownPods.some((pod) => pod.metadata.name === podName))
      .map(async (podName) => {
        await rest.ensure(podPath, {
          metadata: { name: podName, labels: { [OWNER_LABEL]: owner } },
          spec: { nodeName: 'sandbox-node', containers: [{ name: 'main', image: 'sandbox/simulated' }] },
        });
        const now = new Date().toISOString();
        await rest.mergePatch(`${podPath}/${podName}/status`, {
          status: {
            phase: 'Running',
            startTime: now,
            conditions: [{ type: 'Ready', status: neverReady ? 'False' : 'True', lastTransitionTime: now }],
            containerStatuses: [{ name: 'main', ready: !neverReady, restartCount: 0, image: 'sandbox/simulated', imageID: '', started: true, state: { running: { startedAt: now } } }],
          },
        });
      }),
  ]);
  await rest.mergePatch(`/apis/apps/v1/namespaces/${namespace}/${kind}/${name}/status`, {
    status: { observedGeneration: generation, replicas: desired, readyReplicas: ready, availableReplicas: ready, updatedReplicas: desired, currentReplicas: desired },
  });
  firstSeen.delete(key);
}

async function loop(rest: SandboxRest): Promise<void> {
  for (;;) {
    try {
      const [pods, ...lists] = await Promise.all([
        rest.get<{ items: Pod[] }>('/api/v1/pods'),
        ...KINDS.map((kind) => rest.get<{ items: Workload[] }>(`/apis/apps/v1/${kind}`)),
      ]);
      const work: Array<Promise<void>> = [];
      KINDS.forEach((kind, index) => {
        for (const workload of lists[index]?.items ?? []) {
          work.push(syncWorkload(rest, kind, workload, pods.items).catch((error: unknown) => void process.stderr.write(`${String(error)}\n`)));
        }
      });
      await Promise.all(work);
    } catch (error) {
      process.stderr.write(`simulator: ${String(error)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const state = readState(process.argv[2]);
await Promise.all(state.clusters.map((cluster) => loop(restFor(state, cluster.name))));
