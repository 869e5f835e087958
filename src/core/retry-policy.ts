/**
 * The retry policy of a message type: how many attempts, how long to wait between them,
 * and which errors are not worth another attempt.
 *
 * Backoff "full jitter" (AWS architecture blog, "Exponential Backoff And Jitter"): the delay
 * before attempt n+1 is uniform in [0, min(cap, base * 2^(n-1))], which spreads a burst of
 * failures out instead of retrying them in lock step.
 */
import { ErrorCode, EventyardError, NonRetryableError } from './errors.js';
import { option, resolveOptions, type OptionsInput, type Resolved } from './options.js';

type ErrorClass = abstract new (...args: never[]) => Error;

const isErrorClassList = (v: unknown): v is readonly ErrorClass[] =>
  Array.isArray(v) && v.every((c) => typeof c === 'function');

export const retryPolicySchema = {
  /**
   * Attempts in all, the first included. 1 means no retry.
   * @defaultValue 5
   */
  maxAttempts: option.int({ min: 1, max: 1000, default: 5 }),
  /**
   * `fixed`: every retry waits `delayMs`. `exponential`: delayMs * 2^(attempt-1), capped.
   * @defaultValue 'exponential'
   */
  backoff: option.oneOf(['fixed', 'exponential'] as const, { default: 'exponential' }),
  /**
   * Base delay before a retry, in milliseconds.
   * @defaultValue 1000
   */
  delayMs: option.int({ min: 0, max: 7 * 24 * 3600_000, default: 1000 }),
  /**
   * Upper bound of an exponential delay, in milliseconds.
   * @defaultValue 300000 (5 minutes)
   */
  maxDelayMs: option.int({ min: 0, max: 7 * 24 * 3600_000, default: 300_000 }),
  /**
   * Full jitter: draw the delay uniformly from [0, computed delay].
   * @defaultValue true
   */
  jitter: option.boolean({ default: true }),
  /**
   * Error classes that go straight to FAILED. {@link NonRetryableError} always does.
   * @defaultValue []
   */
  nonRetryable: option.custom('array of Error classes', isErrorClassList, { default: [] }),
};

export type RetryPolicyOptions = OptionsInput<typeof retryPolicySchema>;
export type RetryPolicy = Resolved<typeof retryPolicySchema>;

export function resolveRetryPolicy(input?: RetryPolicyOptions): RetryPolicy {
  const policy = resolveOptions('retry policy', retryPolicySchema, input);
  if (policy.maxDelayMs < policy.delayMs) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'retry policy: maxDelayMs must be ≥ delayMs', {
      details: { option: 'maxDelayMs' },
    });
  }
  return policy;
}

/**
 * Delay before the attempt that follows `attempt` (1-based count of attempts made so far).
 * `random` returns a number in [0, 1); injected so tests can pin the jitter.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling =
    policy.backoff === 'fixed'
      ? policy.delayMs
      : Math.min(policy.maxDelayMs, policy.delayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 52));
  return policy.jitter ? Math.floor(random() * (ceiling + 1)) : ceiling;
}

/** What to do with a row whose attempt failed with `error`. */
export type FailureDecision =
  | { readonly kind: 'retry'; readonly delayMs: number }
  | { readonly kind: 'fail'; readonly reason: 'non-retryable' | 'attempts-exhausted' };

export function decideFailure(
  policy: RetryPolicy,
  error: unknown,
  attempts: number,
  maxAttempts: number,
  random?: () => number,
): FailureDecision {
  if (isNonRetryable(policy, error)) return { kind: 'fail', reason: 'non-retryable' };
  if (attempts >= maxAttempts) return { kind: 'fail', reason: 'attempts-exhausted' };
  return { kind: 'retry', delayMs: backoffDelay(policy, attempts, random) };
}

/** Bad data and missing handlers fail the same way every time: retrying only delays FAILED. */
const NEVER_RETRIED: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.PAYLOAD_INVALID,
  ErrorCode.PAYLOAD_MALFORMED,
  ErrorCode.PAYLOAD_TOO_LARGE,
  ErrorCode.UNKNOWN_MESSAGE_TYPE,
  ErrorCode.NO_HANDLER,
]);

function isNonRetryable(policy: RetryPolicy, error: unknown): boolean {
  if (error instanceof NonRetryableError) return true;
  if (error instanceof EventyardError && NEVER_RETRIED.has(error.code)) return true;
  return policy.nonRetryable.some((cls) => error instanceof cls);
}
