/** Largest value of an int32 `spec.replicas`. */
export const MAX_REPLICAS = 2_147_483_647;

export type ParsedCount = { ok: true; count: number } | { ok: false; problem: string };

/** Parses a recorded replica count strictly: a plain non-negative decimal integer that fits in int32. */
export function parseReplicaCount(raw: string): ParsedCount {
  const text = raw.trim();
  if (text === '') return { ok: false, problem: 'is empty' };
  if (/^-\d+$/.test(text)) return { ok: false, problem: `"${raw}" is negative` };
  if (!/^\d+$/.test(text)) return { ok: false, problem: `"${raw}" is not an integer` };
  const count = Number(text);
  if (!Number.isSafeInteger(count) || count > MAX_REPLICAS) return { ok: false, problem: `"${raw}" is too large (max ${MAX_REPLICAS})` };
  return { ok: true, count };
}
