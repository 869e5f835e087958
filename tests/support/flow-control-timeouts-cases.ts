/**
 * Reply deadlines and `at` on every store of the factory list. A request with a deadline is
 * written with its deadline check; with no reply by then, exactly one timeout message is
 * written, even when the requester's process is gone and two other requester processes
 * compete for the check; a reply in time means no timeout. `at` holds a row until an
 * absolute time of the store's clock.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMessageType, ErrorCode, isEventyardError, type Eventyard } from '../../src/index.js';
import type { StoreFactory } from './store-factories.js';
import { appsOnOneStore, rowsOf, untilStoreTime } from './flow-control.js';

const Order = z.object({ orderId: z.string() });
const DEADLINE_MS = 600;
const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: Order });
const RQ_B_STP = defineMessageType({
  name: 'RQ_B_STP',
  schema: Order,
  replyTimeout: { afterMs: DEADLINE_MS, onTimeout: 'RQ_A_B_LATE' },
});
const RS_B_STP = defineMessageType({ name: 'RS_B_STP', schema: Order });
const RQ_A_B_LATE = defineMessageType({ name: 'RQ_A_B_LATE', schema: Order });
const TYPES = [IN_ORDER, RQ_B_STP, RS_B_STP, RQ_A_B_LATE];

/** Starts service A, which handles the timeouts; returns the EVENT_IDs it handled. */
function recordTimeouts(app: Eventyard<(typeof TYPES)[number]>): string[] {
  const late: string[] = [];
  app
    .service({ name: 'A', idleMaxMs: 50 })
    .handle(RQ_A_B_LATE, (ctx) => void late.push(ctx.message.eventId))
    .start();
  return late;
}

/** Registers the cases for one store. */
export function replyDeadlineSuite(factory: StoreFactory): void {
  describe(`reply deadlines and at (${factory.name})`, () => {
    const { store, newApp } = appsOnOneStore(factory, TYPES);

    it('no reply: one timeout per request, after the deadline, though the requester is gone and two processes race', async () => {
      // The requester (service A) turns orders into requests for B, then its process goes away.
      const requester = newApp();
      const a = requester
        .service({ name: 'A' })
        .handle(IN_ORDER, (ctx) => ctx.emit(RQ_B_STP))
        .start();
      const orders = 6;
      for (let i = 0; i < orders; i++) await requester.publish(IN_ORDER, { orderId: `o${i}` });
      await requester.idle({ timeoutMs: 10_000 });
      await a.stop();
      expect((await rowsOf(store(), 'DL_RQ_B_STP')).length).toBe(orders);
      // B never answers. Two new processes of A handle the timeouts.
      const late = new Map<string, number>();
      const others = [newApp(), newApp()];
      for (const app of others) {
        app
          .service({ name: 'A', idleMaxMs: 50 })
          .handle(RQ_A_B_LATE, (ctx) => {
            late.set(ctx.message.eventId, (late.get(ctx.message.eventId) ?? 0) + 1);
          })
          .start();
      }
      for (const app of others) await app.idle({ timeoutMs: 15_000 });
      const requests = await rowsOf(store(), 'RQ_B_STP');
      const timeouts = await rowsOf(store(), 'RQ_A_B_LATE');
      expect(timeouts.map((r) => r.eventId).sort()).toEqual(requests.map((r) => r.eventId).sort());
      expect([...late.values()]).toEqual(Array.from({ length: orders }, () => 1));
      const checks = await rowsOf(store(), 'DL_RQ_B_STP');
      expect(checks.map((r) => r.status)).toEqual(Array.from({ length: orders }, () => 'COMPLETED'));
      for (const request of requests) {
        const timeout = timeouts.find((t) => t.eventId === request.eventId);
        expect(timeout?.createdAt).toBeGreaterThanOrEqual(request.createdAt + DEADLINE_MS);
      }
    });

    it('a reply in time: no timeout message; the check completes', async () => {
      const app = newApp();
      const late = recordTimeouts(app);
      app
        .service({ name: 'B', idleMaxMs: 50 })
        .handle(RQ_B_STP, (ctx) => ctx.emit(RS_B_STP))
        .start();
      const orders = 5;
      for (let i = 0; i < orders; i++) await app.publish(RQ_B_STP, { orderId: `o${i}` });
      await app.idle({ timeoutMs: 15_000 }); // includes the deadline checks, due after DEADLINE_MS
      expect(late).toEqual([]);
      expect(await rowsOf(store(), 'RQ_A_B_LATE')).toEqual([]);
      expect((await rowsOf(store(), 'RS_B_STP')).length).toBe(orders);
      const checks = await rowsOf(store(), 'DL_RQ_B_STP');
      expect(checks.map((r) => r.status)).toEqual(Array.from({ length: orders }, () => 'COMPLETED'));
    });

    it('a check whose request was refused (another payload) emits no timeout', async () => {
      const app = newApp();
      const late = recordTimeouts(app);
      const { eventId } = await app.publish(IN_ORDER, { orderId: 'a' }, { delayMs: 60_000 });
      const refused = await app.publish(RQ_B_STP, { orderId: 'b' }, { eventId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEventyardError(refused) ? refused.code : refused).toBe(ErrorCode.PAYLOAD_CONFLICT);
      expect(await rowsOf(store(), 'RQ_B_STP')).toEqual([]);
      await untilStoreTime(store(), (await store().now()) + DEADLINE_MS);
      await app.idle({ timeoutMs: 10_000 });
      expect((await rowsOf(store(), 'DL_RQ_B_STP')).map((r) => r.status)).toEqual(['COMPLETED']);
      expect(late).toEqual([]);
      expect(await rowsOf(store(), 'RQ_A_B_LATE')).toEqual([]);
    });

    it('the deadline counts from when a delayed request becomes claimable', async () => {
      const app = newApp();
      const { eventId } = await app.publish(RQ_B_STP, { orderId: 'x' }, { delayMs: 1_000 });
      const [check] = await rowsOf(store(), 'DL_RQ_B_STP');
      const [request] = await rowsOf(store(), 'RQ_B_STP');
      expect(check?.eventId).toBe(eventId);
      expect((check?.availableAt ?? 0) - (request?.availableAt ?? 0)).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect((check?.availableAt ?? 0) - (request?.availableAt ?? 0)).toBeLessThanOrEqual(DEADLINE_MS + 200);
    });

    it('at: the row is not claimable before the given time of the store clock', async () => {
      const app = newApp();
      const handledAt: number[] = [];
      app
        .service({ name: 'C', idleMaxMs: 50 })
        .handle(IN_ORDER, async () => void handledAt.push(await store().now()))
        .start();
      const at = (await store().now()) + 800;
      await app.publish(IN_ORDER, { orderId: 'later' }, { at: new Date(at) });
      await app.publish(IN_ORDER, { orderId: 'past' }, { at: at - 60_000 });
      const [later, past] = await rowsOf(store(), 'IN_ORDER');
      expect(later?.availableAt).toBeGreaterThanOrEqual(at);
      expect(later?.availableAt).toBeLessThan(at + 1_000);
      expect(past?.availableAt).toBeLessThan(at);
      await untilStoreTime(store(), at + 100);
      await app.idle({ timeoutMs: 10_000 });
      expect(handledAt.length).toBe(2);
      expect(Math.max(...handledAt)).toBeGreaterThanOrEqual(at);
    });

    it('at: refused with EY_INVALID_OPTION when invalid, together with delayMs, or over a year ahead', async () => {
      const app = newApp();
      const bad: Record<string, unknown>[] = [
        { at: new Date(Number.NaN) },
        { at: Number.NaN },
        { at: -1 },
        { at: 1.5 },
        { at: '2030-01-01T00:00:00Z' },
        { at: Date.now() + 1_000, delayMs: 10 },
        { at: Date.now() + 400 * 24 * 3600_000 },
      ];
      for (const options of bad) {
        const error = await app.publish(IN_ORDER, { orderId: 'x' }, options).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect([isEventyardError(error) ? error.code : error, options]).toEqual([ErrorCode.INVALID_OPTION, options]);
      }
      expect(await rowsOf(store(), 'IN_ORDER')).toEqual([]);
    });
  });
}
