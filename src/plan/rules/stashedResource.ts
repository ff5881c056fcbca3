import { kindKey } from '../../kube/discovery';
import { getPath } from '../../kube/jsonPath';
import type { Json, JsonObject, KubeObject, OwnerReference } from '../../kube/objects';
import { splitApiVersion, type ApiResource } from '../../kube/resources';
import { StashKeys, type ParsedStash, type StashedOwner } from '../../stork/stash';
import { CONFIGMAP_KEY, PVC_KEY } from '../../stork/kinds';
import { planFor } from '../objectPlan';
import type { ObjectPlan } from '../types';

const OWNER_REFERENCES = ['metadata', 'ownerReferences'] as const;

/** The discovery key of a stashed object's kind, from its apiVersion ("group/version" or "version"). */
export function stashedKindKey(object: KubeObject): string {
  return kindKey(splitApiVersion(object.apiVersion).group, object.kind);
}

/**
 * Activation re-creates a custom resource Stork stashed in a ConfigMap (the stash strategy), in
 * the ConfigMap's namespace. One that exists already is left as it is. A stash that does not
 * parse, or a kind this cluster does not serve, is an error row.
 */
export function planStashedCreate(configMap: KubeObject, parsed: ParsedStash, resource: ApiResource | undefined, existing: KubeObject | undefined): ObjectPlan {
  const source = `stashed in configmap ${configMap.metadata.name}`;
  if (!parsed.ok) return planFor(configMap, CONFIGMAP_KEY, { action: 'error', reason: `stashed resource: ${parsed.problem}` });
  const { object } = parsed.stash;
  const resourceKey = stashedKindKey(object);
  if (!resource) {
    return planFor(object, resourceKey, { action: 'error', operation: 'create', from: 'absent', reason: `${object.kind} (${object.apiVersion}) is not served on this cluster (is its CRD installed?); ${source}` });
  }
  if (existing) return planFor(existing, resourceKey, { action: 'unchanged', operation: 'create', from: 'exists', to: 'exists', reason: `already exists; ${source}` });
  const { namespace: _namespace, ...clusterMetadata } = object.metadata;
  const toCreate = resource.namespaced ? object : { ...object, metadata: clusterMetadata };
  return planFor(toCreate, resourceKey, { action: 'change', operation: 'create', from: 'absent', to: 'created', reason: `from ${source}` });
}

function ownerJson(reference: OwnerReference): JsonObject {
  const json: JsonObject = { apiVersion: reference.apiVersion ?? '', kind: reference.kind, name: reference.name };
  if (reference.uid !== undefined) json.uid = reference.uid;
  if (reference.controller !== undefined) json.controller = reference.controller;
  if (reference.blockOwnerDeletion !== undefined) json.blockOwnerDeletion = reference.blockOwnerDeletion;
  return json;
}

const groupOf = (apiVersion: string | undefined): string => splitApiVersion(apiVersion ?? '').group;

/**
 * A PVC the stashed resource's original owned gets an owner reference to the re-created one (its
 * uid), added to those it has, as Stork does; once: a PVC that already holds a reference with that
 * uid is unchanged. A reference to a former object of the same kind and name (another uid: it no
 * longer exists) is replaced rather than kept next to the new one, which the server would refuse
 * for two controllers and which would leave the PVC to the garbage collector's judgement. The list
 * it had is tested at write time. A PVC that does not exist is an error row.
 */
export function planStashOwner(namespace: string, owner: StashedOwner, uid: string, pvc: KubeObject | undefined, configMap: string): ObjectPlan {
  const owned = `${owner.reference.kind.toLowerCase()}/${owner.reference.name}`;
  if (!pvc) {
    const stub: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: owner.pvc, namespace } };
    return planFor(stub, PVC_KEY, { action: 'error', to: `owned by ${owned}`, reason: `not found (named in ${StashKeys.ownedPvcs} of configmap ${configMap})` });
  }
  const references = pvc.metadata.ownerReferences ?? [];
  const describe = (list: readonly OwnerReference[]): string => (list.length > 0 ? `owned by ${list.map((reference) => `${reference.kind.toLowerCase()}/${reference.name}`).join(', ')}` : 'no owner');
  const from = describe(references);
  if (references.some((reference) => reference.uid === uid)) return planFor(pvc, PVC_KEY, { action: 'unchanged', from, to: from, reason: `already owned by ${owned}` });
  const former = (reference: OwnerReference): boolean =>
    reference.kind === owner.reference.kind && reference.name === owner.reference.name && groupOf(reference.apiVersion) === groupOf(owner.reference.apiVersion);
  const current = getPath(pvc, OWNER_REFERENCES);
  const kept = (Array.isArray(current) ? current : []).filter((_entry, index) => {
    const reference = references[index];
    return !reference || !former(reference);
  });
  const replaced = references.filter(former);
  const wanted: Json = [...kept, ownerJson({ ...owner.reference, uid })];
  const note = replaced.length > 0 ? `; replaces the reference to a former ${owned} (uid ${replaced.map((reference) => reference.uid ?? '?').join(', ')})` : '';
  return planFor(pvc, PVC_KEY, {
    action: 'change',
    from,
    to: describe([...references.filter((reference) => !former(reference)), owner.reference]),
    changes: [{ path: OWNER_REFERENCES, from: current, to: wanted }],
    preconditions: [{ path: OWNER_REFERENCES, value: current ?? null }],
    reason: `owner from configmap ${configMap}${note}`,
  });
}
