import type { KubeApi } from './client';
import { UnexpectedAnswerError, isForbidden } from './errors';
import type { KubeObject, ObjectList } from './objects';
import { apiVersionOf, collectionPath, type ApiResource } from './resources';

export interface ListOptions {
  /** Omit for all namespaces (one LIST for the whole cluster). */
  namespace?: string;
  labelSelector?: string;
  pageSize?: number;
}

/** Lists every object of a resource, following `continue` tokens; items get apiVersion/kind filled in. */
export async function listAll(client: KubeApi, resource: ApiResource, options: ListOptions = {}): Promise<KubeObject[]> {
  const items: KubeObject[] = [];
  let continueToken: string | undefined;
  do {
    const page = await client.request<ObjectList | undefined>({
      method: 'GET',
      path: collectionPath(resource, options.namespace),
      query: { labelSelector: options.labelSelector, limit: options.pageSize ?? 500, continue: continueToken },
      verb: 'list',
    });
    if (!page || typeof page !== 'object' || !Array.isArray(page.items)) {
      throw new UnexpectedAnswerError(client.serverUrl, 'GET', collectionPath(resource, options.namespace), 200, JSON.stringify(page).slice(0, 200));
    }
    for (const item of page.items) {
      items.push({ ...item, apiVersion: apiVersionOf(resource), kind: resource.kind });
    }
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return items;
}

/**
 * Lists like listAll, but a 403 gives an empty list and a call of onForbidden with what could not
 * be read: users allowed into some namespaces are often not allowed to list everything.
 */
export async function listAllowed(client: KubeApi, resource: ApiResource, options: ListOptions, onForbidden: (what: string) => void): Promise<KubeObject[]> {
  const objects = await listIfAllowed(client, resource, options);
  if (objects) return objects;
  onForbidden(`${resource.resource}${resource.group ? `.${resource.group}` : ''}${options.namespace ? ` in namespace ${options.namespace}` : ' in all namespaces'}`);
  return [];
}

/** The objects, or undefined where RBAC forbids the read (the caller then reads another way). The one place a forbidden LIST is tolerated. */
export async function listIfAllowed(client: KubeApi, resource: ApiResource, options: ListOptions = {}): Promise<KubeObject[] | undefined> {
  try {
    return await listAll(client, resource, options);
  } catch (error) {
    if (!isForbidden(error)) throw error;
    return undefined;
  }
}
