// Rate limits: the declaration's checks (EY_INVALID_RATE_LIMIT), the refusal of a store
// without the token primitive at start, and the grant-log rule's edges (store/rate-log.ts)
// that real time cannot reach (a clock going back).
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, ErrorCode, silentLogger, type Eventyard } from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import type { EventStore } from '../../src/store/port.js';
import { returnToLog, takeFromLog, type GrantLog } from '../../src/store/rate-log.js';
import { codeOf } from '../support/error-code.js';

const schema = z.object({ n: z.number() });

describe('rateLimit declaration', () => {
  it.each([
    ['max 0', { max: 0, intervalMs: 1000 }],
    ['max NaN', { max: Number.NaN, intervalMs: 1000 }],
    ['max negative', { max: -1, intervalMs: 1000 }],
    ['max a fraction', { max: 2.5, intervalMs: 1000 }],
    ['max a string', { max: '5', intervalMs: 1000 }],
    ['max Infinity', { max: Infinity, intervalMs: 1000 }],
    ['max over 100,000', { max: 100_001, intervalMs: 1000 }],
    ['intervalMs 0', { max: 5, intervalMs: 0 }],
    ['intervalMs a fraction', { max: 5, intervalMs: 0.5 }],
    ['intervalMs NaN', { max: 5, intervalMs: Number.NaN }],
    ['intervalMs negative', { max: 5, intervalMs: -10 }],
    ['intervalMs over a day', { max: 5, intervalMs: 24 * 3600_000 + 1 }],
    ['intervalMs missing', { max: 5 }],
    ['perGroup not a boolean', { max: 5, intervalMs: 1000, perGroup: 'yes' }],
    ['an unknown key', { max: 5, intervalMs: 1000, burst: 2 }],
    ['not an object', 5],
    ['null', null],
  ])('%s is EY_INVALID_RATE_LIMIT', (_, rateLimit) => {
    const declare = (): unknown =>
      defineMessageType({ name: 'RQ_LIMITED', schema, rateLimit: rateLimit as { max: number; intervalMs: number } });
    expect(codeOf(declare)).toBe(ErrorCode.INVALID_RATE_LIMIT);
  });

  it('a rate limit on an outbound type is EY_INVALID_RATE_LIMIT: the outbound processor takes no tokens', () => {
    const declare = (): unknown =>
      defineMessageType({ name: 'OUT_LIMITED', schema, rateLimit: { max: 5, intervalMs: 1000 } });
    expect(codeOf(declare)).toBe(ErrorCode.INVALID_RATE_LIMIT);
  });

  it('a valid limit is kept, resolved and frozen; no limit leaves the type as it was', () => {
    const type = defineMessageType({ name: 'RQ_LIMITED', schema, rateLimit: { max: 20, intervalMs: 500 } });
    expect(type.rateLimit).toEqual({ max: 20, intervalMs: 500, perGroup: false });
    expect(Object.isFrozen(type.rateLimit)).toBe(true);
    const grouped = defineMessageType({
      name: 'RQ_GROUPED',
      schema,
      group: { key: (p: { n: number }) => String(p.n), maxInFlight: 1 },
      rateLimit: { max: 1, intervalMs: 24 * 3600_000, perGroup: true },
    });
    expect(grouped.rateLimit?.perGroup).toBe(true);
    expect('rateLimit' in defineMessageType({ name: 'RQ_FREE', schema })).toBe(false);
  });
});

describe('rate limits at start', () => {
  const apps: Eventyard[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('a service handling a rate-limited type on a store without takeTokens is EY_UNSUPPORTED_FEATURE; others start', () => {
    const store: EventStore = new Proxy(createMemoryStore(), {
      get: (target, key): unknown =>
        key === 'takeTokens' || key === 'returnTokens' ? undefined : Reflect.get(target, key, target),
    });
    const RQ_LIMITED = defineMessageType({ name: 'RQ_LIMITED', schema, rateLimit: { max: 5, intervalMs: 1000 } });
    const RQ_FREE = defineMessageType({ name: 'RQ_FREE', schema });
    const app = createEventyard({ store, messageTypes: [RQ_LIMITED, RQ_FREE], logger: silentLogger });
    apps.push(app);
    const limited = app.service({ name: 'LIMITED' }).handle(RQ_LIMITED, () => undefined);
    expect(codeOf(() => limited.start())).toBe(ErrorCode.UNSUPPORTED_FEATURE);
    expect(limited.running).toBe(false);
    const free = app.service({ name: 'FREE' }).handle(RQ_FREE, () => undefined);
    expect(codeOf(() => free.start())).toBeUndefined();
  });
});

describe('grant log rule', () => {
  const limit = { max: 3, intervalMs: 100 };

  it('a clock that went back records the grant at the newest entry, never before it', () => {
    const log: GrantLog = [];
    expect(takeFromLog(log, { ...limit, want: 1 }, 1000)).toMatchObject({ granted: 1, at: 1000, nextAt: 1000 });
    const back = takeFromLog(log, { ...limit, want: 5 }, 990);
    expect(back).toMatchObject({ granted: 2, at: 1000, nextAt: 1100 });
    expect(log).toEqual([[1000, 3]]);
  });

  it('nextAt is when enough of the oldest grants leave the window for one more token', () => {
    const log: GrantLog = [];
    takeFromLog(log, { ...limit, want: 1 }, 1000);
    takeFromLog(log, { ...limit, want: 1 }, 1040);
    const full = takeFromLog(log, { ...limit, want: 2 }, 1070);
    expect(full).toMatchObject({ granted: 1, nextAt: 1100 });
    // At 1100 the first grant no longer counts (a window is [t, t + interval)).
    expect(takeFromLog(log, { ...limit, want: 2 }, 1100)).toMatchObject({ granted: 1, at: 1100, nextAt: 1140 });
    expect(log).toEqual([
      [1040, 1],
      [1070, 1],
      [1100, 1],
    ]);
  });

  it('returns give back only entries of that grant time, never below zero', () => {
    const log: GrantLog = [
      [1000, 2],
      [1050, 1],
    ];
    expect(returnToLog(log, 1001, 1)).toBe(false);
    expect(returnToLog(log, 1000, 5)).toBe(true);
    expect(log).toEqual([[1050, 1]]);
  });
});
