/**
 * A publish of this process wakes its idle processors at once, also when it lands while
 * their claim is on its way: that claim may have run just before the publish and come back
 * empty, and the processor was not waiting yet when the wake-up came.
 */
import { performance } from 'node:perf_hooks';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type EventStore, type Eventyard } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';

const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: z.object({ id: z.number().int() }) });
/** Far longer than the test waits: a missed wake-up shows as a handler that never starts in time. */
const IDLE_MS = 20_000;

let app: Eventyard | undefined;
afterEach(() => app?.close());

/**
 * The store, except that its claims can be made to publish a row after they ran and before
 * they answer, as a publish of another part of the process interleaves with a claim in flight.
 */
function racingStore(inner: EventStore): {
  store: EventStore;
  publishDuringNextEmptyClaim: (publish: () => Promise<unknown>) => Promise<void>;
} {
  let pending: { publish: () => Promise<unknown>; done: () => void } | undefined;
  const store = new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== 'claim') return Reflect.get(target, key, receiver) as unknown;
      return async (request: Parameters<EventStore['claim']>[0]) => {
        const rows = await target.claim(request);
        const race = pending;
        if (race !== undefined && rows.length === 0) {
          pending = undefined;
          await race.publish();
          race.done();
        }
        return rows;
      };
    },
  });
  return {
    store,
    publishDuringNextEmptyClaim: (publish) => new Promise((done) => (pending = { publish, done })),
  };
}

it('a publish that lands while an empty claim is on its way starts its handler without waiting a poll', async () => {
  const { store, publishDuringNextEmptyClaim } = racingStore(createSqliteStore({ path: ':memory:' }));
  const eyApp = createEventyard({ store, messageTypes: [IN_ORDER], logger: silentLogger });
  app = eyApp;
  let startedAt: number | undefined;
  eyApp
    .service({ name: 'SERVICE_A', idleMinMs: IDLE_MS, idleMaxMs: IDLE_MS })
    .handle(IN_ORDER, () => {
      startedAt ??= performance.now();
    })
    .start();
  // The next empty claim publishes before it answers; the processor then waits IDLE_MS
  // unless it takes the wake-up that came during the claim.
  let publishedAt = 0;
  await publishDuringNextEmptyClaim(async () => {
    publishedAt = performance.now();
    await eyApp.publish(IN_ORDER, { id: 1 });
  });
  const deadline = performance.now() + 5_000;
  while (startedAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(startedAt, 'the handler started').toBeDefined();
  expect((startedAt as number) - publishedAt).toBeLessThan(2_000);
});
