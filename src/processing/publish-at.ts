/**
 * `at`: publish a message that is not claimable before an absolute time. The store port
 * knows only delays (AVAILABLE_AT = the store's now + delayMs), so `at` becomes a delay
 * against the store's clock, read once per publish call: the row is never claimable before
 * `at` by the store's clock (it may be later by up to the time the publish took).
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { MAX_DELAY_MS } from './message-builder.js';

/** What `at` may be: a Date or epoch milliseconds. */
export type PublishAt = Date | number;

/** `at` as epoch ms, after checking it (EY_INVALID_OPTION); undefined when absent. */
export function checkAt(at: unknown, delayMs: unknown): number | undefined {
  if (at === undefined) return undefined;
  if (delayMs !== undefined) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'give either `at` or `delayMs`, not both', {
      details: { option: 'at' },
    });
  }
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      '`at` must be a valid Date or a whole number of epoch milliseconds',
      { details: { option: 'at' } },
    );
  }
  return ms;
}

/** The delay that makes a row claimable at `atMs` when the store's clock reads `nowMs`. */
export function delayUntil(atMs: number, nowMs: number): number {
  const delayMs = Math.max(0, atMs - nowMs);
  if (delayMs > MAX_DELAY_MS) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `\`at\` is more than ${MAX_DELAY_MS} ms (one year) after the store's clock (${new Date(nowMs).toISOString()})`,
      { details: { option: 'at' } },
    );
  }
  return delayMs;
}
