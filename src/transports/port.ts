/**
 * The broker port: the one interface every message-queue adapter (Kafka, RabbitMQ, NATS
 * JetStream, yours) implements, and the only thing the inbound and outbound processors
 * know about brokers (Watermill's `Publisher` / `Subscriber`). It exposes no connection,
 * channel or client type. The exported conformance suite (`eventyard/testing/brokers`)
 * checks every contract written here against a real broker.
 *
 * Glossary
 * - **topic**: a named stream of messages a producer publishes to. Kafka: a topic;
 *   RabbitMQ: a durable topic exchange; NATS: a subject captured by a JetStream stream.
 * - **group**: a durable subscription to a topic. Every message published to the topic
 *   after the group was declared reaches the group once (at least once), whichever of
 *   its consumers takes it. Kafka: a consumer group; RabbitMQ: a durable queue bound to the
 *   exchange; NATS: a durable pull consumer.
 * - **identity** (`BrokerMessage.id`): what names one published message, stable across
 *   its redeliveries: `topic/partition/offset` (Kafka), `stream/sequence` (NATS), the AMQP
 *   `message-id` property or else a digest of the content (RabbitMQ).
 * - **in flight**: received and not yet acknowledged. Closing a consumer (or crashing)
 *   leaves in-flight messages for redelivery.
 * - **ack**: the caller has written the messages durably; the broker may forget them.
 */

/** A message as received: binary body, string headers, the broker's identity. */
export interface BrokerMessage {
  /** The broker's identity of this message, the same on every redelivery (see glossary). */
  readonly id: string;
  readonly topic: string;
  /** The message key (Kafka key, AMQP routing key, NATS `ey-key` header), if any. */
  readonly key: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /**
   * How many times the broker has delivered it, 1 for the first time; `undefined` when
   * the broker cannot tell (Kafka). RabbitMQ only knows first (1) or redelivered (2).
   */
  readonly deliveryCount: number | undefined;
}

/** A message to publish. */
export interface OutgoingMessage {
  /**
   * The producer's id of this message, the same on every retry of it (the outbound
   * processor uses `EVENT_ID:MESSAGE_TYPE`). RabbitMQ sends it as `message-id` (so the
   * consumer's identity is stable across re-publishes); NATS as `Nats-Msg-Id` (a re-publish
   * within the stream's duplicate window is not stored twice). Kafka ignores it.
   */
  readonly id?: string | undefined;
  /** Messages with the same key keep their order where `features.orderingPerKey` holds. */
  readonly key?: string | undefined;
  /** Header names are lower-case ASCII (`ey-event-id`); values are UTF-8 strings. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body: Buffer;
}

export interface ReceiveOptions {
  /** Return at most this many messages. */
  readonly max: number;
  /** Wait at most this long for the first message; then return what there is (maybe none). */
  readonly maxWaitMs: number;
  /** Aborting returns what has been received so far (maybe nothing). */
  readonly signal?: AbortSignal | undefined;
}

export interface BrokerConsumer {
  /**
   * Up to `max` messages of the group, in the broker's delivery order. Each stays in
   * flight until acknowledged; a message that is never acknowledged is delivered again,
   * to this group, after this consumer closes or dies.
   */
  receive(options: ReceiveOptions): Promise<readonly BrokerMessage[]>;

  /**
   * Acknowledges messages this consumer received: call it only after they are durably
   * written. Resolves once the broker has the acknowledgement (Kafka: the committed
   * offset). Rejects with EY_BROKER_UNAVAILABLE when it could not be delivered; the
   * messages will then come again, which the caller's de-duplication absorbs.
   */
  ack(messages: readonly BrokerMessage[]): Promise<void>;

  /**
   * Optional: tells the broker the caller is still working on these messages, so it does
   * not redeliver them while a slow durable write runs (NATS JetStream `+WPI`).
   * Brokers whose redelivery is tied only to the consumer's life leave it out.
   */
  keepAlive?(messages: readonly BrokerMessage[]): Promise<void>;

  /** Stops receiving; in-flight messages are left for redelivery. Idempotent. */
  close(): Promise<void>;
}

export interface BrokerProducer {
  /**
   * Publishes the messages to `topic` and resolves only when the broker has confirmed
   * every one of them (Kafka acks=all, RabbitMQ publisher confirms, JetStream PubAck).
   * Rejects with EY_BROKER_REJECTED (refused: unknown topic, unroutable, nack) or
   * EY_BROKER_UNAVAILABLE (connection lost, no confirm in time); then any subset of the
   * batch may have reached the broker, so a retry may duplicate some of them.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;

  /** Releases the producer's connection or channel. Idempotent. */
  close(): Promise<void>;
}

/** Who is subscribed where; declared before anyone publishes. */
export interface TopologyRequest {
  readonly topic: string;
  /** Durable groups to create on the topic (idempotent). */
  readonly groups?: readonly string[] | undefined;
}

/** What a broker may differ in; the conformance suite runs the matching cases. */
export interface BrokerFeatures {
  /** Messages published with one key reach a group in publish order (partition, queue, stream). */
  readonly orderingPerKey: boolean;
  /**
   * What closing a consumer with messages in flight redelivers:
   * - `per-message`: exactly the messages not acknowledged (RabbitMQ, NATS);
   * - `from-first-unacked`: everything after the committed offset of each partition,
   *   so acknowledged messages behind an unacknowledged one come again (Kafka).
   */
  readonly redelivery: 'per-message' | 'from-first-unacked';
  /** `BrokerMessage.deliveryCount` tells a redelivery apart. */
  readonly deliveryCount: boolean;
}

export interface Broker {
  /** `kafka`, `rabbitmq`, `nats`: used in identities and logs. */
  readonly kind: string;
  readonly features: BrokerFeatures;

  /**
   * Creates the topic and the groups if missing (idempotent). A group receives what is
   * published after it exists; Kafka and NATS groups also receive what the topic already
   * retains, RabbitMQ queues do not, so declare groups before producers publish.
   */
  declare(request: TopologyRequest): Promise<void>;

  /** A consumer of `group` on `topic` (declared with {@link declare}). */
  consumer(options: { readonly topic: string; readonly group: string }): Promise<BrokerConsumer>;

  producer(): Promise<BrokerProducer>;

  /** Closes every consumer and producer this broker made, then its connections. Idempotent. */
  close(): Promise<void>;
}
