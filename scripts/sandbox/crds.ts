import type { SandboxRest } from './rest';

/** Stork's CRDs as Stork registers them at runtime: v1, schema open, no status subresource. */
const STORK_CRDS = [
  { plural: 'migrations', kind: 'Migration', scope: 'Namespaced' },
  { plural: 'migrationschedules', kind: 'MigrationSchedule', scope: 'Namespaced' },
  { plural: 'clusterpairs', kind: 'ClusterPair', scope: 'Namespaced' },
  { plural: 'schedulepolicies', kind: 'SchedulePolicy', scope: 'Cluster' },
  { plural: 'applicationregistrations', kind: 'ApplicationRegistration', scope: 'Cluster' },
] as const;

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

export async function registerCrd(rest: SandboxRest, manifest: unknown): Promise<void> {
  await rest.ensure('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', manifest);
  const name = (manifest as { metadata: { name: string } }).metadata.name;
  for (let attempt = 0; attempt < 100; attempt++) {
    const crd = await rest.get<{ status?: { conditions?: Array<{ type: string; status: string }> } }>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (crd.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${name} did not become Established`);
}

export async function registerStorkCrds(rest: SandboxRest): Promise<void> {
  await Promise.all(STORK_CRDS.map((crd) => registerCrd(rest, crdManifest('stork.libopenstorage.org', crd.plural, crd.kind, crd.scope))));
}
