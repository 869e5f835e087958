/**
 * A schedule in one process, on the memory store: when its store stops answering for
 * several slots, the process keeps running and, once the store is back, fires the latest
 * slot it slept through, once, within the retry cap (5 s), and none of the slots before it
 * (no storm); with a tracer, each firing is a producer span like a publish.
 */
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type Eventyard } from '../../src/index.js';
import { slotEventId } from '../../src/processing/schedule.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { eventually, rowsOf } from '../support/flow-control.js';
import { pausableStore } from '../support/pausable-store.js';
import { recordSpans } from '../support/spans.js';
import { createTracer } from '../../src/tracing/index.js';

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

it('with a tracer, each firing is a producer span and the row carries its context', async () => {
  const recorder = recordSpans();
  const memory = createMemoryStore();
  app = createEventyard({
    store: memory,
    messageTypes: [IN_TICK],
    logger: silentLogger,
    tracer: createTracer({ tracerProvider: recorder.provider }),
  });
  const clock = app.service({ name: 'CLOCK' }).schedule(IN_TICK, { cron: '* * * * * *' }).start();
  const row = await eventually('the first slot', async () => (await rowsOf(memory, 'IN_TICK'))[0]);
  await clock.stop();
  const [span] = recorder.spans().filter((s) => s.name === 'publish IN_TICK');
  expect(span).toBeDefined();
  expect(row.traceparent).toContain(span?.spanContext().traceId);
  expect(row.traceparent).toContain(span?.spanContext().spanId);
});
