import type { Json, JsonObject } from './objects';

/** Reads a nested field; undefined when any step is missing or not an object. */
export function getPath(root: unknown, path: readonly string[]): Json | undefined {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current as Json | undefined;
}

/** The longest prefix of `path` that exists as an object in `root` (0 = only the root). */
export function existingDepth(root: unknown, path: readonly string[]): number {
  let current: unknown = root;
  let depth = 0;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) break;
    const child = (current as Record<string, unknown>)[segment];
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
  path.forEach((segment, index) => {
    if (index === path.length - 1) {
      if (value === undefined) delete current[segment];
      else current[segment] = value;
      return;
    }
    const child = current[segment];
    if (child === null || typeof child !== 'object' || Array.isArray(child)) {
      current[segment] = {};
    }
    current = current[segment] as JsonObject;
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
