/**
 * Eventyard through its public API: createEventyard, publish / publishMany, one service
 * with one handler. The store is wrapped (through the public store port, nothing else) to
 * count completions the store has confirmed, and to tell a latency workload when each
 * event became COMPLETED. The handler's message type has a minimal Standard Schema
 * validator (two typeof checks), so schema-library cost is not part of the figures.
 */
import { createEventyard, defineMessageType, silentLogger, type Eventyard, type Service } from '../../src/index.js';
import { uuidGenerator } from '../../src/store/index.js';
import { createMetrics, type EventyardMetrics } from '../../src/metrics/index.js';
import type { CompleteRequest, EventStore, LeaseOutcome, LeaseRef } from '../../src/store/port.js';
import type { StandardSchemaV1 } from '../../src/core/standard-schema.js';
import { isBenchPayload, type BenchPayload } from '../harness/payloads.js';
import { createEventyardStore } from './eventyard-stores.js';
import type { PoolClient } from 'pg';
import { SystemName, type QueueSystem, type StoreCounts, type SystemOptions, type WorkerSpec } from './types.js';

export const BENCH_TYPE_NAME = 'IN_BENCH';
const SCRAPE_MS = 5000;

export const benchPayloadSchema: StandardSchemaV1<unknown, BenchPayload> = {
  '~standard': {
    version: 1,
    vendor: 'eventyard-bench',
    validate: (value) => (isBenchPayload(value) ? { value } : { issues: [{ message: 'not a bench payload' }] }),
  },
};

/** Wraps a store so completions confirmed by it are counted and reported per event. */
export function observeCompletions(store: EventStore, onOk: (ref: LeaseRef) => void): EventStore {
  const complete = async (requests: readonly CompleteRequest[]): Promise<readonly LeaseOutcome[]> => {
    const outcomes = await store.complete(requests);
    outcomes.forEach((o, i) => {
      if (o === 'ok') onOk((requests[i] as CompleteRequest).ref);
    });
    return outcomes;
  };
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'complete') return complete;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * `orderingKeys`: the keyed variant publishes every event under ORDERING_KEY `k<seq mod
 * orderingKeys>` and checks, at each handler start, that no later event of a key started
 * before an earlier one (a violation fails the run when the workers stop).
 */
export async function createEventyardSystem(options: SystemOptions, orderingKeys?: number): Promise<QueueSystem> {
  const { store, name, settings: storeSettings } = await createEventyardStore(options);
  const keyOf = (payload: BenchPayload): { options?: { orderingKey: string } } =>
    orderingKeys === undefined ? {} : { options: { orderingKey: `k${payload.seq % orderingKeys}` } };
  const lastStarted = new Map<number, number>();
  let outOfOrder = 0;
  const checkOrder = (seq: number): void => {
    if (orderingKeys === undefined) return;
    const key = seq % orderingKeys;
    if ((lastStarted.get(key) ?? -1) > seq) outOfOrder++;
    else lastStarted.set(key, seq);
  };
  const type = defineMessageType({
    name: BENCH_TYPE_NAME,
    schema: benchPayloadSchema,
    retry: { maxAttempts: options.maxAttempts, backoff: 'fixed', delayMs: 0, jitter: false },
  });
  let completed = 0;
  let onCompleted: ((payload: BenchPayload) => void) | undefined;
  const inFlight = new Map<string, BenchPayload>();
  const observed = observeCompletions(store, ({ eventId }) => {
    completed++;
    const payload = inFlight.get(eventId);
    if (payload !== undefined && onCompleted) {
      inFlight.delete(eventId);
      onCompleted(payload);
    }
  });
  const { uuidv4, metrics: withMetrics, orderingKeys: _keys, ...processorTuning } = options.eventyardTuning ?? {};
  const app: Eventyard = createEventyard({
    store: observed,
    messageTypes: [type],
    logger: silentLogger,
    ...(uuidv4 === true ? { ids: uuidGenerator } : {}),
  });
  let service: Service | undefined;
  // The metrics variant: every hook counted, backlog gauges on, scraped every 5 s
  // (Prometheus scrapes every 15 s unless told otherwise).
  const metrics: EventyardMetrics | undefined = withMetrics === true ? createMetrics({ app }) : undefined;
  const scraper = metrics && setInterval(() => void metrics.text(), SCRAPE_MS);

  return {
    name,
    settings: {
      ...storeSettings,
      code: process.execArgv.some((a) => a.endsWith('compiled-src.mjs'))
        ? 'compiled JavaScript (dist/, npm run build)'
        : 'TypeScript sources through tsx',
      'service concurrency': 'workload concurrency (one service, one process)',
      batchSize: options.eventyardTuning?.batchSize ?? `${store.tuning?.batchSize ?? 64} (default)`,
      prefetch: options.eventyardTuning?.prefetch ?? "'auto' (default)",
      leaseMs: options.leaseMs,
      'retry policy': `maxAttempts ${options.maxAttempts}, fixed 0 ms`,
      'retry mechanism intervalMs': '250 (default)',
      'payload schema': 'minimal Standard Schema (typeof checks)',
      'event ids': uuidv4 === true ? 'random UUIDv4 (variant)' : 'UUIDv7, time-ordered (default)',
      publishBatch: 'app.publishMany',
      ...(name === SystemName.EVENTYARD_POSTGRES
        ? { publishInTransaction: 'app.publish(…, { transaction: client })' }
        : {}),
      metrics: metrics ? `eventyard/metrics, scraped every ${SCRAPE_MS} ms` : 'off (default)',
      'ordering keys':
        orderingKeys === undefined
          ? 'none'
          : `${orderingKeys} (k<seq mod ${orderingKeys}>), per-key start order checked`,
    },
    async publish(payload) {
      await app.publish(type, payload, keyOf(payload).options);
    },
    async publishBatch(payloads) {
      await app.publishMany(payloads.map((payload) => ({ type, payload, ...keyOf(payload) })));
    },
    ...(name === SystemName.EVENTYARD_POSTGRES
      ? {
          async publishInTransaction(client: PoolClient, payload: BenchPayload) {
            await app.publish(type, payload, { transaction: client });
          },
        }
      : {}),
    async startWorkers(spec: WorkerSpec) {
      onCompleted = spec.onCompleted?.bind(spec);
      service = app
        .service({ name: 'BENCH', concurrency: spec.concurrency, leaseMs: options.leaseMs, ...processorTuning })
        .handle(type, (ctx) => {
          if (onCompleted) inFlight.set(ctx.message.eventId, ctx.payload);
          checkOrder(ctx.payload.seq);
          return spec.handle({ payload: ctx.payload, attempt: ctx.message.attempt });
        });
      service.start();
    },
    async stopWorkers() {
      await service?.stop();
      service = undefined;
      if (outOfOrder > 0)
        throw new Error(`ordering keys: ${outOfOrder} handler starts overtook an earlier event of their key`);
    },
    completedSoFar: () => completed,
    async counts(): Promise<StoreCounts> {
      const rows = await app.countByStatus({ messageType: BENCH_TYPE_NAME });
      const n = (...statuses: string[]): number =>
        rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + r.count, 0);
      return {
        pending: n('UNPROCESSED', 'RETRY'),
        active: n('IN_PROGRESS'),
        completed: n('COMPLETED'),
        retrying: n('ERROR'),
        failed: n('FAILED'),
      };
    },
    async close() {
      clearInterval(scraper);
      metrics?.close();
      await app.close();
    },
  };
}
