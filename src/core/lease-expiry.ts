/**
 * What the reaper writes to LAST_ERROR when a lease expires, and how a processor tells an
 * owner that died or paused from a row that kills its worker.
 *
 * When an owner stops (killed, frozen, cut off by the network) every row it held expires
 * together, and each row's expiry is its first in a row: those rows are run again at
 * normal concurrency. A row that kills whoever runs it expires again under the next owner:
 * that second consecutive expiry, under a different owner, marks it as a crash suspect,
 * which a processor runs alone (see processor.ts) until it completes, fails or ends FAILED
 * when its attempts are spent. An owner that expires the same row twice (paused twice) is
 * not a reason to suspect the row.
 *
 * Every store writes the same text (SQL and Lua carry the same rule):
 * - first expiry:                       `EY_LEASE_LOST: lease of <owner> expired at <ISO time>`
 * - again, the previous LAST_ERROR being
 *   an expiry under a different owner:  `EY_LEASE_LOST: again: lease of <owner> expired at <ISO time>`
 */
import { ErrorCode } from './errors.js';

const FIRST = `${ErrorCode.LEASE_LOST}: lease of `;
const AGAIN = `${ErrorCode.LEASE_LOST}: again: lease of `;

/** LAST_ERROR for a row whose lease of `owner` expired at `expiredAt`, given its previous LAST_ERROR. */
export function leaseExpiredError(owner: string | null, expiredAt: string, previous: string | null): string {
  const who = owner ?? '(unknown)';
  const again =
    previous !== null &&
    (previous.startsWith(FIRST) || previous.startsWith(AGAIN)) &&
    !previous.includes(`lease of ${who} expired at `);
  return `${again ? AGAIN : FIRST}${who} expired at ${expiredAt}`;
}

/** The row came back from an expired lease (its last attempt's owner died, paused or was cut off). */
export function isLeaseExpiry(lastError: string | null): boolean {
  return lastError !== null && (lastError.startsWith(FIRST) || lastError.startsWith(AGAIN));
}

/** The row's lease expired twice in a row under different owners: it may kill its worker. */
export function isRepeatedLeaseExpiry(lastError: string | null): boolean {
  return lastError?.startsWith(AGAIN) === true;
}

/**
 * A claimed row whose lease expired twice in a row under different owners: it may kill
 * whoever runs it, so a processor runs it alone. One expiry alone is what every row of a
 * dead or paused owner shows, and those run again at normal concurrency.
 */
export function isCrashSuspect(row: { readonly attempts: number; readonly lastError: string | null }): boolean {
  return row.attempts > 1 && isRepeatedLeaseExpiry(row.lastError);
}
