/**
 * The rate-limit token rule of the store port (`EventStore.takeTokens`), as plain functions
 * over a key's **grant log**: the grants still counting, oldest first, as `[at, n]` pairs
 * (n tokens granted at store time `at`; grants of one millisecond share a pair). The
 * memory and SQLite stores run these functions inside their atomic step; PostgreSQL
 * (PL/pgSQL) and Redis (Lua) carry the same rule in their own language, and the
 * conformance cases (testing/cases/rate-tokens.ts) hold all of them to it.
 *
 * Why a log and not a token bucket: a bucket of `max` refilling at max/interval lets up to
 * 2·max - 1 starts into one window (a full bucket spent, then the refill). The log gives
 * the guarantee users read into "20 per 500 ms": no window of 500 ms ever holds more than
 * 20 grants. Its size is bounded by `max` pairs (each pair holds at least one token).
 */
import { MAX_RATE_INTERVAL_MS, MAX_RATE_LIMIT } from '../core/rate-limit.js';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { TokenGrant, TokenRequest, TokenReturn } from './port.js';

/** A key's grant log: `[at, n]` pairs, `at` ascending. */
export type GrantLog = [at: number, n: number][];

/** Longest key, in characters. */
export const MAX_RATE_KEY_LENGTH = 512;

const whole = (value: unknown, min: number, max: number): boolean =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

function invalid(what: string, value: unknown): never {
  throw new EventyardError(ErrorCode.INVALID_RATE_LIMIT, `takeTokens: ${what}, got ${JSON.stringify(value)}`, {
    details: { [what.split(' ')[0] as string]: value },
  });
}

function checkKey(key: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_RATE_KEY_LENGTH) {
    invalid(`key must be a string of 1 to ${MAX_RATE_KEY_LENGTH} characters`, key);
  }
}

/** Checks token requests (EY_INVALID_RATE_LIMIT); every store calls it first. */
export function checkTokenRequests(requests: readonly TokenRequest[]): void {
  for (const r of requests) {
    checkKey(r.key);
    if (!whole(r.max, 1, MAX_RATE_LIMIT)) invalid(`max must be a whole number in [1, ${MAX_RATE_LIMIT}]`, r.max);
    if (!whole(r.intervalMs, 1, MAX_RATE_INTERVAL_MS)) {
      invalid(`intervalMs must be a whole number in [1, ${MAX_RATE_INTERVAL_MS}]`, r.intervalMs);
    }
    if (!whole(r.want, 0, r.max)) invalid(`want must be a whole number in [0, max]`, r.want);
  }
}

/** Checks token returns (EY_INVALID_RATE_LIMIT). */
export function checkTokenReturns(returns: readonly TokenReturn[]): void {
  for (const r of returns) {
    checkKey(r.key);
    if (!whole(r.at, 0, Number.MAX_SAFE_INTEGER)) invalid('at must be a store time in epoch ms', r.at);
    if (!whole(r.count, 0, MAX_RATE_LIMIT)) invalid(`count must be a whole number in [0, ${MAX_RATE_LIMIT}]`, r.count);
  }
}

/**
 * Judges one request at store time `now` against `log` (changed in place: expired pairs
 * dropped, the grant appended). Returns the grant and when the log may be forgotten
 * (`expiresAt`: its newest entry stops counting).
 */
export function takeFromLog(
  log: GrantLog,
  request: Pick<TokenRequest, 'max' | 'intervalMs' | 'want'>,
  now: number,
): TokenGrant & { expiresAt: number } {
  const { max, intervalMs, want } = request;
  let drop = 0;
  while (drop < log.length && (log[drop] as [number, number])[0] <= now - intervalMs) drop++;
  if (drop > 0) log.splice(0, drop);
  let used = 0;
  for (const [, n] of log) used += n;
  const last = log[log.length - 1];
  const at = last === undefined ? now : Math.max(now, last[0]);
  const granted = Math.max(0, Math.min(want, max - used));
  if (granted > 0) {
    if (last !== undefined && last[0] === at) last[1] += granted;
    else log.push([at, granted]);
  }
  const total = used + granted;
  let nextAt = at;
  if (total >= max) {
    // One more token once total - max + 1 entries have expired.
    const need = total - max + 1;
    let expired = 0;
    for (const [entryAt, n] of log) {
      expired += n;
      if (expired >= need) {
        nextAt = entryAt + intervalMs;
        break;
      }
    }
  }
  const newest = log[log.length - 1];
  return { granted, at, nextAt, expiresAt: newest === undefined ? now : newest[0] + intervalMs };
}

/** Gives back up to `count` entries recorded at `at`; returns whether the log changed. */
export function returnToLog(log: GrantLog, at: number, count: number): boolean {
  const index = log.findIndex(([entryAt]) => entryAt === at);
  const entry = log[index];
  if (entry === undefined || count <= 0) return false;
  entry[1] -= Math.min(count, entry[1]);
  if (entry[1] === 0) log.splice(index, 1);
  return true;
}

/** A log from its stored JSON text; anything unreadable counts as empty (the limit is then lenient once, never stuck). */
export function parseGrantLog(text: string | null | undefined): GrantLog {
  if (text === null || text === undefined || text === '') return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (p): p is [number, number] =>
        Array.isArray(p) && p.length === 2 && Number.isSafeInteger(p[0]) && Number.isSafeInteger(p[1]) && p[1] > 0,
    );
  } catch {
    return [];
  }
}
