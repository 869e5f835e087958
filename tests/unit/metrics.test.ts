/**
 * eventyard/metrics: counters and histograms counted exactly from real processing on
 * SQLite and on the memory store, backlog gauges read at scrape time behind a cache and a
 * deadline, and the node:http handler.
 */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  defineMessageType,
  silentLogger,
  type EventStore,
  type Eventyard,
  type StatusCount,
} from '../../src/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { waitUntil } from '../support/rows.js';

const Order = z.object({ id: z.number().int() });
const fixed = { backoff: 'fixed', delayMs: 10, jitter: false } as const;
const RQ_A = defineMessageType({ name: 'RQ_A', schema: Order, retry: { maxAttempts: 3, ...fixed } });
const RQ_B = defineMessageType({ name: 'RQ_B', schema: z.unknown(), retry: { maxAttempts: 3, ...fixed } });
const RQ_BAD = defineMessageType({ name: 'RQ_BAD', schema: Order, retry: { maxAttempts: 2, ...fixed } });
const RQ_IDLE = defineMessageType({ name: 'RQ_IDLE', schema: Order });
const RQ_LOST = defineMessageType({ name: 'RQ_LOST', schema: Order, retry: { maxAttempts: 1, ...fixed } });
const TYPES = [RQ_A, RQ_B, RQ_BAD, RQ_IDLE, RQ_LOST];
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

/** The value of one series of the exposition text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const got = new Map<string, string>();
    for (const m of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got.set(m[1] ?? '', m[2] ?? '');
    if (Object.entries(labels).every(([k, v]) => got.get(k) === v)) return Number(match[3]);
  }
  return undefined;
}

/** A store whose `complete` of RQ_LOST rows reports a lost lease and writes nothing. */
function losingLeases(inner: EventStore): EventStore {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key !== 'complete') return Reflect.get(target, key, receiver) as unknown;
      const complete: EventStore['complete'] = async (requests) => {
        const lost = requests.map((r) => r.ref.messageType === 'RQ_LOST');
        const kept = await target.complete(requests.filter((_, i) => !lost[i]));
        let k = 0;
        return lost.map((l) => (l ? 'lease_lost' : (kept[k++] ?? 'lease_lost')));
      };
      return complete;
    },
  });
}

let app: Eventyard | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const stores = {
  sqlite: () => createSqliteStore({ path: ':memory:' }),
  memory: () => createMemoryStore(),
};

describe.each(Object.keys(stores) as (keyof typeof stores)[])('metrics on the %s store', (storeName) => {
  it('count every outcome exactly, by message type and service', async () => {
    const store = losingLeases(stores[storeName]());
    app = createEventyard({ store, messageTypes: TYPES, logger: silentLogger });
    const metrics = createMetrics({ app, backlogCacheMs: 0 });
    app
      .service({ name: 'SVC_A', ...fast })
      .handle(RQ_A, (ctx) => ctx.emit('RQ_B'))
      .handle(RQ_BAD, () => {
        throw new Error('bad');
      })
      .start();
    app
      .service({ name: 'SVC_B', ...fast, runRetryMechanism: false })
      // Each RQ_B takes at least 5 ms, so its completion latency cannot round to 0.
      .handle(RQ_B, () => new Promise<void>((resolve) => setTimeout(resolve, 5)))
      .start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await app.publish(RQ_A, { id: i })).eventId);
    expect((await app.publish(RQ_A, { id: 0 }, { eventId: ids[0] })).created).toBe(false);
    await app.publish(RQ_BAD, { id: 9 }, { createdBy: 'UPSTREAM' });
    await app.publishMany([
      { type: RQ_IDLE, payload: { id: 1 } },
      { type: RQ_IDLE, payload: { id: 2 } },
    ]);
    const done = async (): Promise<boolean> => {
      const counts = await app!.countByStatus();
      const n = (type: string, status: string): number =>
        counts.find((c) => c.messageType === type && c.status === status)?.count ?? 0;
      return n('RQ_A', 'COMPLETED') === 5 && n('RQ_B', 'COMPLETED') === 5 && n('RQ_BAD', 'FAILED') === 1;
    };
    await waitUntil('every row settled', done, 20_000);
    // The lost-lease attempt: its row stays IN_PROGRESS until the reaper (not run here) frees it.
    const lost = app.service({ name: 'SVC_L', ...fast, runRetryMechanism: false }).handle(RQ_LOST, () => undefined);
    lost.start();
    await app.publish(RQ_LOST, { id: 7 });
    await waitUntil(
      'the lease loss is counted',
      async () => {
        const text = await metrics.text();
        return sample(text, 'eventyard_messages_lease_lost_total', { message_type: 'RQ_LOST' }) === 1;
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 10)); // the listeners run synchronously; nothing is pending

    const text = await metrics.text();
    const v = (name: string, labels: Record<string, string>): number | undefined =>
      sample(text, `eventyard_${name}`, labels);
    const a = { message_type: 'RQ_A', service: 'SVC_A' };
    const b = { message_type: 'RQ_B', service: 'SVC_B' };
    const bad = { message_type: 'RQ_BAD', service: 'SVC_A' };
    expect(v('messages_published_total', { message_type: 'RQ_A', service: 'EXTERNAL', via: 'publish' })).toBe(5);
    expect(v('messages_published_total', { message_type: 'RQ_B', service: 'SVC_A', via: 'emit' })).toBe(5);
    expect(v('messages_published_total', { message_type: 'RQ_BAD', service: 'UPSTREAM', via: 'publish' })).toBe(1);
    expect(v('messages_published_total', { message_type: 'RQ_IDLE', service: 'EXTERNAL' })).toBe(2);
    expect(v('messages_claimed_total', a)).toBe(5);
    expect(v('messages_claimed_total', b)).toBe(5);
    expect(v('messages_claimed_total', bad)).toBe(2);
    expect(v('messages_completed_total', a)).toBe(5);
    expect(v('messages_completed_total', b)).toBe(5);
    expect(v('messages_completed_total', bad)).toBeUndefined();
    expect(v('messages_retried_total', bad)).toBe(1);
    expect(v('messages_failed_total', { ...bad, reason: 'attempts-exhausted' })).toBe(1);
    expect(v('messages_lease_lost_total', { message_type: 'RQ_LOST', service: 'SVC_L', reason: 'lease_lost' })).toBe(1);
    expect(v('messages_completed_total', { message_type: 'RQ_LOST' })).toBeUndefined();
    expect(v('handler_duration_seconds_count', { ...a, outcome: 'completed' })).toBe(5);
    expect(v('handler_duration_seconds_count', { ...bad, outcome: 'retry' })).toBe(1);
    expect(v('handler_duration_seconds_count', { ...bad, outcome: 'failed' })).toBe(1);
    expect(v('handler_duration_seconds_bucket', { ...a, outcome: 'completed', le: '+Inf' })).toBe(5);
    expect(v('message_start_latency_seconds_count', a)).toBe(5);
    expect(v('message_start_latency_seconds_count', b)).toBe(5);
    expect(v('message_start_latency_seconds_count', bad)).toBe(2);
    expect(v('message_completion_latency_seconds_count', a)).toBe(5);
    expect(v('message_completion_latency_seconds_count', b)).toBe(5);
    expect(v('message_completion_latency_seconds_count', bad)).toBeUndefined();
    const latency = v('message_completion_latency_seconds_sum', b) ?? -1;
    expect(latency).toBeGreaterThanOrEqual(5 * 0.004);
    expect(latency).toBeLessThan(5 * 20);
    // Backlog, read from the store at scrape time.
    const backlog = (type: string, status: string): number | undefined =>
      v('backlog_messages', { table: 'request', message_type: type, status });
    expect(backlog('RQ_A', 'COMPLETED')).toBe(5);
    expect(backlog('RQ_B', 'COMPLETED')).toBe(5);
    expect(backlog('RQ_BAD', 'FAILED')).toBe(1);
    expect(backlog('RQ_IDLE', 'UNPROCESSED')).toBe(2);
    expect(backlog('RQ_LOST', 'IN_PROGRESS')).toBe(1);
    expect(backlog('RQ_A', 'UNPROCESSED')).toBeUndefined();
    const idleAge = v('oldest_waiting_message_age_seconds', { table: 'request', message_type: 'RQ_IDLE' }) ?? -1;
    expect(idleAge).toBeGreaterThan(0);
    expect(idleAge).toBeLessThan(60);
    expect(v('oldest_waiting_message_age_seconds', { table: 'request', message_type: 'RQ_A' })).toBe(0);
    expect(v('backlog_read_failures_total', {})).toBe(0);
  });

  it('count the rows released unstarted when a crash suspect runs alone', async () => {
    const store = stores[storeName]();
    app = createEventyard({ store, messageTypes: TYPES, logger: silentLogger });
    const metrics = createMetrics({ app, backlog: false });
    // A row whose lease expired twice in a row under different owners (as if it killed two
    // workers) becomes a crash suspect: claimed with others, it runs alone and the others
    // are released unstarted.
    await app.publish(RQ_A, { id: 100 });
    for (const owner of ['gone-1', 'gone-2']) {
      await store.claim({ table: 'request', messageTypes: ['RQ_A'], limit: 1, owner, updatedBy: 'X', leaseMs: 1 });
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.reapExpiredLeases({ limit: 10, retryDelayMs: 0, updatedBy: 'X' })).toBe(1);
      expect(await store.promoteDueRetries(10, 'X')).toBe(1);
    }
    await app.publishMany(Array.from({ length: 5 }, (_, id) => ({ type: RQ_A, payload: { id } })));
    app
      .service({ name: 'SVC_A', ...fast, concurrency: 10, batchSize: 10 })
      .handle(RQ_A, () => undefined)
      .start();
    const done = async (): Promise<boolean> =>
      (await app!.countByStatus({ messageType: 'RQ_A' })).find((c) => c.status === 'COMPLETED')?.count === 6;
    await waitUntil('all six completed', done, 20_000);
    const text = await metrics.text();
    const a = { message_type: 'RQ_A', service: 'SVC_A' };
    expect(sample(text, 'eventyard_messages_released_total', a)).toBe(5);
    expect(sample(text, 'eventyard_messages_claimed_total', a)).toBe(6 + 5);
    expect(sample(text, 'eventyard_messages_completed_total', a)).toBe(6);
    expect(sample(text, 'eventyard_message_start_latency_seconds_count', a)).toBe(6);
    expect(sample(text, 'eventyard_backlog_messages', {})).toBeUndefined();
  });
});

describe('backlog gauges', () => {
  function countingStore(counts: () => Promise<readonly StatusCount[]>): { store: EventStore; reads: () => number } {
    let reads = 0;
    const inner = createMemoryStore();
    const store = new Proxy(inner, {
      get(target, key, receiver) {
        if (key === 'countByStatus') {
          return () => {
            reads++;
            return counts();
          };
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { store, reads: () => reads };
  }
  const row = (count: number): StatusCount => ({ table: 'request', messageType: 'RQ_A', status: 'COMPLETED', count });

  it('a scrape storm reads the store once per cache period', async () => {
    let n = 0;
    const { store, reads } = countingStore(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return [row(++n)];
    });
    app = createEventyard({ store, messageTypes: TYPES, logger: silentLogger });
    const metrics = createMetrics({ app, backlogCacheMs: 300 });
    const texts = await Promise.all(Array.from({ length: 50 }, () => metrics.text()));
    expect(reads()).toBe(1);
    for (const t of texts) expect(sample(t, 'eventyard_backlog_messages', { message_type: 'RQ_A' })).toBe(1);
    await metrics.text();
    expect(reads()).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    const later = await metrics.text();
    expect(reads()).toBe(2);
    expect(sample(later, 'eventyard_backlog_messages', { message_type: 'RQ_A' })).toBe(2);
  });

  it('a store read past its deadline keeps the last values and counts a failure', async () => {
    let hang = false;
    const { store } = countingStore(() => (hang ? new Promise<never>(() => undefined) : Promise.resolve([row(3)])));
    app = createEventyard({ store, messageTypes: TYPES, logger: silentLogger });
    const metrics = createMetrics({ app, backlogCacheMs: 0, backlogTimeoutMs: 100 });
    expect(sample(await metrics.text(), 'eventyard_backlog_messages', { message_type: 'RQ_A' })).toBe(3);
    hang = true;
    const began = Date.now();
    const text = await metrics.text();
    expect(Date.now() - began).toBeLessThan(2_000);
    expect(sample(text, 'eventyard_backlog_messages', { message_type: 'RQ_A' })).toBe(3);
    expect(sample(text, 'eventyard_backlog_read_failures_total')).toBe(1);
  });
});

describe('the handler', () => {
  it('serves the exposition text on GET and refuses other methods', async () => {
    app = createEventyard({ store: createMemoryStore(), messageTypes: TYPES, logger: silentLogger });
    const metrics = createMetrics({ app });
    await app.publish(RQ_A, { id: 1 });
    const server = createServer((req, res) => metrics.handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as { port: number };
      const got = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe(metrics.contentType);
      const body = await got.text();
      expect(sample(body, 'eventyard_messages_published_total', { message_type: 'RQ_A' })).toBe(1);
      expect(body).toContain('# TYPE eventyard_messages_completed_total counter');
      const post = await fetch(`http://127.0.0.1:${port}/metrics`, {
        method: 'POST',
        signal: AbortSignal.timeout(5_000),
      });
      expect(post.status).toBe(405);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects unknown options and unsorted buckets', () => {
    app = createEventyard({ store: createMemoryStore(), messageTypes: TYPES, logger: silentLogger });
    const a = app;
    expect(() => createMetrics({ app: a, handlerBuckets: [1, 0.5] })).toThrow(/handlerBuckets/);
    expect(() => createMetrics({ app: a, nope: 1 } as never)).toThrow(/nope/);
  });
});
