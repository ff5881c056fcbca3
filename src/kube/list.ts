import type { KubeClient } from './client';
import type { KubeObject, ObjectList } from './objects';
import { apiVersionOf, collectionPath, type ApiResource } from './resources';

export interface ListOptions {
  /** Omit for all namespaces (one LIST for the whole cluster). */
  namespace?: string;
  labelSelector?: string;
  pageSize?: number;
}

/** Lists every object of a resource, following `continue` tokens; items get apiVersion/kind filled in. */
export async function listAll(client: KubeClient, resource: ApiResource, options: ListOptions = {}): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let continueToken: string | undefined;
  do {
    const page: ObjectList = await client.request<ObjectList>({
      method: 'GET',
      path: collectionPath(resource, options.namespace),
      query: { labelSelector: options.labelSelector, limit: options.pageSize ?? 500, continue: continueToken },
      verb: 'list',
    });
    for (const item of page.items ?? []) {
      items.push({ ...item, apiVersion: apiVersionOf(resource), kind: resource.kind });
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return items;
}
