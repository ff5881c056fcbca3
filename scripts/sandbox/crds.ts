import type { SandboxRest } from './rest';

export const STORK_GROUP = 'stork.libopenstorage.org';

/**
 * Stork's CRDs as Stork registers them at runtime (k8sutils.CreateCRDV1): v1, schema open
 * (x-kubernetes-preserve-unknown-fields), no status subresource, so Stork and its clients write
 * status with a plain update of the whole object. Migration is registered by the migration
 * controller, Action by the action controller (Stork 24 and later).
 */
const STORK_CRDS = [
  { plural: 'migrations', kind: 'Migration', scope: 'Namespaced' },
  { plural: 'migrationschedules', kind: 'MigrationSchedule', scope: 'Namespaced' },
  { plural: 'clusterpairs', kind: 'ClusterPair', scope: 'Namespaced' },
  { plural: 'schedulepolicies', kind: 'SchedulePolicy', scope: 'Cluster' },
  { plural: 'applicationregistrations', kind: 'ApplicationRegistration', scope: 'Cluster' },
  { plural: 'actions', kind: 'Action', scope: 'Namespaced' },
] as const;

export type StorkPlural = (typeof STORK_CRDS)[number]['plural'];

export function crdManifest(group: string, plural: string, kind: string, scope: string, version = 'v1alpha1'): unknown {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope,
      names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} within 15s`);
}

/** Whether the API server's discovery lists `plural` in group/version (it follows CRD changes with a short lag). */
async function discovered(rest: SandboxRest, group: string, version: string, plural: string): Promise<boolean> {
  const list = await rest.find<{ resources: Array<{ name: string }> }>(`/apis/${group}/${version}`);
  return Boolean(list?.resources.some((resource) => resource.name === plural));
}

export async function registerCrd(rest: SandboxRest, manifest: unknown): Promise<void> {
  await rest.ensure('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', manifest);
  const { metadata, spec } = manifest as { metadata: { name: string }; spec: { group: string; names: { plural: string }; versions: Array<{ name: string }> } };
  await waitFor(`CRD ${metadata.name} did not become Established`, async () => {
    const crd = await rest.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${metadata.name}`);
    return Boolean(crd.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True'));
  });
  const version = spec.versions[0]?.name ?? 'v1alpha1';
  await waitFor(`${spec.names.plural}.${spec.group} did not appear in discovery`, () => discovered(rest, spec.group, version, spec.names.plural));
}

/**
 * Deletes a CRD (and so every object of it) and waits until the server no longer serves it, in
 * discovery too. Objects still holding finalizers are released first, so nothing waits for a
 * controller that may not run.
 */
export async function unregisterCrd(rest: SandboxRest, group: string, plural: string, version = 'v1alpha1'): Promise<void> {
  const name = `${plural}.${group}`;
  const list = await rest.find<{ items: Array<{ metadata: { name: string; namespace?: string; finalizers?: string[] } }> }>(`/apis/${group}/${version}/${plural}`);
  for (const item of list?.items ?? []) {
    if (!item.metadata.finalizers?.length) continue;
    const base = item.metadata.namespace ? `/apis/${group}/${version}/namespaces/${item.metadata.namespace}/${plural}` : `/apis/${group}/${version}/${plural}`;
    await rest.mergePatch(`${base}/${item.metadata.name}`, { metadata: { finalizers: null } }).catch(() => undefined);
  }
  await rest.delete(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404) throw error;
  });
  await waitFor(`CRD ${name} was not removed`, async () => (await rest.find(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)) === undefined);
  await waitFor(`${name} was still in discovery`, async () => !(await discovered(rest, group, version, plural)));
}

/** One of Stork's CRDs, as registerStorkCrds registers it. */
export function storkCrdManifest(plural: StorkPlural): unknown {
  const crd = STORK_CRDS.find((entry) => entry.plural === plural);
  if (!crd) throw new Error(`not a Stork CRD: ${plural}`);
  return crdManifest(STORK_GROUP, crd.plural, crd.kind, crd.scope);
}

export async function registerStorkCrds(rest: SandboxRest): Promise<void> {
  await Promise.all(STORK_CRDS.map((crd) => registerCrd(rest, storkCrdManifest(crd.plural))));
}

// ---------------------------------------------------------------------------------------------
// The reconcilers that fight a failover over spec.replicas (issue 25): Argo CD, Flux, KEDA. Their
// CRDs cut down to the fields kubectl-failover reads and writes, typed as in the published schemas
// (argo-cd manifests/crds/application-crd.yaml, flux2 kustomize-controller and helm-controller
// config/crd/bases, keda config/crd/bases/keda.sh_scaledobjects.yaml); the rest is left open with
// x-kubernetes-preserve-unknown-fields. Not registered by startSandbox: a test registers them, so
// every other test sees clusters without them, as most are.

type Schema = Record<string, unknown>;
const open = (properties: Record<string, Schema> = {}, extra: Schema = {}): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties, ...extra });

interface ReconcilerCrd {
  group: string;
  version: string;
  plural: string;
  kind: string;
  shortNames?: string[];
  spec: Schema;
  status: boolean;
}

export const RECONCILER_CRDS: readonly ReconcilerCrd[] = [
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    plural: 'applications',
    kind: 'Application',
    shortNames: ['app', 'apps'],
    // Argo CD writes status with a plain update: no status subresource.
    status: false,
    spec: open({
      project: { type: 'string' },
      syncPolicy: open({
        automated: open({ selfHeal: { type: 'boolean' }, prune: { type: 'boolean' }, allowEmpty: { type: 'boolean' }, enabled: { type: 'boolean' } }),
      }),
    }),
  },
  {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
    kind: 'Kustomization',
    shortNames: ['ks'],
    status: true,
    spec: open({ suspend: { type: 'boolean' }, interval: { type: 'string' }, path: { type: 'string' }, prune: { type: 'boolean' } }),
  },
  {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
    kind: 'HelmRelease',
    shortNames: ['hr'],
    status: true,
    spec: open({ suspend: { type: 'boolean' }, interval: { type: 'string' }, releaseName: { type: 'string' } }),
  },
  {
    group: 'keda.sh',
    version: 'v1alpha1',
    plural: 'scaledobjects',
    kind: 'ScaledObject',
    shortNames: ['so'],
    status: true,
    spec: open(
      {
        scaleTargetRef: open({ apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, envSourceContainerName: { type: 'string' } }, { required: ['name'] }),
        minReplicaCount: { type: 'integer', format: 'int32' },
        maxReplicaCount: { type: 'integer', format: 'int32' },
        pollingInterval: { type: 'integer', format: 'int32' },
        cooldownPeriod: { type: 'integer', format: 'int32' },
      },
      { required: ['scaleTargetRef'] },
    ),
  },
];

export function reconcilerCrdManifest(crd: ReconcilerCrd): unknown {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${crd.plural}.${crd.group}` },
    spec: {
      group: crd.group,
      scope: 'Namespaced',
      names: { plural: crd.plural, singular: crd.kind.toLowerCase(), kind: crd.kind, listKind: `${crd.kind}List`, ...(crd.shortNames ? { shortNames: crd.shortNames } : {}) },
      versions: [
        {
          name: crd.version,
          served: true,
          storage: true,
          ...(crd.status ? { subresources: { status: {} } } : {}),
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: crd.spec, status: open() } } },
        },
      ],
    },
  };
}

/** Registers Argo CD's, Flux's and KEDA's CRDs (as above) on one cluster. */
export async function registerReconcilerCrds(rest: SandboxRest): Promise<void> {
  await Promise.all(RECONCILER_CRDS.map((crd) => registerCrd(rest, reconcilerCrdManifest(crd))));
}

/** Removes them again, with every object of theirs. */
export async function unregisterReconcilerCrds(rest: SandboxRest): Promise<void> {
  await Promise.all(RECONCILER_CRDS.map((crd) => unregisterCrd(rest, crd.group, crd.plural, crd.version)));
}
