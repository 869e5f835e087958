/**
 * One event's trace through Kafka: A → B → C on one SQLite app, C's OUT_POSTED published
 * to Kafka by the outbound processor, received by another app's inbound processor as
 * IN_POSTED and handled there. Every span is in one trace, in this tree, with the context
 * in the Kafka message's traceparent header.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  createInboundProcessor,
  createOutboundProcessor,
  defineMessageType,
  inboundRejectedType,
  silentLogger,
  type Eventyard,
} from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createKafkaBroker } from '../../src/transports/kafka/index.js';
import { createTracer } from '../../src/tracing/index.js';
import { KAFKA_BROKERS } from '../support/brokers.js';
import startKafka from '../support/kafka-global-setup.js';
import { waitUntil } from '../support/rows.js';
import { recordSpans, tree } from '../support/spans.js';

beforeAll(() => startKafka(), 600_000);

const Order = z.object({ id: z.number().int() });
const retry = { maxAttempts: 5, backoff: 'fixed', delayMs: 50, jitter: false } as const;
const RQ_A = defineMessageType({ name: 'RQ_A', schema: Order, retry });
const RQ_B = defineMessageType({ name: 'RQ_B', schema: z.unknown(), retry });
const RQ_C = defineMessageType({ name: 'RQ_C', schema: z.unknown(), retry });
const OUT_POSTED = defineMessageType({ name: 'OUT_POSTED', schema: z.unknown(), retry });
const IN_POSTED = defineMessageType({ name: 'IN_POSTED', schema: Order, retry });
const fast = { idleMinMs: 1, idleMaxMs: 20 };

const dir = mkdtempSync(join(tmpdir(), 'eventyard-trace-kafka-'));
const apps: Eventyard[] = [];
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  for (const app of apps) await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a trace through Kafka', () => {
  it('A → B → C → outbound → Kafka → inbound → D is one trace', async () => {
    const recorder = recordSpans();
    const tracer = createTracer({ tracerProvider: recorder.provider });
    const topic = `ey-trace-${randomUUID().slice(0, 8)}`;
    const group = `${topic}-in`;
    const broker = createKafkaBroker({
      brokers: KAFKA_BROKERS.join(','),
      clientId: 'ey-trace',
      sessionTimeoutMs: 6000,
    });
    stops.push(() => broker.close());
    await broker.declare({ topic, groups: [group] });

    const upstream = createEventyard({
      store: createSqliteStore({ path: join(dir, 'up.db') }),
      messageTypes: [RQ_A, RQ_B, RQ_C, OUT_POSTED],
      logger: silentLogger,
      tracer,
    });
    const downstream = createEventyard({
      store: createSqliteStore({ path: join(dir, 'down.db') }),
      messageTypes: [IN_POSTED, inboundRejectedType],
      logger: silentLogger,
      tracer,
    });
    apps.push(upstream, downstream);
    upstream
      .service({ name: 'SVC_A', ...fast })
      .handle(RQ_A, (ctx) => ctx.emit('RQ_B'))
      .start();
    upstream
      .service({ name: 'SVC_B', ...fast })
      .handle(RQ_B, (ctx) => ctx.emit('RQ_C'))
      .start();
    upstream
      .service({ name: 'SVC_C', ...fast })
      .handle(RQ_C, (ctx) => ctx.emit('OUT_POSTED'))
      .start();
    const outbound = createOutboundProcessor({
      app: upstream,
      broker,
      serviceName: 'RELAY',
      routes: { OUT_POSTED: { topic } },
    }).start();
    stops.push(() => outbound.stop());
    const inbound = createInboundProcessor({
      app: downstream,
      broker,
      topic,
      group,
      messageType: 'IN_POSTED',
      serviceName: 'INBOUND_D',
    }).start();
    stops.push(() => inbound.stop());
    let handled = 0;
    downstream
      .service({ name: 'SVC_D', ...fast })
      .handle(IN_POSTED, () => {
        handled++;
      })
      .start();

    const { eventId } = await upstream.publish(RQ_A, { id: 42 });
    await waitUntil(
      'IN_POSTED completes downstream',
      async () =>
        (await downstream.list({ eventId, messageType: 'IN_POSTED', limit: 1 })).rows[0]?.status === 'COMPLETED',
      120_000,
    );
    await waitUntil('every span ended', () => Promise.resolve(recorder.spans().length === 10), 10_000);
    expect(handled).toBe(1);

    const spans = recorder.spans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(tree(spans)).toEqual([
      'publish RQ_A',
      '  process RQ_A',
      '    emit RQ_B',
      '      process RQ_B',
      '        emit RQ_C',
      '          process RQ_C',
      '            emit OUT_POSTED',
      `              send ${topic}`,
      `                receive ${topic}`,
      '                  process IN_POSTED',
    ]);
    const send = spans.find((s) => s.name === `send ${topic}`);
    const receive = spans.find((s) => s.name === `receive ${topic}`);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(send?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': topic,
      'messaging.message.id': `${eventId}:OUT_POSTED`,
      'messaging.message.conversation_id': eventId,
    });
    expect(receive?.kind).toBe(SpanKind.CONSUMER);
    expect(receive?.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'receive',
      'messaging.destination.name': topic,
      'messaging.message.conversation_id': eventId,
      'eventyard.message_type': 'IN_POSTED',
    });
    expect(receive?.links.map((l) => l.context.spanId)).toEqual([send?.spanContext().spanId]);
    // The inbound row carries the receive span's context.
    const row = (await downstream.list({ eventId, messageType: 'IN_POSTED', limit: 1 })).rows[0];
    expect(row?.traceparent).toBe(`00-${receive?.spanContext().traceId}-${receive?.spanContext().spanId}-01`);
  });
});
