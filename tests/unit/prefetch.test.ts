/**
 * The local queue (`prefetch`): the 'auto' policy's arithmetic, what a processor claims
 * with it when handlers are fast and the claim is slow (and when they are slow), and rows
 * that waited in the queue too long going back unstarted instead of running on a lease
 * about to end.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  EventyardError,
  silentLogger,
  type EventStore,
  type Eventyard,
} from '../../src/index.js';
import type { Logger } from '../../src/processing/logger.js';
import type { ClaimRequest } from '../../src/store/port.js';
import { PrefetchPolicy } from '../../src/processing/prefetch.js';
import { resolveProcessorOptions } from '../../src/processing/processor-options.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { recordingLogger } from '../support/outage-log.js';
import { waitUntil } from '../support/rows.js';

const IN_ORDER = defineMessageType({
  name: 'IN_ORDER',
  schema: z.object({ id: z.number().int() }),
  retry: { maxAttempts: 5, backoff: 'fixed', delayMs: 10, jitter: false },
});
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

describe('PrefetchPolicy', () => {
  const limits = { concurrency: 32, batchSize: 64, leaseMs: 30_000 };

  it('a fixed setting is what it says', () => {
    const policy = new PrefetchPolicy(7, limits);
    policy.handlerSettled(0.01);
    policy.claimAnswered(50);
    expect(policy.rowsAt(0)).toBe(7);
  });

  it("'auto' prefetches nothing until both the handler time and the claim round trip are measured", () => {
    const policy = new PrefetchPolicy('auto', limits);
    expect(policy.rowsAt(0)).toBe(0);
    policy.handlerSettled(0.05);
    expect(policy.rowsAt(0)).toBe(0);
    policy.claimAnswered(2);
    expect(policy.rowsAt(0)).toBe(64);
  });

  it("'auto': twice the starts during one claim round trip, at most a batch", () => {
    const policy = new PrefetchPolicy('auto', limits);
    policy.handlerSettled(100);
    policy.claimAnswered(2);
    expect(policy.rowsAt(0)).toBe(2); // 2 × 32 / 100 ms × 2 ms = 1.28 → 2
    const quick = new PrefetchPolicy('auto', limits);
    quick.handlerSettled(1);
    quick.claimAnswered(0.2);
    expect(quick.rowsAt(0)).toBe(13); // 2 × 32 × 0.2 = 12.8 → 13
  });

  it("'auto' on a store that asks for whole batches: the batch being worked through plus a whole next one", () => {
    const whole = new PrefetchPolicy('auto', { ...limits, wholeBatches: true });
    whole.handlerSettled(0.01);
    whole.claimAnswered(2);
    expect(whole.rowsAt(0)).toBe(96); // 64 + (64 − 32)
    // As many slots as a batch or more: the free slots alone fill the next batch.
    const wide = new PrefetchPolicy('auto', { concurrency: 128, batchSize: 64, leaseMs: 30_000, wholeBatches: true });
    wide.handlerSettled(0.01);
    wide.claimAnswered(2);
    expect(wide.rowsAt(0)).toBe(64);
    // The Little's-law size still decides below the ceiling.
    const slow = new PrefetchPolicy('auto', { ...limits, wholeBatches: true });
    slow.handlerSettled(100);
    slow.claimAnswered(2);
    expect(slow.rowsAt(0)).toBe(2);
    expect(resolveProcessorOptions({}, { batchSize: 256, wholeBatches: true }).wholeBatches).toBe(true);
    expect(resolveProcessorOptions({}).wholeBatches).toBe(false);
  });

  it("'auto': never more than the handlers start within a tenth of the lease", () => {
    const policy = new PrefetchPolicy('auto', { concurrency: 4, batchSize: 1000, leaseMs: 1000 });
    policy.handlerSettled(50);
    policy.claimAnswered(5000); // a claim slower than the lease: queue what starts in 100 ms
    expect(policy.rowsAt(0)).toBe(8); // 4 / 50 ms × 100 ms
  });

  it("'auto' follows the measurements (moving averages)", () => {
    const policy = new PrefetchPolicy('auto', limits);
    policy.claimAnswered(2);
    policy.handlerSettled(0.01);
    expect(policy.rowsAt(0)).toBe(64);
    for (let i = 0; i < 50; i++) policy.handlerSettled(500); // the handlers became slow
    expect(policy.rowsAt(0)).toBe(1);
  });

  it("'auto' makes room for one batch more per further claim in flight", () => {
    const two = new PrefetchPolicy('auto', { ...limits, claimsInFlight: 2 });
    two.handlerSettled(0.01);
    two.claimAnswered(2);
    expect(two.rowsAt(0)).toBe(128);
    const whole = new PrefetchPolicy('auto', { ...limits, wholeBatches: true, claimsInFlight: 2 });
    whole.handlerSettled(0.01);
    whole.claimAnswered(2);
    expect(whole.rowsAt(0)).toBe(160); // 64 + (64 − 32) + 64
  });

  it('claimsInFlight: the store tuning when unset, else 1; the option wins; integers in [1, 8]', () => {
    expect(resolveProcessorOptions({}).claimsInFlight).toBe(1);
    expect(resolveProcessorOptions({}, { claimsInFlight: 2 }).claimsInFlight).toBe(2);
    expect(resolveProcessorOptions({ claimsInFlight: 1 }, { claimsInFlight: 2 }).claimsInFlight).toBe(1);
    for (const bad of [0, 9, 1.5, 'two']) {
      expect(() => resolveProcessorOptions({ claimsInFlight: bad as never })).toThrow(/claimsInFlight/);
    }
    expect(() => resolveProcessorOptions({}, { claimsInFlight: 0 })).toThrow(/tuning\.claimsInFlight/);
  });

  it('the option takes "auto" or an integer in [0, 10000], and defaults to "auto"', () => {
    expect(resolveProcessorOptions({}).prefetch).toBe('auto');
    expect(resolveProcessorOptions({ prefetch: 0 }).prefetch).toBe(0);
    for (const bad of [-1, 1.5, 10_001, 'more', null]) {
      expect(() => resolveProcessorOptions({ prefetch: bad as never })).toThrow(/prefetch/);
    }
  });
});

describe('a processor with prefetch', () => {
  let store: EventStore;
  let app: Eventyard | undefined;
  /** Every claim the processor made: the limit it asked for and the rows it got. */
  const claims: { limit: number; rows: number }[] = [];
  const limits = (): number[] => claims.map((c) => c.limit);
  /** Claims on their way now, and the most seen at once. */
  let out = 0;
  let most = 0;
  /** Claims (numbered from 1) that fail, after their delay, with an error that is not an outage. */
  let fails: (call: number) => boolean = () => false;
  let calls = 0;

  /**
   * The store, with every claim recorded, counted while on its way and delayed by `claimMs`
   * (0: not delayed), and the given tuning in place of its own.
   */
  const recordedClaims = (claimMs = 0, tuning?: EventStore['tuning']): EventStore =>
    new Proxy(store, {
      get(target, prop) {
        if (prop === 'tuning') return tuning;
        if (prop === 'claim') {
          return async (request: ClaimRequest) => {
            most = Math.max(most, ++out);
            const call = ++calls;
            try {
              if (claimMs > 0) await new Promise((r) => setTimeout(r, claimMs));
              if (fails(call)) throw new EventyardError(ErrorCode.ROW_CORRUPT, 'boom');
              const rows = await target.claim(request);
              claims.push({ limit: request.limit, rows: rows.length });
              return rows;
            } finally {
              out--;
            }
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });

  beforeEach(() => {
    store = createSqliteStore({ path: ':memory:' });
    claims.length = 0;
    out = 0;
    most = 0;
    fails = () => false;
    calls = 0;
    runs.length = 0;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const publish = (n: number): Promise<unknown> =>
    (app as Eventyard).publishMany(Array.from({ length: n }, (_, id) => ({ type: IN_ORDER, payload: { id } })));

  /** How often each id's handler ran in the last drainFast. */
  const runs: number[] = [];

  /**
   * `rows` rows drained by 4 instant handlers, each claim taking 20 ms, on the store with
   * `tuning`, the service's options `service` over it (batchSize, claimsInFlight); resolves
   * with the processor's completed count once every outcome is written.
   */
  const drainFast = async (
    tuning: EventStore['tuning'],
    rows: number,
    service: { batchSize?: number; claimsInFlight?: number } = {},
    logger: Logger = silentLogger,
  ): Promise<number | undefined> => {
    const current = createEventyard({ store: recordedClaims(20, tuning), messageTypes: [IN_ORDER], logger });
    app = current;
    runs.splice(0, runs.length, ...new Array<number>(rows).fill(0));
    let done = 0;
    const running = current
      .service({ name: 'SERVICE_A', ...fast, concurrency: 4, ...service })
      .handle(IN_ORDER, (ctx) => {
        runs[ctx.payload.id] = (runs[ctx.payload.id] ?? 0) + 1;
        done++;
      });
    await current.publishMany(Array.from({ length: rows }, (_, id) => ({ type: IN_ORDER, payload: { id } })));
    running.start();
    await waitUntil(`${rows} handled`, async () => done === rows, 20_000);
    await running.stop(); // every outcome written
    return running.stats().processors.inbound?.completed;
  };

  it("'auto' claims beyond the free slots when handlers are fast and the claim is slow", async () => {
    expect(await drainFast(undefined, 400, { batchSize: 32 })).toBe(400);
    // The first claim asks for the free slots only; once both times are known, whole batches.
    expect(limits()[0]).toBe(4);
    expect(Math.max(...limits())).toBe(32);
  });

  it("'auto' on a store that asks for whole batches: the claim sent as a batch lands is whole too", async () => {
    expect(await drainFast({ wholeBatches: true }, 400, { batchSize: 32 })).toBe(400);
    // Right after a batch lands (4 rows running, 28 queued) the next claim asks for a whole
    // batch, not for the 4 slots a queue of one batch leaves (32, 4, 32, 4, …).
    const later = limits().slice(2);
    expect(later.filter((limit) => limit === 32).length).toBeGreaterThanOrEqual(0.8 * later.length);
  });

  it("batchSize: the store's tuning when the options leave it unset, else 64; the option wins", async () => {
    expect(resolveProcessorOptions({}).batchSize).toBe(64);
    expect(resolveProcessorOptions({}, { batchSize: 256 }).batchSize).toBe(256);
    expect(resolveProcessorOptions({ batchSize: 8 }, { batchSize: 256 }).batchSize).toBe(8);
    expect(() => resolveProcessorOptions({ batchSize: 0 })).toThrow(/batchSize/);
    expect(() => resolveProcessorOptions({}, { batchSize: 1.5 })).toThrow(/tuning\.batchSize/);
    // Through createEventyard (whose store wrappers keep the tuning) to the claims.
    const largestClaim = async (tuning: EventStore['tuning'], batchSize?: number): Promise<number> => {
      claims.length = 0;
      store = createSqliteStore({ path: ':memory:' }); // the app closes its store
      expect(await drainFast(tuning, 600, batchSize === undefined ? {} : { batchSize })).toBe(600);
      await app?.close();
      app = undefined;
      return Math.max(...limits());
    };
    expect(await largestClaim({ batchSize: 100 })).toBe(100);
    expect(await largestClaim({ batchSize: 100 }, 16)).toBe(16);
    expect(await largestClaim(undefined)).toBe(64);
  });

  it("'auto' keeps to the free slots (and a row or two) when handlers are slow next to the claim", async () => {
    app = createEventyard({ store: recordedClaims(1), messageTypes: [IN_ORDER], logger: silentLogger });
    let done = 0;
    const service = app
      .service({ name: 'SERVICE_A', ...fast, concurrency: 4, batchSize: 32 })
      .handle(IN_ORDER, async () => {
        await new Promise((r) => setTimeout(r, 40));
        done++;
      });
    await publish(40);
    service.start();
    await waitUntil('40 handled', async () => done === 40, 20_000);
    // 2 × 4 slots / 40 ms × a claim of a few ms: a row beyond the free slots (up to 4 on a
    // loaded machine, where a claim may take 20 ms), never the batch of 32.
    expect(Math.max(...limits())).toBeLessThanOrEqual(8);
  });

  it('after a claim brings back a lease-expired row, the queue is given up for a lease length', async () => {
    app = createEventyard({ store: recordedClaims(), messageTypes: [IN_ORDER], logger: silentLogger });
    await publish(5);
    // A worker that died holding all five: its 50 ms lease runs out, the reaper brings them back.
    const dead = { table: 'inbound', messageTypes: ['IN_ORDER'], owner: 'dead', updatedBy: 'DEAD' } as const;
    expect(await store.claim({ ...dead, limit: 5, leaseMs: 50 })).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 100));
    let handled = 0;
    const service = app
      .service({ name: 'SERVICE_A', ...fast, concurrency: 1, prefetch: 4, batchSize: 5, leaseMs: 5000 })
      .handle(IN_ORDER, async () => {
        await new Promise((r) => setTimeout(r, 20));
        handled++;
      });
    service.start();
    await waitUntil('5 handled', async () => handled === 5, 20_000);
    await service.stop();
    const first = claims.findIndex((c) => c.rows > 0);
    expect(claims[first]?.limit).toBe(5); // one slot + a queue of 4 when nothing had expired yet
    // The four claimed beyond the one slot went back unstarted, and every later claim asked
    // for the free slot only.
    expect(service.stats().processors.inbound?.released).toBe(4);
    expect(claims.slice(first + 1).every((c) => c.limit === 1)).toBe(true);
    const rows = (await store.list({ limit: 10 })).rows;
    expect(rows.every((r) => r.status === 'COMPLETED' && r.attempts === 2)).toBe(true);
  });

  it('a queued row with less than a third of its lease left goes back unstarted, never runs on a dying lease', async () => {
    app = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
    const starts = new Map<number, number>();
    let aborted = 0;
    // One slot, four rows queued behind it, handlers of half a lease: the third queued row
    // would start with its lease (counted from the claim) all but gone.
    const service = app
      .service({ name: 'SERVICE_A', ...fast, concurrency: 1, prefetch: 4, batchSize: 5, leaseMs: 600 })
      .handle(IN_ORDER, async (ctx) => {
        starts.set(ctx.payload.id, (starts.get(ctx.payload.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 300));
        if (ctx.signal.aborted) aborted++;
      });
    await publish(5);
    service.start();
    await waitUntil(
      'all 5 completed',
      async () => (await store.countByStatus()).some((c) => c.status === 'COMPLETED' && c.count === 5),
      20_000,
    );
    await service.stop();
    const stats = service.stats().processors.inbound;
    expect(aborted).toBe(0);
    expect(stats?.leaseLost).toBe(0);
    expect(stats?.released).toBeGreaterThan(0);
    expect([...starts.values()].every((n) => n === 1)).toBe(true);
    expect(starts.size).toBe(5);
  });

  it('claimsInFlight 2: a backlog is claimed two at a time, each row handled once', async () => {
    expect(await drainFast({ claimsInFlight: 2 }, 600, { batchSize: 16 })).toBe(600);
    expect(runs.every((n) => n === 1)).toBe(true);
    expect(most).toBe(2);
    // The claim sent beside another asks for a whole batch.
    expect(claims.filter((c) => c.limit === 16).length).toBeGreaterThan(claims.length / 2);
  });

  it('claimsInFlight 1 (the option over the tuning): one claim at a time', async () => {
    expect(await drainFast({ claimsInFlight: 2 }, 300, { batchSize: 16, claimsInFlight: 1 })).toBe(300);
    expect(runs.every((n) => n === 1)).toBe(true);
    expect(most).toBe(1);
  });

  it('claimsInFlight 2: claims failing from both loops at once are one streak, one warning and one recovery line', async () => {
    const logger = recordingLogger();
    // Claims 4 to 11 fail, each after the 20 ms every claim takes: they answer in the order sent.
    fails = (call) => call >= 4 && call < 12;
    expect(await drainFast({ claimsInFlight: 2 }, 400, { batchSize: 16 }, logger)).toBe(400);
    expect(most).toBe(2);
    const failed = logger.lines.filter((l) => l.msg.startsWith('claim failed'));
    const recovered = logger.lines.filter((l) => l.msg === 'claim recovered');
    expect(failed).toHaveLength(1);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]?.fields['failedCalls']).toBe(8);
  });

  it('claimsInFlight 2: an idle table, or one that runs dry, is polled by one claim at a time', async () => {
    app = createEventyard({
      store: recordedClaims(20, { claimsInFlight: 2 }),
      messageTypes: [IN_ORDER],
      logger: silentLogger,
    });
    let done = 0;
    const service = app.service({ name: 'SERVICE_A', ...fast, concurrency: 4, batchSize: 16 }).handle(IN_ORDER, () => {
      done++;
    });
    await publish(200);
    service.start();
    await waitUntil('200 handled', async () => done === 200, 20_000);
    expect(most).toBe(2); // while the backlog lasted
    // Drained: every claim from now on is a poll of an empty table.
    most = out;
    await new Promise((r) => setTimeout(r, 300));
    await service.stop();
    expect(claims.at(-1)?.rows).toBe(0);
    expect(most).toBe(1);
  });
});
