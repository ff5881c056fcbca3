import type { ClusterSession, CommandDeps } from '../core/command';
import { UsageError, oneLine } from '../core/errors';
import type { KubeApi } from '../kube/client';
import { isForbidden, isNotFound } from '../kube/errors';
import { clusterPairContext } from '../kube/kubeconfig';
import type { KubeObject } from '../kube/objects';
import { STORK_GROUP, STORK_VERSION } from '../stork/annotations';
import { clusterPairCredentials, pairName, type ClusterPairCredentials, type ClusterPairRef } from '../stork/clusterPairConfig';

/** The source reached through a ClusterPair: the session, and what the ClusterPair said. */
export interface ClusterPairSource {
  pair: ClusterPairRef;
  session: ClusterSession;
  credentials: ClusterPairCredentials;
}

export const clusterPairPath = (pair: ClusterPairRef): string => `/apis/${STORK_GROUP}/${STORK_VERSION}/namespaces/${pair.namespace}/clusterpairs/${pair.name}`;

/**
 * GETs a ClusterPair. NotFound (the object, or the kind not served) and Forbidden are usage
 * errors (exit 2, nothing written): the ClusterPair holds credentials, so reading it is a right of
 * its own that an operator may well not have.
 */
export async function readClusterPair(api: KubeApi, pair: ClusterPairRef, contextName: string): Promise<KubeObject> {
  try {
    return await api.request<KubeObject>({ method: 'GET', path: clusterPairPath(pair), verb: 'get' });
  } catch (error) {
    if (isNotFound(error)) throw new UsageError(`clusterpair ${pairName(pair)} not found on context ${contextName}`);
    if (isForbidden(error)) {
      throw new UsageError(`cannot read clusterpair ${pairName(pair)} on context ${contextName}: reading ClusterPairs (they hold credentials) needs get on clusterpairs.${STORK_GROUP} in namespace ${pair.namespace} (${oneLine(error)})`);
    }
    throw error;
  }
}

/**
 * Opens a session to the cluster a ClusterPair on the destination pairs with, with the credentials
 * stored in it (as Stork's controller does): read, converted, connected through deps.clusterFrom.
 */
export async function openClusterPairSource(deps: Pick<CommandDeps, 'clusterFrom'>, destination: KubeApi, destinationContext: string, pair: ClusterPairRef): Promise<ClusterPairSource> {
  const object = await readClusterPair(destination, pair, destinationContext);
  const credentials = clusterPairCredentials({ ...object, metadata: { ...object.metadata, namespace: object.metadata.namespace ?? pair.namespace } }, destinationContext);
  const session = await deps.clusterFrom(await clusterPairContext(credentials));
  return { pair, session, credentials };
}
