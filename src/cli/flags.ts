import { UsageError } from '../core/errors';
import { parseDuration } from '../util/duration';

/**
 * Parsing of the values verbs share, in one place: each returns the typed value or throws a
 * UsageError that names the flag, the value and what is allowed.
 */

export function parseChoice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new UsageError(`invalid ${flag} "${value}": use one of ${allowed.join(', ')}`);
  return found;
}

/** A duration such as 0, 30s, 1m30s; milliseconds. */
export function parseDurationFlag(flag: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new UsageError(`invalid ${flag} "${value}": use a duration such as 0, 90s, 5m or 1h`);
  return ms;
}

/** A whole number of parallel requests, at least 1. */
export function parseConcurrency(value: string | number): number {
  const text = String(value).trim();
  const number = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(`invalid --concurrency "${value}": use a whole number of at least 1, e.g. 16`);
  }
  return number;
}

/** A positive number (may have a fraction). */
export function parsePositiveNumber(flag: string, value: string | number): number {
  const text = String(value).trim();
  const number = Number(text);
  if (text === '' || !Number.isFinite(number) || number <= 0) throw new UsageError(`invalid ${flag} "${value}": use a number greater than 0, e.g. 3`);
  return number;
}

/** A value flag given no or an empty value would quietly fall back to a default. */
export function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a non-empty value`);
  return value;
}

/** yargs coerce for a value flag: given twice (-n a -n b), the last one wins, as in kubectl (not "a,b"). */
export function lastWins(value: string | string[]): string {
  return Array.isArray(value) ? String(value[value.length - 1] ?? '') : value;
}

/**
 * A comma-separated list of namespace names (--include-namespaces a,b), given once or repeated
 * (repeats add up, as storkctl's string slices do). An empty item is a mistake, not "none".
 */
export function parseNamespaceList(flag: string, value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const given = typeof value === 'string' ? [value] : value;
  const names: string[] = [];
  for (const text of given) {
    const items = text.split(',').map((item) => item.trim());
    if (items.some((item) => item === '')) throw new UsageError(`${flag} "${text}": an empty namespace name; use a comma-separated list such as shop,billing`);
    for (const item of items) if (!names.includes(item)) names.push(item);
  }
  return names;
}
