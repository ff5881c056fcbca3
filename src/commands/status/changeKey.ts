import type { StatusReport } from './execute';

/** What makes a status different for --watch: everything but the ages, which grow by themselves (their timestamps are kept). */
export function statusChangeKey(report: StatusReport): string {
  return JSON.stringify(report, (key, value: unknown) => (key === 'lastSuccessAgeSeconds' ? undefined : value));
}
