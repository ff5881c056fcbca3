// What the sandbox's controller stand-ins (migrationController.ts, actionController.ts) share: the
// knob prefix, Kubernetes-style timestamps, and a poll loop that hands each object to one worker at
// a time. Test support only; nothing here is used by the plugin.
import type { SandboxRest } from './rest';

export const STORK_API = '/apis/stork.libopenstorage.org/v1alpha1';
/** Prefix of the annotations that steer the stand-ins (and the status simulator). */
export const KNOB = 'sandbox.kubectl-failover.dev';
/** How often each stand-in lists its objects. */
export const POLL_MS = 250;
/** Pause before each write, so a test can watch the steps go by (per object: `<prefix>-delay-ms`). */
export const DEFAULT_STEP_DELAY_MS = 100;

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  finalizers?: string[];
}

/** Now as a metav1.Time serialises: RFC 3339, whole seconds, UTC. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A non-negative integer knob in milliseconds, or the fallback when absent or garbled. */
export function delayKnob(annotations: Record<string, string> | undefined, key: string, fallback = DEFAULT_STEP_DELAY_MS): number {
  const value = Number(annotations?.[key]);
  return annotations?.[key] !== undefined && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export function statusCode(error: unknown): number {
  return (error as { statusCode?: number }).statusCode ?? 0;
}

export function log(label: string, message: string): void {
  process.stderr.write(`${new Date().toISOString()} [${label}] ${message}\n`);
}

/** One cluster a stand-in serves: its name and an admin client. */
export interface Served {
  cluster: string;
  rest: SandboxRest;
}

/**
 * Lists `collection` on every served cluster every POLL_MS and gives each object to `handle`,
 * never twice at once (a worker may take several steps, sleeping in between). A collection the
 * server does not serve (404: the CRD was removed for a test) is skipped quietly.
 */
export async function pollForever<T extends { metadata: ObjectMeta }>(label: string, served: readonly Served[], collection: string, handle: (where: Served, object: T) => Promise<void>): Promise<never> {
  const busy = new Set<string>();
  for (;;) {
    await Promise.all(
      served.map(async (where) => {
        let list: { items: T[] } | undefined;
        try {
          list = await where.rest.find<{ items: T[] }>(collection);
        } catch (error) {
          log(label, `${where.cluster}: listing ${collection}: ${String(error)}`);
          return;
        }
        for (const object of list?.items ?? []) {
          const key = `${where.cluster} ${object.metadata.namespace}/${object.metadata.name} ${object.metadata.uid ?? ''}`;
          if (busy.has(key)) continue;
          busy.add(key);
          void handle(where, object)
            .catch((error: unknown) => {
              // 409: someone (often the test) wrote in between; the next round reads again.
              if (statusCode(error) !== 409 && statusCode(error) !== 404) log(label, `${key}: ${String(error)}`);
            })
            .finally(() => busy.delete(key));
        }
      }),
    );
    await sleep(POLL_MS);
  }
}
