/**
 * The other side of the Kafka consumer's fetch watch (broker-pause.test.ts shows it finds a
 * pause): with nothing paused, idle consumers are never taken for hung. Two members of one
 * group on a one-partition topic (so one of them has no partition at a time) receive with
 * empty results for many times the watch's limit, across the group's rebalances (a member
 * joining, then leaving) and a burst of messages. Not one receive may fail.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Header, type Broker, type BrokerConsumer } from '../../src/index.js';
import { createKafkaBroker } from '../../src/transports/kafka/index.js';
import { KAFKA_BROKERS } from '../support/brokers.js';
import startKafka from '../support/kafka-global-setup.js';
import { waitUntil } from '../support/rows.js';

/** The watch's limit is this plus the fetch max wait (500 ms). */
const REQUEST_TIMEOUT_MS = 1000;
const LIMIT_MS = REQUEST_TIMEOUT_MS + 500;

beforeAll(() => startKafka(), 600_000);

/** Receives until stopped; counts messages, empty receives and failures (all kept). */
function receiving(consumer: BrokerConsumer) {
  const state = { received: 0, empty: 0, failures: [] as string[], stopped: false };
  const done = (async () => {
    while (!state.stopped) {
      try {
        const batch = await consumer.receive({ max: 50, maxWaitMs: 200 });
        if (batch.length === 0) state.empty++;
        state.received += batch.length;
        if (batch.length > 0) await consumer.ack(batch);
      } catch (error) {
        state.failures.push(`${Math.round(performance.now())}ms ${String(error)}`);
      }
    }
  })();
  return {
    state,
    stop: async () => {
      state.stopped = true;
      await done;
      await consumer.close();
    },
  };
}

describe('an idle Kafka consumer, nothing paused', () => {
  const brokers: Broker[] = [];
  afterEach(async () => {
    for (const broker of brokers.splice(0)) await broker.close();
  });

  it('never fails a receive for want of fetch answers: idle, without partitions, across rebalances', async () => {
    const options = {
      brokers: KAFKA_BROKERS.join(','),
      clientId: 'ey-idle',
      partitions: 1,
      sessionTimeoutMs: 6000,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    };
    const broker = createKafkaBroker(options);
    brokers.push(broker);
    const topic = `ey-idle-${randomUUID().slice(0, 8)}`;
    const group = 'idle';
    await broker.declare({ topic, groups: [group] });
    const idleFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

    const first = receiving(await broker.consumer({ topic, group }));
    await waitUntil('the first member has joined and receives', async () => first.state.empty >= 3, 30_000);
    await idleFor(3 * LIMIT_MS);

    // A second member: the group rebalances; one member keeps the partition, one has none.
    const second = receiving(await broker.consumer({ topic, group }));
    await waitUntil('the second member has joined', async () => second.state.empty >= 3, 30_000);
    await idleFor(3 * LIMIT_MS);

    const producer = await broker.producer();
    await producer.publish(
      topic,
      Array.from({ length: 20 }, (_, n) => ({
        id: `m-${n}`,
        headers: { [Header.EVENT_ID]: randomUUID() },
        body: Buffer.from(String(n)),
      })),
    );
    await producer.close();
    await waitUntil('the burst is received', async () => first.state.received + second.state.received === 20, 30_000);
    await idleFor(3 * LIMIT_MS);

    // The second member leaves: another rebalance, the first may get the partition back.
    await second.stop();
    await idleFor(3 * LIMIT_MS);
    await first.stop();

    const failures = [...first.state.failures, ...second.state.failures];
    console.log(
      `idle Kafka members: ${first.state.empty} + ${second.state.empty} empty receives, limit ${LIMIT_MS} ms; failures: ${JSON.stringify(failures)}`,
    );
    expect(failures).toEqual([]);
    expect(first.state.received + second.state.received).toBe(20);
  });
});
