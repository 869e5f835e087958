/**
 * Publishing to JetStream: each message resolves with the stream's PubAck (stored). The
 * batch goes out in order on one connection, so the stream keeps its order. A message
 * with an `id` carries it as `Nats-Msg-Id`: a retry within the stream's duplicate window
 * is acknowledged without being stored twice.
 */
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { BrokerProducer, OutgoingMessage } from '../port.js';
import { toBrokerError } from './errors.js';
import { KEY_HEADER, type ResolvedNatsOptions } from './options.js';

export class NatsProducer implements BrokerProducer {
  readonly #js: JetStreamClient;
  #closed = false;

  constructor(
    nc: NatsConnection,
    private readonly options: ResolvedNatsOptions,
  ) {
    this.#js = jetstream(nc);
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'nats: publish after close');
    const results = await Promise.allSettled(messages.map((m) => this.#publishOne(topic, m)));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) {
      const first = toBrokerError(failed[0]?.reason, `publish to "${topic}"`);
      throw new EventyardError(first.code, `${first.message} (${failed.length} of ${messages.length} failed)`, {
        cause: first,
        details: { topic, failed: failed.length },
      });
    }
  }

  async #publishOne(topic: string, message: OutgoingMessage): Promise<void> {
    const h = natsHeaders();
    for (const [name, value] of Object.entries(message.headers ?? {})) h.set(name, value);
    if (message.key !== undefined) h.set(KEY_HEADER, message.key);
    await this.#js.publish(topic, message.body, {
      headers: h,
      timeout: this.options.publishTimeoutMs,
      ...(message.id === undefined ? {} : { msgID: message.id }),
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
