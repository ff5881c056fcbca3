import { getPath } from '../kube/jsonPath';
import { isKubeObject, type Json, type KubeObject, type ObjectMeta, type OwnerReference } from '../kube/objects';

/**
 * Stork's stash strategy: a custom resource an operator would act on too early (an app run by a
 * cluster-wide operator) is not migrated as such but kept in a ConfigMap labelled `stash-cr`;
 * activation re-creates it and makes it the owner of the PVCs its original owned.
 */
export const StashKeys = {
  /** Label selecting stash ConfigMaps (value "true"; Stork selects on the key). */
  label: 'stash-cr',
  /** Data key: the custom resource, as JSON. */
  object: 'cr-runtime-object',
  /** Data key: JSON map of PVC name → the owner reference the original held on it. */
  ownedPvcs: 'ownedPVCs',
  /** Data key: the custom resource's name. */
  name: 'name',
} as const;

/** One PVC the restored resource is to own, with the reference to add (its uid filled in once the resource exists). */
export interface StashedOwner {
  pvc: string;
  reference: OwnerReference;
}

export interface StashedResource {
  configMap: KubeObject;
  /** The resource to create: as stashed, without the fields only a server sets, in the ConfigMap's namespace. */
  object: KubeObject;
  owners: StashedOwner[];
}

export type ParsedStash = { ok: true; stash: StashedResource } | { ok: false; problem: string };

/** Fields a server sets: a create carrying them is refused (resourceVersion) or they would lie (uid). */
const SERVER_SET = ['resourceVersion', 'uid', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

function isRecord(value: unknown): value is Record<string, Json> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a stash ConfigMap. Any part that does not parse makes the whole stash a problem: nothing is guessed. */
export function parseStash(configMap: KubeObject): ParsedStash {
  const raw = getPath(configMap, ['data', StashKeys.object]);
  if (typeof raw !== 'string') return { ok: false, problem: `no data key ${StashKeys.object}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problem: `data ${StashKeys.object} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!isKubeObject(parsed)) return { ok: false, problem: `data ${StashKeys.object} is not an object with apiVersion, kind and metadata.name` };
  const namespace = configMap.metadata.namespace;
  const stashedNamespace = parsed.metadata.namespace;
  if (stashedNamespace && stashedNamespace !== namespace) {
    return { ok: false, problem: `the stashed ${parsed.kind.toLowerCase()}/${parsed.metadata.name} names namespace ${stashedNamespace}, but its ConfigMap lives in ${namespace ?? ''}` };
  }
  const metadata: ObjectMeta & Record<string, unknown> = { ...parsed.metadata };
  for (const field of SERVER_SET) delete metadata[field];
  if (namespace) metadata.namespace = namespace;
  const object: KubeObject = { ...parsed, metadata };
  const owners = parseOwners(getPath(configMap, ['data', StashKeys.ownedPvcs]), object);
  if (!owners.ok) return owners;
  return { ok: true, stash: { configMap, object, owners: owners.owners } };
}

/**
 * ownedPVCs: a JSON map from PVC name to an owner reference (Stork writes one; a list of them is
 * read too). The reference is made to name the re-created object (apiVersion, kind, name), keeping
 * what it said about controller and blockOwnerDeletion.
 */
function parseOwners(raw: Json | undefined, object: KubeObject): { ok: true; owners: StashedOwner[] } | { ok: false; problem: string } {
  if (raw === undefined || raw === '') return { ok: true, owners: [] };
  if (typeof raw !== 'string') return { ok: false, problem: `data ${StashKeys.ownedPvcs} is not a string` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { ok: false, problem: `data ${StashKeys.ownedPvcs} is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (parsed === null) return { ok: true, owners: [] };
  if (!isRecord(parsed)) return { ok: false, problem: `data ${StashKeys.ownedPvcs} is not a map of PVC names to owner references` };
  const owners: StashedOwner[] = [];
  for (const [pvc, value] of Object.entries(parsed)) {
    const entries = Array.isArray(value) ? value : [value];
    // Several references to the one re-created object would be the same reference.
    const stored = entries.find(isRecord);
    if (!stored) return { ok: false, problem: `data ${StashKeys.ownedPvcs}: the entry for PVC ${pvc} is not an owner reference` };
    const reference: OwnerReference = { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name };
    if (typeof stored.controller === 'boolean') reference.controller = stored.controller;
    if (typeof stored.blockOwnerDeletion === 'boolean') reference.blockOwnerDeletion = stored.blockOwnerDeletion;
    owners.push({ pvc, reference });
  }
  return { ok: true, owners };
}
