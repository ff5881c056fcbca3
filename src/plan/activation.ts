import { kindKey } from '../kube/discovery';
import { displayName, refKey, refOf, type KubeObject } from '../kube/objects';
import { planCronJob } from './rules/cronJob';
import { planIbpObject } from './rules/ibp';
import { planScheduleActivation } from './rules/migrationSchedule';
import { planRegisteredResource } from './rules/registeredResource';
import { planScaledWorkload } from './rules/scaledWorkload';
import { planVirtualMachine } from './rules/virtualMachine';
import type { Direction, NamespaceSelection, ObjectPlan, Workload } from './types';
import type { RegisteredKind } from '../stork/applicationRegistration';
import { CRONJOB_KEY, IBP_KEYS, MIGRATION_SCHEDULE_KEY, SCALED_WORKLOAD_KEYS, VIRTUAL_MACHINE_KEY } from '../stork/kinds';
import { migratedNamespaces, type NamespaceInfo } from '../stork/migrationSchedule';
import type { ScheduledNamespace } from './scheduleScope';
import type { FollowUp } from './followUps';
import { planRegisteredPods } from './registeredPods';
import { planStash, type StashInput } from './stash';
import { isSystemNamespace, namespaceProtection, schedulesMigrating } from './protection';
import { planFor } from './objectPlan';

export interface ActivationRequest {
  direction: Direction;
  namespaces: NamespaceSelection;
  /** deactivate: act on namespaces Stork does not protect (and on system namespaces named with -n). */
  force: boolean;
  /**
   * -m: the MigrationSchedule that chose the namespaces (request.namespaces), with each of its
   * namespaces in or out and why. Each one it migrates counts as protected by it.
   */
  schedule?: { object: KubeObject; namespaces: readonly ScheduledNamespace[] };
}

export interface NamespaceScope {
  namespace: string;
  included: boolean;
  reason: string;
  /** Named with -n: leaving it out is an error, not a quiet skip. */
  explicit: boolean;
  /** Included only because of --force (Stork does not protect it, or it is a system namespace). */
  forced?: boolean;
}

export interface ActivationPlan {
  direction: Direction;
  scope: NamespaceScope[];
  /** Workloads (and stashed resources to create) first, then MigrationSchedules. */
  objects: ObjectPlan[];
  /** What the user should know although nothing failed: schedules left as they are, and why. */
  warnings: string[];
  /** Writes that wait for one of `objects` to be written: pods of suspended resources, PVCs of re-created ones. */
  followUps: FollowUp[];
}

export interface ActivationInput {
  /** The workloads selected (with -l, those matching it). */
  workloads: readonly Workload[];
  /**
   * With -l: every workload of the namespaces read, selected or not, to tell whether the selection
   * holds all a schedule's namespaces hold. Undefined without -l: `workloads` are all there are.
   */
  unfilteredWorkloads?: readonly Workload[] | undefined;
  schedules: readonly KubeObject[];
  namespaces: readonly NamespaceInfo[];
  registeredKinds: readonly RegisteredKind[];
  /** deactivate: the pods of namespaces holding registered resources whose registration names a podsPath. */
  pods?: readonly KubeObject[];
  /** activate: Stork's stashed resources. */
  stash?: StashInput;
}

/**
 * Plans one object; also used to re-plan an object that changed under us. Where an
 * ApplicationRegistration covers a kind that also has a built-in rule (Stork's default
 * `virtualmachine` and `ibm` registrations), the registration's rule wins, as in Stork.
 */
export function planObject(object: KubeObject, resourceKey: string, direction: Direction, registeredKinds: readonly RegisteredKind[]): ObjectPlan {
  const registered = registeredKinds.find((kind) => kindKey(kind.group, kind.kind) === resourceKey);
  if (registered) return planRegisteredResource(object, resourceKey, direction, registered);
  if (SCALED_WORKLOAD_KEYS.has(resourceKey)) return planScaledWorkload(object, resourceKey, direction);
  if (IBP_KEYS.has(resourceKey)) return planIbpObject(object, resourceKey, direction);
  if (resourceKey === CRONJOB_KEY) return planCronJob(object, resourceKey, direction);
  if (resourceKey === VIRTUAL_MACHINE_KEY) return planVirtualMachine(object, resourceKey, direction);
  if (resourceKey === MIGRATION_SCHEDULE_KEY) return planScheduleActivation(object, resourceKey, direction);
  throw new Error(`no activation rule for ${resourceKey}`);
}

/**
 * Decides what activate/deactivate will change: pure, from what was read. Deactivation is limited
 * to namespaces Stork protects (see protection.ts) unless --force; activation only ever touches objects
 * Stork annotated, so it needs no such fence.
 */
export function planActivation(input: ActivationInput, request: ActivationRequest): ActivationPlan {
  const scope = scopeFor(input, request);
  const included = new Set(scope.filter((entry) => entry.included).map((entry) => entry.namespace));
  const workloadPlans = input.workloads
    .filter(({ object }) => included.has(object.metadata.namespace ?? ''))
    .map(({ object, resourceKey }) => planObject(object, resourceKey, request.direction, input.registeredKinds))
    .sort(byNamespaceKindName);
  const stash = request.direction === 'activate' && input.stash ? planStash(input.stash, included) : { creates: [], followUps: [] };
  const podFollowUps = request.direction === 'deactivate' ? planRegisteredPods(workloadPlans, input.registeredKinds, input.pods ?? []) : [];
  const objectPlans = [...workloadPlans, ...stash.creates].sort(byNamespaceKindName);

  // Schedules follow the namespaces that were acted on: the named ones, or with -A those holding migrated workloads.
  const actedOn = request.namespaces.all
    ? new Set(objectPlans.filter((plan) => plan.action !== 'skipped').map((plan) => plan.ref.namespace ?? ''))
    : included;
  const warnings: string[] = [];
  const schedulePlans = schedulesMigrating(withScopingSchedule(input.schedules, request), actedOn, input.namespaces)
    .map((schedule) => {
      const plan = planScheduleActivation(schedule, MIGRATION_SCHEDULE_KEY, request.direction);
      const gap = plan.action === 'change' && input.unfilteredWorkloads ? selectionGap(schedule, input, input.unfilteredWorkloads, included, request.direction) : undefined;
      if (!gap) return plan;
      const what = request.direction === 'activate' ? 'mark it activated' : 'clear applicationActivated';
      warnings.push(`migrationschedule ${schedule.metadata.namespace}/${schedule.metadata.name} left as it is: ${gap}; select them all (or drop -l) to ${what}`);
      return planFor(schedule, MIGRATION_SCHEDULE_KEY, { action: 'skipped', from: plan.from, reason: `left as it is: ${gap}` });
    })
    .sort(byNamespaceKindName);
  return { direction: request.direction, scope, objects: [...objectPlans, ...schedulePlans], followUps: [...stash.followUps, ...podFollowUps], warnings };
}

/** The schedule -m named is always among those considered, even where schedules could only be read per namespace. */
function withScopingSchedule(schedules: readonly KubeObject[], request: ActivationRequest): readonly KubeObject[] {
  const scoping = request.schedule?.object;
  if (!scoping || schedules.some((schedule) => schedule.metadata.namespace === scoping.metadata.namespace && schedule.metadata.name === scoping.metadata.name)) return schedules;
  return [...schedules, scoping];
}

/** Up to this many workloads the selection leaves out are named in a reason. */
const GAP_NAMED = 5;

/**
 * Why a -l selection does not cover a schedule, or undefined when it does. A schedule acts on whole
 * namespaces (applicationActivated stops Stork migrating all of them), so it is changed only when
 * the selection holds every workload of its namespaces in scope that this verb would act on, and
 * at least one: a selector that matches nothing flips no schedule.
 */
function selectionGap(schedule: KubeObject, input: ActivationInput, unfiltered: readonly Workload[], inScope: ReadonlySet<string>, direction: Direction): string | undefined {
  const covered = [...migratedNamespaces(schedule, input.namespaces)].filter((namespace) => inScope.has(namespace)).sort();
  const coveredSet = new Set(covered);
  const selected = new Set(input.workloads.map(({ object }) => refKey(refOf(object))));
  const actedOn = unfiltered.filter(({ object, resourceKey }) => coveredSet.has(object.metadata.namespace ?? '') && planObject(object, resourceKey, direction, input.registeredKinds).action !== 'skipped');
  const leftOut = actedOn.filter(({ object }) => !selected.has(refKey(refOf(object))));
  const chosen = actedOn.length - leftOut.length;
  if (chosen > 0 && leftOut.length === 0) return undefined;
  const where = `namespace${covered.length === 1 ? '' : 's'} ${covered.join(', ')}`;
  const names = leftOut.slice(0, GAP_NAMED).map(({ object }) => `${object.metadata.namespace}/${displayName(refOf(object))}`);
  const more = leftOut.length > GAP_NAMED ? ` and ${leftOut.length - GAP_NAMED} more` : '';
  const notSelected = leftOut.length > 0 ? ` (not selected: ${names.join(', ')}${more})` : '';
  return `-l selects ${chosen} of the ${actedOn.length} workloads to ${direction} in ${where}${notSelected}`;
}

/** Why -A leaves a system namespace out (and -n alone refuses one for deactivate). */
const SYSTEM_REASON = "system namespace (Kubernetes' own)";

function scopeFor(input: ActivationInput, request: ActivationRequest): NamespaceScope[] {
  // A namespace the schedule migrates is protected by that very schedule: deactivate's fence is met.
  if (request.schedule) return request.schedule.namespaces.map((entry) => ({ ...entry, explicit: false }));
  const named = request.namespaces.all ? undefined : new Set(request.namespaces.names);
  const holding = [...input.workloads.map(({ object }) => object.metadata.namespace ?? ''), ...(input.stash?.configMaps ?? []).map((configMap) => configMap.metadata.namespace ?? '')];
  const candidates = named ? [...named] : [...new Set(holding)].filter((namespace) => namespace !== '').sort();
  if (request.direction === 'activate') {
    return candidates.flatMap((namespace): NamespaceScope[] => {
      if (!named && isSystemNamespace(namespace)) {
        // Every cluster runs its own workloads there: worth a line only when some carry Stork's record.
        const wouldAct = input.workloads.some(({ object, resourceKey }) => object.metadata.namespace === namespace && planObject(object, resourceKey, 'activate', input.registeredKinds).action !== 'skipped');
        return wouldAct ? [{ namespace, included: false, reason: SYSTEM_REASON, explicit: false }] : [];
      }
      return [{ namespace, included: true, reason: named ? 'named with -n' : 'holds workloads or stashed resources', explicit: Boolean(named) }];
    });
  }
  const workloadObjects = input.workloads.map(({ object }) => object);
  const protection = namespaceProtection(
    candidates.map((name) => input.namespaces.find((namespace) => namespace.name === name) ?? { name, labels: {} }),
    input.schedules,
    workloadObjects,
  );
  return candidates.map((namespace) => {
    const entry = protection.get(namespace);
    const isProtected = entry?.protected ?? false;
    const reason = entry?.reason ?? 'unknown namespace';
    if (isSystemNamespace(namespace)) {
      // Whatever a schedule lists: scaling down kube-system takes the cluster down with the apps.
      if (request.force && named) return { namespace, included: true, reason: `${SYSTEM_REASON}; included because of --force`, explicit: true, forced: true };
      return { namespace, included: false, reason: SYSTEM_REASON, explicit: Boolean(named) };
    }
    if (isProtected) return { namespace, included: true, reason, explicit: Boolean(named) };
    if (request.force && named) return { namespace, included: true, reason: `${reason}; included because of --force`, explicit: true, forced: true };
    return { namespace, included: false, reason: `not protected: ${reason}`, explicit: Boolean(named) };
  });
}

function byNamespaceKindName(a: ObjectPlan, b: ObjectPlan): number {
  return (
    (a.ref.namespace ?? '').localeCompare(b.ref.namespace ?? '') ||
    a.ref.kind.localeCompare(b.ref.kind) ||
    a.ref.name.localeCompare(b.ref.name)
  );
}
