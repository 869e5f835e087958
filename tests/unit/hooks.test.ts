/**
 * Outcomes are visible: the default logs show every retry (warn) and every FAILED row
 * (error), and typed hooks per app and per service report published, claimed, started,
 * completed, retryScheduled, failed, released and leaseLost with the timings metrics need.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  NonRetryableError,
  type EventStore,
  type Eventyard,
  type HookEvents,
  type Logger,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { waitUntil } from '../support/rows.js';

const Order = z.object({ id: z.number().int() });
const retry = { maxAttempts: 3, backoff: 'fixed', delayMs: 1200, jitter: false } as const;
const IN_ORDER = defineMessageType({ name: 'IN_ORDER', schema: Order, retry });
const RQ_NEXT = defineMessageType({ name: 'RQ_NEXT', schema: Order, retry: { ...retry, delayMs: 10 } });

interface Line {
  level: string;
  fields: Record<string, unknown>;
  message: string;
}
const lines: Line[] = [];
const recording: Logger = {
  debug: (fields, message) => lines.push({ level: 'debug', fields, message }),
  info: (fields, message) => lines.push({ level: 'info', fields, message }),
  warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
  error: (fields, message) => lines.push({ level: 'error', fields, message }),
};

let store: EventStore;
let app: Eventyard;
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

beforeEach(() => {
  lines.length = 0;
  store = createSqliteStore({ path: ':memory:' });
  app = createEventyard({ store, messageTypes: [IN_ORDER, RQ_NEXT], logger: recording });
});
afterEach(() => app.close());

const status = async (eventId: string, messageType: string): Promise<string | undefined> =>
  (await store.list({ eventId, messageType, limit: 1 })).rows[0]?.status;

describe('default logs', () => {
  it('a retry is logged at warn and a FAILED row at error, with id, type, service, attempt, code and message', async () => {
    let calls = 0;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(RQ_NEXT, () => {
        calls++;
        throw new Error(`boom ${calls}`);
      })
      .start();
    const { eventId } = await app.publish(RQ_NEXT, { id: 1 });
    await waitUntil('RQ_NEXT fails', async () => (await status(eventId, 'RQ_NEXT')) === 'FAILED', 10_000);
    const warns = lines.filter((l) => l.level === 'warn');
    const errors = lines.filter((l) => l.level === 'error');
    expect(warns.map((l) => l.fields['attempt'])).toEqual([1, 2]);
    expect(warns[0]?.message).toBe('RQ_NEXT failed, attempt 1 of 3, retrying in 10 ms: boom 1');
    expect(warns[0]?.fields).toMatchObject({
      eventId,
      messageType: 'RQ_NEXT',
      service: 'SERVICE_A',
      attempt: 1,
      maxAttempts: 3,
      code: 'Error',
      error: 'boom 1',
      retryDelayMs: 10,
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('RQ_NEXT FAILED after attempt 3 of 3 (attempts-exhausted): boom 3');
    expect(errors[0]?.fields).toMatchObject({
      eventId,
      service: 'SERVICE_A',
      attempt: 3,
      reason: 'attempts-exhausted',
    });
  });

  it('the retry delay reads in seconds past one second; a NonRetryableError is FAILED at once with its code', async () => {
    let calls = 0;
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, () => {
        calls++;
        if (calls === 1) throw new Error('first');
        throw new NonRetryableError('stop here');
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await waitUntil('a warn', async () => lines.some((l) => l.level === 'warn'), 10_000);
    expect(lines.find((l) => l.level === 'warn')?.message).toBe(
      'IN_ORDER failed, attempt 1 of 3, retrying in 1.2 s: first',
    );
    await waitUntil('IN_ORDER fails', async () => (await status(eventId, 'IN_ORDER')) === 'FAILED', 10_000);
    const error = lines.find((l) => l.level === 'error');
    expect(error?.fields).toMatchObject({ code: 'EY_NON_RETRYABLE', reason: 'non-retryable', attempt: 2 });
  });
});

describe('hooks', () => {
  it('report every outcome to the service and then the app, with the timings metrics need', async () => {
    const seen: string[] = [];
    const events: Partial<{ [K in keyof HookEvents]: HookEvents[K][] }> = {};
    const record =
      <K extends keyof HookEvents>(name: K, who: string) =>
      (event: HookEvents[K]) => {
        seen.push(`${who}:${name}`);
        ((events[name] ??= []) as HookEvents[K][]).push(event);
      };
    let calls = 0;
    const service = app.service({ name: 'SERVICE_A', ...fast });
    service
      .handle(IN_ORDER, async (ctx) => {
        await new Promise((r) => setTimeout(r, 20));
        ctx.emit('RQ_NEXT');
      })
      .handle(RQ_NEXT, () => {
        calls++;
        throw calls < 3 ? new Error('again') : new NonRetryableError('no');
      });
    for (const name of ['published', 'claimed', 'started', 'completed', 'retryScheduled', 'failed'] as const) {
      app.on(name, record(name, 'app'));
    }
    service.on('completed', record('completed', 'service'));
    service.start();
    const before = Date.now();
    const { eventId } = await app.publish(IN_ORDER, { id: 7 });
    await waitUntil('RQ_NEXT fails', async () => (await status(eventId, 'RQ_NEXT')) === 'FAILED', 10_000);

    expect(events.published?.map((e) => [e.via, e.messageType, e.service, e.created])).toEqual([
      ['publish', 'IN_ORDER', 'EXTERNAL', true],
      ['emit', 'RQ_NEXT', 'SERVICE_A', undefined],
    ]);
    // the service's listener hears it first, then the app's (the app's own completed listener)
    expect(seen.filter((s) => s.endsWith(':completed'))).toEqual(['service:completed', 'app:completed']);
    const completed = events.completed?.[1];
    expect(completed).toMatchObject({ service: 'SERVICE_A', emitted: 1 });
    expect(completed?.message).toMatchObject({ eventId, messageType: 'IN_ORDER', attempts: 1, table: 'inbound' });
    expect(completed?.handlerMs).toBeGreaterThanOrEqual(15);
    expect(completed?.startedAt).toBeGreaterThanOrEqual(completed?.message.createdAt ?? Infinity);
    expect(completed?.finishedAt).toBeGreaterThanOrEqual(completed?.startedAt ?? Infinity);
    expect(completed?.message.createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(events.retryScheduled?.map((e) => [e.message.attempts, e.delayMs, e.error.message])).toEqual([
      [1, 10, 'again'],
      [2, 10, 'again'],
    ]);
    expect(events.failed?.map((e) => [e.message.attempts, e.reason, e.error.message])).toEqual([
      [3, 'non-retryable', 'no'],
    ]);
    expect(events.started?.map((e) => `${e.message.messageType}#${e.message.attempts}`)).toEqual([
      'IN_ORDER#1',
      'RQ_NEXT#1',
      'RQ_NEXT#2',
      'RQ_NEXT#3',
    ]);
    expect(events.claimed?.flatMap((e) => e.messages.map((m) => m.messageType))).toEqual([
      'IN_ORDER',
      'RQ_NEXT',
      'RQ_NEXT',
      'RQ_NEXT',
    ]);
  });

  it('a listener that throws is logged and processing goes on; the returned function removes a listener', async () => {
    const heard: string[] = [];
    const off = app.on('completed', (e) => heard.push(e.message.eventId));
    app.on('completed', () => {
      throw new Error('listener bug');
    });
    app
      .service({ name: 'SERVICE_A', ...fast })
      .handle(IN_ORDER, () => undefined)
      .start();
    const first = await app.publish(IN_ORDER, { id: 1 });
    await waitUntil('first completes', async () => (await status(first.eventId, 'IN_ORDER')) === 'COMPLETED', 10_000);
    off();
    const second = await app.publish(IN_ORDER, { id: 2 });
    await waitUntil('second completes', async () => (await status(second.eventId, 'IN_ORDER')) === 'COMPLETED', 10_000);
    await waitUntil(
      'two listener warnings',
      async () => lines.filter((l) => l.fields['hook'] === 'completed').length === 2,
      10_000,
    );
    expect(heard).toEqual([first.eventId]);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'a hook listener threw; processing goes on',
      'a hook listener threw; processing goes on',
    ]);
  });

  it('a lost lease is reported as leaseLost, not as completed', async () => {
    await app.close();
    let offsetMs = 0;
    store = createSqliteStore({ path: ':memory:', clock: { now: () => Date.now() + offsetMs } });
    app = createEventyard({ store, messageTypes: [IN_ORDER, RQ_NEXT], logger: recording });
    const lost: HookEvents['leaseLost'][] = [];
    const completed: string[] = [];
    app.on('leaseLost', (e) => lost.push(e));
    app.on('completed', (e) => completed.push(e.message.eventId));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    app
      .service({ name: 'SERVICE_A', ...fast, leaseMs: 5000, runRetryMechanism: false })
      .handle(IN_ORDER, async () => {
        await gate;
      })
      .start();
    const { eventId } = await app.publish(IN_ORDER, { id: 1 });
    await waitUntil('claimed', async () => (await status(eventId, 'IN_ORDER')) === 'IN_PROGRESS', 10_000);
    // the store's clock jumps past the lease: the reaper ends the attempt, the token is void
    offsetMs = 60_000;
    expect(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 0, updatedBy: 'TEST' })).toBe(1);
    release();
    await waitUntil('leaseLost reported', async () => lost.length === 1, 10_000);
    expect(lost[0]).toMatchObject({ service: 'SERVICE_A', reason: 'lease_lost' });
    expect(lost[0]?.message.eventId).toBe(eventId);
    expect(completed).toEqual([]);
  });
});
