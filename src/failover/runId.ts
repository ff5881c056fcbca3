import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors';

/**
 * A run id: 10 lowercase hex digits (5 random bytes). It names the journal file and the last-mile
 * Migration, so nothing else is ever accepted where one is expected: "../x" must not reach a path.
 */
export const RUN_ID_PATTERN = /^[0-9a-f]{10}$/;

export const RUN_ID_FORMAT = '10 lowercase hex digits, as `kubectl failover runs` lists them';

export function newRunId(): string {
  return randomBytes(5).toString('hex');
}

export function isRunId(value: string): boolean {
  return RUN_ID_PATTERN.test(value);
}

/** The id as given, if it is one; else a usage error (exit 2) naming where it came from. */
export function checkRunId(value: string, where: string): string {
  if (!isRunId(value)) throw new UsageError(`${where} ${JSON.stringify(value)} is not a run id (${RUN_ID_FORMAT})`);
  return value;
}
