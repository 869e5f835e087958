/**
 * Message priorities at the API: app.publish, publishMany, ctx.emit and ctx.emitEvent take
 * `priority` (0..9), write it to the row, and refuse anything else with EY_INVALID_PRIORITY
 * before a row is written; the stores refuse a bad `priorityAgingStepMs`; rows show it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  ErrorCode,
  isEventyardError,
  silentLogger,
  type Eventyard,
} from '../../src/index.js';
import { rowJson } from '../../src/ops/row-json.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createMemoryStore } from '../../src/testing/index.js';

const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: z.object({ id: z.number() }) });
const RQ_NEXT = defineMessageType({ name: 'RQ_NEXT', schema: z.object({ id: z.number() }) });
const fast = { idleMinMs: 1, idleMaxMs: 20 };

let app: Eventyard | undefined;
afterEach(() => app?.close());
const open = (): Eventyard =>
  (app = createEventyard({
    store: createSqliteStore({ path: ':memory:' }),
    messageTypes: [IN_ORDER, RQ_NEXT],
    logger: silentLogger,
  }));
const codeOf = async (work: () => unknown): Promise<string | undefined> => {
  try {
    await work();
    return undefined;
  } catch (error) {
    return isEventyardError(error) ? error.code : String(error);
  }
};
const BAD = [10, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '5', null];

describe('priority at publish', () => {
  it.each(BAD)('priority %s is EY_INVALID_PRIORITY and writes nothing', async (priority) => {
    const yard = open();
    expect(await codeOf(() => yard.publish(IN_ORDER, { id: 1 }, { priority: priority as number }))).toBe(
      ErrorCode.INVALID_PRIORITY,
    );
    expect(
      await codeOf(() =>
        yard.publishMany([
          { type: IN_ORDER, payload: { id: 1 }, options: { priority: 3 } },
          { type: IN_ORDER, payload: { id: 2 }, options: { priority: priority as number } },
        ]),
      ),
    ).toBe(ErrorCode.INVALID_PRIORITY);
    expect(await yard.countByStatus()).toEqual([]);
  });

  it('writes the priority to the row (0 when absent) and shows it in row JSON', async () => {
    const yard = open();
    const high = await yard.publish(IN_ORDER, { id: 1 }, { priority: 9 });
    const none = await yard.publish(IN_ORDER, { id: 2 });
    const zero = await yard.publish(IN_ORDER, { id: 3 }, { priority: 0 });
    const rows = (await yard.store.list({ limit: 10 })).rows;
    expect(rows.map((r) => [r.eventId, r.priority])).toEqual([
      [high.eventId, 9],
      [none.eventId, 0],
      [zero.eventId, 0],
    ]);
    expect(rows.map((r) => rowJson(r).priority)).toEqual([9, 0, 0]);
  });
});

describe('priority at emit', () => {
  it("emit and emitEvent write their priority, do not inherit the parent's, and refuse bad values", async () => {
    const yard = open();
    const codes: (string | undefined)[] = [];
    yard
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, async (ctx) => {
        codes.push(await codeOf(() => ctx.emit(RQ_NEXT, { priority: 11 })));
        codes.push(await codeOf(() => ctx.emitEvent(RQ_NEXT, { id: 9 }, { priority: -2 })));
        ctx.emit(RQ_NEXT, { priority: 6 });
        await ctx.emitEvent(RQ_NEXT, { id: 7 }, { priority: 2 });
        await ctx.emitEvent(RQ_NEXT, { id: 8 });
      })
      .start();
    const parent = await yard.publish(IN_ORDER, { id: 1 }, { priority: 5 });
    await yard.idle({ timeoutMs: 10_000 });
    expect(codes).toEqual([ErrorCode.INVALID_PRIORITY, ErrorCode.INVALID_PRIORITY]);
    const next = (await yard.store.list({ messageType: 'RQ_NEXT', limit: 10 })).rows;
    expect(next.map((r) => [r.eventId === parent.eventId, r.priority])).toEqual([
      [true, 6],
      [false, 2],
      [false, 0],
    ]);
  });
});

describe('priorityAgingStepMs', () => {
  it.each([0, -1, 1.5, 86_400_001])('%s is refused by every store', (step) => {
    expect(() => createMemoryStore({ priorityAgingStepMs: step })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION }) as Error,
    );
    expect(() => createSqliteStore({ path: ':memory:', priorityAgingStepMs: step })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION }) as Error,
    );
  });
});
