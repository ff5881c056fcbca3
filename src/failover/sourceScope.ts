import type { ActivationPlan } from '../plan/activation';
import type { ObjectPlan } from '../plan/types';
import { StorkAnnotation } from '../stork/annotations';
import { MIGRATION_SCHEDULE_KEY } from '../stork/kinds';

/** "Kind/namespace/name": the same app on either cluster. */
export function appKey(plan: Pick<ObjectPlan, 'ref'>): string {
  return `${plan.ref.kind}/${plan.ref.namespace ?? ''}/${plan.ref.name}`;
}

/** What the destination will bring up: every workload its activation plan changes or finds already up. */
export function activationTargets(destination: ActivationPlan): Set<string> {
  return new Set(
    destination.objects.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY && (plan.action === 'change' || plan.action === 'unchanged')).map(appKey),
  );
}

/**
 * The source's share of a failover's writes, as Stork's deactivateClusterDuringDR decides it: scale
 * down on the source exactly the objects the destination will activate (same kind and name), and
 * clear applicationActivated on the source's static copies. (The schedules that replicate those
 * namespaces are suspended before, in Validations, as Stork does.) Pure.
 */
export function sourceScaleDownPlans(source: ActivationPlan, targets: ReadonlySet<string>): ObjectPlan[] {
  const workloads = source.objects.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY && targets.has(appKey(plan)));
  const staticCopies = source.objects.filter((plan) => plan.resourceKey === MIGRATION_SCHEDULE_KEY && plan.action !== 'skipped' && plan.live.metadata.annotations?.[StorkAnnotation.staticCopy] === 'true');
  return [...workloads, ...staticCopies];
}

/** The source still runs the apps when any of them has replicas up (or a CronJob active). */
export function sourceStillRuns(plans: readonly ObjectPlan[]): string[] {
  return plans.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY && plan.action === 'change').map((plan) => `${plan.ref.namespace}/${plan.ref.kind.toLowerCase()}/${plan.ref.name} (${plan.from})`);
}

/**
 * Workloads a plan leaves to their owner (an operator's custom resource, a Job's…), named with the
 * owner, so a report lists what neither cluster's pipeline scales. A Deployment's ReplicaSets are
 * not listed: the Deployment itself is planned. Pure.
 */
export function ownedSkips(plans: readonly ObjectPlan[]): string[] {
  return plans
    .filter((plan) => plan.action === 'skipped')
    .flatMap((plan) => {
      const owners = (plan.live.metadata.ownerReferences ?? []).filter((owner) => !(owner.kind === 'Deployment' && plan.ref.kind === 'ReplicaSet'));
      return owners.length > 0 ? [`${plan.ref.namespace ?? ''}/${plan.ref.kind.toLowerCase()}/${plan.ref.name} (owned by ${owners.map((owner) => `${owner.kind.toLowerCase()}/${owner.name}`).join(', ')})`] : [];
    });
}
