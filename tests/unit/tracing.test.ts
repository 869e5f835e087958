/**
 * eventyard/tracing: one event's publish, attempts, emits and retries form one trace with
 * the OpenTelemetry SDK's in-memory exporter; rows carry the span context on; with no
 * tracer provider the context passes through unchanged.
 */
import { SpanKind, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventyard, defineMessageType, silentLogger, type Eventyard } from '../../src/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { createTracer } from '../../src/tracing/index.js';
import { waitUntil } from '../support/rows.js';
import { parentId, recordSpans, tree } from '../support/spans.js';

const Order = z.object({ id: z.number().int() });
const retry = { maxAttempts: 3, backoff: 'fixed', delayMs: 10, jitter: false } as const;
const RQ_A = defineMessageType({ name: 'RQ_A', schema: Order, retry });
const RQ_B = defineMessageType({ name: 'RQ_B', schema: z.unknown(), retry });
const RQ_C = defineMessageType({ name: 'RQ_C', schema: z.unknown(), retry });
const fast = { idleMinMs: 1, idleMaxMs: 20, retryMechanism: { intervalMs: 20, reapRetryDelayMs: 0 } };

let app: Eventyard | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const status = async (a: Eventyard, eventId: string, messageType: string): Promise<string | undefined> =>
  (await a.list({ eventId, messageType, limit: 1 })).rows[0]?.status;

describe('tracing on one SQLite app', () => {
  it('A → B → C with a retry is one trace: publish, process, emit, the user span, both attempts', async () => {
    const recorder = recordSpans();
    app = createEventyard({
      store: createSqliteStore({ path: ':memory:' }),
      messageTypes: [RQ_A, RQ_B, RQ_C],
      logger: silentLogger,
      tracer: createTracer({ tracerProvider: recorder.provider }),
    });
    const user = recorder.provider.getTracer('test');
    let cCalls = 0;
    app
      .service({ name: 'SVC_A', ...fast })
      .handle(RQ_A, (ctx) => ctx.emit('RQ_B'))
      .start();
    app
      .service({ name: 'SVC_B', ...fast, runRetryMechanism: false })
      .handle(RQ_B, async (ctx) => {
        // The handler runs with its attempt span active: the user's span nests under it.
        await user.startActiveSpan('b-work', async (span) => {
          await new Promise((r) => setTimeout(r, 5));
          span.end();
        });
        ctx.emit('RQ_C');
      })
      .start();
    app
      .service({ name: 'SVC_C', ...fast, runRetryMechanism: false })
      .handle(RQ_C, () => {
        if (++cCalls === 1) throw new Error('first attempt fails');
      })
      .start();
    const eventId = await user.startActiveSpan('request', async (span) => {
      const { eventId: id } = await app!.publish(RQ_A, { id: 1 });
      span.end();
      return id;
    });
    await waitUntil('RQ_C completes', async () => (await status(app!, eventId, 'RQ_C')) === 'COMPLETED', 20_000);
    await waitUntil('every span ended', () => Promise.resolve(recorder.spans().length === 9), 5_000);

    const spans = recorder.spans();
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(tree(spans)).toEqual([
      'request',
      '  publish RQ_A',
      '    process RQ_A',
      '      emit RQ_B',
      '        process RQ_B',
      '          b-work',
      '          emit RQ_C',
      '            process RQ_C (error)',
      '            process RQ_C',
    ]);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    const [publishA] = byName('publish RQ_A');
    const [emitB] = byName('emit RQ_B');
    const [processB] = byName('process RQ_B');
    const processC = byName('process RQ_C');
    expect(publishA?.kind).toBe(SpanKind.PRODUCER);
    expect(publishA?.attributes).toMatchObject({
      'messaging.system': 'eventyard',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': 'RQ_A',
      'messaging.message.id': `${eventId}:RQ_A`,
      'messaging.message.conversation_id': eventId,
      'eventyard.table': 'request',
    });
    expect(processB?.kind).toBe(SpanKind.CONSUMER);
    expect(processB?.attributes).toMatchObject({
      'messaging.system': 'eventyard',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'RQ_B',
      'messaging.consumer.group.name': 'SVC_B',
      'messaging.message.id': `${eventId}:RQ_B`,
      'eventyard.attempt': 1,
      'eventyard.outcome': 'completed',
    });
    // Linked to the context its row carried, which is the emit span's.
    expect(processB?.links.map((l) => l.context.spanId)).toEqual([emitB?.spanContext().spanId]);
    expect(parentId(processB!)).toBe(emitB?.spanContext().spanId);
    expect(processC.map((s) => s.attributes['eventyard.attempt']).sort()).toEqual([1, 2]);
    expect(processC.map((s) => s.attributes['eventyard.outcome']).sort()).toEqual(['completed', 'retry']);
    const failed = processC.find((s) => s.attributes['eventyard.outcome'] === 'retry');
    expect(failed?.status).toMatchObject({ code: 2, message: 'first attempt fails' });
    expect(failed?.events.map((e) => e.name)).toEqual(['exception']);
    // Each row's TRACEPARENT is the span that wrote it.
    const row = async (type: string) => (await app!.list({ eventId, messageType: type, limit: 1 })).rows[0];
    const tp = (s: typeof emitB) => `00-${s?.spanContext().traceId}-${s?.spanContext().spanId}-01`;
    expect((await row('RQ_A'))?.traceparent).toBe(tp(publishA));
    expect((await row('RQ_B'))?.traceparent).toBe(tp(emitB));
    expect((await row('RQ_C'))?.traceparent).toBe(tp(byName('emit RQ_C')[0]));
  });

  it('an attempt that fails ends its emits with an error: they were not written', async () => {
    const recorder = recordSpans();
    app = createEventyard({
      store: createSqliteStore({ path: ':memory:' }),
      messageTypes: [RQ_A, RQ_B],
      logger: silentLogger,
      tracer: createTracer({ tracerProvider: recorder.provider }),
    });
    app
      .service({ name: 'SVC_A', ...fast })
      .handle(RQ_A, (ctx) => {
        ctx.emit('RQ_B');
        throw new Error('after the emit');
      })
      .start();
    const { eventId } = await app.publish(RQ_A, { id: 1 });
    await waitUntil('RQ_A fails', async () => (await status(app!, eventId, 'RQ_A')) === 'FAILED', 20_000);
    await waitUntil('spans ended', () => Promise.resolve(recorder.spans().length === 7), 5_000);
    expect(tree(recorder.spans())).toEqual([
      'publish RQ_A',
      '  process RQ_A (error)',
      '    emit RQ_B (error)',
      '  process RQ_A (error)',
      '    emit RQ_B (error)',
      '  process RQ_A (error)',
      '    emit RQ_B (error)',
    ]);
    expect(await app.list({ eventId, messageType: 'RQ_B', limit: 1 })).toMatchObject({ rows: [] });
  });

  it('with no tracer provider registered the context passes through unchanged; without a tracer nothing changes', async () => {
    const given = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    for (const tracer of [createTracer(), undefined]) {
      expect(trace.getTracerProvider().getTracer('x').startSpan('y').isRecording()).toBe(false);
      const a = createEventyard({
        store: createSqliteStore({ path: ':memory:' }),
        messageTypes: [RQ_A, RQ_B],
        logger: silentLogger,
        ...(tracer ? { tracer } : {}),
      });
      a.service({ name: 'SVC_A', ...fast })
        .handle(RQ_A, (ctx) => ctx.emit('RQ_B'))
        .start();
      const withContext = await a.publish(RQ_A, { id: 1 }, { traceparent: given });
      const without = await a.publish(RQ_A, { id: 2 });
      await waitUntil('both emitted', async () => (await a.countByStatus({ messageType: 'RQ_B' })).length > 0, 20_000);
      await waitUntil(
        'both emitted',
        async () => (await a.countByStatus({ messageType: 'RQ_A', statuses: ['COMPLETED'] }))[0]?.count === 2,
        20_000,
      );
      const tpOf = async (eventId: string, type: string) =>
        (await a.list({ eventId, messageType: type, limit: 1 })).rows[0]?.traceparent;
      expect(await tpOf(withContext.eventId, 'RQ_A')).toBe(given);
      expect(await tpOf(withContext.eventId, 'RQ_B')).toBe(given);
      expect(await tpOf(without.eventId, 'RQ_A')).toBeNull();
      expect(await tpOf(without.eventId, 'RQ_B')).toBeNull();
      await a.close();
    }
  });
});
