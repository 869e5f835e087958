/**
 * The NATS JetStream adapter of the broker port. A topic is a subject captured by a
 * file-backed stream of the same name; a group is a durable pull consumer of that stream
 * with explicit acks; the key travels in the `ey-key` header.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Broker, BrokerConsumer, BrokerFeatures, BrokerProducer, TopologyRequest } from '../port.js';
import { NatsConsumer } from './consumer.js';
import { secretsOfUrl } from '../../core/redact.js';
import { toBrokerError } from './errors.js';
import { resolveNatsOptions, streamName, type NatsOptions } from './options.js';
import { NatsProducer } from './producer.js';

/**
 * A stream keeps publish order and a pull consumer delivers in stream order, so one key
 * keeps its order while nothing is redelivered. Each message is acked on its own, so
 * exactly the unacked ones come again; `deliveryCount` counts every delivery.
 */
export const NATS_FEATURES: BrokerFeatures = Object.freeze({
  orderingPerKey: true,
  redelivery: 'per-message',
  deliveryCount: true,
});

export function createNatsBroker(input?: NatsOptions): Broker {
  const options = resolveNatsOptions(input);
  const open = new Set<{ close(): Promise<void> }>();
  let connection: Promise<NatsConnection> | undefined;
  let closed = false;

  const nc = async (): Promise<NatsConnection> => {
    if (closed) throw new EventyardError(ErrorCode.CLOSED, 'nats: broker closed');
    connection ??= connect({
      servers: options.servers.split(','),
      // Keep reconnecting through a server restart; operations fail fast meanwhile.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
    }).catch((error: unknown) => {
      connection = undefined;
      throw toBrokerError(error, 'connect', options.servers.split(',').flatMap(secretsOfUrl));
    });
    return connection;
  };
  const track = <T extends { close(): Promise<void> }>(client: T): T => {
    open.add(client);
    return client;
  };

  return {
    kind: 'nats',
    features: NATS_FEATURES,
    async declare(request: TopologyRequest): Promise<void> {
      const name = streamName(request.topic);
      try {
        const jsm = await jetstreamManager(await nc());
        const exists = await jsm.streams.info(name).then(
          () => true,
          () => false,
        );
        if (!exists) {
          await jsm.streams.add({
            name,
            subjects: [request.topic],
            storage: StorageType.File,
            max_age: nanos(options.streamMaxAgeMs),
            duplicate_window: nanos(options.duplicateWindowMs),
          });
        }
        for (const group of request.groups ?? []) {
          await jsm.consumers.add(name, {
            durable_name: group,
            ack_policy: AckPolicy.Explicit,
            deliver_policy: DeliverPolicy.All,
            ack_wait: nanos(options.ackWaitMs),
            max_ack_pending: options.maxAckPending,
            // Never give up on a message: a max_deliver would drop it silently.
            max_deliver: -1,
          });
        }
      } catch (error) {
        throw toBrokerError(error, `declare topic "${request.topic}"`);
      }
    },
    async consumer({ topic, group }): Promise<BrokerConsumer> {
      return track(new NatsConsumer(await nc(), topic, group));
    },
    async producer(): Promise<BrokerProducer> {
      return track(new NatsProducer(await nc(), options));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all([...open].map((client) => client.close()));
      open.clear();
      const current = await connection?.catch(() => undefined);
      await current?.drain().catch(() => undefined);
    },
  };
}
