/**
 * app.idle() waits until the running services have nothing left (retries included), and
 * misuse gets its own code: EY_INVALID_STATE, EY_DUPLICATE_HANDLER, EY_UNSUPPORTED_FEATURE,
 * EY_IDLE_TIMEOUT.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  isEventyardError,
  silentLogger,
  type EventStore,
  type Eventyard,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createMemoryStore } from '../../src/testing/index.js';

const Order = z.object({ id: z.number().int() });
const retry = { maxAttempts: 3, backoff: 'fixed', delayMs: 30, jitter: false } as const;
const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: Order, retry });
const RQ_NEXT = defineMessageType({ name: 'RQ_NEXT', schema: Order, retry });
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 10, reapRetryDelayMs: 0 } };

let app: Eventyard | undefined;
afterEach(() => app?.close());
const open = (store: EventStore = createSqliteStore({ path: ':memory:' })): Eventyard =>
  (app = createEventyard({ store, messageTypes: [IN_ORDER, RQ_NEXT], logger: silentLogger }));
const codeOf = async (work: () => unknown): Promise<string | undefined> => {
  try {
    await work();
    return undefined;
  } catch (error) {
    return isEventyardError(error) ? error.code : String(error);
  }
};

describe('app.idle()', () => {
  it('resolves only after every row, retries and follow-ups included, is COMPLETED or FAILED', async () => {
    const app = open();
    const failedOnce = new Set<number>();
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, async (ctx) => {
        await new Promise((r) => setTimeout(r, 2));
        ctx.emit('RQ_NEXT');
      })
      .handle(RQ_NEXT, (ctx) => {
        // every third event fails its first attempt: idle() must wait for its retry
        if (ctx.payload.id % 3 === 0 && !failedOnce.has(ctx.payload.id)) {
          failedOnce.add(ctx.payload.id);
          throw new Error('transient');
        }
      })
      .start();
    await app.publishMany(Array.from({ length: 60 }, (_, id) => ({ type: IN_ORDER, payload: { id } })));
    await app.idle({ timeoutMs: 20_000 });
    const counts = await app.countByStatus();
    expect(counts.map((c) => [c.messageType, c.status, c.count])).toEqual([
      ['IN_ORDER', 'COMPLETED', 60],
      ['RQ_NEXT', 'COMPLETED', 60],
    ]);
    expect(failedOnce.size).toBe(20);
  });

  it('times out with EY_IDLE_TIMEOUT naming what is left; refuses with EY_INVALID_STATE when nothing runs', async () => {
    const app = open();
    expect(await codeOf(() => app.idle())).toBe(ErrorCode.INVALID_STATE);
    const service = app.service({ name: 'SERVICE_A', ...fast });
    service.handle(IN_ORDER, () => new Promise<void>((r) => setTimeout(r, 300))).start();
    await app.publish(IN_ORDER, { id: 1 }, { delayMs: 60_000 });
    const error = await app.idle({ timeoutMs: 100 }).catch((e: unknown) => e);
    expect(isEventyardError(error, ErrorCode.IDLE_TIMEOUT)).toBe(true);
    expect((error as Error).message).toMatch(/IN_ORDER UNPROCESSED 1/);
    await service.stop();
    expect(await codeOf(() => app.idle())).toBe(ErrorCode.INVALID_STATE);
  });
});

describe('error codes', () => {
  it('handle() after start() is EY_INVALID_STATE; a second handler for a type is EY_DUPLICATE_HANDLER', () => {
    const app = open();
    const service = app.service({ name: 'SERVICE_A' }).handle(IN_ORDER, () => undefined);
    expect(() => service.handle(IN_ORDER, () => undefined)).toThrow(
      expect.objectContaining({ code: ErrorCode.DUPLICATE_HANDLER }) as Error,
    );
    service.start();
    expect(() => service.handle(RQ_NEXT, () => undefined)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_STATE }) as Error,
    );
  });

  it('an ordering key on a store without ordering keys is refused (publish and emit), not dropped', async () => {
    const inner = createMemoryStore();
    const store: EventStore = { ...inner, features: { ...inner.features, orderingKeys: false } };
    const app = open(store);
    expect(await codeOf(() => app.publish(IN_ORDER, { id: 1 }, { orderingKey: 'k' }))).toBe(
      ErrorCode.UNSUPPORTED_FEATURE,
    );
    expect(await app.countByStatus()).toEqual([]);
    let emitCode: string | undefined;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, async (ctx) => {
        emitCode = await codeOf(() => ctx.emit('RQ_NEXT', { orderingKey: 'k' }));
      })
      .start();
    await app.publish(IN_ORDER, { id: 2 });
    await app.idle({ timeoutMs: 10_000 });
    expect(emitCode).toBe(ErrorCode.UNSUPPORTED_FEATURE);
  });
});
