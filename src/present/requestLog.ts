import { STATUS_CODES } from 'node:http';
import type { RequestLogEntry } from '../kube/client';

/**
 * -v=6: one line per API request, as kubectl's round-tripper logs them:
 * `GET https://10.0.0.1:6443/api/v1/namespaces?limit=500 200 OK in 12 milliseconds`.
 * Built from the entry alone, which holds no header, so no credential can reach the log.
 */
export function formatRequestLog(entry: RequestLogEntry): string {
  const outcome = entry.status === undefined ? `failed (${entry.error ?? 'no answer'})` : `${entry.status} ${STATUS_CODES[entry.status] ?? ''}`.trimEnd();
  return `${entry.method} ${entry.url} ${outcome} in ${entry.ms} milliseconds`;
}
