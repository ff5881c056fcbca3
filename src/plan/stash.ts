import type { KubeObject } from '../kube/objects';
import { refOf } from '../kube/objects';
import type { ApiResource } from '../kube/resources';
import { parseStash } from '../stork/stash';
import type { FollowUp } from './followUps';
import { planStashedCreate, stashedKindKey } from './rules/stashedResource';
import type { ObjectPlan } from './types';

/** What activation read for Stork's stash strategy, in the namespaces of its scope. */
export interface StashInput {
  /** ConfigMaps labelled stash-cr. */
  configMaps: readonly KubeObject[];
  /** PVCs of the namespaces holding such ConfigMaps. */
  pvcs: readonly KubeObject[];
  /** Stashed resources that exist already (read by name). */
  existing: readonly KubeObject[];
  /** The served resources, by discovery key, to tell whether a stashed kind can be created here. */
  resources: ReadonlyMap<string, ApiResource>;
}

const sameObject = (a: KubeObject, b: KubeObject): boolean =>
  stashedKindKey(a) === stashedKindKey(b) && (a.metadata.namespace ?? '') === (b.metadata.namespace ?? '') && a.metadata.name === b.metadata.name;

/**
 * Activation of the stashed resources in the included namespaces: a create per stash ConfigMap,
 * and, to follow once it exists, an owner reference on each PVC its original owned. Pure.
 */
export function planStash(stash: StashInput, included: ReadonlySet<string>): { creates: ObjectPlan[]; followUps: FollowUp[] } {
  const creates: ObjectPlan[] = [];
  const followUps: FollowUp[] = [];
  for (const configMap of stash.configMaps) {
    const namespace = configMap.metadata.namespace ?? '';
    if (!included.has(namespace)) continue;
    const parsed = parseStash(configMap);
    const resource = parsed.ok ? stash.resources.get(stashedKindKey(parsed.stash.object)) : undefined;
    const existing = parsed.ok ? stash.existing.find((object) => sameObject(object, parsed.stash.object)) : undefined;
    const create = planStashedCreate(configMap, parsed, resource, existing);
    creates.push(create);
    if (!parsed.ok) continue;
    for (const owner of parsed.stash.owners) {
      const pvc = stash.pvcs.find((candidate) => candidate.metadata.namespace === namespace && candidate.metadata.name === owner.pvc);
      followUps.push({ kind: 'own-pvc', after: refOf(create.live), namespace, owner, pvc, configMap: configMap.metadata.name });
    }
  }
  return { creates, followUps };
}
