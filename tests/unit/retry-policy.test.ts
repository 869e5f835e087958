import { describe, expect, it } from 'vitest';
import { backoffDelay, decideFailure, resolveRetryPolicy } from '../../src/core/retry-policy.js';
import { ErrorCode, EventyardError, NonRetryableError } from '../../src/core/errors.js';

describe('backoffDelay', () => {
  it('fixed: always delayMs without jitter', () => {
    const policy = resolveRetryPolicy({ backoff: 'fixed', delayMs: 250, jitter: false });
    for (let attempt = 1; attempt <= 20; attempt++) expect(backoffDelay(policy, attempt)).toBe(250);
  });

  it('exponential: doubles from delayMs and stops at maxDelayMs', () => {
    const policy = resolveRetryPolicy({ delayMs: 100, maxDelayMs: 1000, jitter: false });
    expect([1, 2, 3, 4, 5, 6, 100, 5000].map((a) => backoffDelay(policy, a))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000, 1000,
    ]);
  });

  it('full jitter stays within [0, ceiling] and reaches both ends', () => {
    const policy = resolveRetryPolicy({ delayMs: 100, maxDelayMs: 1000 });
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(policy, attempt, () => 0)).toBe(0);
      expect(backoffDelay(policy, attempt, () => 0.999999999)).toBe(ceiling);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(policy, attempt);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });
});

describe('decideFailure', () => {
  class PaymentDeclined extends Error {}
  const policy = resolveRetryPolicy({ maxAttempts: 3, delayMs: 10, jitter: false, nonRetryable: [PaymentDeclined] });

  it('retries with backoff while attempts remain', () => {
    expect(decideFailure(policy, new Error('x'), 1, 3)).toEqual({ kind: 'retry', delayMs: 10 });
    expect(decideFailure(policy, new Error('x'), 2, 3)).toEqual({ kind: 'retry', delayMs: 20 });
  });
  it('fails when attempts are exhausted', () => {
    expect(decideFailure(policy, new Error('x'), 3, 3)).toEqual({ kind: 'fail', reason: 'attempts-exhausted' });
  });
  it('fails at once on the marker, a configured class, and bad payloads', () => {
    const nonRetryable = { kind: 'fail', reason: 'non-retryable' };
    expect(decideFailure(policy, new NonRetryableError('stop'), 1, 3)).toEqual(nonRetryable);
    expect(decideFailure(policy, new PaymentDeclined('no'), 1, 3)).toEqual(nonRetryable);
    expect(decideFailure(policy, new EventyardError(ErrorCode.PAYLOAD_INVALID, 'bad'), 1, 3)).toEqual(nonRetryable);
    expect(decideFailure(policy, new EventyardError(ErrorCode.HANDLER_TIMEOUT, 'slow'), 1, 3).kind).toBe('retry');
  });
});

describe('resolveRetryPolicy', () => {
  it('has documented defaults', () => {
    expect(resolveRetryPolicy()).toMatchObject({
      maxAttempts: 5,
      backoff: 'exponential',
      delayMs: 1000,
      maxDelayMs: 300_000,
      jitter: true,
    });
  });
  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 1.5 }, 'maxAttempts'],
    [{ backoff: 'linear' }, 'backoff'],
    [{ delayMs: -1 }, 'delayMs'],
    [{ delayMs: 10, maxDelayMs: 5 }, 'maxDelayMs'],
    [{ nonRetryable: 'Error' }, 'nonRetryable'],
    [{ attempts: 3 }, 'attempts'],
  ])('refuses %j naming %s', (input, key) => {
    try {
      resolveRetryPolicy(input as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EventyardError);
      expect((error as EventyardError).code).toBe(ErrorCode.INVALID_OPTION);
      expect((error as EventyardError).message).toContain(key);
    }
  });
});
