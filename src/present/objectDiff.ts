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

/** The YAML diff of one object, labelled like `kubectl diff` (live → planned or server answer). */
export async function objectDiff(before: KubeObject, after: KubeObject, afterLabel: string, colors: Palette): Promise<string> {
  const { dump } = await import('js-yaml');
  const name = `${before.metadata.namespace ? `${before.metadata.namespace}/` : ''}${displayName(refOf(before))}`;
  const toYaml = (object: KubeObject): string => dump(forDiff(object), { noRefs: true, lineWidth: -1, sortKeys: false });
  return unifiedDiff(toYaml(before), toYaml(after), { from: `${name} (live)`, to: `${name} (${afterLabel})` }, colors);
}
