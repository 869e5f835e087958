/**
 * The store port's rate-limit token shapes (part of src/store/port.ts, which re-exports
 * them): see `EventStore.takeTokens` and `EventStore.returnTokens`.
 */

/**
 * One request for rate-limit tokens (see `EventStore.takeTokens`). A key's limit is
 * whatever its callers pass: all callers of one key are expected to pass the same `max`
 * and `intervalMs` (a caller with a smaller `max` simply gets fewer).
 */
export interface TokenRequest {
  /** The limit's name, e.g. `RQ_CHARGE` or `RQ_CHARGE/g:tenant-7`: 1 to 512 characters. */
  readonly key: string;
  /** Grants allowed in any window of `intervalMs`: a whole number in [1, 100,000]. */
  readonly max: number;
  /** The window, in milliseconds of the store's clock: a whole number in [1, one day]. */
  readonly intervalMs: number;
  /** Tokens wanted: a whole number in [0, max] (0 only asks when the next one comes). */
  readonly want: number;
}

/** What `EventStore.takeTokens` granted for one request. */
export interface TokenGrant {
  /** Tokens granted, 0..want. */
  readonly granted: number;
  /** The store's clock when the grant was judged (the time the grant counts at): give it back with {@link TokenReturn.at}. */
  readonly at: number;
  /** When the key next has a token (store clock): `at` while tokens are left after this grant. */
  readonly nextAt: number;
}

/** Unused tokens given back (see `EventStore.returnTokens`). */
export interface TokenReturn {
  readonly key: string;
  /** The {@link TokenGrant.at} of the grant they came from. */
  readonly at: number;
  /** How many, ≤ what that grant gave. */
  readonly count: number;
}
