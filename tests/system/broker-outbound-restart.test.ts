/**
 * A broker restart in the middle of an outbound run, on RabbitMQ and NATS (each a private
 * server this test starts, stops and starts again). The outbound processor's publishes
 * fail while the broker is down, its rows go through the retry policy (ERROR → RETRY) and
 * it resumes when the broker is back. At the end every outbound row is COMPLETED and
 * reached the downstream consumer at least once. A row is marked COMPLETED only after its
 * batch was confirmed; confirmed messages are persistent, so a row completed but lost in
 * the restart would be missing downstream. Duplicates downstream are counted in two kinds:
 * redeliveries (the downstream consumer's own acks lost in the restart) and re-published
 * copies (a batch that reached the broker but whose confirms were lost, published again).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  createOutboundProcessor,
  defineMessageType,
  Header,
  silentLogger,
  type Broker,
  type BrokerConsumer,
  type Eventyard,
  type OutboundProcessor,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createBroker } from '../../examples/brokers/brokers.js';
import { allRows, waitUntil } from '../support/rows.js';
import { privateNats, privateRabbitMq, type PrivateServer } from '../support/brokers.js';

const ROWS = 600;
const OUT_NOTICE = defineMessageType({
  name: 'OUT_NOTICE',
  schema: z.object({ n: z.number().int() }),
  // The outage budget: enough attempts, short waits, so the run resumes soon after.
  retry: { maxAttempts: 1000, delayMs: 100, maxDelayMs: 1000 },
});

interface Downstream {
  /** NATS ids are stream sequences (a copy gets a new one); RabbitMQ ids are the message-id (copies share it). */
  readonly idsUniquePerPublish: boolean;
  readonly seenIds: Set<string>;
  deliveries: number;
  /** Deliveries again of events already counted. */
  redeliveries: number;
  /** Events first seen on a redelivery (the first delivery was cut off by the restart). */
  firstSeenRedelivered: number;
  /** event id → first deliveries (copies published separately) */
  readonly copies: Map<string, number>;
  stop: boolean;
  loop?: Promise<void>;
}

function consume(consumer: BrokerConsumer, state: Downstream): Promise<void> {
  return (async () => {
    while (!state.stop) {
      try {
        const batch = await consumer.receive({ max: 200, maxWaitMs: 200 });
        for (const m of batch) {
          state.deliveries++;
          const seen = state.idsUniquePerPublish && state.seenIds.has(m.id);
          state.seenIds.add(m.id);
          const id = m.headers[Header.EVENT_ID] ?? 'missing';
          const redelivered = seen || (m.deliveryCount ?? 1) > 1;
          if (redelivered && state.copies.has(id)) {
            state.redeliveries++;
            continue;
          }
          // A redelivery of an event this loop has not seen: its first delivery was on its
          // way to this consumer when the broker stopped (requeued, never reached here), so
          // this is the event's delivery, not a duplicate.
          if (redelivered) state.firstSeenRedelivered++;
          state.copies.set(id, (state.copies.get(id) ?? 0) + 1);
        }
        if (batch.length > 0) await consumer.ack(batch).catch(() => undefined);
      } catch {
        await new Promise((r) => setTimeout(r, 200)); // the broker is down: try again
      }
    }
  })();
}

const SERVERS: readonly (readonly ['rabbitmq' | 'nats', (dir: string) => PrivateServer])[] = [
  ['rabbitmq', (dir) => privateRabbitMq(dir, 15_690)],
  ['nats', (dir) => privateNats(dir, 14_290)],
];

describe.each(SERVERS)('outbound through a %s restart', (kind, makeServer) => {
  const open: {
    dir?: string;
    server?: PrivateServer;
    app?: Eventyard;
    broker?: Broker;
    outbound?: OutboundProcessor;
  } = {};

  afterEach(async () => {
    await open.outbound?.stop();
    await open.broker?.close();
    await open.app?.close();
    await open.server?.dispose();
    if (open.dir !== undefined) rmSync(open.dir, { recursive: true, force: true });
    for (const key of Object.keys(open) as (keyof typeof open)[]) delete open[key];
  });

  it('pauses, retries and resumes; every row COMPLETED and delivered at least once; duplicates counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), `ey-restart-${kind}-`));
    open.dir = dir;
    chmodSync(dir, 0o755); // the RabbitMQ node runs as the rabbitmq user
    const server = makeServer(join(dir, 'server'));
    open.server = server;
    await server.start();
    const app = createEventyard({
      store: createSqliteStore({ path: join(dir, 'out.db') }),
      messageTypes: [OUT_NOTICE],
    });
    open.app = app;
    const broker = createBroker(kind, { rabbitmq: server.url, nats: server.url });
    open.broker = broker;
    await broker.declare({ topic: 'notices', groups: ['downstream'] });
    const rowsFrom = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ type: OUT_NOTICE, payload: { n: from + i } }));
    // Half now, half while the server is down: however fast the first half goes out, the
    // outbound processor has rows to publish into the outage.
    await app.publishMany(rowsFrom(0, ROWS / 2));

    const downstream: Downstream = {
      idsUniquePerPublish: kind === 'nats',
      seenIds: new Set(),
      deliveries: 0,
      redeliveries: 0,
      firstSeenRedelivered: 0,
      copies: new Map(),
      stop: false,
    };
    downstream.loop = consume(await broker.consumer({ topic: 'notices', group: 'downstream' }), downstream);
    const outbound = createOutboundProcessor({
      app,
      broker,
      routes: { OUT_NOTICE: 'notices' },
      batchSize: 10,
      leaseMs: 5000,
      logger: silentLogger,
      retryMechanism: { intervalMs: 50 },
    }).start();
    open.outbound = outbound;

    await waitUntil('a part of the run is delivered', async () => downstream.copies.size >= 150, 60_000);
    const stopAt = Date.now();
    await server.stop();
    const stoppedAt = Date.now();
    const completedWhileDown = (await allRows(app.store, { statuses: ['COMPLETED'] })).map((r) => r.eventId);
    await app.publishMany(rowsFrom(ROWS / 2, ROWS / 2));
    await new Promise((r) => setTimeout(r, 1500)); // the outbound processor runs into the outage
    await server.start();

    let progress = '';
    await waitUntil(
      'every row is COMPLETED and delivered',
      async () => {
        const counts = await app.countByStatus();
        const completed = counts.find((c) => c.status === 'COMPLETED')?.count ?? 0;
        progress = `${JSON.stringify(counts.map((c) => [c.status, c.count]))} downstream ${downstream.copies.size}`;
        return completed === ROWS && downstream.copies.size === ROWS;
      },
      120_000,
    ).catch(async (error: unknown) => {
      const rows = await allRows(app.store);
      const missing = rows
        .filter((r) => !downstream.copies.has(r.eventId))
        .map((r) => `${r.attempts}@${r.updatedAt - stopAt}`);
      throw new Error(
        `${(error as Error).message}: ${progress}; outbound ${JSON.stringify(outbound.stats)} stop took ${stoppedAt - stopAt}; missing (attempts@updatedAt-stopAt) ${missing.join(' ')}`,
      );
    });
    downstream.stop = true;
    await downstream.loop;

    const rows = await allRows(app.store);
    expect(rows).toHaveLength(ROWS);
    expect(rows.every((r) => r.status === 'COMPLETED')).toBe(true);
    const stats = outbound.stats;
    // The outage was seen and ridden out through the retry policy.
    expect(stats.publishFailures).toBeGreaterThan(0);
    expect(stats.retried).toBeGreaterThan(0);
    expect(stats.failed).toBe(0);
    expect(stats.completed).toBe(ROWS);
    // Completed only after confirm: everything completed before the outage is still
    // delivered after it, and every row reached downstream.
    for (const id of completedWhileDown) expect(downstream.copies.has(id)).toBe(true);
    expect([...downstream.copies.keys()].sort()).toEqual(rows.map((r) => r.eventId).sort());
    const republished = [...downstream.copies.values()].reduce((n, c) => n + c - 1, 0);
    expect(downstream.deliveries).toBe(ROWS + republished + downstream.redeliveries);
    // NATS de-duplicates re-publishes by Nats-Msg-Id (EVENT_ID:MESSAGE_TYPE) within the
    // stream's duplicate window, so no second copy is stored.
    if (kind === 'nats') expect(republished).toBe(0);
    console.log(
      `${kind}: ${ROWS} rows, ${stats.publishFailures} failed publishes, ${stats.retried} row retries; ` +
        `downstream ${downstream.deliveries} deliveries = ${ROWS} + ${republished} re-published copies ` +
        `+ ${downstream.redeliveries} redeliveries (${downstream.firstSeenRedelivered} events first seen on a redelivery)`,
    );
  });
});
