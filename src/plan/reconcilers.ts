import type { Finding } from '../failover/findings';
import type { WantedKind } from '../kube/discovery';
import { kindKey } from '../kube/discovery';
import { getPath } from '../kube/jsonPath';
import { displayName, refOf, type Json, type KubeObject, type ObjectRef } from '../kube/objects';
import { splitApiVersion } from '../kube/resources';
import { specReplicas } from '../stork/kinds';
import { annotationPath, planFor } from './objectPlan';
import type { Direction, ObjectPlan, Workload } from './types';

/**
 * Who else owns spec.replicas. A failover scales the source down; Argo CD with self-heal, Flux's
 * controllers and KEDA scale it straight back up, and the failover would report success over a
 * split brain. Detection is pure (objects in, findings out); io/reconcilers.ts reads the objects.
 */

export const ReconcilerKinds = {
  application: { group: 'argoproj.io', kind: 'Application', versions: ['v1alpha1'] },
  // v1beta2 / v2beta*: older Flux releases, same spec.suspend.
  kustomization: { group: 'kustomize.toolkit.fluxcd.io', kind: 'Kustomization', versions: ['v1', 'v1beta2'] },
  helmRelease: { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', versions: ['v2', 'v2beta2', 'v2beta1'] },
  scaledObject: { group: 'keda.sh', kind: 'ScaledObject', versions: ['v1alpha1'] },
  horizontalPodAutoscaler: { group: 'autoscaling', kind: 'HorizontalPodAutoscaler', versions: ['v1'] },
} as const satisfies Record<string, WantedKind>;

export const APPLICATION_KEY = kindKey(ReconcilerKinds.application.group, ReconcilerKinds.application.kind);
export const KUSTOMIZATION_KEY = kindKey(ReconcilerKinds.kustomization.group, ReconcilerKinds.kustomization.kind);
export const HELM_RELEASE_KEY = kindKey(ReconcilerKinds.helmRelease.group, ReconcilerKinds.helmRelease.kind);
export const SCALED_OBJECT_KEY = kindKey(ReconcilerKinds.scaledObject.group, ReconcilerKinds.scaledObject.kind);
export const HPA_KEY = kindKey(ReconcilerKinds.horizontalPodAutoscaler.group, ReconcilerKinds.horizontalPodAutoscaler.kind);

export const ArgoCd = {
  trackingId: 'argocd.argoproj.io/tracking-id',
  /** Argo CD's label tracking (its default before 3.0); Helm charts set the same label, so it is weak evidence alone. */
  instanceLabel: 'app.kubernetes.io/instance',
  /** Where Argo CD keeps Applications named without a namespace, unless the cluster-wide read says otherwise. */
  defaultNamespaces: ['argocd'] as readonly string[],
  fieldManager: 'argocd-controller',
} as const;
export const Flux = {
  kustomizeName: 'kustomize.toolkit.fluxcd.io/name',
  kustomizeNamespace: 'kustomize.toolkit.fluxcd.io/namespace',
  helmName: 'helm.toolkit.fluxcd.io/name',
  helmNamespace: 'helm.toolkit.fluxcd.io/namespace',
  kustomizeManager: 'kustomize-controller',
  helmManager: 'helm-controller',
} as const;
export const Keda = {
  pausedReplicas: 'autoscaling.keda.sh/paused-replicas',
  paused: 'autoscaling.keda.sh/paused',
  fieldManager: 'keda-operator',
} as const;

export type ReconcilerType = 'argocd' | 'flux-kustomization' | 'flux-helmrelease' | 'keda' | 'hpa' | 'operator';

/** A controller that writes spec.replicas of some workloads. */
export interface Reconciler {
  type: ReconcilerType;
  /** Its object: where it lives and what it is called (namespace unknown for an Argo CD app id without one). */
  kind: string;
  namespace?: string;
  name: string;
  /** The object, when it was read here: what a pause plan starts from. */
  object?: KubeObject;
  /** Discovery key of its kind, to address a pause plan. */
  resourceKey: string;
}

export interface ReconcilerFinding extends Finding {
  code: 'reconciler-active' | 'reconciler-unreadable';
  reconciler: Reconciler;
  /** The workloads it manages (all in `namespace`). */
  workloads: ObjectRef[];
  /** It would undo our replica change now: what the gate refuses unless paused or ignored. */
  scalesBack: boolean;
  /** What was read of it, for a person: "automated sync with selfHeal", "not suspended". */
  state: string;
  /** How to pause it by hand, where we cannot (or may not) do it. */
  byHand?: string;
}

/** One kind's read: not served here, or the objects read and where reading them was refused. */
export type KindRead =
  | { served: false }
  | {
      served: true;
      objects: readonly KubeObject[];
      /** Namespaces read whole ('all': the whole cluster). */
      covered: 'all' | readonly string[];
      /** Why each namespace not covered could not be read (forbidden, a failed request). */
      failures?: ReadonlyMap<string, string>;
    };

export interface ReconcilerObjects {
  applications: KindRead;
  kustomizations: KindRead;
  helmReleases: KindRead;
  scaledObjects: KindRead;
  hpas: KindRead;
}

export interface DetectionInput {
  cluster: Finding['cluster'];
  /** The workloads the plans touch. */
  workloads: readonly Workload[];
  objects: ReconcilerObjects;
  /** Where an Application named without a namespace is looked for when Applications could not be read cluster-wide. */
  argoNamespaces?: readonly string[];
  /**
   * What is about to happen to the workloads: a KEDA pause at N replicas holds them at N, which
   * fights a scale-down when N > 0 and an activation when N is 0. Without it, each workload's
   * own state tells (at 0: activation comes next; else deactivation), as status needs.
   */
  direction?: Direction;
}

/** The kinds of reconciler a set of workloads can point to, and so which kinds are worth reading. */
export function reconcilerKindsToRead(workloads: readonly Workload[]): { applications: boolean; kustomizations: boolean; helmReleases: boolean; hpas: boolean } {
  const labels = (workload: Workload): Record<string, string> => workload.object.metadata.labels ?? {};
  return {
    applications: workloads.some((workload) => workload.object.metadata.annotations?.[ArgoCd.trackingId] !== undefined || labels(workload)[ArgoCd.instanceLabel] !== undefined),
    kustomizations: workloads.some((workload) => labels(workload)[Flux.kustomizeName] !== undefined),
    helmReleases: workloads.some((workload) => labels(workload)[Flux.helmName] !== undefined),
    // Only a standby workload (at 0) draws the HPA warning.
    hpas: workloads.some((workload) => specReplicas(workload.object) === 0),
  };
}

/** The namespaces a workload's labels and annotations name for their reconcilers (read when a cluster-wide read is refused). */
export function namedReconcilerNamespaces(workloads: readonly Workload[], argoNamespaces: readonly string[] = ArgoCd.defaultNamespaces): { applications: string[]; kustomizations: string[]; helmReleases: string[] } {
  const applications = new Set(argoNamespaces);
  const kustomizations = new Set<string>();
  const helmReleases = new Set<string>();
  for (const { object } of workloads) {
    const argo = argoClaim(object);
    if (argo.kind === 'app' && argo.namespace) applications.add(argo.namespace);
    const labels = object.metadata.labels ?? {};
    const kustomization = labels[Flux.kustomizeNamespace];
    if (kustomization) kustomizations.add(kustomization);
    const helm = labels[Flux.helmNamespace];
    if (helm) helmReleases.add(helm);
  }
  return { applications: [...applications].sort(), kustomizations: [...kustomizations].sort(), helmReleases: [...helmReleases].sort() };
}

// ---------------------------------------------------------------------------------------------
// Detection

type Lookup = { state: 'found'; objects: KubeObject[] } | { state: 'absent' } | { state: 'unreadable'; why: string };

/** An object of a kind by namespace and name, or why it cannot be known. */
function lookup(read: KindRead, kind: string, namespace: string, name: string): Lookup {
  if (!read.served) return { state: 'unreadable', why: `${kind}s are not served on this cluster` };
  const found = read.objects.filter((object) => object.metadata.namespace === namespace && object.metadata.name === name);
  if (found.length > 0) return { state: 'found', objects: found };
  if (read.covered === 'all' || read.covered.includes(namespace)) return { state: 'absent' };
  return { state: 'unreadable', why: read.failures?.get(namespace) ?? read.failures?.get('') ?? `${kind}s in namespace ${namespace} were not read` };
}

/**
 * An Application named without its namespace (the id of an app in Argo CD's own namespace): read
 * cluster-wide, every namespace's namesake counts (Argo CD's namespace may not be `argocd`), those
 * in the given namespaces first; read per namespace, only the given namespaces are searched.
 */
function lookupAnywhere(read: KindRead, kind: string, namespaces: readonly string[], name: string): Lookup {
  if (!read.served) return lookup(read, kind, '', name);
  if (read.covered === 'all') {
    const named = read.objects.filter((object) => object.metadata.name === name);
    const preferred = named.filter((object) => namespaces.includes(object.metadata.namespace ?? ''));
    const found = preferred.length > 0 ? preferred : named;
    return found.length > 0 ? { state: 'found', objects: found } : { state: 'absent' };
  }
  const results = namespaces.map((namespace) => lookup(read, kind, namespace, name));
  const found = results.flatMap((result) => (result.state === 'found' ? result.objects : []));
  if (found.length > 0) return { state: 'found', objects: found };
  const unreadable = results.find((result): result is Extract<Lookup, { state: 'unreadable' }> => result.state === 'unreadable');
  return unreadable ?? { state: 'absent' };
}

/** What a workload's Argo CD marks say: an app (namespace when the id names one), a garbled id, or nothing. */
type ArgoClaim = { kind: 'app'; name: string; namespace?: string; by: 'annotation' | 'label' } | { kind: 'garbled'; value: string } | { kind: 'none' };

/** `<app>:<group>/<kind>:<namespace>/<name>`; the app is `<namespace>_<name>` for apps outside Argo CD's namespace. */
const TRACKING_ID = /^([^:/\s]+):([^:/\s]*)\/([^:/\s]+):([^:/\s]*)\/([^:/\s]+)$/;

function splitAppName(app: string): { name: string; namespace?: string } {
  // Kubernetes names never hold "_", so the first one separates the namespace (Argo CD's apps-in-any-namespace).
  const underscore = app.indexOf('_');
  return underscore > 0 && underscore < app.length - 1 ? { namespace: app.slice(0, underscore), name: app.slice(underscore + 1) } : { name: app };
}

export function argoClaim(object: KubeObject): ArgoClaim {
  const id = object.metadata.annotations?.[ArgoCd.trackingId];
  if (id !== undefined) {
    const match = TRACKING_ID.exec(id.trim());
    if (!match) return { kind: 'garbled', value: id };
    const [, app = '', group = '', kind = '', namespace = '', name = ''] = match;
    // Argo CD disowns an object whose id names another one (a copy of its manifest): so do we.
    const own = splitApiVersion(object.apiVersion).group;
    if (group !== own || kind !== object.kind || name !== object.metadata.name || (namespace !== '' && namespace !== (object.metadata.namespace ?? ''))) return { kind: 'none' };
    return { kind: 'app', ...splitAppName(app), by: 'annotation' };
  }
  const label = object.metadata.labels?.[ArgoCd.instanceLabel];
  if (label !== undefined && label !== '') return { kind: 'app', ...splitAppName(label), by: 'label' };
  return { kind: 'none' };
}

/** One claim on a workload, before grouping: the reconciler and what is known of it. */
interface Claim {
  reconciler: Reconciler;
  code: ReconcilerFinding['code'];
  scalesBack: boolean;
  state: string;
  /** The finding's message for this group of workloads ("deployment/web, statefulset/db"; several or one). */
  message: (workloads: string, several: boolean) => string;
  byHand?: string;
  /** Findings that stay per workload (their message names it already). */
  single?: boolean;
}

const label = (object: KubeObject): string => displayName(refOf(object));

function argoByHand(namespace: string | undefined, name: string, argoNamespaces: readonly string[]): string {
  const app = namespace && !argoNamespaces.includes(namespace) ? `${namespace}/${name}` : name;
  return `argocd app set ${app} --sync-policy none`;
}

function fluxByHand(what: 'kustomization' | 'helmrelease', namespace: string, name: string): string {
  return `flux suspend ${what} ${name} -n ${namespace}`;
}

function kedaByHand(namespace: string, name: string): string {
  return `kubectl annotate scaledobject ${name} -n ${namespace} ${Keda.pausedReplicas}=0 --overwrite`;
}

function qualified(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Argo CD: the Application the workload's tracking id (or label) names, and its sync policy. */
function argoClaims(object: KubeObject, input: DetectionInput, argoNamespaces: readonly string[]): Claim[] {
  const claim = argoClaim(object);
  if (claim.kind === 'none') return [];
  if (claim.kind === 'garbled') {
    const reconciler: Reconciler = { type: 'argocd', kind: 'Application', name: '?', resourceKey: APPLICATION_KEY };
    return [
      {
        reconciler,
        code: 'reconciler-unreadable',
        scalesBack: false,
        state: 'tracking id garbled',
        single: true,
        message: () => `${label(object)}: annotation ${ArgoCd.trackingId} "${claim.value}" is not <app>:<group>/<kind>:<namespace>/<name>, so which Argo CD Application manages it is not known; if one syncs it automatically, pause it by hand (argocd app set <app> --sync-policy none)`,
      },
    ];
  }
  const found = claim.namespace !== undefined ? lookup(input.objects.applications, 'Application', claim.namespace, claim.name) : lookupAnywhere(input.objects.applications, 'Application', argoNamespaces, claim.name);
  const evidence = claim.by === 'annotation' ? `annotation ${ArgoCd.trackingId}` : `label ${ArgoCd.instanceLabel}, which Helm sets too`;
  if (found.state === 'found') {
    return found.objects.flatMap((application): Claim[] => {
      const automated = getPath(application, ['spec', 'syncPolicy', 'automated']);
      if (automated === undefined || automated === null) return [];
      const selfHeal = getPath(automated, ['selfHeal']) === true;
      const prune = getPath(automated, ['prune']) === true;
      const namespace = application.metadata.namespace;
      const reconciler: Reconciler = { type: 'argocd', kind: 'Application', ...(namespace ? { namespace } : {}), name: application.metadata.name, object: application, resourceKey: APPLICATION_KEY };
      const state = `automated sync${selfHeal ? ' with selfHeal' : ' without selfHeal'}${prune ? ', prune' : ''}`;
      const name = `Argo CD Application ${qualified(namespace, application.metadata.name)}`;
      const byHand = argoByHand(namespace, application.metadata.name, argoNamespaces);
      return [
        selfHeal
          ? { reconciler, code: 'reconciler-active', scalesBack: true, state, byHand, message: (workloads, several) => `${name} (${state}) manages ${workloads}: it scales ${several ? 'them' : 'it'} back to the replicas in Git` }
          : { reconciler, code: 'reconciler-active', scalesBack: false, state, byHand, message: (workloads, several) => `${name} (${state}) manages ${workloads}: its next sync scales ${several ? 'them' : 'it'} back to the replicas in Git` },
      ];
    });
  }
  // A Helm label alone, on a cluster without Argo CD: no sign of Argo CD at all.
  if (claim.by === 'label' && (found.state === 'absent' || !input.objects.applications.served)) return [];
  const reconciler: Reconciler = { type: 'argocd', kind: 'Application', ...(claim.namespace ? { namespace: claim.namespace } : {}), name: claim.name, resourceKey: APPLICATION_KEY };
  const name = `Argo CD Application ${qualified(claim.namespace, claim.name)}`;
  const byHand = argoByHand(claim.namespace, claim.name, argoNamespaces);
  const why = found.state === 'absent' ? 'no such Application on this cluster (its Argo CD runs on another cluster)' : found.why;
  return [
    {
      reconciler,
      code: 'reconciler-unreadable',
      scalesBack: false,
      state: 'not readable here',
      byHand,
      message: (workloads, several) => `${workloads} ${claim.by === 'label' ? 'may be' : several ? 'are' : 'is'} managed by ${name} (${evidence}), not readable here: ${why}; if it syncs automatically with selfHeal it scales ${several ? 'them' : 'it'} back: pause it by hand where Argo CD runs: ${byHand}`,
    },
  ];
}

/** Flux: the Kustomization or HelmRelease the workload's labels name, and whether it is suspended. */
function fluxClaims(object: KubeObject, input: DetectionInput): Claim[] {
  const labels = object.metadata.labels ?? {};
  const claims: Claim[] = [];
  const kinds = [
    { type: 'flux-kustomization' as const, kind: 'Kustomization', word: 'kustomization' as const, nameLabel: Flux.kustomizeName, namespaceLabel: Flux.kustomizeNamespace, read: input.objects.kustomizations, resourceKey: KUSTOMIZATION_KEY },
    { type: 'flux-helmrelease' as const, kind: 'HelmRelease', word: 'helmrelease' as const, nameLabel: Flux.helmName, namespaceLabel: Flux.helmNamespace, read: input.objects.helmReleases, resourceKey: HELM_RELEASE_KEY },
  ];
  for (const entry of kinds) {
    const name = labels[entry.nameLabel];
    if (name === undefined) continue;
    const namespace = labels[entry.namespaceLabel];
    if (!name || !namespace) {
      const reconciler: Reconciler = { type: entry.type, kind: entry.kind, name: name || '?', resourceKey: entry.resourceKey };
      claims.push({
        reconciler,
        code: 'reconciler-unreadable',
        scalesBack: false,
        state: 'labels incomplete',
        single: true,
        message: () => `${label(object)}: label ${entry.nameLabel} "${name}" without ${entry.namespaceLabel}, so which Flux ${entry.kind} manages it is not known; if one is not suspended, suspend it by hand (flux suspend ${entry.word} <name> -n <namespace>)`,
      });
      continue;
    }
    const described = `Flux ${entry.kind} ${namespace}/${name}`;
    const byHand = fluxByHand(entry.word, namespace, name);
    const found = lookup(entry.read, entry.kind, namespace, name);
    if (found.state === 'found') {
      for (const flux of found.objects) {
        if (getPath(flux, ['spec', 'suspend']) === true) continue;
        const reconciler: Reconciler = { type: entry.type, kind: entry.kind, namespace, name, object: flux, resourceKey: entry.resourceKey };
        claims.push({ reconciler, code: 'reconciler-active', scalesBack: true, state: 'not suspended', byHand, message: (workloads, several) => `${described} (not suspended) manages ${workloads}: it applies ${several ? 'them' : 'it'} again with the replicas in Git` });
      }
      continue;
    }
    const reconciler: Reconciler = { type: entry.type, kind: entry.kind, namespace, name, resourceKey: entry.resourceKey };
    const why = found.state === 'absent' ? `no such ${entry.kind} on this cluster (its Flux runs on another cluster)` : found.why;
    claims.push({
      reconciler,
      code: 'reconciler-unreadable',
      scalesBack: false,
      state: 'not readable here',
      byHand,
      message: (workloads, several) => `${workloads} ${several ? 'are' : 'is'} managed by ${described}, not readable here: ${why}; unless it is suspended it scales ${several ? 'them' : 'it'} back: suspend it by hand where Flux runs: ${byHand}`,
    });
  }
  return claims;
}

/** Whether a scaleTargetRef (HPA, ScaledObject) names this workload; KEDA's kind defaults to Deployment. */
function targets(reference: Json | undefined, object: KubeObject, defaultKind: string | undefined): boolean {
  const name = getPath(reference, ['name']);
  const kindValue = getPath(reference, ['kind']);
  const kind = typeof kindValue === 'string' && kindValue !== '' ? kindValue : defaultKind;
  return typeof name === 'string' && name === object.metadata.name && kind === object.kind;
}

/** What a ScaledObject's pause annotations amount to: paused (holding the count where it is), held at N, or not paused. */
export function kedaPause(scaledObject: KubeObject): { paused: true } | { paused: false; holdsAt?: number; garbled?: string } {
  const annotations = scaledObject.metadata.annotations ?? {};
  const replicas = annotations[Keda.pausedReplicas];
  if (replicas !== undefined) {
    const text = replicas.trim();
    if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { paused: false, holdsAt: Number(text) };
    // KEDA refuses a count it cannot parse and goes on scaling.
    return { paused: false, garbled: replicas };
  }
  if ((annotations[Keda.paused] ?? '').trim().toLowerCase() === 'true') return { paused: true };
  return { paused: false };
}

function kedaClaims(object: KubeObject, input: DetectionInput, direction: Direction): Claim[] {
  const read = input.objects.scaledObjects;
  if (!read.served) return [];
  const namespace = object.metadata.namespace ?? '';
  const claims: Claim[] = [];
  for (const scaledObject of read.objects) {
    if (scaledObject.metadata.namespace !== namespace || !targets(getPath(scaledObject, ['spec', 'scaleTargetRef']), object, 'Deployment')) continue;
    const pause = kedaPause(scaledObject);
    if (pause.paused) continue;
    let state = 'not paused';
    let scalesBack = true;
    if (pause.holdsAt !== undefined) {
      // Paused at N holds the workload at N: harmless only when N is what we are about to set.
      scalesBack = direction === 'deactivate' ? pause.holdsAt !== 0 : pause.holdsAt === 0;
      state = `paused at ${pause.holdsAt} replicas`;
      if (!scalesBack) continue;
    } else if (pause.garbled !== undefined) {
      state = `${Keda.pausedReplicas} "${pause.garbled}" is not a number: not paused`;
    }
    const reconciler: Reconciler = { type: 'keda', kind: 'ScaledObject', namespace, name: scaledObject.metadata.name, object: scaledObject, resourceKey: SCALED_OBJECT_KEY };
    const described = `KEDA ScaledObject ${namespace}/${scaledObject.metadata.name}`;
    claims.push({
      reconciler,
      code: 'reconciler-active',
      scalesBack,
      state,
      byHand: kedaByHand(namespace, scaledObject.metadata.name),
      message: (workloads, several) => `${described} (${state}) targets ${workloads}: ${pause.holdsAt !== undefined ? `it holds ${several ? 'them' : 'it'} at ${pause.holdsAt}` : `it scales ${several ? 'them' : 'it'} back up`}`,
    });
  }
  return claims;
}

/** An HPA on a standby workload: today's status warning, unchanged. KEDA's own HPAs are its ScaledObject's business. */
function hpaClaims(object: KubeObject, input: DetectionInput): Claim[] {
  const read = input.objects.hpas;
  if (!read.served || specReplicas(object) !== 0) return [];
  const namespace = object.metadata.namespace ?? '';
  const hpa = read.objects.find(
    (candidate) =>
      candidate.metadata.namespace === namespace &&
      !(candidate.metadata.ownerReferences ?? []).some((owner) => owner.kind === 'ScaledObject') &&
      targets(getPath(candidate, ['spec', 'scaleTargetRef']), object, undefined),
  );
  if (!hpa) return [];
  const reconciler: Reconciler = { type: 'hpa', kind: 'HorizontalPodAutoscaler', namespace, name: hpa.metadata.name, object: hpa, resourceKey: HPA_KEY };
  return [
    {
      reconciler,
      code: 'reconciler-active',
      scalesBack: false,
      state: 'targets a standby workload',
      single: true,
      message: () => `${label(object)}: a HorizontalPodAutoscaler targets this standby workload; it will fight the scale-up or keep it at 0`,
    },
  ];
}

/** API groups of Kubernetes' (and OpenShift's) own controllers: an owner there is no operator. */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'extensions', 'autoscaling', 'apps.openshift.io']);

function operatorClaims(object: KubeObject): Claim[] {
  const owners = (object.metadata.ownerReferences ?? []).filter((owner) => !BUILT_IN_GROUPS.has(splitApiVersion(owner.apiVersion ?? '').group));
  return owners.map((owner): Claim => {
    const group = splitApiVersion(owner.apiVersion ?? '').group;
    const namespace = object.metadata.namespace;
    const reconciler: Reconciler = { type: 'operator', kind: owner.kind, ...(namespace ? { namespace } : {}), name: owner.name, resourceKey: kindKey(group, owner.kind) };
    return {
      reconciler,
      code: 'reconciler-active',
      scalesBack: false,
      state: 'owner',
      message: (workloads, several) => `${workloads} ${several ? 'are' : 'is'} owned by ${owner.kind.toLowerCase()}/${owner.name} (${group}), a custom resource: its operator sets the replicas and undoes what is written here; scale it through the ${owner.kind}`,
    };
  });
}

function reconcilerKey(reconciler: Reconciler): string {
  return `${reconciler.type}|${reconciler.kind}|${reconciler.namespace ?? ''}|${reconciler.name}`;
}

/**
 * Who owns spec.replicas of each workload, besides us: one finding per reconciler and namespace,
 * naming its workloads. Never throws: what cannot be read is a warning saying so.
 */
export function detectReconcilers(input: DetectionInput): ReconcilerFinding[] {
  const argoNamespaces = input.argoNamespaces ?? ArgoCd.defaultNamespaces;
  const groups = new Map<string, { claim: Claim; workloads: KubeObject[] }>();
  const order: string[] = [];
  for (const { object } of input.workloads) {
    const direction = input.direction ?? (specReplicas(object) === 0 ? 'activate' : 'deactivate');
    const claims = [...argoClaims(object, input, argoNamespaces), ...fluxClaims(object, input), ...kedaClaims(object, input, direction), ...hpaClaims(object, input), ...operatorClaims(object)];
    for (const claim of claims) {
      const namespace = object.metadata.namespace ?? '';
      const key = `${reconcilerKey(claim.reconciler)}|${claim.code}|${namespace}${claim.single ? `|${label(object)}` : ''}`;
      const group = groups.get(key);
      if (group) {
        if (!group.workloads.includes(object)) group.workloads.push(object);
      } else {
        groups.set(key, { claim, workloads: [object] });
        order.push(key);
      }
    }
  }
  // Forbidden to read ScaledObjects where KEDA is installed: any of these workloads may be one's target.
  const keda = input.objects.scaledObjects;
  if (keda.served && keda.covered !== 'all') {
    const covered = keda.covered;
    const byNamespace = new Map<string, KubeObject[]>();
    for (const { object } of input.workloads) {
      const namespace = object.metadata.namespace ?? '';
      if (covered.includes(namespace)) continue;
      byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), object]);
    }
    for (const [namespace, workloads] of [...byNamespace].sort(([a], [b]) => a.localeCompare(b))) {
      const why = keda.failures?.get(namespace) ?? keda.failures?.get('') ?? 'not read';
      const reconciler: Reconciler = { type: 'keda', kind: 'ScaledObject', namespace, name: '*', resourceKey: SCALED_OBJECT_KEY };
      const key = `keda-unreadable|${namespace}`;
      groups.set(key, {
        claim: {
          reconciler,
          code: 'reconciler-unreadable',
          scalesBack: false,
          state: 'not readable here',
          message: (names, several) => `KEDA ScaledObjects in namespace ${namespace} are not readable here (${why}): one that targets ${names} and is not paused scales ${several ? 'them' : 'it'} back up; pause it by hand: ${kedaByHand(namespace, '<name>')}`,
        },
        workloads,
      });
      order.push(key);
    }
  }
  return order.map((key) => {
    const { claim, workloads } = groups.get(key) as { claim: Claim; workloads: KubeObject[] };
    const namespace = workloads[0]?.metadata.namespace;
    const names = workloads.map(label).join(', ');
    const finding: ReconcilerFinding = {
      code: claim.code,
      severity: claim.scalesBack ? 'error' : 'warning',
      cluster: input.cluster,
      ...(namespace ? { namespace } : {}),
      message: claim.message(names, workloads.length > 1),
      reconciler: claim.reconciler,
      workloads: workloads.map(refOf),
      scalesBack: claim.scalesBack,
      state: claim.state,
      ...(claim.byHand ? { byHand: claim.byHand } : {}),
    };
    if (claim.scalesBack) finding.override = '--pause-reconcilers';
    return finding;
  });
}

// ---------------------------------------------------------------------------------------------
// Pausing

const AUTOMATED = ['spec', 'syncPolicy', 'automated'] as const;
const SUSPEND = ['spec', 'suspend'] as const;

/**
 * The write that stops a reconciler from scaling back, as an ObjectPlan, so it is written,
 * journalled and undone like any other: every change keeps the value it replaces in `from`, so its
 * inverse puts back exactly what was there. Also the re-plan after a concurrent edit. Pure.
 * - Argo CD: spec.syncPolicy.automated removed (manual sync; selfHeal and prune go with it).
 * - Flux: spec.suspend: true.
 * - KEDA: annotation autoscaling.keda.sh/paused-replicas: "0" (scaled to 0 and held there).
 */
export function planReconcilerPause(type: ReconcilerType, object: KubeObject, resourceKey: string): ObjectPlan {
  switch (type) {
    case 'argocd': {
      const automated = getPath(object, AUTOMATED);
      if (automated === undefined || automated === null) return planFor(object, resourceKey, { action: 'unchanged', from: 'manual sync', to: 'manual sync' });
      const selfHeal = getPath(automated, ['selfHeal']) === true;
      return planFor(object, resourceKey, {
        action: 'change',
        from: `automated sync${selfHeal ? ' (selfHeal)' : ''}`,
        to: 'manual sync',
        changes: [{ path: AUTOMATED, from: automated, to: undefined }],
        preconditions: [{ path: AUTOMATED, value: automated }],
      });
    }
    case 'flux-kustomization':
    case 'flux-helmrelease': {
      const suspend = getPath(object, SUSPEND);
      if (suspend === true) return planFor(object, resourceKey, { action: 'unchanged', from: 'suspended', to: 'suspended' });
      return planFor(object, resourceKey, {
        action: 'change',
        from: 'active',
        to: 'suspended',
        changes: [{ path: SUSPEND, from: suspend, to: true }],
        preconditions: [{ path: SUSPEND, value: suspend ?? null }],
      });
    }
    case 'keda': {
      const pause = kedaPause(object);
      const current = object.metadata.annotations?.[Keda.pausedReplicas];
      if (pause.paused || (pause.holdsAt === 0 && current === '0')) return planFor(object, resourceKey, { action: 'unchanged', from: 'paused', to: 'paused' });
      return planFor(object, resourceKey, {
        action: 'change',
        from: pause.holdsAt !== undefined ? `paused at ${pause.holdsAt}` : 'not paused',
        to: 'paused at 0',
        changes: [{ path: annotationPath(Keda.pausedReplicas), from: current, to: '0' }],
        preconditions: [{ path: annotationPath(Keda.pausedReplicas), value: current ?? null }],
      });
    }
    case 'hpa':
    case 'operator':
      return planFor(object, resourceKey, { action: 'skipped', reason: 'cannot be paused from here' });
  }
}

// ---------------------------------------------------------------------------------------------
// The gate

export interface GateOptions {
  /** --pause-reconcilers: pause what would scale back, before any other write. */
  pause: boolean;
  /** --ignore-reconcilers: go ahead anyway, with a warning. */
  ignore: boolean;
  /** What is refused, for the message: "deactivate", "fail over" (default: "scale the workloads down"). */
  verb?: string;
}

export interface ReconcilerGate {
  /** Set: nothing may be written (exit 2); one line naming each reconciler and the flags. */
  refusal?: string;
  /** --pause-reconcilers: the writes that pause them, to apply (applyPlans) before anything else. */
  pausePlans: ObjectPlan[];
  /** What the report should say although nothing is refused. */
  warnings: string[];
}

const PAUSABLE: ReadonlySet<ReconcilerType> = new Set(['argocd', 'flux-kustomization', 'flux-helmrelease', 'keda']);

function short(finding: ReconcilerFinding): string {
  const { reconciler } = finding;
  const what = reconciler.type === 'argocd' ? 'Argo CD Application' : reconciler.type === 'keda' ? 'KEDA ScaledObject' : reconciler.type === 'operator' ? 'operator' : `Flux ${reconciler.kind}`;
  const workloads = finding.workloads.map(displayName).join(', ');
  return `${what} ${qualified(reconciler.namespace, reconciler.name)} (${finding.state}) → ${finding.namespace ? `${finding.namespace}/` : ''}${workloads}`;
}

/**
 * What to do about the reconcilers found, before any write. Pure.
 * - Something would scale the workloads back (Argo CD automated with selfHeal, Flux not suspended,
 *   KEDA not paused) and neither flag: refused, naming each one and both flags.
 * - --pause-reconcilers: a pause plan for each active reconciler read here (Argo CD automated
 *   without selfHeal too: its next sync would scale back); those not readable here are warnings
 *   that say how to pause them by hand.
 * - --ignore-reconcilers: a warning per reconciler that will scale back.
 */
export function reconcilerGate(findings: readonly ReconcilerFinding[], options: GateOptions): ReconcilerGate {
  const blocking = findings.filter((finding) => finding.scalesBack);
  const others = findings.filter((finding) => !finding.scalesBack);
  if (blocking.length > 0 && !options.pause && !options.ignore) {
    const count = new Set(blocking.map((finding) => reconcilerKey(finding.reconciler))).size;
    return {
      refusal: `refusing to ${options.verb ?? 'scale the workloads down'}: ${count === 1 ? 'a reconciler would scale its workloads' : `${count} reconcilers would scale their workloads`} back up: ${blocking.map(short).join('; ')}; pass --pause-reconcilers to pause ${count === 1 ? 'it' : 'them'} first, or --ignore-reconcilers to go ahead anyway`,
      pausePlans: [],
      warnings: others.map((finding) => finding.message),
    };
  }
  const warnings: string[] = [];
  const pausePlans: ObjectPlan[] = [];
  const planned = new Set<string>();
  for (const finding of findings) {
    const { reconciler } = finding;
    const pausable = options.pause && PAUSABLE.has(reconciler.type) && reconciler.object !== undefined && finding.code === 'reconciler-active';
    if (pausable && reconciler.object) {
      const key = reconcilerKey(reconciler);
      if (!planned.has(key)) {
        planned.add(key);
        pausePlans.push(planReconcilerPause(reconciler.type, reconciler.object, reconciler.resourceKey));
      }
      continue;
    }
    if (!finding.scalesBack) warnings.push(finding.message);
    else if (options.ignore) warnings.push(`${finding.message}; going ahead anyway (--ignore-reconcilers): the hold check tells whether it did`);
    // --pause-reconcilers, but this kind cannot be paused by a write from here.
    else warnings.push(`${finding.message}; not paused from here${finding.byHand ? `: pause it by hand: ${finding.byHand}` : ''}`);
  }
  return { pausePlans, warnings };
}

/** The by-hand instructions for reconcilers whose pause could not be written (forbidden, failed). */
export function pauseByHand(findings: readonly ReconcilerFinding[], failed: readonly ObjectRef[]): string[] {
  return failed.flatMap((ref) => {
    const finding = findings.find((candidate) => candidate.reconciler.object && candidate.reconciler.name === ref.name && (candidate.reconciler.namespace ?? '') === (ref.namespace ?? '') && candidate.reconciler.kind === ref.kind);
    return finding?.byHand ? [`pause ${displayName(ref)} by hand: ${finding.byHand}`] : [];
  });
}

const PAUSE_TYPES: ReadonlyMap<string, ReconcilerType> = new Map([
  [APPLICATION_KEY, 'argocd'],
  [KUSTOMIZATION_KEY, 'flux-kustomization'],
  [HELM_RELEASE_KEY, 'flux-helmrelease'],
  [SCALED_OBJECT_KEY, 'keda'],
]);

/** Re-plans a pause after a concurrent edit (applyPlans' replan): the same rule on the object read again. */
export function replanReconcilerPause(object: KubeObject, previous: ObjectPlan): ObjectPlan {
  const type = PAUSE_TYPES.get(previous.resourceKey);
  return type ? planReconcilerPause(type, object, previous.resourceKey) : { ...previous, action: 'error', reason: `${previous.resourceKey} is no reconciler kind` };
}
