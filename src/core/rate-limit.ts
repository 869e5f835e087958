/**
 * Rate limits of message types: at most `max` handler starts per `intervalMs`, for the type
 * as a whole or for each group of it (`perGroup`), shared by every process through the
 * store's token primitive (`EventStore.takeTokens`, see store/rate-log.ts for the rule).
 * Checked at declaration: a limit of 0, NaN or a fraction is a mistake the author should
 * hear about at once, not a processor that silently never (or always) runs.
 */
import { ErrorCode, EventyardError } from './errors.js';

/** Most starts one limit may allow per interval (the store keeps at most this many grant entries per key). */
export const MAX_RATE_LIMIT = 100_000;
/** Longest interval: one day. */
export const MAX_RATE_INTERVAL_MS = 24 * 3600_000;

export interface RateLimitDeclaration {
  /** Starts allowed per interval: a whole number in [1, 100,000]. */
  readonly max: number;
  /** The interval in milliseconds: a whole number in [1, one day]. */
  readonly intervalMs: number;
  /** One limit per group of the type (the row's group key) instead of one for the type. @defaultValue false */
  readonly perGroup?: boolean | undefined;
}

/** A resolved rate limit, as a message type carries it. */
export interface RateLimit {
  readonly max: number;
  readonly intervalMs: number;
  readonly perGroup: boolean;
}

const wholeIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;

/** Checks a declaration's `rateLimit` (EY_INVALID_RATE_LIMIT). */
export function resolveRateLimit(messageType: string, declared: unknown): RateLimit {
  const where = `message type ${messageType}: rateLimit`;
  const fail = (why: string, details: Record<string, unknown> = {}): never => {
    throw new EventyardError(ErrorCode.INVALID_RATE_LIMIT, `${where} ${why}`, { details: { messageType, ...details } });
  };
  if (typeof declared !== 'object' || declared === null)
    return fail('must be an object { max, intervalMs, perGroup? }');
  const { max, intervalMs, perGroup, ...rest } = declared as Partial<RateLimitDeclaration>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) fail(`: unknown key "${unknownKey}"`, { option: unknownKey });
  if (!wholeIn(max, 1, MAX_RATE_LIMIT)) {
    fail(`.max must be a whole number in [1, ${MAX_RATE_LIMIT}], got ${String(max)}`, { max });
  }
  if (!wholeIn(intervalMs, 1, MAX_RATE_INTERVAL_MS)) {
    fail(
      `.intervalMs must be a whole number of milliseconds in [1, ${MAX_RATE_INTERVAL_MS}], got ${String(intervalMs)}`,
      {
        intervalMs,
      },
    );
  }
  if (perGroup !== undefined && typeof perGroup !== 'boolean') fail('.perGroup must be a boolean', { perGroup });
  return Object.freeze({ max: max as number, intervalMs: intervalMs as number, perGroup: perGroup === true });
}

/**
 * The store key of a type's limit (`TYPE`), or of one group's (`TYPE/g:<group key>`, and
 * `TYPE/none` for rows without a group key): type names never contain `/`.
 */
export function rateKey(messageType: string, groupKey?: string | null): string {
  if (groupKey === undefined) return messageType;
  return groupKey === null ? `${messageType}/none` : `${messageType}/g:${groupKey}`;
}
