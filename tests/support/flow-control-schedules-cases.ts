/**
 * Schedules on every store of the factory list (memory, SQLite, Redis, PostgreSQL), in real
 * time on the store's clock with second-precision cron expressions: two processes (two
 * apps on one store) running one schedule write each slot once; a first deployment waits
 * for the next slot; a restart shorter than the period fires the slot it missed, promptly;
 * a long outage fires only the latest missed slot (no storm).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMessageType, type EventStore } from '../../src/index.js';
import { slotEventId } from '../../src/processing/schedule.js';
import type { StoreFactory } from './store-factories.js';
import { appsOnOneStore, eventually, rowsOf, untilStoreTime } from './flow-control.js';

const IN_TICK = defineMessageType({
  name: 'IN_TICK',
  schema: z.object({ schedule: z.string(), scheduledAt: z.iso.datetime() }),
});

/** A slot's time, read back from the row's payload (the default payload is the firing). */
const slotOf = async (store: EventStore, eventId: string): Promise<number> => {
  const payload = JSON.parse((await store.getPayload(eventId)) ?? 'null') as { scheduledAt: string };
  return Date.parse(payload.scheduledAt);
};

/** Registers the cases for one store. */
export function scheduleSuite(factory: StoreFactory): void {
  describe(`schedules (${factory.name})`, () => {
    const { store, newApp } = appsOnOneStore(factory, [IN_TICK]);

    it('two processes running one schedule write each slot once, and its handler runs once per slot', async () => {
      const [one, two] = [newApp(), newApp()];
      const created = new Map<string, number>();
      let notCreated = 0;
      for (const app of [one, two]) {
        app.on('published', (e) => {
          if (e.via !== 'schedule') return;
          if (e.created === true) created.set(e.eventId, (created.get(e.eventId) ?? 0) + 1);
          else notCreated++;
        });
      }
      const handled = new Map<string, number>();
      const handler = (ctx: { message: { eventId: string } }): void => {
        handled.set(ctx.message.eventId, (handled.get(ctx.message.eventId) ?? 0) + 1);
      };
      const services = [one, two].map((app) =>
        app
          .service({ name: 'CLOCK', idleMaxMs: 50 })
          .schedule(IN_TICK, { cron: '* * * * * *' })
          .handle(IN_TICK, handler),
      );
      services.forEach((s) => s.start());
      const start = await store().now();
      await untilStoreTime(store(), start + 3_500);
      await Promise.all(services.map((s) => s.stop()));

      const rows = await rowsOf(store(), 'IN_TICK');
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const slots = await Promise.all(rows.map((r) => slotOf(store(), r.eventId)));
      expect(new Set(slots).size).toBe(rows.length);
      for (const [i, row] of rows.entries()) {
        expect(row.eventId).toBe(slotEventId('IN_TICK', slots[i] as number));
        expect(created.get(row.eventId)).toBe(1);
      }
      expect(created.size).toBe(rows.length);
      // Both processes tried every slot: the store refused each second write.
      expect(notCreated).toBeGreaterThanOrEqual(rows.length - 1);
      for (const app of [one, two]) app.service({ name: 'DRAIN' }).handle(IN_TICK, handler).start();
      await one.idle({ timeoutMs: 10_000 });
      expect([...handled.values()].every((n) => n === 1)).toBe(true);
      expect(handled.size).toBe(rows.length);
    });

    it('a first deployment waits for the next slot; a restart shorter than the period fires the missed slot at once', async () => {
      const cron = '*/3 * * * * *';
      const startedAt = await store().now();
      const first = newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const s0row = await eventually('the first slot', async () => (await rowsOf(store(), 'IN_TICK'))[0]);
      const s0 = await slotOf(store(), s0row.eventId);
      expect(s0).toBeGreaterThan(startedAt); // the slot before the start was not fired
      expect(s0 - startedAt).toBeLessThanOrEqual(3_100);
      // Down from 700 ms before the next slot to 500 ms after it: 1.2 s, shorter than the period.
      const s1 = s0 + 3_000;
      await untilStoreTime(store(), s1 - 700);
      await first.stop();
      await untilStoreTime(store(), s1 + 500);
      expect((await rowsOf(store(), 'IN_TICK')).length).toBe(1);
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const caughtUp = await eventually('the missed slot', async () =>
        (await store().list({ eventId: slotEventId('IN_TICK', s1), messageType: 'IN_TICK', limit: 1 })).rows.at(0),
      );
      expect(caughtUp.createdAt).toBeLessThan(s1 + 3_000); // fired at the restart, not at the next slot
    });

    it('after an outage of several slots only the latest missed slot fires (no storm)', async () => {
      const cron = '*/2 * * * * *'; // slots 2 s apart: room for a loaded machine to start within one
      const first = newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const s0row = await eventually('the first slot', async () => (await rowsOf(store(), 'IN_TICK'))[0]);
      const s0 = await slotOf(store(), s0row.eventId);
      await first.stop();
      const before = new Set((await rowsOf(store(), 'IN_TICK')).map((r) => r.eventId));
      // Down for three slots, then back 300 ms after the third.
      await untilStoreTime(store(), s0 + 6_300);
      const lateStart = await store().now();
      const latest = Math.floor(lateStart / 2_000) * 2_000;
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const fired = await eventually('the latest missed slot', async () =>
        (await store().list({ eventId: slotEventId('IN_TICK', latest), messageType: 'IN_TICK', limit: 1 })).rows.at(0),
      );
      expect(fired.createdAt).toBeLessThan(latest + 2_000); // at the restart, not at the next slot
      for (let slot = s0 + 2_000; slot < latest; slot += 2_000) {
        if (before.has(slotEventId('IN_TICK', slot))) continue; // fired before the stop took effect
        const page = await store().list({
          eventId: slotEventId('IN_TICK', slot),
          messageType: 'IN_TICK',
          limit: 1,
        });
        expect([slot, page.rows.length]).toEqual([slot, 0]);
      }
    });

    it("catchUp: 'none' does not fire the slot missed during a restart", async () => {
      const cron = '*/2 * * * * *';
      const first = newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron, catchUp: 'none' }).start();
      const s0row = await eventually('the first slot', async () => (await rowsOf(store(), 'IN_TICK'))[0]);
      const s0 = await slotOf(store(), s0row.eventId);
      await untilStoreTime(store(), s0 + 1_500);
      await first.stop();
      await untilStoreTime(store(), s0 + 2_400);
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron, catchUp: 'none' }).start();
      await untilStoreTime(store(), s0 + 3_500);
      const page = await store().list({
        eventId: slotEventId('IN_TICK', s0 + 2_000),
        messageType: 'IN_TICK',
        limit: 1,
      });
      expect(page.rows).toEqual([]);
      await eventually('the slot after the restart', async () =>
        (await store().list({ eventId: slotEventId('IN_TICK', s0 + 4_000), messageType: 'IN_TICK', limit: 1 })).rows.at(
          0,
        ),
      );
    });
  });
}
