import type { Json, KubeObject } from '../kube/objects';

export type SuspendValueType = 'int' | 'bool' | 'string';

/** One field Stork flips to suspend a registered custom resource. */
export interface SuspendOption {
  /** Dotted path into the object, e.g. "spec.replicas". */
  path: string;
  type: SuspendValueType;
  /** The suspended value as the registration states it. */
  value: string;
}

/** A custom resource kind registered through an ApplicationRegistration. */
export interface RegisteredKind {
  group: string;
  version: string;
  kind: string;
  suspendOptions: SuspendOption[];
  /** Dotted path to a list of pod names the resource runs (e.g. status.members.ready): deactivate deletes them. */
  podsPath?: string;
  registration: string;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function parseSuspendOption(value: unknown): SuspendOption | undefined {
  const record = asRecord(value);
  const path = record?.path;
  if (typeof path !== 'string' || path === '') return undefined;
  const rawType = typeof record?.type === 'string' ? record.type.toLowerCase() : 'string';
  const type: SuspendValueType = rawType === 'int' || rawType === 'integer' ? 'int' : rawType === 'bool' || rawType === 'boolean' ? 'bool' : 'string';
  return { path, type, value: typeof record?.value === 'string' ? record.value : String(record?.value ?? '') };
}

/**
 * The kinds ApplicationRegistrations declare with at least one suspend path. Kinds Stork handles
 * natively (Deployments and the like) are left to their own rules.
 */
export function registeredKinds(registrations: readonly KubeObject[]): RegisteredKind[] {
  const kinds: RegisteredKind[] = [];
  for (const registration of registrations) {
    const resources = (registration as unknown as { resources?: unknown }).resources;
    if (!Array.isArray(resources)) continue;
    for (const entry of resources) {
      const resource = asRecord(entry);
      const group = resource?.group;
      const version = resource?.version;
      const kind = resource?.kind;
      if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string' || !kind) continue;
      const options = [parseSuspendOption(resource?.suspendOptions)];
      // Stork calls the extra paths nestedSuspendOptions; some registrations say customSuspendOptions.
      for (const extra of [resource?.nestedSuspendOptions, resource?.customSuspendOptions]) {
        if (Array.isArray(extra)) options.push(...extra.map(parseSuspendOption));
      }
      const suspendOptions = options.filter((option): option is SuspendOption => option !== undefined);
      if (suspendOptions.length === 0) continue;
      if (kinds.some((known) => known.group === group && known.kind === kind)) continue;
      const podsPath = typeof resource?.podsPath === 'string' && resource.podsPath.trim() !== '' ? resource.podsPath.trim() : undefined;
      kinds.push({ group, version, kind, suspendOptions, ...(podsPath ? { podsPath } : {}), registration: registration.metadata.name });
    }
  }
  return kinds;
}

export type ParsedValue = { ok: true; value: Json } | { ok: false; problem: string };

/** Parses a value from an annotation according to the registered type. */
export function parseTypedValue(raw: string, type: SuspendValueType): ParsedValue {
  const text = raw.trim();
  switch (type) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) return { ok: false, problem: `"${raw}" is not an integer` };
      const number = Number(text);
      if (!Number.isSafeInteger(number)) return { ok: false, problem: `"${raw}" is too large` };
      return { ok: true, value: number };
    }
    case 'bool':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, problem: `"${raw}" is not true or false` };
    case 'string':
      return { ok: true, value: raw };
  }
}
