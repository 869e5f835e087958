/**
 * The processing layer end to end on an in-memory SQLite store: handlers, emits, working
 * data, bad input, retries, timeouts, leases and graceful stop.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  EventyardError,
  NonRetryableError,
  silentLogger,
  type EventStore,
  type Eventyard,
  type MessageRow,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { waitUntil } from '../support/rows.js';

const Order = z.object({ id: z.number().int() });
const retry = { maxAttempts: 3, backoff: 'fixed', delayMs: 10, jitter: false } as const;
const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: Order, retry });
const RQ_NEXT = defineMessageType({ name: 'RQ_NEXT', schema: Order, retry });
const RQ_SIDE = defineMessageType({ name: 'RQ_SIDE', schema: z.object({ note: z.string() }), retry });

let store: EventStore;
let app: Eventyard;
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

beforeEach(() => {
  store = createSqliteStore({ path: ':memory:' });
  app = createEventyard({
    store,
    messageTypes: [IN_ORDER, RQ_NEXT, RQ_SIDE],
    logger: silentLogger,
    maxPayloadBytes: 4096,
  });
});
afterEach(() => app.close());

const row = async (eventId: string, messageType: string): Promise<MessageRow | undefined> =>
  (await store.list({ eventId, messageType, limit: 1 })).rows[0];
const settled = (eventId: string, messageType: string, statuses = ['COMPLETED', 'FAILED']) =>
  waitUntil(
    `${messageType} of ${eventId} settles`,
    async () => statuses.includes((await row(eventId, messageType))?.status ?? ''),
    10_000,
  );
const codeOf = async (work: Promise<unknown>): Promise<string | undefined> =>
  work.then(
    () => undefined,
    (error: unknown) => (error instanceof EventyardError ? error.code : String(error)),
  );

describe('publish', () => {
  it('is idempotent per (EVENT_ID, MESSAGE_TYPE)', async () => {
    const first = await app.publish(IN_ORDER, { id: 1 });
    const again = await app.publish(IN_ORDER, { id: 2 }, { eventId: first.eventId });
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ eventId: first.eventId, created: false });
    expect(await store.getPayload(first.eventId)).toBe('{"id":1}');
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    expect(await codeOf(app.publish('IN_ORDER', { id: 'x' }))).toBe(ErrorCode.PAYLOAD_INVALID);
    expect(await codeOf(app.publish('RQ_UNKNOWN', { id: 1 }))).toBe(ErrorCode.UNKNOWN_MESSAGE_TYPE);
    expect(await codeOf(app.publish(RQ_SIDE, { note: 'x'.repeat(5000) }))).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(await codeOf(app.publish(IN_ORDER, { id: 1 }, { eventId: 'not-a-uuid' }))).toBe(
      ErrorCode.INVALID_IDENTIFIER,
    );
    expect(await codeOf(app.publish(IN_ORDER, { id: 1 }, { delayMs: -5 }))).toBe(ErrorCode.INVALID_OPTION);
    expect(await store.countByStatus()).toEqual([]);
    expect(() => app.service({ name: 'S', concurrency: 0 })).toThrow(EventyardError);
    expect(() => app.service({ name: 'S', bogus: 1 } as never)).toThrow(/unknown option "bogus"/);
  });
});

describe('handlers', () => {
  it('complete with emits and working data in one step; the next step sees both', async () => {
    const seen: unknown[] = [];
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, async (ctx) => {
        ctx.workingData.set('a.total', ctx.payload.id * 10);
        ctx.emit('RQ_NEXT');
        const other = await ctx.emitEvent('RQ_SIDE', { note: `from ${ctx.message.eventId}` });
        ctx.workingData.set('a.side', other);
      })
      .start();
    app
      .service({ name: 'SERVICE_B', ...fast })
      .handle(RQ_NEXT, async (ctx) => {
        seen.push(ctx.payload, await ctx.workingData.get('a.total'), ctx.message.attempt, ctx.idempotencyKey);
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 4 });
    await settled(eventId, 'RQ_NEXT');
    expect(seen).toEqual([{ id: 4 }, 40, 1, `${eventId}:RQ_NEXT`]);
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'COMPLETED', updatedBy: 'SERVICE_A', attempts: 1 });
    expect(await row(eventId, 'RQ_NEXT')).toMatchObject({
      status: 'COMPLETED',
      createdBy: 'SERVICE_A',
      updatedBy: 'SERVICE_B',
    });
    const sideId = JSON.parse((await store.getWorkingData(eventId)).get('a.side') ?? 'null') as string;
    expect(await row(sideId, 'RQ_SIDE')).toMatchObject({ status: 'UNPROCESSED', createdBy: 'SERVICE_A' });
    expect(await store.getPayload(sideId)).toBe(JSON.stringify({ note: `from ${eventId}` }));
  });

  it('the context destructures; a plain (not async) handler fails, retries and emits like an async one', async () => {
    const seen: unknown[] = [];
    let calls = 0;
    app
      .service({ name: 'SERVICE_A', ...fast })
      // eslint-disable-next-line @typescript-eslint/unbound-method -- what this test checks: the methods work unbound
      .handle(IN_ORDER, ({ payload, message, idempotencyKey, emit, workingData }) => {
        if (calls++ === 0) throw new Error('the first attempt throws synchronously');
        workingData.set('a.seen', payload.id);
        emit('RQ_NEXT');
        seen.push(message.attempt, idempotencyKey);
      })
      .start();
    app
      .service({ name: 'SERVICE_B', ...fast })
      .handle(RQ_NEXT, async ({ workingData }) => {
        seen.push(await workingData.get('a.seen'));
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 7 });
    await settled(eventId, 'RQ_NEXT');
    expect(seen).toEqual([2, `${eventId}:IN_ORDER`, 7]);
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'COMPLETED', attempts: 2 });
  });

  it('a row whose payload fails its schema at claim goes to FAILED at once; others keep flowing', async () => {
    const handled: number[] = [];
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, (ctx) => void handled.push(ctx.payload.id))
      .start();
    const bad = '9b2f0c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b';
    const corrupt = '1b2f0c1e-3a4d-4e5f-8a6b-7c8d9e0f1a2b';
    const base = { table: 'inbound', messageType: 'IN_ORDER', maxAttempts: 3, createdBy: 'TEST' } as const;
    await store.publish([
      { ...base, eventId: bad, payload: '{"id":"drifted"}' },
      { ...base, eventId: corrupt, payload: '{"id":' },
    ]);
    const good = await app.publish(IN_ORDER, { id: 7 });
    await settled(good.eventId, 'IN_ORDER');
    await settled(bad, 'IN_ORDER');
    await settled(corrupt, 'IN_ORDER');
    expect(await row(bad, 'IN_ORDER')).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect((await row(bad, 'IN_ORDER'))?.lastError).toMatch(/^EY_PAYLOAD_INVALID: .*id/);
    expect((await row(corrupt, 'IN_ORDER'))?.lastError).toMatch(/^EY_PAYLOAD_MALFORMED/);
    expect(handled).toEqual([7]);
  });

  it('retries thrown errors (non-Error values too) with backoff, then FAILED after max attempts', async () => {
    let calls = 0;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, () => {
        calls++;
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless handlers do
        throw 'plain string';
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await settled(eventId, 'IN_ORDER');
    const failed = await row(eventId, 'IN_ORDER');
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(failed?.lastError).toMatch(/^EY_HANDLER_THREW_NON_ERROR: .*plain string/);
    expect(calls).toBe(3);
  });

  it('NonRetryableError fails at once; re-drive gives the row a new budget', async () => {
    let fail = true;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, () => {
        if (fail) throw new NonRetryableError('card declined');
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await settled(eventId, 'IN_ORDER');
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect((await row(eventId, 'IN_ORDER'))?.lastError).toMatch(/^EY_NON_RETRYABLE: card declined/);
    fail = false;
    expect(await app.redrive({ eventId })).toBe(1);
    await settled(eventId, 'IN_ORDER', ['COMPLETED']);
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'COMPLETED', attempts: 1, updatedBy: 'SERVICE_A' });
  });

  it('ctx.idempotencyKey is the same on every attempt and after a re-drive; the attempt is separate', async () => {
    const seen: [string, number][] = [];
    let fail = true;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, (ctx) => {
        seen.push([ctx.idempotencyKey, ctx.message.attempt]);
        if (fail) throw new Error('payment gateway timed out');
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await settled(eventId, 'IN_ORDER');
    fail = false;
    expect(await app.redrive({ eventId })).toBe(1);
    await settled(eventId, 'IN_ORDER', ['COMPLETED']);
    const key = `${eventId}:IN_ORDER`;
    expect(seen).toEqual([
      [key, 1],
      [key, 2],
      [key, 3],
      [key, 1],
    ]);
  });

  it('a handler past its timeout is aborted, its late emits are refused, and it is retried', async () => {
    let attempt = 0;
    let lateEmit: unknown;
    let abortedLate: unknown;
    app
      .service({ name: 'SERVICE_A', ...fast, handlerTimeoutMs: 100 })
      .handle(IN_ORDER, async (ctx) => {
        attempt++;
        if (attempt === 1) {
          await new Promise((r) => setTimeout(r, 250));
          abortedLate = ctx.signal.reason;
          try {
            ctx.emit('RQ_NEXT');
          } catch (error) {
            lateEmit = error;
          }
        }
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await settled(eventId, 'IN_ORDER', ['COMPLETED']);
    await new Promise((r) => setTimeout(r, 300));
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'COMPLETED', attempts: 2 });
    expect((await row(eventId, 'IN_ORDER'))?.lastError).toMatch(/^EY_HANDLER_TIMEOUT/);
    expect((lateEmit as EventyardError).code).toBe(ErrorCode.CLOSED);
    expect((abortedLate as EventyardError).code).toBe(ErrorCode.HANDLER_TIMEOUT);
    expect(await row(eventId, 'RQ_NEXT')).toBeUndefined();
  });

  it('heartbeats keep the lease of a handler that runs several lease lengths', async () => {
    app
      .service({ name: 'SERVICE_A', ...fast, leaseMs: 150 })
      .handle(IN_ORDER, async () => {
        await new Promise((r) => setTimeout(r, 600));
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await settled(eventId, 'IN_ORDER');
    expect(await row(eventId, 'IN_ORDER')).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('graceful stop finishes running handlers and releases claimed-but-unstarted rows without counting an attempt', async () => {
    const started: number[] = [];
    const service = app
      .service({ name: 'SERVICE_A', ...fast, concurrency: 1, prefetch: 4, batchSize: 5 })
      .handle(IN_ORDER, async (ctx) => {
        started.push(ctx.payload.id);
        await new Promise((r) => setTimeout(r, 200));
      })
      .start();
    await app.publishMany([1, 2, 3, 4, 5].map((id) => ({ type: IN_ORDER, payload: { id } })));
    await waitUntil('the first handler starts', async () => started.length === 1, 5000);
    await service.stop();
    const rows = (await store.list({ limit: 10 })).rows;
    expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(1);
    const rest = rows.filter((r) => r.status !== 'COMPLETED');
    expect(rest).toHaveLength(4);
    expect(rest.every((r) => r.status === 'UNPROCESSED' && r.attempts === 0 && r.claimToken === null)).toBe(true);
    expect(service.stats().processors.inbound?.released).toBe(4);
  });

  it('concurrency counts running handlers: the next ones start while outcome writes are in flight, which stay bounded', async () => {
    // Every completion write takes 30 ms; handlers take 1 ms.
    const slowStore: EventStore = new Proxy(store, {
      get(target, prop) {
        if (prop === 'complete') {
          return async (requests: Parameters<EventStore['complete']>[0]) => {
            writesInFlight++;
            await new Promise((r) => setTimeout(r, 30));
            const outcomes = await target.complete(requests);
            writesInFlight--;
            writtenCount += requests.length;
            return outcomes;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const slowApp = createEventyard({ store: slowStore, messageTypes: [IN_ORDER], logger: silentLogger });
    let running = 0;
    let runningPeak = 0;
    let settledCount = 0;
    let writtenCount = 0;
    let unwrittenPeak = 0;
    let writesInFlight = 0;
    let startedDuringWrite = 0;
    const concurrency = 4;
    const service = slowApp
      .service({ name: 'SERVICE_A', ...fast, concurrency, batchSize: 4 })
      .handle(IN_ORDER, async () => {
        if (writesInFlight > 0) startedDuringWrite++;
        unwrittenPeak = Math.max(unwrittenPeak, settledCount - writtenCount);
        running++;
        runningPeak = Math.max(runningPeak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        settledCount++;
      })
      .start();
    const published = await slowApp.publishMany(
      Array.from({ length: 40 }, (_, id) => ({ type: IN_ORDER, payload: { id } })),
    );
    await waitUntil('all 40 written', async () => writtenCount === 40, 10_000);
    await service.stop();
    expect(runningPeak).toBeLessThanOrEqual(concurrency);
    // Handlers ran while earlier outcomes were still being written (the overlap) ...
    expect(startedDuringWrite).toBeGreaterThan(0);
    // ... and settled-but-unwritten outcomes never exceeded one batch beyond the slots.
    expect(unwrittenPeak).toBeLessThanOrEqual(4 + concurrency);
    const rows = (await store.list({ limit: 100 })).rows;
    expect(rows.filter((r) => r.status === 'COMPLETED' && r.attempts === 1)).toHaveLength(published.length);
    await slowApp.close();
  });
});
