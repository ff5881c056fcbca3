import { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../src/core/clock';
import type { Progress } from '../../src/core/progress';
import type { CommandDeps } from '../../src/core/command';
import type { KubeApi, KubeRequest } from '../../src/kube/client';
import { ApiError } from '../../src/kube/errors';
import type { KubeObject } from '../../src/kube/objects';
import type { ResolvedContext } from '../../src/kube/kubeconfig';

/**
 * An in-memory stand-in for an API server, for unit tests of the orchestration (apply, wait,
 * execute) where a real server cannot produce a fault on demand: objects by path, LIST of a
 * collection, JSON patch with real `test` semantics (a failed test is the server's 422), and a
 * hook that runs before each request to change state, fail, or hang.
 */
export class FakeApi implements KubeApi {
  readonly serverUrl = 'https://fake.invalid';
  readonly objects = new Map<string, KubeObject>();
  readonly log: Array<{ method: string; path: string }> = [];
  /** Served kinds, for discovery (GET /apis and /apis/<group>/<version>). */
  readonly served: Array<{ group: string; version: string; kind: string; resource: string; namespaced: boolean }> = [
    { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
    { group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true },
    { group: 'stork.libopenstorage.org', version: 'v1alpha1', kind: 'MigrationSchedule', resource: 'migrationschedules', namespaced: true },
  ];
  /** A test may give it a watch; without one, callers poll. */
  watch?: KubeApi['watch'];
  /** Runs before each request; may throw (an error answer) or return a promise that never settles (a hung request). */
  before?: (request: KubeRequest, count: number) => void | Promise<void>;

  put(path: string, object: KubeObject): void {
    this.objects.set(path, structuredClone(object));
  }

  get(path: string): KubeObject | undefined {
    return this.objects.get(path);
  }

  async request<T>(request: KubeRequest): Promise<T> {
    this.log.push({ method: request.method, path: request.path });
    await this.before?.(request, this.log.length);
    if (request.method === 'GET' && request.path === '/apis') {
      const groups = [...new Set(this.served.map((entry) => `${entry.group}/${entry.version}`))].map((groupVersion) => {
        const [name = '', version = ''] = groupVersion.split('/');
        return { name, versions: [{ version }] };
      });
      return { groups } as T;
    }
    const discovery = /^\/apis\/([^/]+)\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && discovery) {
      const resources = this.served.filter((entry) => entry.group === discovery[1] && entry.version === discovery[2]).map((entry) => ({ name: entry.resource, kind: entry.kind, namespaced: entry.namespaced }));
      return { resources } as T;
    }
    if (request.method === 'GET') {
      const object = this.objects.get(request.path);
      if (object) return structuredClone(object) as T;
      const items = [...this.objects.entries()].filter(([path]) => inCollection(path, request.path)).map(([, item]) => structuredClone(item));
      if (items.length > 0 || request.path.endsWith('s')) return { items, metadata: {} } as T;
      throw new ApiError(404, { reason: 'NotFound', message: `${request.path} not found` }, 'GET', request.path);
    }
    if (request.method === 'PATCH') {
      const object = this.objects.get(request.path);
      if (!object) throw new ApiError(404, { reason: 'NotFound', message: `${request.path} not found` }, 'PATCH', request.path);
      const patched = applyJsonPatch(object, request.body as PatchOp[], request.path);
      if (request.query?.dryRun !== 'All') this.objects.set(request.path, patched);
      return structuredClone(patched) as T;
    }
    throw new Error(`FakeApi: ${request.method} not supported`);
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
  const lines: string[] = [];
  const kubeContext: ResolvedContext = { contextName: 'fake', clusterName: 'fake', server: api.serverUrl, namespace, kubeConfig: new KubeConfig() };
  return {
    lines,
    streams: { stdout: { write: () => true }, stderr: { write: () => true } },
    env: {},
    clock,
    signal,
    color: false,
    interactive: false,
    progress: recordingProgress(lines),
    cluster: async () => ({ kubeContext, api }),
    clusterFrom: async (given) => ({ kubeContext: given, api }),
  };
}
