/**
 * Rate limits with the real app, on every store of the factory list (and on a Redis
 * Cluster, flow-control-cluster.test.ts): two processes (two apps on one store) sharing a
 * limit never exceed it, counted exactly over the store's grants and over handler starts;
 * per-group limits are independent and their waiting rows are visible with AVAILABLE_AT in
 * the future; a processor waiting for a token does not poll the store and stops promptly.
 *
 * Group keys: RQ_RATED_G declares `group` (the payload's tenant, no practical in-flight
 * limit), so the stores write MessageRow.groupKey, which is what the rate gate reads.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type EventStore, type Eventyard } from '../../src/index.js';
import type { TokenGrant, TokenRequest, TokenReturn } from '../../src/store/port.js';
import type { OpenedStore, StoreFactory } from './store-factories.js';
import { eventually, rowsOf, sharedStore } from './flow-control.js';

const Job = z.object({ n: z.number(), tenant: z.string() });
const RQ_RATED = defineMessageType({ name: 'RQ_RATED', schema: Job, rateLimit: { max: 20, intervalMs: 500 } });
const RQ_RATED_G = defineMessageType({
  name: 'RQ_RATED_G',
  schema: Job,
  group: { key: (p: { tenant: string }) => p.tenant, maxInFlight: 1000 },
  rateLimit: { max: 3, intervalMs: 400, perGroup: true },
});
const RQ_SLOW = defineMessageType({ name: 'RQ_SLOW', schema: Job, rateLimit: { max: 1, intervalMs: 60_000 } });
const TYPES = [RQ_RATED, RQ_RATED_G, RQ_SLOW];

/** What the store was asked and granted, by local time. */
interface TokenLog {
  takes: { sentAt: number; requests: readonly TokenRequest[]; grants: readonly TokenGrant[] }[];
  returns: TokenReturn[];
}

/**
 * The store as each app sees it: shared (close does nothing), recording token calls.
 */
function instrumented(store: EventStore, log: TokenLog): EventStore {
  const shared = sharedStore(store);
  return new Proxy(shared, {
    get(target, key) {
      if (key === 'takeTokens') {
        return async (requests: readonly TokenRequest[]) => {
          const sentAt = Date.now();
          const grants = await (target.takeTokens as NonNullable<EventStore['takeTokens']>)(requests);
          log.takes.push({ sentAt, requests, grants });
          return grants;
        };
      }
      if (key === 'returnTokens') {
        return async (returns: readonly TokenReturn[]) => {
          log.returns.push(...returns);
          return (target.returnTokens as NonNullable<EventStore['returnTokens']>)(returns);
        };
      }
      return Reflect.get(target, key, target) as unknown;
    },
  });
}

/** The largest number of times in any half-open window [t, t + windowMs), times ascending. */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < times.length; last++) {
    while ((times[last] as number) - (times[first] as number) >= windowMs) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Net grants per store time for one key: granted minus given back. */
function netGrants(log: TokenLog, key: string): number[] {
  const byAt = new Map<number, number>();
  for (const take of log.takes) {
    take.requests.forEach((request, i) => {
      const grant = take.grants[i];
      if (request.key !== key || grant === undefined || grant.granted === 0) return;
      byAt.set(grant.at, (byAt.get(grant.at) ?? 0) + grant.granted);
    });
  }
  for (const r of log.returns) if (r.key === key) byAt.set(r.at, (byAt.get(r.at) ?? 0) - r.count);
  return [...byAt].sort(([a], [b]) => a - b).flatMap(([at, n]) => Array.from({ length: Math.max(0, n) }, () => at));
}

/**
 * How much later than its grant a handler may start: the grant's reply, the claim's round
 * trip and the dispatch, on a loaded 2-core machine. Only the start-time check uses it;
 * the grant check is exact.
 */
const START_SLACK_MS = 100;

/** Registers the cases for one store. */
export function rateLimitSuite(factory: StoreFactory): void {
  describe(`rate limits (${factory.name})`, () => {
    let opened: OpenedStore | undefined;
    let apps: Eventyard<(typeof TYPES)[number]>[] = [];
    let log: TokenLog = { takes: [], returns: [] };
    beforeEach(async () => {
      opened = await factory.open();
      log = { takes: [], returns: [] };
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await opened?.dispose();
      apps = [];
    });
    const store = (): EventStore => {
      if (opened === undefined) throw new Error('no store');
      return opened.store;
    };
    const newApp = (): Eventyard<(typeof TYPES)[number]> => {
      const app = createEventyard({ store: instrumented(store(), log), messageTypes: TYPES, logger: silentLogger });
      apps.push(app);
      return app;
    };

    it('two processes sharing 20 per 500 ms never exceed it in any window: grants and handler starts', async () => {
      const [one, two] = [newApp(), newApp()];
      const starts: number[] = [];
      const handled = new Map<number, number>();
      for (const [i, app] of [one, two].entries()) {
        app
          .service({ name: `WORKER_${i}`, concurrency: 8, idleMaxMs: 50 })
          .handle(RQ_RATED, (ctx) => {
            starts.push(Date.now());
            handled.set(ctx.payload.n, (handled.get(ctx.payload.n) ?? 0) + 1);
          })
          .start();
      }
      const total = 100;
      await one.publishMany(Array.from({ length: total }, (_, n) => ({ type: RQ_RATED, payload: { n, tenant: 't' } })));
      await eventually('every row handled', async () => (handled.size === total ? true : undefined), 30_000);
      await one.idle();

      expect([...handled.values()].every((count) => count === 1)).toBe(true);
      // Exact, by the store's clock: no window of 500 ms holds more than 20 net grants.
      const grants = netGrants(log, 'RQ_RATED');
      expect(grants).toHaveLength(total);
      expect(maxInWindow(grants, 500)).toBe(20);
      // Handler starts, counted exactly, in windows shortened by the grant-to-start slack.
      starts.sort((a, b) => a - b);
      expect(starts).toHaveLength(total);
      expect(maxInWindow(starts, 500 - START_SLACK_MS)).toBeLessThanOrEqual(20);
      // The limit did hold them back: 100 starts at 20 per 500 ms span at least 4 intervals.
      expect((starts.at(-1) as number) - (starts[0] as number)).toBeGreaterThanOrEqual(4 * 500 - START_SLACK_MS);
    });

    it('per-group limits are independent; waiting rows are released with AVAILABLE_AT in the future, no attempt counted', async () => {
      const app = newApp();
      const startsBy = new Map<string, number[]>();
      const waits: { group: string | null | undefined; rows: number }[] = [];
      app.on('rateLimited', (e) => waits.push({ group: e.group, rows: e.messages.length }));
      app
        .service({ name: 'GROUPS', concurrency: 8, idleMaxMs: 50 })
        .handle(RQ_RATED_G, (ctx) => {
          const list = startsBy.get(ctx.payload.tenant) ?? [];
          list.push(Date.now());
          startsBy.set(ctx.payload.tenant, list);
        })
        .start();
      // The hot tenant first, so its rows are the oldest; the small one must not wait behind it.
      await app.publishMany(
        Array.from({ length: 12 }, (_, n) => ({ type: RQ_RATED_G, payload: { n, tenant: 'hot' } })),
      );
      await app.publishMany(
        Array.from({ length: 3 }, (_, n) => ({ type: RQ_RATED_G, payload: { n: 100 + n, tenant: 'small' } })),
      );
      // While the hot tenant waits, its rows are visible: UNPROCESSED, AVAILABLE_AT ahead.
      const waiting = await eventually(
        'a hot row waiting for its slot',
        async () => {
          const now = await store().now();
          const rows = await rowsOf(store(), 'RQ_RATED_G');
          const ahead = rows.filter((r) => r.status === 'UNPROCESSED' && r.availableAt > now);
          return ahead.length > 0 ? ahead : undefined;
        },
        5_000,
      );
      expect(waiting.every((r) => r.attempts === 0 && r.claimToken === null)).toBe(true);
      await eventually(
        'every row handled',
        async () => {
          const n = [...startsBy.values()].reduce((sum, list) => sum + list.length, 0);
          return n === 15 ? true : undefined;
        },
        20_000,
      );
      await app.idle();

      const hot = (startsBy.get('hot') ?? []).sort((a, b) => a - b);
      const small = (startsBy.get('small') ?? []).sort((a, b) => a - b);
      expect(hot).toHaveLength(12);
      expect(small).toHaveLength(3);
      // Each group within its own limit...
      expect(maxInWindow(hot, 400 - START_SLACK_MS)).toBeLessThanOrEqual(3);
      expect((hot.at(-1) as number) - (hot[0] as number)).toBeGreaterThanOrEqual(3 * 400 - START_SLACK_MS);
      // ...and the small group was not held back by the hot one: done within its first window.
      expect((small.at(-1) as number) - (hot[0] as number)).toBeLessThan(400 + START_SLACK_MS);
      // Exact, by the store's clock, per group key.
      expect(maxInWindow(netGrants(log, 'RQ_RATED_G/g:hot'), 400)).toBe(3);
      expect(netGrants(log, 'RQ_RATED_G/g:hot')).toHaveLength(12);
      expect(netGrants(log, 'RQ_RATED_G/g:small')).toHaveLength(3);
      expect(waits.some((w) => w.group === 'hot' && w.rows > 0)).toBe(true);
      expect(waits.some((w) => w.group === 'small')).toBe(false);
      // Released rows got their attempt back: each row ran once, on attempt 1.
      const rows = await rowsOf(store(), 'RQ_RATED_G');
      expect(rows.map((r) => `${r.status}/${r.attempts}`).sort()).toEqual(Array(15).fill('COMPLETED/1'));
    });

    it('waiting for a token does not poll the store, and close() does not wait for the token', async () => {
      const app = newApp();
      const limited: number[] = [];
      app.on('rateLimited', (e) => limited.push(e.waitMs));
      let handled = 0;
      app
        .service({ name: 'SLOW', concurrency: 4, idleMinMs: 5, idleMaxMs: 50 })
        .handle(RQ_SLOW, () => void handled++)
        .start();
      await app.publishMany(Array.from({ length: 3 }, (_, n) => ({ type: RQ_SLOW, payload: { n, tenant: 't' } })));
      await eventually('the first row handled', async () => (handled === 1 ? true : undefined), 5_000);
      await eventually('the limit reported', async () => (limited.length > 0 ? true : undefined), 5_000);
      const takesBefore = log.takes.length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      // One minute to the next token: no token request in the meantime (idle polls were 50 ms).
      expect(log.takes.length - takesBefore).toBe(0);
      expect(limited[0]).toBeGreaterThan(50_000);
      expect(handled).toBe(1);
      const closing = Date.now();
      await app.close();
      apps = apps.filter((a) => a !== app);
      expect(Date.now() - closing).toBeLessThan(10_000);
      const rows = await rowsOf(store(), 'RQ_SLOW');
      expect(rows.map((r) => `${r.status}/${r.attempts}`).sort()).toEqual([
        'COMPLETED/1',
        'UNPROCESSED/0',
        'UNPROCESSED/0',
      ]);
    });
  });
}
