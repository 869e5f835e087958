/**
 * Schedules on every store of the factory list (memory, SQLite, Redis, PostgreSQL), in real
 * time on the store's clock with second-precision cron expressions: two processes (two
 * apps on one store) running one schedule write each slot once; a first deployment waits
 * for the next slot; a restart shorter than the period fires the slot it missed, promptly;
 * a long outage fires only the latest missed slot (no storm).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type Eventyard, type EventStore } from '../../src/index.js';
import { slotEventId } from '../../src/processing/schedule.js';
import type { OpenedStore, StoreFactory } from './store-factories.js';
import { eventually, rowsOf, sharedStore, untilStoreTime } from './flow-control.js';

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
    let opened: OpenedStore;
    const apps: Eventyard[] = [];
    const newApp = (): Eventyard => {
      const app = createEventyard({ store: sharedStore(opened.store), messageTypes: [IN_TICK], logger: silentLogger });
      apps.push(app);
      return app;
    };
    beforeEach(async () => {
      opened = await factory.open();
    });
    afterEach(async () => {
      for (const app of apps.splice(0)) await app.close();
      await opened.dispose();
    });

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
      const start = await opened.store.now();
      await untilStoreTime(opened.store, start + 3_500);
      await Promise.all(services.map((s) => s.stop()));

      const rows = await rowsOf(opened.store, 'IN_TICK');
      expect(rows.length).toBeGreaterThanOrEqual(3);
      const slots = await Promise.all(rows.map((r) => slotOf(opened.store, r.eventId)));
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
      const startedAt = await opened.store.now();
      const first = newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const s0row = await eventually('the first slot', async () => (await rowsOf(opened.store, 'IN_TICK'))[0]);
      const s0 = await slotOf(opened.store, s0row.eventId);
      expect(s0).toBeGreaterThan(startedAt); // the slot before the start was not fired
      expect(s0 - startedAt).toBeLessThanOrEqual(3_100);
      // Down from 700 ms before the next slot to 500 ms after it: 1.2 s, shorter than the period.
      const s1 = s0 + 3_000;
      await untilStoreTime(opened.store, s1 - 700);
      await first.stop();
      await untilStoreTime(opened.store, s1 + 500);
      expect((await rowsOf(opened.store, 'IN_TICK')).length).toBe(1);
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const caughtUp = await eventually('the missed slot', async () =>
        (await opened.store.list({ eventId: slotEventId('IN_TICK', s1), messageType: 'IN_TICK', limit: 1 })).rows.at(0),
      );
      expect(caughtUp.createdAt).toBeLessThan(s1 + 3_000); // fired at the restart, not at the next slot
    });

    it('after an outage of several slots only the latest missed slot fires (no storm)', async () => {
      const cron = '* * * * * *';
      const first = newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const s0row = await eventually('the first slot', async () => (await rowsOf(opened.store, 'IN_TICK'))[0]);
      const s0 = await slotOf(opened.store, s0row.eventId);
      await first.stop();
      const before = new Set((await rowsOf(opened.store, 'IN_TICK')).map((r) => r.eventId));
      // Down for three slots, then back 300 ms after the third.
      await untilStoreTime(opened.store, s0 + 3_300);
      const lateStart = await opened.store.now();
      const latest = Math.floor(lateStart / 1000) * 1000;
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron }).start();
      const fired = await eventually('the latest missed slot', async () =>
        (
          await opened.store.list({ eventId: slotEventId('IN_TICK', latest), messageType: 'IN_TICK', limit: 1 })
        ).rows.at(0),
      );
      expect(fired.createdAt).toBeLessThan(latest + 1_000);
      for (let slot = s0 + 1_000; slot < latest; slot += 1_000) {
        if (before.has(slotEventId('IN_TICK', slot))) continue; // fired before the stop took effect
        const page = await opened.store.list({
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
      const s0row = await eventually('the first slot', async () => (await rowsOf(opened.store, 'IN_TICK'))[0]);
      const s0 = await slotOf(opened.store, s0row.eventId);
      await untilStoreTime(opened.store, s0 + 1_500);
      await first.stop();
      await untilStoreTime(opened.store, s0 + 2_400);
      newApp().service({ name: 'CLOCK' }).schedule(IN_TICK, { cron, catchUp: 'none' }).start();
      await untilStoreTime(opened.store, s0 + 3_500);
      const page = await opened.store.list({
        eventId: slotEventId('IN_TICK', s0 + 2_000),
        messageType: 'IN_TICK',
        limit: 1,
      });
      expect(page.rows).toEqual([]);
      await eventually('the slot after the restart', async () =>
        (
          await opened.store.list({ eventId: slotEventId('IN_TICK', s0 + 4_000), messageType: 'IN_TICK', limit: 1 })
        ).rows.at(0),
      );
    });
  });
}
