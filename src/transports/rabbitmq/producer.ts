/**
 * Publishing with publisher confirms. Every message is persistent and `mandatory`, so a
 * message no queue would take comes back (`basic.return`, always before its confirm) and
 * the publish fails instead of the exchange dropping it silently.
 */
import { randomUUID } from 'node:crypto';
import type { ConfirmChannel } from 'amqplib';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { BrokerProducer, OutgoingMessage } from '../port.js';
import { LazyConnection } from './connection.js';
import { toBrokerError } from './errors.js';
import type { ResolvedRabbitMqOptions } from './options.js';

export class RabbitMqProducer implements BrokerProducer {
  readonly #connection: LazyConnection;
  readonly #returned = new Set<string>();
  readonly #watched = new WeakSet<object>();
  /** Counts channel and connection closures, to spot one right after a batch's confirms. */
  #closures = 0;
  #channel: ConfirmChannel | undefined;
  #channelError: Error | undefined;
  #closed = false;

  constructor(private readonly options: ResolvedRabbitMqOptions) {
    this.#connection = new LazyConnection(options);
  }

  async #ensureChannel(): Promise<ConfirmChannel> {
    if (this.#channel !== undefined) return this.#channel;
    const model = await this.#connection.get();
    if (!this.#watched.has(model)) {
      this.#watched.add(model);
      model.on('error', () => this.#closures++);
      model.on('close', () => this.#closures++);
    }
    let channel: ConfirmChannel;
    try {
      channel = await model.createConfirmChannel();
    } catch (error) {
      throw toBrokerError(error, 'open a confirm channel');
    }
    this.#channelError = undefined;
    channel.on('error', (error: Error) => (this.#channelError = error));
    channel.on('close', () => {
      this.#closures++;
      if (this.#channel === channel) this.#channel = undefined;
    });
    channel.on('return', (message: { properties: { messageId?: unknown } }) => {
      const id = message.properties.messageId;
      if (typeof id === 'string') this.#returned.add(id);
    });
    this.#channel = channel;
    return channel;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'rabbitmq: publish after close');
    if (messages.length === 0) return;
    const channel = await this.#ensureChannel();
    const closures = this.#closures;
    const ids = messages.map((m) => m.id ?? randomUUID());
    const confirms: Promise<void>[] = [];
    try {
      for (const [i, message] of messages.entries()) {
        const { confirmed, written } = this.#publishOne(channel, topic, message, ids[i] as string);
        confirms.push(confirmed);
        if (!written) await drained(channel);
      }
      await this.#withTimeout(Promise.all(confirms));
    } catch (error) {
      // A closed channel rejects every pending confirm with "channel closed"; the reason
      // (404 for a missing exchange) is the channel's error.
      await Promise.allSettled(confirms);
      throw toBrokerError(this.#channelError ?? error, `publish to exchange "${topic}"`);
    }
    // Let the I/O already received run: a forced close (server shutdown) that arrived with
    // the confirms makes them untrustworthy. RabbitMQ 3.10 was seen confirming messages it
    // then lost while shutting down (docs/brokers.md); publishing again turns that loss
    // into a duplicate.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.#closures !== closures) {
      throw new EventyardError(
        ErrorCode.BROKER_UNAVAILABLE,
        `rabbitmq: the connection closed as the confirms for exchange "${topic}" arrived; publishing again`,
        { details: { topic } },
      );
    }
    const returned = ids.filter((id) => this.#returned.delete(id));
    if (returned.length > 0) {
      throw new EventyardError(
        ErrorCode.BROKER_REJECTED,
        `rabbitmq: ${returned.length} of ${messages.length} messages to exchange "${topic}" were unroutable (no queue bound); declare the group's queue first`,
        { details: { topic, unroutable: returned.length } },
      );
    }
  }

  #publishOne(
    channel: ConfirmChannel,
    topic: string,
    message: OutgoingMessage,
    id: string,
  ): { confirmed: Promise<void>; written: boolean } {
    let written = true;
    const confirmed = new Promise<void>((resolve, reject) => {
      written = channel.publish(
        topic,
        message.key ?? '',
        message.body,
        {
          persistent: true,
          mandatory: true,
          messageId: id,
          timestamp: Math.floor(Date.now() / 1000),
          headers: { ...message.headers },
        },
        (error: unknown) =>
          error ? reject(error instanceof Error ? error : new Error('publish not confirmed')) : resolve(),
      );
    });
    return { confirmed, written };
  }

  #withTimeout(work: Promise<unknown>): Promise<void> {
    const ms = this.options.confirmTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new EventyardError(ErrorCode.BROKER_UNAVAILABLE, `rabbitmq: no publisher confirm within ${ms} ms`)),
        ms,
      );
    });
    return Promise.race([work.then(() => undefined), timeout]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const channel = this.#channel;
    this.#channel = undefined;
    await channel?.close().catch(() => undefined);
    await this.#connection.close();
  }
}

/** Resolves when the channel's write buffer drained, or the channel closed. */
function drained(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.once('drain', done);
    channel.once('close', done);
  });
}
