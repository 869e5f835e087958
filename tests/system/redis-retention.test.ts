/**
 * Bounded memory at steady state: with automatic retention of COMPLETED rows, a long run of
 * publish → handle keeps the number of keys (and memory) flat instead of growing with every
 * event, while every event is still handled exactly once. A private redis-server keeps other
 * users of 6379 out of the figures.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventyard, silentLogger, type Eventyard } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import { workTypes } from '../support/work-types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let server: RedisServerHandle | undefined;
let app: Eventyard | undefined;
let admin: Redis | undefined;

afterEach(async () => {
  await app?.close();
  admin?.disconnect();
  await server?.destroy();
});

describe('Redis retention', () => {
  it('a steady stream keeps keys and memory flat; every event handled exactly once', async () => {
    server = await createRedisServer(['--save', '']);
    await server.start();
    admin = new Redis({ port: server.port });
    const store = createRedisStore({ port: server.port, keyPrefix: 'retention', retainCompletedMs: 500 });
    app = createEventyard({ store, messageTypes: workTypes(3), logger: silentLogger });
    const handled = new Map<number, number>();
    const service = app
      .service({ name: 'RETENTION', concurrency: 16 })
      .handle('RQ_WORK', async (ctx) => {
        const { n } = ctx.payload as { n: number };
        handled.set(n, (handled.get(n) ?? 0) + 1);
      })
      .start();

    const rounds = 300;
    const perRound = 40;
    const samples: { keys: number; memory: number; completed: number }[] = [];
    const sample = async (): Promise<void> => {
      const memory = Number(/used_memory:(\d+)/.exec(await (admin as Redis).info('memory'))?.[1]);
      const completed = (await store.countByStatus({ statuses: ['COMPLETED'] })).reduce((s, c) => s + c.count, 0);
      samples.push({ keys: await (admin as Redis).dbsize(), memory, completed });
    };
    for (let round = 0; round < rounds; round++) {
      const batch = Array.from({ length: perRound }, (_, i) => ({
        type: 'RQ_WORK',
        payload: { n: round * perRound + i },
      }));
      await app.publishMany(batch);
      await sleep(20);
      if (round % 30 === 29) await sample();
    }
    const total = rounds * perRound;
    for (let i = 0; i < 600 && handled.size < total; i++) await sleep(50);
    await service.stop();

    expect(handled.size).toBe(total);
    expect([...handled.values()].filter((times) => times !== 1)).toEqual([]);
    // Without retention every one of the 12,000 events would keep ~3 keys. With it, the
    // completed rows present stay near (rate × 500 ms), far below the total.
    const peakCompleted = Math.max(...samples.map((s) => s.completed));
    const peakKeys = Math.max(...samples.map((s) => s.keys));
    expect(peakCompleted).toBeLessThan(total / 4);
    expect(peakKeys).toBeLessThan(total);
    // Flat: the second half of the run holds no more than the first half's peak plus slack.
    const half = Math.floor(samples.length / 2);
    const firstPeak = Math.max(...samples.slice(0, half).map((s) => s.memory));
    const secondPeak = Math.max(...samples.slice(half).map((s) => s.memory));
    console.log(
      `retention: ${total} events, peak completed rows kept ${peakCompleted}, peak keys ${peakKeys}, ` +
        `used_memory first half peak ${(firstPeak / 2 ** 20).toFixed(1)} MiB, second half ${(secondPeak / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(secondPeak).toBeLessThan(firstPeak + 4 * 2 ** 20);
  });
});
