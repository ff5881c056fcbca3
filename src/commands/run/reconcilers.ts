import type { CommandDeps } from '../../core/command';
import type { ObjectResult } from '../../io/apply';
import { checkHold, holdTargets, type HoldResult } from '../../io/holdCheck';
import { scanReconcilers } from '../../io/reconcilers';
import type { KubeApi } from '../../kube/client';
import { displayName } from '../../kube/objects';
import type { ApiResource } from '../../kube/resources';
import { reconcilerGate } from '../../plan/reconcilers';
import type { Finding } from '../../failover/findings';
import type { ObjectPlan } from '../../plan/types';
import { MIGRATION_SCHEDULE_KEY } from '../../stork/kinds';
import type { RunOptions } from './options';
import type { Prepared } from './validations';

/**
 * run's side of the reconcilers (Argo CD, Flux, KEDA, HPAs, operators: whatever owns
 * spec.replicas besides us), in Validations and after the writes: the same detection, gate and
 * hold check as deactivate's, on the source's scale-down and the destination's scale-up.
 */

/**
 * Who would scale the source's workloads back up (refused unless --pause-reconcilers or
 * --ignore-reconcilers), and who could hold the destination's at 0 (named, a warning). Returns the
 * findings and, with --pause-reconcilers, the pause writes for ScaleDownSource to send first.
 */
export async function reconcilerValidations(options: RunOptions, prepared: Prepared): Promise<{ findings: Finding[]; pausePlans: ObjectPlan[] }> {
  const findings: Finding[] = [];
  let pausePlans: ObjectPlan[] = [];
  const source = options.skipSourceOperations ? undefined : prepared.source;
  if (source) {
    const scan = await scanReconcilers(source.session.api, touched(source.scaleDown), { cluster: 'source', direction: 'deactivate' });
    const gate = reconcilerGate(scan.findings, { pause: options.reconcilers.pause, ignore: options.reconcilers.ignore, verb: options.failback ? 'fail back' : 'fail over' });
    if (gate.refusal) findings.push({ code: 'reconciler-active', severity: 'error', cluster: 'source', message: gate.refusal, override: '--pause-reconcilers' });
    else {
      // Paused or ignored: each is told as a warning (the pause writes are journalled and undone with the rest).
      findings.push(...scan.findings.map((finding): Finding => ({ code: finding.code, severity: 'warning', cluster: 'source', ...(finding.namespace ? { namespace: finding.namespace } : {}), message: finding.message })));
      findings.push(...gate.warnings.filter((warning) => !scan.findings.some((finding) => finding.message === warning)).map((message): Finding => ({ code: 'reconciler-active', severity: 'warning', cluster: 'source', message })));
      pausePlans = gate.pausePlans;
    }
    for (const [key, resource] of scan.resources) source.read.snapshot.resources.set(key, resource);
  }
  // The destination: an Argo CD or Flux that holds the apps at 0 there is named before they are scaled up.
  const destination = await scanReconcilers(prepared.destination.api, touched(prepared.destinationPlan.objects), { cluster: 'destination', direction: 'activate' });
  findings.push(...destination.findings.map((finding): Finding => ({ code: finding.code, severity: 'warning', cluster: 'destination', ...(finding.namespace ? { namespace: finding.namespace } : {}), message: `${finding.message} (on the destination: it may hold the apps at 0 after the scale-up)` })));
  return { findings, pausePlans };
}

function touched(plans: readonly ObjectPlan[]): Array<{ object: ObjectPlan['live']; resourceKey: string }> {
  return plans.filter((plan) => plan.action === 'change' && plan.operation === 'patch' && plan.resourceKey !== MIGRATION_SCHEDULE_KEY).map((plan) => ({ object: plan.live, resourceKey: plan.resourceKey }));
}

/**
 * The hold check of a stage's writes, to run beside its own wait: after --hold, every scaled
 * object must still have what was written. Resolves to a failure naming who set it back (its
 * field manager), or undefined; `onBreach` lets the stage stop its wait at once.
 */
export function holdCheck(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, results: readonly ObjectResult[], holdMs: number, deps: CommandDeps, onBreach: () => void): Promise<string | undefined> {
  const targets = holdTargets(results);
  if (holdMs <= 0 || targets.length === 0) return Promise.resolve(undefined);
  return checkHold(api, resources, targets, { holdMs, clock: deps.clock, signal: deps.signal, onBreach }).then(describeBreach);
}

function describeBreach(hold: HoldResult): string | undefined {
  if (hold.interrupted || hold.breaches.length === 0) return undefined;
  const named = hold.breaches.map((breach) => `${breach.ref.namespace ?? ''}/${displayName(breach.ref)} set to ${breach.found ?? 'deleted'}${breach.writer ? ` by ${breach.writer.manager}` : ''}`);
  return `the scale did not hold for ${hold.holdMs / 1000}s (--hold): ${named.join(', ')}`;
}
