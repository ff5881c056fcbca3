import type { Json, JsonObject } from './objects';

/**
 * A field of an object, own properties only: paths come from journals and annotations too (input),
 * and "constructor" or "__proto__" must read as absent, not as Object's, and never be written through.
 */
function own(object: object, segment: string): unknown {
  return Object.hasOwn(object, segment) ? (object as Record<string, unknown>)[segment] : undefined;
}

/** Reads a nested field; undefined when any step is missing or not an object. */
export function getPath(root: unknown, path: readonly string[]): Json | undefined {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = own(current, segment);
  }
  return current as Json | undefined;
}

/** The longest prefix of `path` that exists as an object in `root` (0 = only the root). */
export function existingDepth(root: unknown, path: readonly string[]): number {
  let current: unknown = root;
  let depth = 0;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) break;
    const child = own(current, segment);
    if (child === null || typeof child !== 'object' || Array.isArray(child)) break;
    current = child;
    depth += 1;
  }
  return depth;
}

/** Returns a deep copy of `root` with `path` set to `value` (undefined removes it), creating objects on the way. */
export function withPath<T>(root: T, path: readonly string[], value: Json | undefined): T {
  const copy = structuredClone(root) as unknown as JsonObject;
  let current: JsonObject = copy;
  // Defined, not assigned: a segment "__proto__" sets a key, never the prototype.
  const set = (object: JsonObject, segment: string, next: Json): void => void Object.defineProperty(object, segment, { value: next, enumerable: true, writable: true, configurable: true });
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      if (value === undefined) delete current[segment];
      else set(current, segment, value);
      return;
    }
    const child = own(current, segment);
    if (child === null || typeof child !== 'object' || Array.isArray(child)) set(current, segment, {});
    current = own(current, segment) as JsonObject;
  });
  return copy as unknown as T;
}

/** JSON pointer (RFC 6901) for a path, escaping `~` and `/` as annotation keys need. */
export function toPointer(path: readonly string[]): string {
  return path.map((segment) => '/' + segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
