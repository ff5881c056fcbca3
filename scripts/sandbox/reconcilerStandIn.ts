// Test support: stand-ins for the controllers that fight a failover over spec.replicas (issue 25),
// each cut down to that one fight. While
//   - an Argo CD Application has spec.syncPolicy.automated.selfHeal: true   (manager argocd-controller),
//   - a Flux Kustomization is not suspended                                 (manager kustomize-controller),
//   - a KEDA ScaledObject is not paused                                     (manager keda-operator),
// the Deployments and StatefulSets it tracks are set back to its "Git" value within a second, with a
// JSON patch sent with ?fieldManager=<manager>, as the real controllers' writes are recorded in
// metadata.managedFields. What each tracks, as the real ones see it: Argo CD by the annotation
// argocd.argoproj.io/tracking-id (`<app>:<group>/<kind>:<namespace>/<name>`, the app `<ns>_<name>`
// outside the argocd namespace) or the label app.kubernetes.io/instance; Flux by the labels
// kustomize.toolkit.fluxcd.io/name and /namespace; KEDA by spec.scaleTargetRef (kind default
// Deployment). A ScaledObject paused with autoscaling.keda.sh/paused-replicas: "N" holds its target
// at N, as KEDA does; autoscaling.keda.sh/paused: "true" leaves it alone.
// Knob, on the Application / Kustomization / ScaledObject:
//   sandbox.kubectl-failover.dev/git-replicas: "2"   the replicas in Git (default: KEDA's
//                                                     minReplicaCount, else 1)
// A test starts it (startReconcilerStandIn) and stops it at the end; `node --import tsx
// scripts/sandbox/reconcilerStandIn.ts [sandbox dir]` runs it against a sandbox by hand.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLUSTERS, readState, restFor } from './cluster';
import { KNOB, log, sleep, statusCode, type Served } from './standIn';

export const GIT_REPLICAS = `${KNOB}/git-replicas`;
const LABEL = 'reconciler-stand-in';
const DEFAULT_INTERVAL_MS = 200;

interface Meta {
  name: string;
  namespace?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
}

interface Workload {
  kind: string;
  metadata: Meta;
  spec?: { replicas?: number };
}

interface Reconciler {
  metadata: Meta;
  spec?: { syncPolicy?: { automated?: { selfHeal?: boolean } | null }; suspend?: boolean; scaleTargetRef?: { kind?: string; name?: string }; minReplicaCount?: number };
}

/** One write the stand-in made, for a test to look at. */
export interface StandInWrite {
  cluster: string;
  manager: string;
  namespace: string;
  kind: string;
  name: string;
  from: number;
  to: number;
}

export interface ReconcilerStandIn {
  writes: StandInWrite[];
  /** Stops the loop and waits for its round in progress to end. */
  stop(): Promise<void>;
}

const WORKLOADS = [
  { kind: 'Deployment', collection: '/apis/apps/v1/deployments', group: 'apps' },
  { kind: 'StatefulSet', collection: '/apis/apps/v1/statefulsets', group: 'apps' },
] as const;

async function list<T>(where: Served, collection: string): Promise<T[]> {
  // A kind not served (its CRD removed for a test) has nothing to reconcile.
  const found = await where.rest.find<{ items: T[] }>(collection);
  return found?.items ?? [];
}

function gitReplicas(reconciler: Reconciler, fallback = 1): number {
  const value = Number(reconciler.metadata.annotations?.[GIT_REPLICAS]);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

/** The Argo CD app a workload's tracking id or label names: namespace and name. */
function argoApp(workload: Workload, group: string): { namespace: string; name: string } | undefined {
  const id = workload.metadata.annotations?.['argocd.argoproj.io/tracking-id'];
  let app: string | undefined;
  if (id !== undefined) {
    const match = /^([^:]+):([^/]*)\/([^:]+):([^/]*)\/(.+)$/.exec(id);
    if (!match || match[2] !== group || match[3] !== workload.kind || match[5] !== workload.metadata.name) return undefined;
    app = match[1];
  } else {
    app = workload.metadata.labels?.['app.kubernetes.io/instance'];
  }
  if (!app) return undefined;
  const underscore = app.indexOf('_');
  return underscore > 0 ? { namespace: app.slice(0, underscore), name: app.slice(underscore + 1) } : { namespace: 'argocd', name: app };
}

/** What each reconciler wants of a workload: the manager that would write, and the count. */
function wanted(workload: Workload, group: string, applications: Reconciler[], kustomizations: Reconciler[], scaledObjects: Reconciler[]): { manager: string; replicas: number } | undefined {
  const app = argoApp(workload, group);
  const application = app && applications.find((candidate) => candidate.metadata.namespace === app.namespace && candidate.metadata.name === app.name);
  if (application?.spec?.syncPolicy?.automated?.selfHeal === true) return { manager: 'argocd-controller', replicas: gitReplicas(application) };
  const labels = workload.metadata.labels ?? {};
  const kustomization = kustomizations.find((candidate) => candidate.metadata.name === labels['kustomize.toolkit.fluxcd.io/name'] && candidate.metadata.namespace === labels['kustomize.toolkit.fluxcd.io/namespace']);
  if (kustomization && kustomization.spec?.suspend !== true) return { manager: 'kustomize-controller', replicas: gitReplicas(kustomization) };
  const scaledObject = scaledObjects.find(
    (candidate) => candidate.metadata.namespace === workload.metadata.namespace && candidate.spec?.scaleTargetRef?.name === workload.metadata.name && (candidate.spec.scaleTargetRef.kind || 'Deployment') === workload.kind,
  );
  if (scaledObject) {
    const annotations = scaledObject.metadata.annotations ?? {};
    const paused = annotations['autoscaling.keda.sh/paused-replicas'];
    if (paused !== undefined && /^\d+$/.test(paused.trim())) return { manager: 'keda-operator', replicas: Number(paused.trim()) };
    if (annotations['autoscaling.keda.sh/paused'] !== 'true') return { manager: 'keda-operator', replicas: gitReplicas(scaledObject, scaledObject.spec?.minReplicaCount ?? 1) };
  }
  return undefined;
}

async function round(where: Served, writes: StandInWrite[], namespaces: readonly string[] | undefined): Promise<void> {
  // Workloads first, reconcilers after: a workload seen scaled down by a failover that paused its
  // reconciler first is then always seen with the pause (the order a real controller's watch keeps).
  const workloads = await Promise.all(WORKLOADS.map(async (entry) => ({ entry, items: await list<Workload>(where, entry.collection) })));
  const [applications, kustomizations, scaledObjects] = await Promise.all([
    list<Reconciler>(where, '/apis/argoproj.io/v1alpha1/applications'),
    list<Reconciler>(where, '/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations'),
    list<Reconciler>(where, '/apis/keda.sh/v1alpha1/scaledobjects'),
  ]);
  for (const { entry, items } of workloads) {
    for (const workload of items) {
      if (namespaces && !namespaces.includes(workload.metadata.namespace ?? '')) continue;
      const want = wanted({ ...workload, kind: entry.kind }, entry.group, applications, kustomizations, scaledObjects);
      const current = workload.spec?.replicas ?? 1;
      if (!want || want.replicas === current) continue;
      const { name, namespace = '' } = workload.metadata;
      const objectPath = `/apis/apps/v1/namespaces/${namespace}/${entry.collection.split('/').pop() ?? ''}/${name}?fieldManager=${want.manager}`;
      try {
        // The test op: a count changed since the list is left for the next round.
        await where.rest.request('PATCH', objectPath, [{ op: 'test', path: '/spec/replicas', value: current }, { op: 'replace', path: '/spec/replicas', value: want.replicas }], 'application/json-patch+json');
        writes.push({ cluster: where.cluster, manager: want.manager, namespace, kind: entry.kind, name, from: current, to: want.replicas });
        log(LABEL, `${where.cluster} ${namespace}/${entry.kind.toLowerCase()}/${name}: ${current} → ${want.replicas} (${want.manager})`);
      } catch (error) {
        if (statusCode(error) !== 422 && statusCode(error) !== 404 && statusCode(error) !== 409) log(LABEL, `${where.cluster} ${namespace}/${name}: ${String(error)}`);
      }
    }
  }
}

/** Starts the stand-ins on the given clusters (only for workloads in `namespaces`, when given: a test's own); they run until stop(). */
export function startReconcilerStandIn(served: readonly Served[], options: { intervalMs?: number; namespaces?: readonly string[] } = {}): ReconcilerStandIn {
  const writes: StandInWrite[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      await Promise.all(served.map((where) => round(where, writes, options.namespaces).catch((error: unknown) => log(LABEL, `${where.cluster}: ${String(error)}`))));
      if (running) await sleep(options.intervalMs ?? DEFAULT_INTERVAL_MS);
    }
  })();
  return {
    writes,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const state = readState(process.argv[2]);
  const served = CLUSTERS.map((cluster) => ({ cluster, rest: restFor(state, cluster) }));
  log(LABEL, `serving ${served.map((entry) => entry.cluster).join(', ')}`);
  startReconcilerStandIn(served);
}
