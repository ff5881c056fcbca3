/** Kubernetes `Status` body, as the API server returns it on failure. */
export interface ApiStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ message?: string; field?: string }> };
}

/** The API server answered with an error status. The message is the server's own one-liner. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly status: ApiStatus,
    readonly method: string,
    readonly path: string,
    readonly server = '',
  ) {
    super(describeApiError(statusCode, status, method, path, server));
    this.name = 'ApiError';
  }

  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** The API server could not be reached or did not answer in time. */
export class ConnectionError extends Error {
  constructor(
    readonly server: string,
    readonly causeText: string,
    /**
     * A connection was made before it failed, so the request may have reached the server and been
     * applied (a timeout, a reset). False when it never left (refused, DNS, TLS handshake).
     */
    readonly maybeDelivered = false,
  ) {
    super(`cannot reach the API server ${server}: ${causeText}`);
    this.name = 'ConnectionError';
  }
}

/**
 * Not sent: several requests in a row to this server got no answer, so the client stopped sending
 * (kube/breaker.ts) rather than wait out --request-timeout for every object left.
 */
export class ServerDownError extends Error {
  constructor(
    readonly server: string,
    readonly causeText: string,
  ) {
    super(`not sent: the API server ${server} stopped answering (${causeText})`);
    this.name = 'ServerDownError';
  }
}

/** A 2xx answer that is not Kubernetes JSON: a proxy's or a portal's page in front of the server. */
export class UnexpectedAnswerError extends Error {
  constructor(
    readonly server: string,
    method: string,
    path: string,
    statusCode: number,
    body: string,
  ) {
    const start = body.replace(/\s+/g, ' ').trim().slice(0, 60);
    super(`the server ${server} is not a Kubernetes API server: it answered ${method} ${path} with ${statusCode} and a body that is not JSON ("${start}${body.length > 60 ? '…' : ''}")`);
    this.name = 'UnexpectedAnswerError';
  }
}

/** Any failure to get a usable answer from a server: unreachable, an HTTP error status, not Kubernetes. */
export function isServerFailure(error: unknown): boolean {
  return error instanceof ConnectionError || error instanceof ApiError || error instanceof UnexpectedAnswerError || error instanceof ServerDownError;
}

function describeApiError(statusCode: number, status: ApiStatus, method: string, path: string, server: string): string {
  const message = (status.message ?? '').split('\n')[0]?.trim();
  // The server's own text for 401 is a bare "Unauthorized": say whose credentials and where, as kubectl does.
  if (statusCode === 401) return `you must be logged in to the server${server ? ` ${server}` : ''}: the credentials in the kubeconfig were rejected (${message || 'Unauthorized'})`;
  if (message) return message;
  const what = `${method} ${path}`;
  switch (statusCode) {
    case 403:
      return `forbidden: ${what}`;
    case 404:
      return `not found: ${what}`;
    default:
      return `the API server answered ${statusCode} ${status.reason ?? ''} to ${what}`.replace(/\s+/g, ' ');
  }
}

/** Node's socket/TLS error codes, said the way an operator reads them. */
export function describeNetworkError(error: NodeJS.ErrnoException, timeoutMs: number): string {
  const code = error.code ?? '';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `DNS lookup failed for ${error.message.split(' ').pop() ?? 'the host'}`;
    case 'ECONNRESET':
      return 'connection reset by the server';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
    case 'KF_TIMEOUT':
      return `no answer within ${timeoutMs / 1000}s (--request-timeout)`;
    default:
      if (/CERT|SSL|TLS|SELF_SIGNED|ALTNAME|UNABLE_TO_VERIFY/i.test(code) || /certificate/i.test(error.message)) {
        return `TLS verification failed: ${error.message}`;
      }
      return error.message || code || 'unknown network error';
  }
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 404;
}

/** A create found the name taken (409 AlreadyExists; a 409 Conflict is an update race). */
export function isAlreadyExists(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 409 && error.reason === 'AlreadyExists';
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.statusCode === 403;
}

/**
 * A JSON patch `test` op failed (or a path it relied on vanished), or an update raced: the object
 * changed since we read it. The API server reports failed patch ops as a bare 422 "Invalid" with no
 * causes, unlike validation errors, which name the field.
 */
export function isPreconditionFailure(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  if (error.statusCode === 409) return true;
  if (error.statusCode !== 422) return false;
  const causes = error.status.details?.causes ?? [];
  return causes.length === 0 && /rejected our request due to an error in our request|test(ing value)?.*failed/i.test(error.status.message ?? '');
}
