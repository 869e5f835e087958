/**
 * Group concurrency through the public API: declaration errors (EY_INVALID_GROUP), group
 * keys computed on every write path (publish, publishMany, emit, emitEvent) with a bad key
 * written FAILED (EY_INVALID_GROUP_KEY) without holding anything up, and the processor
 * honouring maxInFlight across two applications sharing one SQLite file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  silentLogger,
  type EventStore,
  type Eventyard,
  type MessageRow,
} from '../../src/index.js';
import { MessageRegistry } from '../../src/core/message-type.js';
import { DEFAULT_PAYLOAD_LIMITS } from '../../src/core/payload.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { mapInbound } from '../../src/transports/inbound/mapping.js';
import { codeOf } from '../support/error-code.js';
import { waitUntil } from '../support/rows.js';

const Job = z.object({ tenant: z.unknown(), n: z.number().int() });
const retry = { maxAttempts: 3, backoff: 'fixed', delayMs: 10, jitter: false } as const;
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

const tenantKey = (p: { tenant: unknown }): string => p.tenant as string;

describe('group declaration', () => {
  const declare = (group: unknown): unknown =>
    defineMessageType({ name: 'RQ_GROUPED', schema: Job, group: group as never });

  it('keeps a valid group and its limit', () => {
    const type = defineMessageType({ name: 'RQ_GROUPED', schema: Job, group: { key: tenantKey, maxInFlight: 3 } });
    expect(type.group?.maxInFlight).toBe(3);
    expect(type.group?.key({ tenant: 't-1', n: 1 })).toBe('t-1');
    expect(defineMessageType({ name: 'RQ_PLAIN', schema: Job }).group).toBeUndefined();
  });

  it.each([
    ['not an object', 5],
    ['null', null],
    ['a key that is not a function', { key: 'tenant', maxInFlight: 1 }],
    ['no key', { maxInFlight: 1 }],
    ['maxInFlight 0', { key: tenantKey, maxInFlight: 0 }],
    ['a negative maxInFlight', { key: tenantKey, maxInFlight: -1 }],
    ['a fractional maxInFlight', { key: tenantKey, maxInFlight: 1.5 }],
    ['maxInFlight NaN', { key: tenantKey, maxInFlight: Number.NaN }],
    ['maxInFlight Infinity', { key: tenantKey, maxInFlight: Number.POSITIVE_INFINITY }],
    ['maxInFlight as a string', { key: tenantKey, maxInFlight: '2' }],
    ['no maxInFlight', { key: tenantKey }],
  ])('refuses %s with EY_INVALID_GROUP', (_what, group) => {
    expect(codeOf(() => declare(group))).toBe('EY_INVALID_GROUP');
  });
});

describe('group keys on write', () => {
  const RQ_JOB = defineMessageType({ name: 'RQ_JOB', schema: Job, retry, group: { key: tenantKey, maxInFlight: 2 } });
  const RQ_START = defineMessageType({ name: 'RQ_START', schema: Job, retry });
  let app: Eventyard | undefined;
  let store: EventStore;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  const open = (): Eventyard => {
    store = createSqliteStore({ path: ':memory:' });
    app = createEventyard({ store, messageTypes: [RQ_JOB, RQ_START], logger: silentLogger });
    return app;
  };
  const rowOf = async (eventId: string, messageType = 'RQ_JOB'): Promise<MessageRow> => {
    const row = (await store.list({ eventId, messageType, limit: 1 })).rows[0];
    if (row === undefined) throw new Error(`no row ${messageType} ${eventId}`);
    return row;
  };

  it('publish stores the key; a bad key writes the row FAILED and the call succeeds', async () => {
    const a = open();
    const good = await a.publish(RQ_JOB, { tenant: 'acme', n: 1 });
    expect((await rowOf(good.eventId)).groupKey).toBe('acme');
    const cases: [unknown, RegExp][] = [
      [42, /returned number, not a string/],
      ['', /returned an empty string/],
      ['x'.repeat(257), /returned 257 characters, more than 256/],
      [null, /returned null, not a string/],
    ];
    for (const [tenant, reason] of cases) {
      const result = await a.publish(RQ_JOB, { tenant, n: 2 });
      expect(result.created).toBe(true);
      const row = await rowOf(result.eventId);
      expect(row.status).toBe('FAILED');
      expect(row.groupKey).toBeNull();
      expect(row.lastError).toMatch(/^EY_INVALID_GROUP_KEY: group key of RQ_JOB: /);
      expect(row.lastError).toMatch(reason);
    }
    const many = await a.publishMany([
      { type: RQ_JOB, payload: { tenant: 'acme', n: 3 } },
      { type: RQ_JOB, payload: { tenant: 7, n: 4 } },
    ]);
    expect((await rowOf(many[0]?.eventId as string)).status).toBe('UNPROCESSED');
    expect((await rowOf(many[1]?.eventId as string)).status).toBe('FAILED');
  });

  it('a key function that throws: FAILED with its message; emits from a handler get keys too', async () => {
    const throwing = defineMessageType({
      name: 'RQ_THROWS',
      schema: Job,
      group: {
        key: () => {
          throw new TypeError('no tenant here');
        },
        maxInFlight: 1,
      },
    });
    store = createSqliteStore({ path: ':memory:' });
    app = createEventyard({ store, messageTypes: [RQ_JOB, RQ_START, throwing], logger: silentLogger });
    const started = await app.publish(throwing, { tenant: 'x', n: 1 });
    const bad = await rowOf(started.eventId, 'RQ_THROWS');
    expect(bad.status).toBe('FAILED');
    expect(bad.lastError).toBe(
      'EY_INVALID_GROUP_KEY: group key of RQ_THROWS: the key function threw TypeError: no tenant here',
    );

    const emitted: string[] = [];
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(RQ_START, async (ctx) => {
        ctx.emit(RQ_JOB); // a follow-up: the key reads the event's payload
        emitted.push(await ctx.emitEvent(RQ_JOB, { tenant: 'other', n: 2 }));
        emitted.push(await ctx.emitEvent(RQ_JOB, { tenant: 99, n: 3 }));
      })
      .start();
    const start = await app.publish(RQ_START, { tenant: 'acme', n: 1 });
    await waitUntil(
      'the start completes',
      async () => (await rowOf(start.eventId, 'RQ_START')).status === 'COMPLETED',
      10_000,
    );
    expect((await rowOf(start.eventId)).groupKey).toBe('acme');
    expect((await rowOf(emitted[0] as string)).groupKey).toBe('other');
    const badEmit = await rowOf(emitted[1] as string);
    expect(badEmit.status).toBe('FAILED');
    expect(badEmit.lastError).toMatch(/^EY_INVALID_GROUP_KEY: /);
  });
});

describe('group keys of inbound broker messages', () => {
  it('a mapped message carries its group key, or is written FAILED with EY_INVALID_GROUP_KEY', async () => {
    const IN_JOB = defineMessageType({ name: 'IN_JOB', schema: Job, group: { key: tenantKey, maxInFlight: 1 } });
    const mapping = {
      brokerKind: 'test',
      registry: new MessageRegistry([IN_JOB]),
      limits: DEFAULT_PAYLOAD_LIMITS,
      serviceName: 'SERVICE_IN',
      messageType: 'IN_JOB',
      messageTypeHeader: 'ey-type',
      eventIdFrom: 'identity' as const,
      eventIdHeader: 'ey-event-id',
      orderingKeyFromKey: false,
    };
    const message = (n: number, tenant: unknown) => ({
      id: `m-${n}`,
      topic: 'jobs',
      key: undefined,
      headers: {},
      body: Buffer.from(JSON.stringify({ tenant, n })),
      deliveryCount: 1,
    });
    const good = await mapInbound(message(1, 'acme'), mapping);
    expect(good.kind).toBe('message');
    expect(good.row).toMatchObject({ messageType: 'IN_JOB', groupKey: 'acme' });
    expect(good.row.failure).toBeUndefined();
    const bad = await mapInbound(message(2, 7), mapping);
    expect(bad.kind).toBe('message');
    expect(bad.row.groupKey).toBeUndefined();
    expect(bad.row.failure).toBe(
      'EY_INVALID_GROUP_KEY: group key of IN_JOB: the key function returned number, not a string',
    );
  });
});

describe('processors honour maxInFlight', () => {
  let dir: string | undefined;
  const apps: Eventyard[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('two applications on one SQLite file never run more than 2 of a group at once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventyard-groups-'));
    const path = join(dir, 'events.db');
    const RQ_SLOW = defineMessageType({
      name: 'RQ_SLOW',
      schema: Job,
      retry,
      group: { key: tenantKey, maxInFlight: 2 },
    });
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    let done = 0;
    for (let i = 0; i < 2; i++) {
      const app = createEventyard({
        store: createSqliteStore({ path }),
        messageTypes: [RQ_SLOW],
        logger: silentLogger,
      });
      apps.push(app);
      app
        .service({ name: 'SERVICE_B', concurrency: 8, ...fast })
        .handle(RQ_SLOW, async (ctx) => {
          const g = ctx.payload.tenant as string;
          const now = (running.get(g) ?? 0) + 1;
          running.set(g, now);
          peak.set(g, Math.max(peak.get(g) ?? 0, now));
          await new Promise((resolve) => setTimeout(resolve, 30));
          running.set(g, (running.get(g) ?? 1) - 1);
          done++;
        })
        .start();
    }
    const [first] = apps;
    const tenants = ['a', 'b', 'c'];
    await first?.publishMany(
      Array.from({ length: 30 }, (_, n) => ({ type: RQ_SLOW, payload: { tenant: tenants[n % 3], n } })),
    );
    await waitUntil('all 30 handled', () => Promise.resolve(done === 30), 30_000);
    // Both processors together: never more than 2 of a tenant at once, and 2 were reached.
    expect(Object.fromEntries(peak)).toEqual({ a: 2, b: 2, c: 2 });
  });
});
