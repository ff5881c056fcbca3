import type { KubeConfig } from '@kubernetes/client-node';
import { UsageError } from '../core/errors';
import { certificateAuthorityProblem } from '../kube/certificateAuthority';
import type { Json, KubeObject } from '../kube/objects';

type ClusterEntry = KubeConfig['clusters'][number];
type UserEntry = KubeConfig['users'][number];

/** A ClusterPair by namespace and name: the one a schedule's spec.template.spec.clusterPair names, in the schedule's namespace. */
export interface ClusterPairRef {
  namespace: string;
  name: string;
}

/**
 * What a ClusterPair's spec.config says about reaching its remote cluster, in the shapes a
 * client-node KubeConfig is loaded from (kube/kubeconfig.ts builds the session's config from it).
 */
export interface ClusterPairCredentials {
  pair: ClusterPairRef;
  /** The spec.config context used: current-context, else the only one. */
  contextName: string;
  cluster: ClusterEntry;
  /** Undefined when the context names no user (anonymous requests, as client-go sends them). */
  user: UserEntry | undefined;
  /** The context's namespace, else `default` (client-go's rule). */
  namespace: string;
  /** act-as / act-as-groups: client-go impersonates with them, so do we. */
  impersonate?: { user: string; groups: string[] };
}

export const pairName = (pair: ClusterPairRef): string => `${pair.namespace}/${pair.name}`;

type Fields = { [key: string]: Json };
const isFields = (value: Json | undefined): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Credentials in a user entry that point outside the ClusterPair: a file on the Stork pod, or a
 * program Stork's pod would run. Neither can be used from here, and guessing would reach the source
 * with something other than what Stork uses, so each is refused by name.
 */
const USER_FIELDS_REFUSED: ReadonlyArray<[field: string, why: string]> = [
  ['tokenFile', "is a file path on Stork's pod, which cannot be read from here (the ClusterPair needs token)"],
  ['client-certificate', "is a file path on Stork's pod, which cannot be read from here (the ClusterPair needs client-certificate-data)"],
  ['client-key', "is a file path on Stork's pod, which cannot be read from here (the ClusterPair needs client-key-data)"],
  ['exec', "runs a credential plugin inside Stork's pod; kubectl-failover does not run programs named by a ClusterPair"],
  ['auth-provider', "is an auth provider plugin configured for Stork's pod; kubectl-failover does not use auth providers from a ClusterPair"],
  ['act-as-uid', 'is not supported (impersonating a UID)'],
  ['act-as-user-extra', 'is not supported (impersonating extra user fields)'],
];

/**
 * Pure: the credentials a ClusterPair holds for its remote cluster, as Stork's controller builds
 * them (clientcmd.NewNonInteractiveClientConfig(spec.config, spec.config.current-context)).
 * spec.config is client-go's internal clientcmdapi.Config serialized as JSON: clusters, users and
 * contexts are maps keyed by name (not kubeconfig v1's lists), byte fields are base64 strings.
 * Where current-context is empty and there is exactly one context, that one is used (client-go
 * would fail with "no configuration has been provided"). Every problem is one UsageError naming the
 * field, so nothing is read or written with credentials that are not Stork's.
 */
export function clusterPairCredentials(clusterPair: KubeObject, contextName: string): ClusterPairCredentials {
  const pair: ClusterPairRef = { namespace: clusterPair.metadata.namespace ?? '', name: clusterPair.metadata.name };
  const refuse = (problem: string): never => {
    throw new UsageError(`clusterpair ${pairName(pair)} on context ${contextName}: ${problem}; the source cannot be reached through it (name it with --source-context instead)`);
  };
  const config = clusterPair.spec?.config;
  if (!isFields(config)) return refuse('has no spec.config, so it holds no credentials for the source');
  const map = (key: 'clusters' | 'users' | 'contexts'): Fields => {
    const value = config[key];
    if (value === undefined || value === null) return {};
    if (Array.isArray(value)) return refuse(`spec.config.${key} is a list; a ClusterPair holds client-go's Config, whose ${key} are a map keyed by name`);
    if (!isFields(value)) return refuse(`spec.config.${key} is not a map`);
    return value;
  };
  const clusters = map('clusters');
  const users = map('users');
  const contexts = map('contexts');
  const names = (entries: Fields): string => Object.keys(entries).join(', ') || 'none';

  const current = typeof config['current-context'] === 'string' ? config['current-context'] : '';
  let chosen: string;
  if (current !== '') {
    if (!(current in contexts)) return refuse(`spec.config.current-context "${current}" is not in spec.config.contexts (available: ${names(contexts)})`);
    chosen = current;
  } else {
    const only = Object.keys(contexts);
    if (only.length !== 1) return refuse(only.length === 0 ? 'spec.config has no contexts' : `spec.config has no current-context and ${only.length} contexts (${names(contexts)}): which one reaches the source is not said`);
    chosen = only[0] ?? '';
  }
  const context = contexts[chosen];
  if (!isFields(context)) return refuse(`spec.config.contexts.${chosen} is not a map`);
  const clusterName = typeof context.cluster === 'string' ? context.cluster : '';
  const clusterFields = clusters[clusterName];
  if (!isFields(clusterFields)) return refuse(`spec.config.contexts.${chosen}.cluster "${clusterName}" is not in spec.config.clusters (available: ${names(clusters)})`);
  const userName = typeof context.user === 'string' ? context.user : '';
  const userFields = userName === '' ? undefined : users[userName];
  if (userName !== '' && !isFields(userFields)) return refuse(`spec.config.contexts.${chosen}.user "${userName}" is not in spec.config.users (available: ${names(users)})`);

  const cluster = clusterEntry(clusterName, clusterFields, refuse);
  const user = isFields(userFields) ? userEntry(userName, userFields, refuse) : undefined;
  const impersonate = isFields(userFields) ? impersonation(userName, userFields, refuse) : undefined;
  const namespace = typeof context.namespace === 'string' && context.namespace !== '' ? context.namespace : 'default';
  return { pair, contextName: chosen, cluster, user, namespace, ...(impersonate ? { impersonate } : {}) };
}

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function clusterEntry(name: string, fields: Fields, refuse: (problem: string) => never): ClusterEntry {
  const where = `spec.config.clusters.${name}`;
  const server = text(fields, 'server') ?? '';
  let url: URL | undefined;
  try {
    url = new URL(server);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) refuse(`${where}.server "${server}" is not a URL`);
  const caFile = text(fields, 'certificate-authority');
  if (caFile !== undefined) refuse(`${where}.certificate-authority (${caFile}) is a file path on Stork's pod, which cannot be read from here (the ClusterPair needs certificate-authority-data)`);
  const caData = text(fields, 'certificate-authority-data');
  const entry: ClusterEntry = {
    name,
    server,
    skipTLSVerify: fields['insecure-skip-tls-verify'] === true,
    ...(caData !== undefined ? { caData } : {}),
    ...(text(fields, 'tls-server-name') !== undefined ? { tlsServerName: text(fields, 'tls-server-name') } : {}),
    ...(text(fields, 'proxy-url') !== undefined ? { proxyUrl: text(fields, 'proxy-url') } : {}),
  };
  const caProblem = certificateAuthorityProblem(entry);
  if (caProblem) refuse(`${where}: ${caProblem}`);
  return entry;
}

/** As Go's base64.StdEncoding, which decoded these bytes when Stork stored them: the standard alphabet, padded. */
const isBase64 = (value: string): boolean => {
  const compact = value.replace(/\s+/g, '');
  return /^[A-Za-z0-9+/]*={0,2}$/.test(compact) && compact.length % 4 === 0;
};

function userEntry(name: string, fields: Fields, refuse: (problem: string) => never): UserEntry {
  const where = `spec.config.users.${name}`;
  for (const [field, why] of USER_FIELDS_REFUSED) {
    const value = fields[field];
    if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0) && !(isFields(value) && Object.keys(value).length === 0)) refuse(`${where}.${field} ${why}`);
  }
  const certData = text(fields, 'client-certificate-data');
  const keyData = text(fields, 'client-key-data');
  for (const [field, value] of [['client-certificate-data', certData], ['client-key-data', keyData]] as const) {
    if (value !== undefined && !isBase64(value)) refuse(`${where}.${field} is not base64`);
  }
  if ((certData === undefined) !== (keyData === undefined)) refuse(`${where} has ${certData ? 'client-certificate-data without client-key-data' : 'client-key-data without client-certificate-data'}`);
  const token = text(fields, 'token');
  const username = text(fields, 'username');
  const password = text(fields, 'password');
  return { name, ...(token !== undefined ? { token } : {}), ...(certData !== undefined ? { certData } : {}), ...(keyData !== undefined ? { keyData } : {}), ...(username !== undefined ? { username, password: password ?? '' } : {}) };
}

function impersonation(name: string, fields: Fields, refuse: (problem: string) => never): { user: string; groups: string[] } | undefined {
  const user = text(fields, 'act-as');
  const groupsValue = fields['act-as-groups'];
  const groups = Array.isArray(groupsValue) ? groupsValue.filter((group): group is string => typeof group === 'string') : [];
  if (user === undefined) {
    if (groups.length > 0) refuse(`spec.config.users.${name}.act-as-groups is set without act-as`);
    return undefined;
  }
  return { user, groups };
}
