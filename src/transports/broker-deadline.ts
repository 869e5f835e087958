/**
 * Deadlines on broker calls, for every adapter: a broker behind a stalled network answers
 * nothing, and a receive, ack or publish without a deadline would wait for as long as the
 * pause lasts. Each call made through these wrappers rejects with EY_BROKER_UNAVAILABLE once
 * its deadline passes, and reports to an {@link OutageWatch} (health, one warning per
 * outage). Adapters keep their own client timeouts (Kafka requestTimeoutMs, NATS
 * publishTimeoutMs, AMQP heartbeats); this one holds whatever the client does.
 *
 * A publish that timed out may still reach the broker: the outbound processor then treats
 * the rows as failed and publishes them again (a duplicate under the same message id, which
 * RabbitMQ consumers and NATS de-duplication recognise). An ack that timed out may still
 * land too: the messages are redelivered at worst, and the inbound write is idempotent.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, EventyardError } from '../core/errors.js';
import { isOutage, withDeadline, type OutageWatch } from '../processing/store-deadline.js';
import type { Broker, BrokerConsumer, BrokerProducer } from './port.js';

export function brokerTimeoutError(kind: string, what: string, ms: number): EventyardError {
  return new EventyardError(ErrorCode.BROKER_UNAVAILABLE, `${kind}: ${what} did not answer within ${ms} ms`, {
    details: { call: what, deadlineMs: ms, timedOut: true },
  });
}

/**
 * Only data-path calls (receive, ack, keep-alive, publish) count as the broker answering:
 * opening a consumer or producer may be served from the client's own state (a NATS
 * consumer handle, a cached channel) without a word from the server, and would report a
 * recovery that is not one. Every call's failure counts.
 */
const OPENING = new Set(['open consumer', 'open producer', 'declare']);

function guarded(kind: string, deadlineMs: number, watch: OutageWatch) {
  return async <R>(what: string, call: () => Promise<R>, extraMs = 0): Promise<R> => {
    const ms = deadlineMs + extraMs;
    const sentAt = performance.now();
    try {
      const result = await withDeadline(call(), ms, () => brokerTimeoutError(kind, what, ms));
      if (!OPENING.has(what)) watch.answered();
      return result;
    } catch (error) {
      if (isOutage(error)) watch.failed(what, error, sentAt);
      throw error;
    }
  };
}

/** The consumer with a deadline on every call; `receive` gets its wait plus the deadline. */
export function consumerWithDeadline(
  consumer: BrokerConsumer,
  kind: string,
  deadlineMs: number,
  watch: OutageWatch,
): BrokerConsumer {
  const call = guarded(kind, deadlineMs, watch);
  const keepAlive = consumer.keepAlive?.bind(consumer);
  return {
    receive: (options) => call('receive', () => consumer.receive(options), options.maxWaitMs),
    ack: (messages) => call('ack', () => consumer.ack(messages)),
    ...(keepAlive && { keepAlive: (messages) => call('keepAlive', () => keepAlive(messages)) }),
    close: () => withDeadline(consumer.close(), deadlineMs, () => brokerTimeoutError(kind, 'close', deadlineMs)),
  };
}

export function producerWithDeadline(
  producer: BrokerProducer,
  kind: string,
  deadlineMs: number,
  watch: OutageWatch,
): BrokerProducer {
  const call = guarded(kind, deadlineMs, watch);
  return {
    publish: (topic, messages) => call('publish', () => producer.publish(topic, messages)),
    close: () => withDeadline(producer.close(), deadlineMs, () => brokerTimeoutError(kind, 'close', deadlineMs)),
  };
}

/** The broker with deadlines on opening consumers and producers, declaring, and every call they make. */
export function brokerWithDeadline(broker: Broker, deadlineMs: number, watch: OutageWatch): Broker {
  const call = guarded(broker.kind, deadlineMs, watch);
  return {
    kind: broker.kind,
    features: broker.features,
    declare: (request) => call('declare', () => broker.declare(request)),
    consumer: async (options) => {
      const opening = broker.consumer(options);
      const consumer = await call('open consumer', () => opening).catch((error: unknown) => {
        // Opened after its deadline: close it, or it would hold messages nobody receives.
        void opening.then((late) => late.close()).catch(() => undefined);
        throw error;
      });
      return consumerWithDeadline(consumer, broker.kind, deadlineMs, watch);
    },
    producer: async () => {
      const opening = broker.producer();
      const producer = await call('open producer', () => opening).catch((error: unknown) => {
        void opening.then((late) => late.close()).catch(() => undefined);
        throw error;
      });
      return producerWithDeadline(producer, broker.kind, deadlineMs, watch);
    },
    close: () => broker.close(),
  };
}
