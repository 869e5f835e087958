/**
 * Declarations of schedules and reply deadlines: bad input is a typed error with a stable
 * code when it is declared, never a schedule that silently never fires; and the cron
 * wrapper reads slots in the declared time zone (daylight saving included).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, ErrorCode, silentLogger, type Eventyard } from '../../src/index.js';
import { parseCron } from '../../src/core/cron.js';
import { slotEventId } from '../../src/processing/schedule.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { codeOf } from '../support/error-code.js';

const IN_TICK = defineMessageType({ name: 'IN_TICK', schema: z.unknown() });
const RS_B = defineMessageType({ name: 'RS_B', schema: z.unknown() });
const RQ_LATE = defineMessageType({ name: 'RQ_LATE', schema: z.unknown() });

describe('reply deadline declarations', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 366 * 24 * 3600_000, '100', undefined])(
    'afterMs %s is EY_INVALID_DEADLINE',
    (afterMs) => {
      const declare = (): unknown =>
        defineMessageType({
          name: 'RQ_B',
          schema: z.unknown(),
          replyTimeout: { afterMs: afterMs as number, onTimeout: RQ_LATE },
        });
      expect(codeOf(declare)).toBe(ErrorCode.INVALID_DEADLINE);
    },
  );

  it('a reply or timeout type that is not declared is EY_UNKNOWN_MESSAGE_TYPE when the app is created', () => {
    const RQ_B = defineMessageType({
      name: 'RQ_B',
      schema: z.unknown(),
      replyTimeout: { afterMs: 1000, onTimeout: 'RQ_NOPE' },
    });
    expect(codeOf(() => createEventyard({ store: createMemoryStore(), messageTypes: [RQ_B, RS_B] }))).toBe(
      ErrorCode.UNKNOWN_MESSAGE_TYPE,
    );
    const RQ_C = defineMessageType({
      name: 'RQ_C',
      schema: z.unknown(),
      replyTimeout: { afterMs: 1000, onTimeout: RQ_LATE },
    });
    expect(codeOf(() => createEventyard({ store: createMemoryStore(), messageTypes: [RQ_C, RQ_LATE] }))).toBe(
      ErrorCode.UNKNOWN_MESSAGE_TYPE, // RS_C, the default reply type, is not declared
    );
  });

  it('an outbound timeout type is EY_INVALID_DEADLINE: no service would run its checks', () => {
    const OUT_LATE = defineMessageType({ name: 'OUT_LATE', schema: z.unknown() });
    const RQ_B = defineMessageType({
      name: 'RQ_B',
      schema: z.unknown(),
      replyTimeout: { afterMs: 1000, onTimeout: OUT_LATE },
    });
    expect(codeOf(() => createEventyard({ store: createMemoryStore(), messageTypes: [RQ_B, RS_B, OUT_LATE] }))).toBe(
      ErrorCode.INVALID_DEADLINE,
    );
  });

  it('a type without an RQ_ prefix must name its reply type; unknown keys are refused', () => {
    const noReply = (): unknown =>
      defineMessageType({
        name: 'ASK_B',
        table: 'request',
        schema: z.unknown(),
        replyTimeout: { afterMs: 10, onTimeout: RQ_LATE },
      });
    expect(codeOf(noReply)).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
    const extra = (): unknown =>
      defineMessageType({
        name: 'RQ_B',
        schema: z.unknown(),
        replyTimeout: { afterMs: 10, onTimeout: RQ_LATE, deadline: 5 } as never,
      });
    expect(codeOf(extra)).toBe(ErrorCode.INVALID_OPTION);
  });

  it('declares the derived DL_ check type in the registry', () => {
    const RQ_B = defineMessageType({
      name: 'RQ_B',
      schema: z.unknown(),
      replyTimeout: { afterMs: 10, onTimeout: RQ_LATE },
    });
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [RQ_B, RS_B, RQ_LATE] });
    expect(app.registry.get('DL_RQ_B').table).toBe('request');
    expect(RQ_B.replyTimeout).toEqual({ afterMs: 10, onTimeout: 'RQ_LATE', replyType: 'RS_B', checkType: 'DL_RQ_B' });
  });
});

describe('schedule declarations', () => {
  let app: Eventyard | undefined;
  afterEach(async () => {
    await app?.close();
  });
  const service = () => {
    app = createEventyard({ store: createMemoryStore(), messageTypes: [IN_TICK], logger: silentLogger });
    return app.service({ name: 'CLOCK' });
  };

  it.each(['61 * * * *', 'hello', '', '   ', '* * *', '0 0 30 2 *', '@reboot', 42, undefined])(
    'cron %s is EY_INVALID_CRON',
    (cron) => {
      expect(codeOf(() => service().schedule(IN_TICK, { cron: cron as string }))).toBe(ErrorCode.INVALID_CRON);
    },
  );

  it.each(['Mars/Base', 'Europe/Pariss', '', 7])('time zone %s is EY_INVALID_TIMEZONE', (timezone) => {
    expect(codeOf(() => service().schedule(IN_TICK, { cron: '0 2 * * *', timezone: timezone as string }))).toBe(
      ErrorCode.INVALID_TIMEZONE,
    );
  });

  it('two schedules of one name are EY_DUPLICATE_SCHEDULE; a second name is fine', () => {
    const s = service().schedule(IN_TICK, { cron: '0 2 * * *' });
    expect(codeOf(() => s.schedule(IN_TICK, { cron: '0 3 * * *' }))).toBe(ErrorCode.DUPLICATE_SCHEDULE);
    s.schedule(IN_TICK, { cron: '0 3 * * *', name: 'IN_TICK_LATE' });
  });

  it('unknown options, a bad catchUp, an unknown type, a payload JSON cannot carry, after start()', () => {
    expect(codeOf(() => service().schedule(IN_TICK, { cron: '* * * * *', every: 5 } as never))).toBe(
      ErrorCode.INVALID_OPTION,
    );
    expect(codeOf(() => service().schedule(IN_TICK, { cron: '* * * * *', catchUp: 'all' as never }))).toBe(
      ErrorCode.INVALID_OPTION,
    );
    expect(codeOf(() => service().schedule('IN_NOPE', { cron: '* * * * *' }))).toBe(ErrorCode.UNKNOWN_MESSAGE_TYPE);
    expect(codeOf(() => service().schedule(IN_TICK, { cron: '* * * * *', payload: { at: new Date() } }))).toBe(
      ErrorCode.PAYLOAD_MALFORMED,
    );
    const started = service().start();
    expect(codeOf(() => started.schedule(IN_TICK, { cron: '* * * * *' }))).toBe(ErrorCode.INVALID_STATE);
  });
});

describe('cron slots', () => {
  it('reads the fields in the time zone, across the spring daylight-saving gap', () => {
    const paris = parseCron('0 9 * * *', 'Europe/Paris', 'test');
    // 09:00 in Paris is 08:00 UTC in winter, 07:00 UTC in summer (DST from 2026-03-29).
    expect(new Date(paris.nextAfter(Date.parse('2026-03-28T12:00:00Z')) ?? 0).toISOString()).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(new Date(paris.latestAtOrBefore(Date.parse('2026-03-28T12:00:00Z')) ?? 0).toISOString()).toBe(
      '2026-03-28T08:00:00.000Z',
    );
  });

  it('latestAtOrBefore includes the slot itself; slotsBefore and nextAfter exclude it', () => {
    const everyTwo = parseCron('*/2 * * * * *', 'UTC', 'test');
    expect(everyTwo.latestAtOrBefore(4_000)).toBe(4_000);
    expect(everyTwo.latestAtOrBefore(5_999)).toBe(4_000);
    expect(everyTwo.nextAfter(4_000)).toBe(6_000);
    expect(everyTwo.slotsBefore(10_000, 3)).toEqual([8_000, 6_000, 4_000]);
  });

  it('the EVENT_ID of a slot depends on the schedule name and the slot only', () => {
    expect(slotEventId('IN_TICK', 1_000)).toBe(slotEventId('IN_TICK', 1_000));
    expect(slotEventId('IN_TICK', 1_000)).not.toBe(slotEventId('IN_TICK', 2_000));
    expect(slotEventId('IN_TICK', 1_000)).not.toBe(slotEventId('OTHER', 1_000));
    expect(slotEventId('IN_TICK', 1_000)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
