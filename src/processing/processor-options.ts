import { option, resolveOptions, type OptionsInput, type Resolved } from '../core/options.js';
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { StoreTuning } from '../store/port.js';

/** What `batchSize` may be, set as an option or by the store's tuning. */
const BATCH_SIZE_RANGE = { min: 1, max: 10_000 } as const;
/** What `claimsInFlight` may be, set as an option or by the store's tuning. */
const CLAIMS_IN_FLIGHT_RANGE = { min: 1, max: 8 } as const;

export const processorSchema = {
  /**
   * Handlers running at once.
   * @defaultValue 16
   */
  concurrency: option.int({ min: 1, max: 10_000, default: 16 }),
  /**
   * Rows claimed beyond free handler slots, kept locally; released unstarted on stop.
   * `'auto'`: as many as the handlers will have started by the time the next claim
   * answers (measured: handler time and claim round trip), at most `batchSize` (on a store
   * whose tuning asks for whole batches, PostgreSQL: the batch being worked through plus a
   * whole next one), a row or two while handlers are slow next to the claim (see
   * processing/prefetch.ts).
   * @defaultValue 'auto'
   */
  prefetch: option.custom('"auto" or an integer in [0, 10000]', isPrefetch, { default: 'auto' }),
  /**
   * Most rows claimed in one store call, and most outcomes written in one batch.
   * @defaultValue the store's (`tuning.batchSize`: 256 on PostgreSQL), else 64
   */
  batchSize: option.optional(option.int(BATCH_SIZE_RANGE)),
  /**
   * Claims kept on their way at once while a backlog lasts. The first claim always goes; a
   * further one only while another is on its way, the last one that answered came back full,
   * and there is room for a whole batch, so an idle or slow table still sees one claim at a
   * time. 1 on a store whose claims run side by side anyway.
   * @defaultValue the store's (`tuning.claimsInFlight`: 2 on Redis), else 1
   */
  claimsInFlight: option.optional(option.int(CLAIMS_IN_FLIGHT_RANGE)),
  /**
   * Lease length: a holder that stops heart-beating loses the row after this long.
   * @defaultValue 30000
   */
  leaseMs: option.int({ min: 50, max: 24 * 3600_000, default: 30_000 }),
  /**
   * Deadline of every store call a processor makes (claim, heartbeat, complete, fail, release,
   * the retry mechanism's sweeps). A call that has not answered by then fails as
   * EY_STORE_UNAVAILABLE, health turns unhealthy and one warning is logged per outage.
   * Lower it below a third of the lease only with care: a heartbeat must be able to fail
   * and be tried again while the lease still holds.
   * @defaultValue a third of `leaseMs`
   */
  storeTimeoutMs: option.optional(option.int({ min: 10, max: 3600_000 })),
  /**
   * A handler still running after this long is aborted and its attempt fails (retryable).
   * @defaultValue 60000
   */
  handlerTimeoutMs: option.int({ min: 1, max: 7 * 24 * 3600_000, default: 60_000 }),
  /**
   * First wait after an empty poll; doubles on each empty poll.
   * @defaultValue 10
   */
  idleMinMs: option.int({ min: 0, max: 60_000, default: 10 }),
  /**
   * Longest wait between polls of an idle table.
   * @defaultValue 500
   */
  idleMaxMs: option.int({ min: 1, max: 600_000, default: 500 }),
  /**
   * On stop, in-flight handlers get this long to finish before they are aborted.
   * @defaultValue 10000
   */
  shutdownTimeoutMs: option.int({ min: 0, max: 3600_000, default: 10_000 }),
};

function isPrefetch(v: unknown): v is number | 'auto' {
  return v === 'auto' || (Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= 10_000);
}

export type ProcessorOptions = OptionsInput<typeof processorSchema>;
/** The options a processor runs with: every default filled in, the store's included. */
export type ResolvedProcessorOptions = Resolved<typeof processorSchema> & {
  readonly batchSize: number;
  readonly claimsInFlight: number;
  /** The store's `tuning.wholeBatches` (processing/prefetch.ts). */
  readonly wholeBatches: boolean;
};

/** `batchSize` where neither the options nor the store's tuning set one. */
export const DEFAULT_BATCH_SIZE = 64;

/** Resolves processor options; an unset `batchSize` is the store's (`tuning`), else 64. */
export function resolveProcessorOptions(input?: ProcessorOptions, tuning?: StoreTuning): ResolvedProcessorOptions {
  const options = resolveOptions('processor', processorSchema, input);
  return {
    ...options,
    batchSize: options.batchSize ?? tuned('batchSize', tuning?.batchSize, BATCH_SIZE_RANGE) ?? DEFAULT_BATCH_SIZE,
    claimsInFlight:
      options.claimsInFlight ?? tuned('claimsInFlight', tuning?.claimsInFlight, CLAIMS_IN_FLIGHT_RANGE) ?? 1,
    wholeBatches: tuning?.wholeBatches === true,
  };
}

/** A store's tuning value, checked against the option's range. */
function tuned(
  name: string,
  value: number | undefined,
  { min, max }: { readonly min: number; readonly max: number },
): number | undefined {
  if (value !== undefined && !(Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new EventyardError(
      ErrorCode.INVALID_OPTION,
      `the store's tuning.${name} must be an integer in [${min}, ${max}]; got ${String(value)}`,
    );
  }
  return value;
}

/** The store-call deadline in effect: `storeTimeoutMs`, or a third of the lease. */
export function storeDeadlineMs(options: Pick<ResolvedProcessorOptions, 'leaseMs' | 'storeTimeoutMs'>): number {
  return options.storeTimeoutMs ?? Math.max(10, Math.floor(options.leaseMs / 3));
}
