import { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../src/core/clock';
import type { Progress } from '../../src/core/progress';
import type { ClusterSession, CommandDeps } from '../../src/core/command';
import { UsageError } from '../../src/core/errors';
import type { KubeApi, KubeRequest } from '../../src/kube/client';
import { ApiError, ConnectionError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import type { ResolvedContext } from '../../src/kube/kubeconfig';

/** A kind the fake serves, for discovery (GET /apis, /apis/<group>/<version>, /api/v1). */
export interface ServedKind {
  group: string;
  version: string;
  kind: string;
  resource: string;
  namespaced: boolean;
}

/** What a SelfSubjectAccessReview asks. */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  resource?: string;
}

export interface FakeApiOptions {
  /** The API server URL (default https://fake.invalid); two fakes with distinct URLs are two clusters. */
  serverUrl?: string;
  /** What creationTimestamp is stamped from (default Date.now): pass a fake clock's now. */
  now?: () => number;
}

/** Tells fakes apart: each instance gets its own kube-system uid. */
let instances = 0;

/**
 * An in-memory stand-in for an API server, for unit tests of the orchestration (apply, wait,
 * execute) where a real server cannot produce a fault on demand: objects by path, LIST of a
 * collection (with equality-based label selectors), JSON patch with real `test` semantics (a failed
 * test is the server's 422), POST into a collection (409 AlreadyExists), DELETE (404 when absent,
 * 409 on a uid precondition), dryRun=All on every write, resourceVersion bumped on each one, and a
 * hook that runs before each request to change state, fail, or hang. Besides: /version, discovery of
 * `served`, a kube-system namespace whose uid is this instance's own, SelfSubjectAccessReviews
 * (allowed unless `allow` says otherwise), and SelfSubjectReviews where `user` is set.
 */
export class FakeApi implements KubeApi {
  readonly serverUrl: string;
  /** metadata.uid of kube-system here (unless a test put its own kube-system). */
  readonly clusterUid: string;
  readonly objects = new Map<string, KubeObject>();
  readonly log: Array<{ method: string; path: string; dryRun?: boolean }> = [];
  /** Served kinds, for discovery (GET /apis and /apis/<group>/<version>; group '' is /api/v1). */
  readonly served: ServedKind[] = [
    { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true },
    { group: 'stork.libopenstorage.org', version: 'v1alpha1', kind: 'MigrationSchedule', resource: 'migrationschedules', namespaced: true },
    { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false },
    { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true },
    { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true },
    { group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true },
  ];
  /** A test may give it a watch; without one, callers poll. */
  watch?: KubeApi['watch'];
  /** Runs before each request; may throw (an error answer) or return a promise that never settles (a hung request). */
  before?: (request: KubeRequest, count: number) => void | Promise<void>;
  /** Stand-ins for controllers: each is told of every object a write stored (not a dry run), after it was stored, and may change it. */
  readonly controllers: Array<(path: string, object: KubeObject, api: FakeApi) => void> = [];
  /** The answer to each SelfSubjectAccessReview (every one asked is in `reviews`). */
  allow: (attributes: ResourceAttributes) => boolean = () => true;
  readonly reviews: ResourceAttributes[] = [];
  /** The user a SelfSubjectReview (`kubectl auth whoami`) names; unset, it is not served (404), as before 1.27. */
  user?: string;
  private readonly now: () => number;
  private version = 100;
  private uids = 0;

  constructor(options: FakeApiOptions = {}) {
    instances += 1;
    this.serverUrl = options.serverUrl ?? 'https://fake.invalid';
    this.clusterUid = `kube-system-uid-${instances}`;
    this.now = options.now ?? Date.now;
  }

  put(path: string, object: KubeObject): void {
    this.objects.set(path, structuredClone(object));
  }

  get(path: string): KubeObject | undefined {
    return this.objects.get(path);
  }

  /** The writes this fake received (PATCH, POST, DELETE), reviews aside: what a refused run must not have sent. */
  writes(): Array<{ method: string; path: string; dryRun?: boolean }> {
    return this.log.filter((entry) => entry.method !== 'GET' && !REVIEW_PATHS.test(entry.path));
  }

  async request<T>(request: KubeRequest): Promise<T> {
    this.log.push({ method: request.method, path: request.path, ...(isDryRun(request) ? { dryRun: true } : {}) });
    await this.before?.(request, this.log.length);
    if (request.method === 'GET' && request.path === '/version') return { major: '1', minor: '30', gitVersion: 'v1.30.0' } as T;
    if (request.method === 'GET' && request.path === '/apis') {
      const groups = [...new Set(this.served.filter((entry) => entry.group !== '').map((entry) => `${entry.group}/${entry.version}`))].map((groupVersion) => {
        const [name = '', version = ''] = groupVersion.split('/');
        return { name, versions: [{ version }] };
      });
      return { groups } as T;
    }
    const discovery = /^\/apis\/([^/]+)\/([^/]+)$/.exec(request.path) ?? (request.path === '/api/v1' ? ['', '', 'v1'] : null);
    if (request.method === 'GET' && discovery) {
      const resources = this.served.filter((entry) => entry.group === discovery[1] && entry.version === discovery[2]).map((entry) => ({ name: entry.resource, kind: entry.kind, namespaced: entry.namespaced }));
      return { resources } as T;
    }
    if (request.method === 'POST' && request.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      const attributes = ((request.body as { spec?: { resourceAttributes?: ResourceAttributes } } | undefined)?.spec?.resourceAttributes ?? {}) as ResourceAttributes;
      this.reviews.push(attributes);
      return { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', status: { allowed: this.allow(attributes) } } as T;
    }
    if (request.method === 'POST' && /^\/apis\/authentication\.k8s\.io\/[^/]+\/selfsubjectreviews$/.test(request.path)) {
      if (this.user === undefined) throw notFound('POST', request.path);
      return { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', status: { userInfo: { username: this.user } } } as T;
    }
    if (request.method === 'GET') return this.read<T>(request);
    if (request.method === 'PATCH') {
      const object = this.objects.get(request.path);
      if (!object) throw notFound('PATCH', request.path);
      const patched = applyJsonPatch(object, request.body as PatchOp[], request.path);
      if (isDryRun(request)) return structuredClone(patched) as T;
      patched.metadata.resourceVersion = this.nextVersion();
      return this.store(request.path, patched) as T;
    }
    if (request.method === 'POST') return this.create(request) as T;
    if (request.method === 'DELETE') return this.remove(request) as T;
    throw new Error(`FakeApi: ${request.method} not supported`);
  }

  private read<T>(request: KubeRequest): T {
    const object = this.objects.get(request.path);
    if (object) return structuredClone(object) as T;
    if (request.path === '/api/v1/namespaces/kube-system') return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', uid: this.clusterUid, resourceVersion: '1' } } as T;
    if (shapeOf(request.path) !== 'collection') throw notFound('GET', request.path);
    const selector = typeof request.query?.labelSelector === 'string' ? request.query.labelSelector : undefined;
    const items = [...this.objects.entries()].filter(([path, item]) => inCollection(path, request.path) && matchesSelector(item.metadata.labels ?? {}, selector)).map(([, item]) => structuredClone(item));
    return { items, metadata: { resourceVersion: String(this.version) } } as T;
  }

  /** POST into a collection: the name taken is 409 AlreadyExists; the server fills uid, resourceVersion, creationTimestamp. */
  private create(request: KubeRequest): KubeObject {
    if (shapeOf(request.path) !== 'collection') throw new ApiError(405, { reason: 'MethodNotAllowed', message: `the server does not allow this method on ${request.path}` }, 'POST', request.path);
    const body = structuredClone(request.body) as KubeObject | undefined;
    const name = body?.metadata?.name;
    if (!body || !name) throw new ApiError(422, { reason: 'Invalid', message: 'metadata.name: Required value: name or generateName is required' }, 'POST', request.path);
    const path = `${request.path}/${name}`;
    const namespace = /\/namespaces\/([^/]+)\/[^/]+$/.exec(request.path)?.[1];
    if (this.objects.has(path)) {
      const resource = request.path.slice(request.path.lastIndexOf('/') + 1);
      throw new ApiError(409, { reason: 'AlreadyExists', message: `${resource} "${name}" already exists`, details: { name } }, 'POST', request.path);
    }
    const object: KubeObject = {
      ...body,
      metadata: { ...body.metadata, ...(namespace ? { namespace } : {}), uid: `${this.clusterUid}-object-${++this.uids}`, resourceVersion: this.nextVersion(), generation: 1, creationTimestamp: new Date(this.now()).toISOString() },
    };
    if (isDryRun(request)) return object;
    return this.store(path, object);
  }

  /** DELETE: 404 when absent; a uid precondition that does not hold is 409; the object deleted is the answer. */
  private remove(request: KubeRequest): KubeObject {
    const object = this.objects.get(request.path);
    if (!object) throw notFound('DELETE', request.path);
    const uid = (request.body as { preconditions?: { uid?: string } } | undefined)?.preconditions?.uid;
    if (uid !== undefined && uid !== object.metadata.uid) {
      throw new ApiError(409, { reason: 'Conflict', message: `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${object.metadata.uid ?? ''}` }, 'DELETE', request.path);
    }
    if (!isDryRun(request)) this.objects.delete(request.path);
    return structuredClone(object);
  }

  private store(path: string, object: KubeObject): KubeObject {
    this.objects.set(path, object);
    for (const controller of this.controllers) {
      const stored = this.objects.get(path);
      if (stored) controller(path, stored, this);
    }
    return structuredClone(this.objects.get(path) ?? object);
  }

  private nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }
}

/** Reviews (access, whoami) are POSTs that write nothing. */
const REVIEW_PATHS = /^\/apis\/(authorization|authentication)\.k8s\.io\/[^/]+\/self/;

function notFound(method: string, path: string): ApiError {
  return new ApiError(404, { reason: 'NotFound', message: `${path} not found` }, method, path);
}

/** dryRun=All in the query (PATCH, POST) or in a DELETE's body (DeleteOptions.dryRun). */
function isDryRun(request: KubeRequest): boolean {
  if (request.query?.dryRun === 'All') return true;
  const dryRun = (request.body as { kind?: string; dryRun?: unknown } | undefined)?.dryRun;
  return request.method === 'DELETE' && Array.isArray(dryRun) && dryRun.includes('All');
}

/**
 * Whether a resource path names a collection or one object: /api/v1/<resource>[/<name>],
 * /apis/<group>/<version>/<resource>[/<name>], and either with namespaces/<ns>/ first (a
 * namespace itself is /api/v1/namespaces/<name>).
 */
function shapeOf(path: string): 'collection' | 'object' | 'other' {
  const match = /^\/api\/v1\/(.+)$/.exec(path) ?? /^\/apis\/[^/]+\/[^/]+\/(.+)$/.exec(path);
  if (!match?.[1]) return 'other';
  const segments = match[1].split('/');
  const rest = segments[0] === 'namespaces' && segments.length >= 3 ? segments.slice(2) : segments;
  if (rest.length === 1) return 'collection';
  if (rest.length === 2) return 'object';
  return 'other';
}

/** Equality-based label selectors (k, !k, k=v, k==v, k!=v, comma-joined); set-based ones are refused so a test cannot pass by accident. */
function matchesSelector(labels: Record<string, string>, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((raw) => {
    const term = raw.trim();
    if (/\s(in|notin)\s/.test(term)) throw new Error(`FakeApi: set-based selector "${term}" not supported`);
    const unequal = /^([^!=]+)!=(.*)$/.exec(term);
    if (unequal?.[1] !== undefined) return labels[unequal[1]] !== unequal[2];
    const equal = /^([^!=]+)==?(.*)$/.exec(term);
    if (equal?.[1] !== undefined) return labels[equal[1]] === equal[2];
    if (term.startsWith('!')) return labels[term.slice(1)] === undefined;
    return labels[term] !== undefined;
  });
}

/**
 * A controller for apps workloads: status follows spec.replicas at once (observed, ready,
 * available, updated), and a StatefulSet's pods <name>-<ordinal> beyond the count are deleted,
 * as the kubelet would once they stopped.
 */
export function workloadController(path: string, object: KubeObject, api: FakeApi): void {
  const match = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|replicasets)\/([^/]+)$/.exec(path);
  if (!match) return;
  const replicas = typeof object.spec?.replicas === 'number' ? object.spec.replicas : 1;
  object.status = { observedGeneration: object.metadata.generation ?? 1, replicas, readyReplicas: replicas, availableReplicas: replicas, updatedReplicas: replicas };
  if (match[2] !== 'statefulsets') return;
  for (const podPath of [...api.objects.keys()]) {
    const pod = new RegExp(`^/api/v1/namespaces/${match[1]}/pods/${match[3]}-(\\d+)$`).exec(podPath);
    if (pod && Number(pod[1]) >= replicas) api.objects.delete(podPath);
  }
}

/** Whether an object's path lies in a collection: namespaced (/…/namespaces/ns/things) or cluster-wide (/…/things). */
function inCollection(objectPath: string, collection: string): boolean {
  if (objectPath.startsWith(`${collection}/`) && !objectPath.slice(collection.length + 1).includes('/')) return true;
  const slash = collection.lastIndexOf('/');
  const base = collection.slice(0, slash);
  const resource = collection.slice(slash + 1);
  return new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/namespaces/[^/]+/${resource}/[^/]+$`).test(objectPath);
}

const MISSING_PARENT = Symbol('missing parent');

type PatchOp = { op: 'test' | 'add' | 'replace' | 'remove'; path: string; value?: unknown };

function applyJsonPatch(object: KubeObject, ops: PatchOp[], path: string): KubeObject {
  const copy = structuredClone(object) as unknown as Record<string, unknown>;
  for (const op of ops) {
    const segments = op.path.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = segments.pop() ?? '';
    let parent: Record<string, unknown> | undefined = copy;
    for (const segment of segments) {
      const next: unknown = parent?.[segment];
      parent = next && typeof next === 'object' ? (next as Record<string, unknown>) : undefined;
    }
    if (op.op === 'test') {
      // As the API server: a test of null passes for a missing member, but not below a missing parent.
      const actual = parent ? parent[last] : MISSING_PARENT;
      const ok = actual === MISSING_PARENT ? false : actual === undefined ? op.value === null : JSON.stringify(actual) === JSON.stringify(op.value);
      if (!ok) throw new ApiError(422, { reason: 'Invalid', message: `the server rejected our request due to an error in our request: testing value ${op.path} failed` }, 'PATCH', path);
      continue;
    }
    if (!parent) throw new ApiError(422, { reason: 'Invalid', message: `the server rejected our request due to an error in our request: missing path ${op.path}` }, 'PATCH', path);
    if (op.op === 'remove') delete parent[last];
    else parent[last] = structuredClone(op.value);
  }
  return copy as unknown as KubeObject;
}

/** A clock whose sleeps return at once and move time on: waits of minutes take no time. */
export function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) return;
      // Give pending work (a fast answer) its turn before time jumps.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) return;
      now += Math.max(0, ms);
    },
  };
}

/** Progress that records its lines. */
export function recordingProgress(lines: string[]): Progress {
  return {
    start(text) {
      lines.push(text);
      return { update: (next) => void lines.push(next), succeed: (next) => void lines.push(next), fail: (next) => void lines.push(`FAIL ${next}`), warn: (next) => void lines.push(`WARN ${next}`), clear: () => undefined };
    },
  };
}

/** Command dependencies around a fake API: one cluster, in-memory streams, the fake clock. */
export function fakeDeps(api: KubeApi, clock: Clock, namespace = 'zookeeper', signal: AbortSignal = new AbortController().signal): CommandDeps & { lines: string[] } {
  const kubeContext: ResolvedContext = { contextName: 'fake', clusterName: 'fake', server: api.serverUrl, namespace, kubeConfig: new KubeConfig() };
  return depsAround(clock, signal, async () => ({ kubeContext, api }), async (given) => ({ kubeContext: given, api }));
}

/**
 * Command dependencies around several fake APIs, one per kubeconfig context name (two for
 * run: { source: apiA, destination: apiB }); each context's server is its fake's serverUrl, so give
 * the fakes distinct ones. An unknown context is the usage error the kubeconfig gives; no name is
 * the first context (current-context). clusterFrom reaches the fake whose serverUrl the given
 * context names (a ClusterPair's server).
 */
export function fakeClusters(contexts: Record<string, KubeApi>, clock: Clock, options: { namespace?: string; signal?: AbortSignal } = {}): CommandDeps & { lines: string[] } {
  const namespace = options.namespace ?? 'zookeeper';
  const names = Object.keys(contexts);
  const session = (contextName: string): ClusterSession => {
    const api = contexts[contextName];
    if (!api) throw new UsageError(`context "${contextName}" not found in kubeconfig (available: ${names.join(', ')})`);
    return { kubeContext: { contextName, clusterName: contextName, server: api.serverUrl, namespace, kubeConfig: new KubeConfig() }, api };
  };
  return depsAround(
    clock,
    options.signal ?? new AbortController().signal,
    async (contextName) => session(contextName ?? names[0] ?? ''),
    async (given) => {
      const api = Object.values(contexts).find((candidate) => candidate.serverUrl === given.server);
      if (!api) throw new ConnectionError(given.server, 'connection refused');
      return { kubeContext: given, api };
    },
  );
}

function depsAround(clock: Clock, signal: AbortSignal, cluster: CommandDeps['cluster'], clusterFrom: CommandDeps['clusterFrom']): CommandDeps & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    streams: { stdout: { write: () => true }, stderr: { write: () => true } },
    env: {},
    clock,
    signal,
    color: false,
    interactive: false,
    progress: recordingProgress(lines),
    cluster,
    clusterFrom,
  };
}
