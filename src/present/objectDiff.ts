import type { KubeObject } from '../kube/objects';
import { displayName, refOf } from '../kube/objects';
import type { Palette } from './colors';
import { unifiedDiff } from './diff';

/**
 * managedFields is bookkeeping the server rewrites on every write; it would drown the diff. Keys
 * are put in kubectl's order so a list item (kind filled in by us) and a server answer line up.
 */
function forDiff(object: KubeObject): KubeObject {
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  const { apiVersion, kind, metadata: _metadata, spec, status, ...rest } = object as KubeObject & Record<string, unknown>;
  return { apiVersion, kind, metadata, ...(spec === undefined ? {} : { spec }), ...rest, ...(status === undefined ? {} : { status }) } as KubeObject;
}

/**
 * The YAML diff of one object, labelled like `kubectl diff` (live → planned or server answer). A
 * side that is undefined is an object that does not exist: created (before) or deleted (after).
 */
export async function objectDiff(before: KubeObject | undefined, after: KubeObject | undefined, afterLabel: string, colors: Palette, cluster?: string): Promise<string> {
  const { dump } = await import('js-yaml');
  const named = before ?? after;
  if (!named) return '';
  // Across two clusters the same name is two objects: the header says which one.
  const name = `${cluster ? `${cluster}: ` : ''}${named.metadata.namespace ? `${named.metadata.namespace}/` : ''}${displayName(refOf(named))}`;
  const toYaml = (object: KubeObject | undefined): string => (object ? dump(forDiff(object), { noRefs: true, lineWidth: -1, sortKeys: false }) : '');
  const fromLabel = before ? `${name} (live)` : `${name} (absent)`;
  const toLabel = after ? `${name} (${afterLabel})` : `${name} (${afterLabel}: deleted)`;
  return unifiedDiff(toYaml(before), toYaml(after), { from: fromLabel, to: toLabel }, colors);
}
