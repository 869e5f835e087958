/**
 * A network pause between the inbound / outbound processors and their broker, through our
 * TCP proxy (the shared RabbitMQ and NATS servers themselves are never paused): broker calls
 * time out, health turns unhealthy with one warning per outage, and after the pause every
 * message arrives, none lost (inbound: every broker message is one row; outbound: every row
 * COMPLETED and delivered downstream at least once, each extra copy a re-publish of a
 * publish that timed out).
 *
 * Kafka clients connect to the addresses the cluster advertises, not to the bootstrap
 * address, so a proxy in front of the shared broker would only see the bootstrap
 * connection: the Kafka case starts a private single-node broker (tests/support/
 * kafka-private.ts) whose PROXIED listener advertises the proxy's port, and whose DIRECT
 * listener serves the test's own producer and downstream consumer, never paused.
 *
 * Every group is named after its test's topic: a RabbitMQ group is a durable queue of that
 * name on the shared server, and a fixed name ('inbound') was one queue for every run of
 * this file at once (other checkouts too), bound to every run's exchange: runs took each
 * other's messages.
 *
 * A third case stops an inbound processor while the network is paused: stop() must keep
 * its deadlines, not wait for the network.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEventyard,
  createInboundProcessor,
  createOutboundProcessor,
  defineMessageType,
  Header,
  inboundRejectedType,
  type Broker,
  type Eventyard,
} from '../../src/index.js';
import { createMemoryStore } from '../../src/testing/index.js';
import { createBroker } from '../../examples/brokers/brokers.js';
import { createKafkaBroker } from '../../src/transports/kafka/index.js';
import { createRabbitMqBroker } from '../../src/transports/rabbitmq/index.js';
import { NATS_SERVERS, RABBITMQ_URL } from '../support/brokers.js';
import { freePort, startPrivateKafka, type PrivateKafka } from '../support/kafka-private.js';
import { logSummary, pauseOutage, recordingLogger, type LogLine } from '../support/outage-log.js';
import { waitUntil } from '../support/rows.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const IN_PAUSE = defineMessageType({ name: 'IN_PAUSE', schema: z.object({ n: z.number().int() }) });
const OUT_PAUSE = defineMessageType({
  name: 'OUT_PAUSE',
  schema: z.object({ n: z.number().int() }),
  retry: { maxAttempts: 1000, delayMs: 100, maxDelayMs: 500 },
});
const PAUSE_MS = 4000;
const BROKER_TIMEOUT_MS = 1000;

const KINDS = [
  ['rabbitmq', new URL(RABBITMQ_URL)],
  ['nats', new URL(`nats://${NATS_SERVERS.split(',')[0] ?? ''}`)],
  ['kafka', undefined],
] as const;

describe.each(KINDS)('a network pause to %s', (kind, target) => {
  const open: { proxy?: TcpProxy; brokers: Broker[]; apps: Eventyard[]; stops: (() => Promise<void>)[] } = {
    brokers: [],
    apps: [],
    stops: [],
  };
  // Kafka: a private broker for this describe, advertising `proxyPort` (the proxy of each
  // test listens there and forwards to the broker's PROXIED listener). Stopped, and its
  // data directory deleted, in afterAll whatever the tests did.
  let kafka: PrivateKafka | undefined;
  let proxyPort = 0;
  beforeAll(async () => {
    if (kind !== 'kafka') return;
    proxyPort = await freePort();
    kafka = await startPrivateKafka(proxyPort);
    // The broker's first group join creates its offsets topic, which took longer than a
    // receive deadline here: done once, off the proxy, so the tests' processors join warm.
    const warm = createBroker('kafka', { kafka: kafka.directBrokers });
    try {
      await warm.declare({ topic: 'ey-pause-warm-up', groups: ['warm-up'] });
      const consumer = await warm.consumer({ topic: 'ey-pause-warm-up', group: 'warm-up' });
      await consumer.receive({ max: 1, maxWaitMs: 100 });
    } finally {
      await warm.close();
    }
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
    kafka = undefined;
  }, 60_000);
  afterEach(async () => {
    open.proxy?.resume();
    for (const stop of open.stops.splice(0)) await stop();
    for (const broker of open.brokers.splice(0)) await broker.close();
    for (const app of open.apps.splice(0)) await app.close();
    await open.proxy?.stop();
  });

  const setUp = async (): Promise<{ direct: Broker; proxied: Broker; proxy: TcpProxy }> => {
    if (target === undefined) {
      if (kafka === undefined) throw new Error('the private Kafka broker is not running');
      const proxy = await startTcpProxy({ targetPort: kafka.proxiedPort, listenPort: proxyPort });
      open.proxy = proxy;
      const direct = createBroker('kafka', { kafka: kafka.directBrokers });
      const proxied = createKafkaBroker({
        brokers: `${proxy.host}:${proxy.port}`,
        clientId: 'ey-pause',
        sessionTimeoutMs: 6000,
        requestTimeoutMs: 1500,
      });
      open.brokers.push(proxied, direct);
      return { direct, proxied, proxy };
    }
    const proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port) });
    open.proxy = proxy;
    const viaProxy =
      kind === 'rabbitmq'
        ? { rabbitmq: `amqp://${target.username}:${target.password}@127.0.0.1:${proxy.port}` }
        : { nats: `127.0.0.1:${proxy.port}` };
    const direct = createBroker(kind);
    // RabbitMQ pushes deliveries into a local buffer, so receive() has no call that could
    // time out: a silent connection is found by AMQP heartbeats (two missed), here 1 s apart.
    const proxied =
      kind === 'rabbitmq'
        ? createRabbitMqBroker({ url: viaProxy.rabbitmq ?? '', heartbeatSeconds: 1 })
        : createBroker(kind, viaProxy);
    open.brokers.push(proxied, direct);
    return { direct, proxied, proxy };
  };

  /**
   * Pauses the proxy once health is good (a call that missed its deadline under load may
   * have opened an outage of its own: it must close first), waits for the pause to show in
   * health (running `duringPause` meanwhile), holds it to PAUSE_MS and resumes. Returns the
   * window, for {@link pauseOutage}.
   */
  const rideOutPause = async (
    proxy: TcpProxy,
    healthy: () => boolean,
    duringPause: () => Promise<void> = async () => undefined,
  ): Promise<{ pausedAt: number; resumedAt: number; unhealthyAfter: number }> => {
    await waitUntil('healthy before the pause', async () => healthy(), 30_000);
    proxy.pause();
    const pausedAt = performance.now();
    await duringPause();
    await waitUntil('health turns unhealthy', async () => !healthy(), 20_000);
    const unhealthyAfter = performance.now() - pausedAt;
    await new Promise((r) => setTimeout(r, Math.max(0, PAUSE_MS - (performance.now() - pausedAt))));
    expect(healthy()).toBe(false);
    proxy.resume();
    return { pausedAt, resumedAt: performance.now(), unhealthyAfter };
  };

  /** One outage for the pause (others, outside it, reported); no per-call warnings. */
  const expectOneOutage = (lines: readonly LogLine[], window: { pausedAt: number; resumedAt: number }): string => {
    const { pause, others } = pauseOutage(lines, window);
    const took = `outage ${Math.round((pause.to ?? 0) - pause.from)} ms from ${pause.call} (${pause.err})`;
    return others.length === 0 ? took : `${took}; ${others.length} more outside the pause: ${logSummary(lines)}`;
  };

  /** An inbound processor through the proxy, on a fresh topic and group (stopped in afterEach; stop() is idempotent). */
  const startInbound = async (prefix: string) => {
    const { direct, proxied, proxy } = await setUp();
    const topic = `${prefix}-${randomUUID().slice(0, 8)}`;
    const group = `inbound-${topic}`;
    await direct.declare({ topic, groups: [group] });
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [IN_PAUSE, inboundRejectedType] });
    open.apps.push(app);
    const logger = recordingLogger();
    const inbound = createInboundProcessor({
      app,
      broker: proxied,
      topic,
      group,
      messageType: 'IN_PAUSE',
      receiveWaitMs: 200,
      brokerTimeoutMs: BROKER_TIMEOUT_MS,
      retryDelayMs: 50,
      logger,
    }).start();
    open.stops.push(() => inbound.stop());
    return { direct, proxy, topic, app, logger, inbound };
  };

  it('inbound: receive times out, health says so once, and every message is written after resume', async () => {
    const { direct, proxy, topic, app, logger, inbound } = await startInbound('ey-pause-in');
    const producer = await direct.producer();
    open.stops.push(() => producer.close());
    const send = async (from: number, count: number): Promise<void> => {
      const messages = Array.from({ length: count }, (_, i) => ({
        id: `m-${from + i}`,
        headers: { [Header.EVENT_ID]: randomUUID() },
        body: Buffer.from(JSON.stringify({ n: from + i })),
      }));
      await producer.publish(topic, messages);
    };
    const rows = async (): Promise<number> =>
      (await app.countByStatus({ table: 'inbound' })).reduce((n, c) => n + c.count, 0);

    await send(0, 100);
    const failed = async (e: unknown): Promise<never> => {
      throw new Error(
        `${String(e)}: ${await rows()} rows; ${JSON.stringify(inbound.stats)}; ${logSummary(logger.lines)}`,
      );
    };
    await waitUntil('the first 100 are written', async () => (await rows()) === 100, 30_000).catch(failed);
    // Idle when the pause starts (no ack in flight to fail at its deadline): the pause must
    // be found by receive alone.
    await waitUntil('the first 100 are acknowledged', async () => inbound.stats.acked === 100, 30_000).catch(failed);
    // The second 100 are published while the inbound processor's path is paused.
    const window = await rideOutPause(
      proxy,
      () => inbound.health().healthy,
      () => send(100, 100),
    );
    await waitUntil('all 200 are written', async () => (await rows()) === 200, 60_000).catch(failed);
    await waitUntil('health recovers', async () => inbound.health().healthy, 30_000);
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    expect(await rows()).toBe(200);
    const written = await app.list({ table: 'inbound', limit: 500 });
    expect(new Set(written.rows.map((r) => r.eventId)).size).toBe(200);
    expect(inbound.stats.created).toBe(200);
    expect(inbound.stats.received).toBe(200 + inbound.stats.duplicates);
    expect(inbound.stats.receiveFailures).toBeGreaterThan(0);
    const outage = expectOneOutage(logger.lines, window);
    expect(logger.lines.filter((l) => l.msg.startsWith('inbound: receive failed'))).toEqual([]);
    console.log(
      `${kind} inbound pause: unhealthy after ${Math.round(window.unhealthyAfter)} ms; ${outage}; ${JSON.stringify(inbound.stats)}`,
    );
  });

  it('inbound: stop() during a pause resolves at its deadlines, not when the network returns', async () => {
    const { proxy, logger, inbound } = await startInbound('ey-pause-stop');
    await waitUntil('receiving', async () => inbound.health().lastReceiveAt > 0, 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(inbound.stats)}; ${logSummary(logger.lines)}`);
    });
    await waitUntil('healthy before the pause', async () => inbound.health().healthy, 30_000);
    proxy.pause();
    await waitUntil('health turns unhealthy', async () => !inbound.health().healthy, 20_000);
    const stopping = performance.now();
    await inbound.stop();
    const stopMs = performance.now() - stopping;
    // The call in hand (receive: brokerTimeoutMs + receiveWaitMs) then the close
    // (brokerTimeoutMs), with room for a loaded machine; a stop that waited for the
    // network would still be waiting: the proxy stays paused until afterEach.
    expect(proxy.paused).toBe(true);
    expect(stopMs).toBeLessThan(2 * BROKER_TIMEOUT_MS + 200 + 5000);
    expect(inbound.health().running).toBe(false);
    console.log(`${kind} inbound stop during a pause: ${Math.round(stopMs)} ms`);
  });

  it('outbound: publish times out, health says so once, and every row is delivered after resume', async () => {
    const { direct, proxied, proxy } = await setUp();
    const topic = `ey-pause-out-${randomUUID().slice(0, 8)}`;
    const group = `downstream-${topic}`;
    await direct.declare({ topic, groups: [group] });
    const app = createEventyard({ store: createMemoryStore(), messageTypes: [OUT_PAUSE] });
    open.apps.push(app);
    const total = 300;
    const before = 100;
    const rowsFrom = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ type: OUT_PAUSE, payload: { n: from + i } }));
    await app.publishMany(rowsFrom(0, before));
    const copies = new Map<string, number>();
    const consumer = await direct.consumer({ topic, group });
    let consuming = true;
    // The outbound processor starts once the downstream consumer has received once (a Kafka
    // consumer joins its group then, which can take seconds): otherwise every row could be
    // published before the first copy is counted, and nothing be left for the pause.
    let joined: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (joined = resolve));
    const loop = (async () => {
      while (consuming) {
        const batch = await consumer.receive({ max: 100, maxWaitMs: 100 });
        joined();
        for (const m of batch) {
          const id = m.headers[Header.EVENT_ID] ?? 'missing';
          copies.set(id, (copies.get(id) ?? 0) + 1);
        }
        if (batch.length > 0) await consumer.ack(batch);
      }
    })();
    open.stops.push(async () => {
      consuming = false;
      await loop;
      await consumer.close();
    });
    await ready;
    const logger = recordingLogger();
    const outbound = createOutboundProcessor({
      app,
      broker: proxied,
      routes: { OUT_PAUSE: topic },
      batchSize: 5,
      leaseMs: 6000,
      brokerTimeoutMs: BROKER_TIMEOUT_MS,
      idleMaxMs: 50,
      retryMechanism: { intervalMs: 50 },
      logger,
    }).start();
    open.stops.push(() => outbound.stop());
    await waitUntil('a part is delivered', async () => copies.size >= 30, 30_000);
    // The rest is written while the network is paused: however fast the first part went out,
    // there are publishes for the pause to catch.
    const window = await rideOutPause(
      proxy,
      () => outbound.health().healthy,
      async () => void (await app.publishMany(rowsFrom(before, total - before))),
    );
    const completed = async (): Promise<number> =>
      (await app.countByStatus({ statuses: ['COMPLETED'] })).reduce((n, c) => n + c.count, 0);
    await waitUntil(
      'every row COMPLETED and delivered',
      async () => (await completed()) === total && copies.size === total,
      90_000,
    );
    await waitUntil('health recovers', async () => outbound.health().healthy, 30_000);
    expect(outbound.stats.completed).toBe(total);
    expect(outbound.stats.failed).toBe(0);
    expect(outbound.stats.publishFailures).toBeGreaterThan(0);
    // Every extra copy downstream is a re-publish of a batch whose publish timed out.
    const extra = [...copies.values()].reduce((n, c) => n + c - 1, 0);
    expect(extra).toBeLessThanOrEqual(outbound.stats.publishFailures * 5);
    const outage = expectOneOutage(logger.lines, window);
    console.log(
      `${kind} outbound pause: unhealthy after ${Math.round(window.unhealthyAfter)} ms; ${outage}; ${extra} extra copies; ${JSON.stringify(outbound.stats)}`,
    );
  });
});
