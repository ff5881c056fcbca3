/**
 * Kubernetes' MicroTime (Lease renewTime, Event eventTime): RFC 3339 with exactly six fractional
 * digits. The API server parses it with Go's layout "2006-01-02T15:04:05.000000Z07:00", so the
 * millisecond ISO string JavaScript writes is padded rather than sent as is.
 */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Seconds-precision Time (metav1.Time: firstTimestamp, creationTimestamp). */
export function secondsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 time (Time or MicroTime), or undefined when it is not one. */
export function parseKubeTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
