/**
 * Measures publish → handler-start latency on Redis (127.0.0.1:6379): an idle service, and
 * 300 events published one at a time, 20-50 ms apart, through another store instance (so
 * only Redis can wake the service, not the in-process wake-up). Once with the store's
 * wake-ups (pub/sub), once with polling only.
 *
 *   node --import tsx tests/support/redis-latency-probe.ts
 */
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type EventStore } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { deletePrefix, randomPrefix } from './redis-keys.js';

const type = defineMessageType({ name: 'RQ_LATENCY', schema: z.object({ sentAt: z.number() }) });
const clock = (): number => performance.timeOrigin + performance.now();

async function run(wakeUps: boolean): Promise<number[]> {
  const keyPrefix = randomPrefix('latency');
  const own = createRedisStore({ keyPrefix });
  const store: EventStore = wakeUps
    ? own
    : new Proxy(own, { get: (t, p) => (p === 'waitForMessages' ? undefined : (Reflect.get(t, p, t) as unknown)) });
  const publisherStore = createRedisStore({ keyPrefix });
  const publisher = createEventyard({ store: publisherStore, messageTypes: [type], logger: silentLogger });
  const app = createEventyard({ store, messageTypes: [type], logger: silentLogger });
  const latencies: number[] = [];
  const service = app
    .service({ name: 'LATENCY', concurrency: 4 })
    .handle('RQ_LATENCY', async (ctx) => {
      latencies.push(clock() - (ctx.payload as { sentAt: number }).sentAt);
    })
    .start();
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < 300; i++) {
    await publisher.publish(type, { sentAt: clock() });
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
  }
  await new Promise((r) => setTimeout(r, 1000));
  await service.stop();
  await app.close();
  await publisher.close();
  const { Redis } = await import('ioredis');
  const admin = new Redis();
  await deletePrefix(admin, keyPrefix);
  admin.disconnect();
  return latencies.sort((a, b) => a - b);
}

for (const wakeUps of [true, false]) {
  const l = await run(wakeUps);
  const q = (p: number): string => (l[Math.min(l.length - 1, Math.floor(p * l.length))] ?? NaN).toFixed(1);
  console.log(
    `${wakeUps ? 'wake-ups (pub/sub)' : 'polling only      '}: n=${l.length} ` +
      `p50 ${q(0.5)} ms, p90 ${q(0.9)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
  );
}
