import type { DryRunMode } from '../core/dryRun';
import type { KubeApi } from '../kube/client';
import { displayName, refKey, type KubeObject } from '../kube/objects';
import type { ApiResource } from '../kube/resources';
import { planActivation, planObject, type ActivationPlan, type ActivationRequest } from '../plan/activation';
import { planFollowUp, type FollowUp, type ParentState } from '../plan/followUps';
import type { StashInput } from '../plan/stash';
import type { Direction, NamespaceSelection, ObjectPlan } from '../plan/types';
import type { RegisteredKind } from '../stork/applicationRegistration';
import { POD_KEY, PodResource } from '../stork/kinds';
import { applyPlans, predictResult, type ApplyOptions, type ObjectResult } from './apply';
import { collectSnapshot, type ClusterSnapshot, type CollectOptions } from './collect';
import { readRegisteredPods } from './pods';
import { readStash } from './stash';
import type { WaitTarget } from './wait';

/**
 * One cluster's share of an activation or a deactivation, in the order every verb that brings apps
 * up or down goes through it: read → plan → write (then the follow-ups that wait for a write) →
 * wait. `activate`, `deactivate`, and `run`/`failback`'s ScaleDownSource and ScaleUpDestination all
 * call these, so a fix to one is a fix to all.
 */

/** What one cluster holds for an activation: the snapshot, and per direction the stash (activate) or the registered pods (deactivate). */
export interface ActivationRead {
  snapshot: ClusterSnapshot;
  stash?: StashInput;
  pods: KubeObject[];
}

/**
 * Reads a cluster for `direction`. Stashed resources are restored on activate only; pods named by
 * a registration's podsPath are deleted on deactivate only. The snapshot's resources gain the
 * stashed kinds and pods, so the writes can address them.
 */
export async function readForActivation(api: KubeApi, direction: Direction, selection: NamespaceSelection, labelSelector: string | undefined, collect: Partial<CollectOptions> = {}): Promise<ActivationRead> {
  const snapshot = await collectSnapshot(api, { ...collect, namespaces: selection, labelSelector });
  const stash = direction === 'activate' ? await readStash(api, selection, labelSelector, snapshot.warnings) : undefined;
  const pods = direction === 'deactivate' ? await readRegisteredPods(api, snapshot.workloads, snapshot.registeredKinds) : [];
  for (const [key, resource] of stash?.resources ?? []) snapshot.resources.set(key, resource);
  snapshot.resources.set(POD_KEY, PodResource);
  return { snapshot, pods, ...(stash ? { stash } : {}) };
}

/** The plan for what was read. Pure. */
export function planFromRead(read: ActivationRead, request: ActivationRequest): ActivationPlan {
  return planActivation({ ...read.snapshot, pods: read.pods, ...(read.stash ? { stash: read.stash } : {}) }, request);
}

/** How a round of writes shows its progress: told how many writes it holds, then of each one done. */
export interface WriteProgress {
  tick(): void;
  end(results: readonly ObjectResult[]): void;
}

export interface WriteActivationOptions {
  direction: Direction;
  registeredKinds: readonly RegisteredKind[];
  dryRun: DryRunMode;
  concurrency: number;
  signal?: AbortSignal | undefined;
  fieldManagerFor?: ApplyOptions['fieldManagerFor'];
  beforeSend?: ApplyOptions['beforeSend'];
  /** Progress of a round ('main' or 'follow-ups') of `writes` writes; undefined shows nothing. */
  progress?: (round: 'main' | 'follow-ups', writes: number) => WriteProgress | undefined;
}

/**
 * Writes a plan: its objects, then the follow-ups that wait for one of them (pods of a suspended
 * resource, PVCs of a re-created one). A client dry run predicts; a server dry run sends with
 * dryRun=All. Never throws for one object: each result says what came of it.
 */
export async function writeActivationPlan(api: KubeApi, resources: ReadonlyMap<string, ApiResource>, objects: readonly ObjectPlan[], followUps: readonly FollowUp[], options: WriteActivationOptions): Promise<ObjectResult[]> {
  const write = async (plans: readonly ObjectPlan[], round: 'main' | 'follow-ups', replan: ApplyOptions['replan']): Promise<ObjectResult[]> => {
    if (options.dryRun === 'client') return plans.map(predictResult);
    const writes = plans.filter((plan) => plan.action === 'change').length;
    // A round with nothing to send is not worth a progress line.
    const progress = round === 'follow-ups' && writes === 0 ? undefined : options.progress?.(round, writes);
    const written = await applyPlans(api, resources, plans, {
      serverDryRun: options.dryRun === 'server',
      concurrency: options.concurrency,
      replan,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.fieldManagerFor ? { fieldManagerFor: options.fieldManagerFor } : {}),
      ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
      onResult: (_result, planned) => {
        if (planned.action === 'change') progress?.tick();
      },
    });
    progress?.end(written);
    return written;
  };
  const first = await write(objects, 'main', (object, previous) => planObject(object, previous.resourceKey, options.direction, options.registeredKinds));
  return [...first, ...(await writeFollowUps(followUps, first, options.dryRun, (plans, replan) => write(plans, 'follow-ups', replan)))];
}

/**
 * The second round: writes that wait for a first-round one. A follow-up whose parent was not
 * written is reported not attempted.
 */
async function writeFollowUps(
  followUps: readonly FollowUp[],
  first: readonly ObjectResult[],
  dryRun: DryRunMode,
  write: (plans: readonly ObjectPlan[], replan: ApplyOptions['replan']) => Promise<ObjectResult[]>,
): Promise<ObjectResult[]> {
  if (followUps.length === 0) return [];
  const parents = new Map(first.map((result) => [refKey(result.plan.ref), result]));
  const stateOf = (followUp: FollowUp): ParentState => parentState(parents.get(refKey(followUp.after)), dryRun);
  const planned = followUps.map((followUp) => ({ followUp, ...planFollowUp(followUp, stateOf(followUp)) }));
  const blocked: ObjectResult[] = planned.filter((entry) => entry.blocked !== undefined).map((entry) => ({ plan: entry.plan, outcome: 'not-attempted', message: entry.blocked ?? '' }));
  const ready = planned.filter((entry) => entry.blocked === undefined);
  const byRef = new Map(ready.map((entry) => [refKey(entry.plan.ref), entry.followUp]));
  const sent = await write(
    ready.map((entry) => entry.plan),
    (object, previous) => {
      const followUp = byRef.get(refKey(previous.ref));
      return followUp?.kind === 'own-pvc' ? planFollowUp({ ...followUp, pvc: object }, stateOf(followUp)).plan : previous;
    },
  );
  return [...sent, ...blocked];
}

/** What a follow-up needs of its parent's result: written or not, and its uid (a client dry run can only name it). */
function parentState(result: ObjectResult | undefined, dryRun: DryRunMode): ParentState {
  if (!result) return { written: false, why: 'was not planned' };
  if (result.outcome !== 'changed' && result.outcome !== 'unchanged') return { written: false, why: `was not written (${result.outcome})` };
  const uid = result.after?.metadata.uid ?? result.plan.live.metadata.uid ?? (dryRun === 'client' ? `<uid of ${displayName(result.plan.ref)} once created>` : undefined);
  return { written: true, uid };
}

/**
 * What to wait for after the writes: on activate every workload now up (changed or already so), on
 * deactivate the ones scaled down. Only kinds whose readiness is told by replicas.
 */
export function waitTargetsOf(results: readonly ObjectResult[], direction: Direction): WaitTarget[] {
  return results
    .filter((result) => (direction === 'activate' ? result.outcome === 'changed' || result.outcome === 'unchanged' : result.outcome === 'changed'))
    .filter((result) => result.plan.readiness === 'replicas')
    .map((result) => ({ ref: result.plan.ref, resourceKey: result.plan.resourceKey }));
}

/** Follow-ups whose parent is among `objects`: a plan narrowed to some objects keeps only their follow-ups. */
export function followUpsOf(followUps: readonly FollowUp[], objects: readonly ObjectPlan[]): FollowUp[] {
  const kept = new Set(objects.map((plan) => refKey(plan.ref)));
  return followUps.filter((followUp) => kept.has(refKey(followUp.after)));
}
