/**
 * The processing layer under a store that stops answering (a network pause simulated in
 * process): handlers aborted by the local clock before another worker can take their rows,
 * health and one warning per outage, stop() within its deadline, and recovery at normal
 * concurrency. The Redis and broker versions of these run through a TCP proxy in
 * tests/system/*-pause.test.ts.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, type EventStore, type Logger } from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { pausableStore, type PausableStore } from '../support/pausable-store.js';
import { waitUntil } from '../support/rows.js';

const RQ_WORK = defineMessageType({
  name: 'RQ_WORK',
  schema: z.object({ n: z.number() }),
  retry: { maxAttempts: 5, backoff: 'fixed', delayMs: 10, jitter: false },
});
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_fields: Record<string, unknown>, msg: string) => void lines.push({ level, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const OUTAGE = 'the store does not answer; reporting unhealthy until it does';
const RECOVERED = 'the store answers again; reporting healthy';

let shared: EventStore;
let paused: PausableStore;
afterEach(async () => {
  paused.resume();
  await shared.close();
});

function setUp(): { shared: EventStore; paused: PausableStore } {
  shared = createMemoryStore();
  paused = pausableStore(shared);
  return { shared, paused };
}

describe('a store that stops answering', () => {
  it('aborts a handler by the local clock before another worker takes its row; the taker runs them at normal concurrency', async () => {
    setUp();
    const logger = recordingLogger();
    const appA = createEventyard({ store: paused.store, messageTypes: [RQ_WORK], logger });
    const appB = createEventyard({ store: shared, messageTypes: [RQ_WORK], logger });
    const abortedInA = new Map<string, number>();
    const startedInA = new Map<string, number>();
    const startedInB = new Map<string, number>();
    let runningInB = 0;
    let mostInB = 0;
    const a = appA
      .service({ name: 'A', leaseMs: 600, concurrency: 4, runRetryMechanism: false, ...fast })
      .handle(RQ_WORK, async (ctx) => {
        startedInA.set(ctx.message.eventId, performance.now());
        await new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
          setTimeout(resolve, 20_000);
        });
        if (ctx.signal.aborted) abortedInA.set(ctx.message.eventId, performance.now());
      });
    for (let n = 0; n < 4; n++) await appA.publish(RQ_WORK, { n });
    a.start();
    await waitUntil('A runs all four', async () => startedInA.size === 4, 5000);
    paused.pause();
    const b = appB
      .service({ name: 'B', leaseMs: 5000, concurrency: 4, ...fast })
      .handle(RQ_WORK, async (ctx) => {
        startedInB.set(ctx.message.eventId, performance.now());
        mostInB = Math.max(mostInB, ++runningInB);
        await new Promise((r) => setTimeout(r, 100));
        runningInB--;
      })
      .start();
    await waitUntil(
      'B completes all four',
      async () => (await shared.list({ statuses: ['COMPLETED'], limit: 10 })).rows.length === 4,
      10_000,
    );
    // No overlap: every run in A was aborted before B started the same row.
    expect([...startedInB.keys()].sort()).toEqual([...startedInA.keys()].sort());
    for (const [eventId, startedB] of startedInB) {
      const abortedA = abortedInA.get(eventId);
      expect(abortedA, `A's run of ${eventId} was never aborted`).toBeDefined();
      expect(abortedA as number).toBeLessThan(startedB);
      // Aborted within the lease as A measures it from its claim.
      expect((abortedA as number) - (startedInA.get(eventId) as number)).toBeLessThan(600);
    }
    // The four rows of the paused owner ran side by side in B, none isolated.
    expect(b.stats().processors['request']?.isolated).toBe(0);
    expect(mostInB).toBe(4);
    paused.resume();
    await a.stop();
    await b.stop();
    const rows = (await shared.list({ limit: 10 })).rows;
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array.from({ length: 4 }, () => ['COMPLETED', 2]));
    for (const row of rows) expect(row.lastError).toMatch(/^EY_LEASE_LOST: lease of A\//);
  });

  it('turns health unhealthy with one warning per outage, and healthy again with one line when it answers', async () => {
    setUp();
    const logger = recordingLogger();
    const app = createEventyard({ store: paused.store, messageTypes: [RQ_WORK], logger });
    const service = app
      .service({ name: 'A', leaseMs: 900, ...fast })
      .handle(RQ_WORK, () => undefined)
      .start();
    await new Promise((r) => setTimeout(r, 200));
    expect(service.health().healthy).toBe(true);
    for (let outage = 1; outage <= 2; outage++) {
      paused.pause();
      // storeTimeoutMs defaults to a third of the lease: 300 ms.
      await waitUntil('health turns unhealthy', async () => !service.health().healthy, 2000);
      await new Promise((r) => setTimeout(r, 1500)); // several polls and retry passes
      expect(service.health().healthy).toBe(false);
      expect(logger.lines.filter((l) => l.msg === OUTAGE)).toHaveLength(outage);
      paused.resume();
      await waitUntil('health recovers', async () => service.health().healthy, 3000);
      expect(logger.lines.filter((l) => l.msg === RECOVERED)).toHaveLength(outage);
    }
    // Nothing else was logged at warn or above for the outages (no line per poll).
    expect(logger.lines.filter((l) => l.level !== 'info' && l.level !== 'debug').map((l) => l.msg)).toEqual([
      OUTAGE,
      OUTAGE,
    ]);
    await service.stop();
  });

  it('stop() keeps its deadline while every store call hangs; the abandoned row is left to lease expiry', async () => {
    setUp();
    const logger = recordingLogger();
    const app = createEventyard({ store: paused.store, messageTypes: [RQ_WORK], logger });
    let started = 0;
    const service = app
      .service({ name: 'A', leaseMs: 3000, shutdownTimeoutMs: 500, ...fast })
      .handle(RQ_WORK, async (ctx) => {
        started++;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      })
      .start();
    await app.publish(RQ_WORK, { n: 1 });
    await waitUntil('the handler runs', async () => started === 1, 5000);
    paused.pause();
    await new Promise((r) => setTimeout(r, 100));
    const before = performance.now();
    await service.stop();
    const took = performance.now() - before;
    // 500 ms for the handler, then at most min(1 s, storeTimeoutMs = 1 s) for the final writes.
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(2500);
    expect(service.health().running).toBe(false);
    const [row] = (await shared.list({ limit: 1 })).rows;
    expect(row?.status).toBe('IN_PROGRESS'); // abandoned: the lease expires and the reaper takes it
    expect(logger.lines.some((l) => l.msg.includes('left to lease expiry'))).toBe(true);
  });
});
