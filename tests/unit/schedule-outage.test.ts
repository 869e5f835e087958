/**
 * A running schedule whose store stops answering for several slots: the process keeps
 * running, and when the store is back it fires the latest slot it slept through, once,
 * within the retry cap (5 s), and none of the slots before it (no storm).
 */
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type Eventyard } from '../../src/index.js';
import { slotEventId } from '../../src/processing/schedule.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { eventually, rowsOf } from '../support/flow-control.js';
import { pausableStore } from '../support/pausable-store.js';

const IN_TICK = defineMessageType({ name: 'IN_TICK', schema: z.unknown() });
let app: Eventyard | undefined;
afterEach(async () => {
  await app?.close();
});

it('after a store outage of several slots a running schedule fires only the latest one', async () => {
  const memory = createMemoryStore();
  const paused = pausableStore(memory);
  app = createEventyard({ store: paused.store, messageTypes: [IN_TICK], logger: silentLogger });
  app.service({ name: 'CLOCK', storeTimeoutMs: 200 }).schedule(IN_TICK, { cron: '* * * * * *' }).start();
  await eventually('the first slot', async () => (await rowsOf(memory, 'IN_TICK'))[0]);
  paused.pause();
  const pausedAt = Date.now();
  const before = new Set((await rowsOf(memory, 'IN_TICK')).map((r) => r.eventId));
  await new Promise((resolve) => setTimeout(resolve, 3_500));
  paused.resume();
  const resumedAt = Date.now();
  const after = await eventually('a slot after the outage', async () => {
    const fresh = (await rowsOf(memory, 'IN_TICK')).filter((r) => !before.has(r.eventId) && r.createdAt >= resumedAt);
    return fresh[0];
  });
  expect(after.createdAt - resumedAt).toBeLessThan(5_000 + 1_000);
  const firedSlot = Math.floor(after.createdAt / 1000) * 1000;
  // Every slot from the pause to the one fired after it: none written, but that one.
  for (let slot = Math.ceil(pausedAt / 1000) * 1000; slot < firedSlot - 1000; slot += 1000) {
    if (before.has(slotEventId('IN_TICK', slot))) continue;
    const page = await memory.list({ eventId: slotEventId('IN_TICK', slot), messageType: 'IN_TICK', limit: 1 });
    expect([slot, page.rows.length]).toEqual([slot, 0]);
  }
  const written = (await rowsOf(memory, 'IN_TICK')).filter((r) => !before.has(r.eventId));
  expect(written.filter((r) => r.createdAt < after.createdAt + 500).length).toBe(1);
}, 30_000);
