/**
 * Rate-limit tokens (`takeTokens` / `returnTokens`, optional as a pair) and the delayed
 * release rate-limited rows wait in. The rule is in store/port.ts: any window of
 * `intervalMs` of the store's clock holds at most `max` grants of a key.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ErrorCode, isEventyardError } from '../../core/errors.js';
import type { EventStore, TokenGrant, TokenRequest, TokenReturn } from '../../store/port.js';
import { claimNone, claimOne, expectRow, leaseRefOf, newMessage, sleep } from '../builders.js';
import type { ConformanceCase } from '../types.js';

interface Tokens {
  take(requests: readonly TokenRequest[]): Promise<readonly TokenGrant[]>;
  give(returns: readonly TokenReturn[]): Promise<void>;
}

function tokensOf(store: EventStore): Tokens {
  assert.ok(
    typeof store.takeTokens === 'function' && typeof store.returnTokens === 'function',
    'the store has no takeTokens/returnTokens',
  );
  return {
    take: async (r) => (await store.takeTokens?.(r)) ?? [],
    give: async (r) => {
      await store.returnTokens?.(r);
    },
  };
}

/** A fresh key per case: stores sharing a server keep their keys apart by prefix, cases by name. */
const freshKey = (label: string): string => `RQ_RATE_${label}/g:${randomUUID()}`;

async function takeOne(tokens: Tokens, request: TokenRequest): Promise<TokenGrant> {
  const [grant] = await tokens.take([request]);
  assert.ok(grant !== undefined, 'takeTokens returned no result');
  return grant;
}

export const rateTokenCases: readonly ConformanceCase[] = [
  {
    name: 'rate tokens: grants up to max, then none until the window passes, judged by the store clock',
    requires: 'rateTokens',
    async run({ store, timing }) {
      const tokens = tokensOf(store);
      const key = freshKey('WINDOW');
      const limit = { key, max: 5, intervalMs: 400 };
      const before = await store.now();
      const first = await takeOne(tokens, { ...limit, want: 3 });
      const after = await store.now();
      assert.equal(first.granted, 3);
      assert.ok(
        first.at >= before - timing.clockToleranceMs && first.at <= after + timing.clockToleranceMs,
        'at is not the store clock',
      );
      assert.equal(first.nextAt, first.at, 'tokens are left, so the next one is available at once');
      const second = await takeOne(tokens, { ...limit, want: 4 });
      assert.equal(second.granted, 2, 'max 5: 3 + 2');
      assert.equal(second.nextAt, first.at + 400, 'the next token comes when the first grant leaves the window');
      const third = await takeOne(tokens, { ...limit, want: 1 });
      assert.equal(third.granted, 0);
      assert.equal(third.nextAt, first.at + 400);
      // Still inside the window by the store's clock: nothing.
      const early = first.at + 400 - (await store.now()) - 150;
      if (early > 0) await sleep(early);
      if ((await store.now()) < first.at + 400 - 20) {
        assert.equal((await takeOne(tokens, { ...limit, want: 1 })).granted, 0, 'granted before the window passed');
      }
      await sleep(Math.max(0, first.at + 400 - (await store.now())) + timing.clockToleranceMs + 5);
      const refill = await takeOne(tokens, { ...limit, want: 5 });
      assert.ok(refill.at >= first.at + 400, 'store clock went backwards');
      // The 3 of the first grant left the window; the 2 of the second may still count.
      const expected = refill.at >= second.at + 400 ? 5 : 3;
      assert.equal(refill.granted, expected, `granted ${refill.granted} at +${refill.at - first.at} ms`);
    },
  },
  {
    name: 'rate tokens: a sliding window, not a fixed one: grants leave it one by one',
    requires: 'rateTokens',
    async run({ store, timing }) {
      const tokens = tokensOf(store);
      const limit = { key: freshKey('SLIDE'), max: 4, intervalMs: 600 };
      const a = await takeOne(tokens, { ...limit, want: 3 });
      assert.equal(a.granted, 3);
      await sleep(250);
      const b = await takeOne(tokens, { ...limit, want: 3 });
      assert.equal(b.granted, 1);
      assert.equal(b.nextAt, a.at + 600, 'one token comes back when the first grant expires');
      await sleep(Math.max(0, a.at + 600 - (await store.now())) + timing.clockToleranceMs + 5);
      const c = await takeOne(tokens, { ...limit, want: 4 });
      if (c.at < b.at + 600) {
        assert.equal(c.granted, 3, 'only the expired grant of 3 is free; the later 1 still counts');
        assert.equal(c.nextAt, b.at + 600);
      }
    },
  },
  {
    name: 'rate tokens: atomic across concurrent callers, never more than max in total',
    requires: 'rateTokens',
    async run({ store }) {
      const tokens = tokensOf(store);
      const limit = { key: freshKey('RACE'), max: 25, intervalMs: 60_000 };
      const grants = await Promise.all(
        Array.from({ length: 30 }, () => tokens.take([{ ...limit, want: 3 }]).then((g) => g[0]?.granted ?? -1)),
      );
      assert.equal(
        grants.reduce((sum, g) => sum + g, 0),
        25,
        `granted ${grants.join(',')}`,
      );
      assert.ok(grants.every((g) => g >= 0 && g <= 3));
      assert.equal((await takeOne(tokens, { ...limit, want: 1 })).granted, 0);
    },
  },
  {
    name: 'rate tokens: keys are independent, and one call judges several in order',
    requires: 'rateTokens',
    async run({ store }) {
      const tokens = tokensOf(store);
      const a = { key: freshKey('A'), max: 2, intervalMs: 60_000 };
      const b = { key: freshKey('B'), max: 3, intervalMs: 60_000 };
      const grants = await tokens.take([
        { ...a, want: 2 },
        { ...b, want: 1 },
        { ...a, want: 1 },
        { ...b, want: 3 },
      ]);
      assert.deepEqual(
        grants.map((g) => g.granted),
        [2, 1, 0, 2],
      );
      assert.equal((await takeOne(tokens, { key: freshKey('C'), max: 7, intervalMs: 60_000, want: 7 })).granted, 7);
    },
  },
  {
    name: 'rate tokens: unused tokens given back can be granted again; a wrong grant time gives nothing back',
    requires: 'rateTokens',
    async run({ store }) {
      const tokens = tokensOf(store);
      const limit = { key: freshKey('RETURN'), max: 5, intervalMs: 60_000 };
      const grant = await takeOne(tokens, { ...limit, want: 5 });
      assert.equal(grant.granted, 5);
      await tokens.give([{ key: limit.key, at: grant.at - 1, count: 2 }]);
      await tokens.give([{ key: freshKey('OTHER'), at: grant.at, count: 2 }]);
      assert.equal(
        (await takeOne(tokens, { ...limit, want: 1 })).granted,
        0,
        'a return for another grant or key gave tokens back',
      );
      await tokens.give([{ key: limit.key, at: grant.at, count: 2 }]);
      assert.equal((await takeOne(tokens, { ...limit, want: 5 })).granted, 2);
      await tokens.give([{ key: limit.key, at: grant.at, count: 50 }]);
      const again = await takeOne(tokens, { ...limit, want: 5 });
      assert.ok(again.granted <= 5, 'more given back than granted');
    },
  },
  {
    name: 'rate tokens: bad requests are EY_INVALID_RATE_LIMIT and take nothing',
    requires: 'rateTokens',
    async run({ store }) {
      const tokens = tokensOf(store);
      const key = freshKey('BAD');
      const bad: TokenRequest[] = [
        { key, max: 0, intervalMs: 1000, want: 0 },
        { key, max: Number.NaN, intervalMs: 1000, want: 1 },
        { key, max: 2.5, intervalMs: 1000, want: 1 },
        { key, max: 5, intervalMs: 0, want: 1 },
        { key, max: 5, intervalMs: 1000, want: 6 },
        { key, max: 5, intervalMs: 1000, want: -1 },
        { key: '', max: 5, intervalMs: 1000, want: 1 },
      ];
      for (const request of bad) {
        await assert.rejects(
          tokens.take([{ key, max: 5, intervalMs: 1000, want: 1 }, request]),
          (error: unknown) => isEventyardError(error, ErrorCode.INVALID_RATE_LIMIT),
          JSON.stringify(request),
        );
      }
      assert.equal(
        (await takeOne(tokens, { key, max: 5, intervalMs: 1000, want: 5 })).granted,
        5,
        'a refused call took tokens',
      );
    },
  },
  {
    name: 'release with delayMs: back to UNPROCESSED or RETRY, attempt uncounted, claimable only after the delay',
    async run({ store, timing }) {
      const message = newMessage();
      await store.publish([message]);
      const claimed = await claimOne(store);
      const before = await store.now();
      assert.deepEqual(await store.release([leaseRefOf(claimed)], 'SERVICE_RATE', 400), ['ok']);
      const after = await store.now();
      const row = await expectRow(store, message.eventId, { status: 'UNPROCESSED', attempts: 0 });
      assert.ok(
        row.availableAt >= before + 400 - timing.clockToleranceMs &&
          row.availableAt <= after + 400 + timing.clockToleranceMs,
        `AVAILABLE_AT ${row.availableAt - before} ms after the release, expected 400`,
      );
      assert.equal(row.updatedBy, 'SERVICE_RATE');
      assert.equal(row.claimToken, null);
      await claimNone(store);
      await sleep(Math.max(0, row.availableAt - (await store.now())) + timing.marginMs);
      const again = await claimOne(store);
      assert.equal(again.attempts, 1);
      // A later attempt goes back to RETRY, its attempt uncounted, delayed too.
      assert.deepEqual(
        await store.fail([{ ref: leaseRefOf(again), updatedBy: 'SERVICE_RATE', error: 'boom', retryDelayMs: 0 }]),
        ['ok'],
      );
      await sleep(2);
      assert.equal(await store.promoteDueRetries(10, 'RETRIER'), 1);
      const second = await claimOne(store);
      assert.equal(second.attempts, 2);
      assert.deepEqual(await store.release([leaseRefOf(second)], 'SERVICE_RATE', 60_000), ['ok']);
      const retry = await expectRow(store, message.eventId, { status: 'RETRY', attempts: 1 });
      assert.ok(retry.availableAt >= (await store.now()) + 50_000, 'RETRY row released with a delay is due at once');
      await claimNone(store);
    },
  },
];
