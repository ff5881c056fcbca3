import type { Clock } from '../core/clock';
import { oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { listAll } from '../kube/list';
import type { KubeObject } from '../kube/objects';
import { PodResource } from '../stork/kinds';

export interface ClaimRef {
  namespace: string;
  claim: string;
}

export type VolumesFree =
  | { kind: 'free' }
  | { kind: 'timed-out'; holders: string[] }
  | { kind: 'interrupted'; holders: string[] }
  | { kind: 'error'; message: string };

/**
 * The pods that hold one of `claims`: every pod in their namespaces that mounts one and has not
 * Succeeded, Terminating ones included (their volumes are not free until they are gone), as
 * Stork's waitForVolumesBecomeFree counts them. Pure.
 */
export function podsHoldingClaims(pods: readonly KubeObject[], claims: readonly ClaimRef[]): string[] {
  const wanted = new Set(claims.map((claim) => `${claim.namespace}/${claim.claim}`));
  return pods
    .filter((pod) => (pod as { status?: { phase?: string } }).status?.phase !== 'Succeeded')
    .filter((pod) => {
      const volumes = (pod as { spec?: { volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }> } }).spec?.volumes ?? [];
      return volumes.some((volume) => volume.persistentVolumeClaim?.claimName !== undefined && wanted.has(`${pod.metadata.namespace ?? ''}/${volume.persistentVolumeClaim.claimName}`));
    })
    .map((pod) => `${pod.metadata.namespace ?? ''}/${pod.metadata.name}${pod.metadata.deletionTimestamp ? ' (Terminating)' : ''}`)
    .sort();
}

/**
 * Polls (one pod LIST per namespace) until no pod holds one of the claims, or the deadline. Reads
 * errors that retrying cannot fix end the wait with `error`.
 */
export async function waitForVolumesFree(api: KubeApi, claims: readonly ClaimRef[], options: { clock: Clock; deadline: number; signal?: AbortSignal; onProgress?: (holders: readonly string[]) => void }): Promise<VolumesFree> {
  const namespaces = [...new Set(claims.map((claim) => claim.namespace))];
  let holders: string[] = [];
  let interval = 500;
  for (;;) {
    if (options.signal?.aborted) return { kind: 'interrupted', holders };
    try {
      const pods = (await Promise.all(namespaces.map((namespace) => listAll(api, PodResource, { namespace })))).flat();
      holders = podsHoldingClaims(pods, claims);
    } catch (error) {
      return { kind: 'error', message: `cannot list the pods that use the migrated volumes: ${oneLine(error)}` };
    }
    options.onProgress?.(holders);
    if (holders.length === 0) return { kind: 'free' };
    const remaining = options.deadline - options.clock.now();
    if (remaining <= 0) return { kind: 'timed-out', holders };
    await options.clock.sleep(Math.min(interval, remaining), options.signal);
    interval = Math.min(5_000, Math.round(interval * 1.5));
  }
}
