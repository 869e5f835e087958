/**
 * Consuming a group's durable queue with manual acks and a prefetch window. Deliveries
 * are buffered locally until `receive` takes them; an ack goes back on the channel that
 * delivered the message. When that channel or its connection dies, the server requeues
 * every unacknowledged delivery, so the buffered ones are dropped here and a later
 * `receive` reconnects and gets them again (`redelivered`).
 */
import { createHash } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { DeliveryBuffer } from '../delivery-buffer.js';
import type { BrokerConsumer, BrokerMessage, ReceiveOptions } from '../port.js';
import { LazyConnection } from './connection.js';
import { toBrokerError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

interface Delivery {
  readonly message: BrokerMessage;
  readonly raw: ConsumeMessage;
  readonly channel: Channel;
}

export class RabbitMqConsumer implements BrokerConsumer {
  readonly #connection: LazyConnection;
  readonly #buffer = new DeliveryBuffer<Delivery>();
  readonly #deliveries = new WeakMap<BrokerMessage, Delivery>();
  #channel: Channel | undefined;
  #opening: Promise<void> | undefined;
  #closed = false;

  constructor(
    private readonly options: ResolvedRabbitMqOptions,
    private readonly queue: string,
  ) {
    this.#connection = new LazyConnection(options);
  }

  async receive(options: ReceiveOptions): Promise<readonly BrokerMessage[]> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'rabbitmq: receive after close');
    if (this.#channel === undefined) {
      this.#opening ??= this.#subscribe().finally(() => (this.#opening = undefined));
      await this.#opening;
    }
    const taken = await this.#buffer.take(options.max, options.maxWaitMs, options.signal);
    return taken.map((delivery) => {
      this.#deliveries.set(delivery.message, delivery);
      return delivery.message;
    });
  }

  async #subscribe(): Promise<void> {
    const model = await this.#connection.get();
    try {
      const channel = await model.createChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (this.#channel === channel) this.#channel = undefined;
        this.#buffer.discard((d) => d.channel === channel);
        this.#buffer.interrupt();
      });
      await channel.prefetch(this.options.prefetch);
      this.#channel = channel;
      await channel.consume(
        this.queue,
        (raw) => {
          if (raw === null) {
            // Cancelled by the server (queue deleted): reopen on the next receive.
            void channel.close().catch(() => undefined);
            return;
          }
          this.#buffer.push({ message: toBrokerMessage(raw), raw, channel });
        },
        { noAck: false },
      );
    } catch (error) {
      this.#channel = undefined;
      throw toBrokerError(error, `consume queue "${this.queue}"`);
    }
  }

  /**
   * AMQP acks have no reply: this resolves when they are written to the socket. A
   * connection lost right after may still redeliver them; the inbound table's unique key
   * absorbs that.
   */
  async ack(messages: readonly BrokerMessage[]): Promise<void> {
    let lost = 0;
    for (const message of messages) {
      const delivery = this.#deliveries.get(message);
      if (delivery === undefined) {
        throw new EventyardError(
          ErrorCode.UNKNOWN_DELIVERY,
          'rabbitmq: ack of a message this consumer did not deliver',
        );
      }
      this.#deliveries.delete(message);
      if (delivery.channel !== this.#channel) {
        lost++;
        continue;
      }
      try {
        delivery.channel.ack(delivery.raw);
      } catch {
        lost++;
      }
    }
    if (lost > 0) {
      throw new EventyardError(
        ErrorCode.BROKER_UNAVAILABLE,
        `rabbitmq: ${lost} acks lost with their channel; the server redelivers those messages`,
        { details: { lost } },
      );
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.close();
    await this.#opening?.catch(() => undefined);
    const channel = this.#channel;
    this.#channel = undefined;
    // Closing the channel requeues every unacknowledged delivery.
    await channel?.close().catch(() => undefined);
    await this.#connection.close();
  }
}

function toBrokerMessage(raw: ConsumeMessage): BrokerMessage {
  const { fields, properties, content } = raw;
  const headers = stringHeaders(properties.headers);
  const messageId =
    typeof properties.messageId === 'string' && properties.messageId !== '' ? properties.messageId : undefined;
  return {
    id: `${fields.exchange}/${messageId ?? contentDigest(fields.routingKey, headers, content)}`,
    topic: fields.exchange,
    key: fields.routingKey === '' ? undefined : fields.routingKey,
    headers,
    body: content,
    deliveryCount: fields.redelivered ? 2 : 1,
  };
}

/** Without a `message-id`, identical messages share an identity (documented in docs/brokers.md). */
function contentDigest(routingKey: string, headers: Readonly<Record<string, string>>, body: Buffer): string {
  const hash = createHash('sha256');
  hash.update(routingKey).update('\0');
  for (const name of Object.keys(headers).sort())
    hash
      .update(name)
      .update('\0')
      .update(headers[name] ?? '')
      .update('\0');
  return `sha256:${hash.update(body).digest('hex')}`;
}

function stringHeaders(raw: Record<string, unknown> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (typeof value === 'string') headers[name] = value;
    else if (Buffer.isBuffer(value)) headers[name] = value.toString('utf8');
    else if (value !== undefined && value !== null) headers[name] = safeJson(value);
  }
  return headers;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
