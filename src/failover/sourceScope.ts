import type { ActivationPlan } from '../plan/activation';
import { planScheduleSuspend } from '../plan/rules/scheduleSuspend';
import type { ObjectPlan } from '../plan/types';
import type { KubeObject } from '../kube/objects';
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
 * The source's share of a failover, as Stork's deactivateClusterDuringDR decides it: scale down on
 * the source exactly the objects the destination will activate (same kind and name), clear
 * applicationActivated on the source's static copies, and suspend the original schedules that
 * replicate those namespaces (so replication stops overwriting the destination). Pure.
 */
export function sourceScaleDownPlans(source: ActivationPlan, targets: ReadonlySet<string>, schedules: readonly KubeObject[]): ObjectPlan[] {
  const workloads = source.objects.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY && targets.has(appKey(plan)));
  const staticCopies = source.objects.filter((plan) => plan.resourceKey === MIGRATION_SCHEDULE_KEY && plan.action !== 'skipped');
  const suspensions = schedules
    .filter((schedule) => schedule.metadata.annotations?.[StorkAnnotation.staticCopy] !== 'true')
    .map((schedule) => planScheduleSuspend(schedule, MIGRATION_SCHEDULE_KEY, true));
  return [...workloads, ...staticCopies, ...suspensions];
}

/** The source still runs the apps when any of them has replicas up (or a CronJob active). */
export function sourceStillRuns(plans: readonly ObjectPlan[]): string[] {
  return plans.filter((plan) => plan.resourceKey !== MIGRATION_SCHEDULE_KEY && plan.action === 'change').map((plan) => `${plan.ref.namespace}/${plan.ref.kind.toLowerCase()}/${plan.ref.name} (${plan.from})`);
}
