/**
 * Consuming a durable pull consumer with explicit acks. Each receive is a pull request that
 * ends before it returns (see pull.ts), so nothing is buffered and no request outlives the
 * consumer. Acks are confirmed by the server (`+ACK` as a request); keepAlive sends
 * `+WPI` (in progress), restarting `ack_wait`. On close every delivery not acknowledged is
 * nak'ed and comes again at once; after a crash it comes again after `ack_wait`.
 */
import { performance } from 'node:perf_hooks';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { BrokerConsumer, BrokerMessage, ReceiveOptions } from '../port.js';
import { toBrokerError } from './errors.js';
import { KEY_HEADER, streamName } from './options.js';
import { deliveryInfo, Puller } from './pull.js';

const ACK_TIMEOUT_MS = 5000;
/** How long a no_wait pull may stay open here (the server answers it at once; see pull.ts). */
const NO_WAIT_EXPIRES_MS = 1000;
/** The longest single long-poll request; a longer `maxWaitMs` is several in a row. */
const LONG_POLL_MS = 1000;

export class NatsConsumer implements BrokerConsumer {
  readonly #inFlight = new Map<BrokerMessage, Msg>();
  readonly #puller: Puller;
  #closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly topic: string,
    group: string,
  ) {
    this.#puller = new Puller(nc, `$JS.API.CONSUMER.MSG.NEXT.${streamName(topic)}.${group}`);
  }

  async receive(options: ReceiveOptions): Promise<readonly BrokerMessage[]> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'nats: receive after close');
    if (this.nc.isClosed()) throw toBrokerError(new Error('connection closed'), 'receive');
    const { max, maxWaitMs, signal } = options;
    let raws = await this.#puller.pull({ batch: max, expiresMs: NO_WAIT_EXPIRES_MS, noWait: true, signal });
    // The long poll goes in requests of at most LONG_POLL_MS: one the caller abandons (abort)
    // stays open on the server until it expires, and close() waits for it.
    const until = performance.now() + maxWaitMs;
    while (raws.length === 0 && signal?.aborted !== true && performance.now() < until) {
      const expiresMs = Math.max(1, Math.min(LONG_POLL_MS, Math.ceil(until - performance.now())));
      raws = await this.#puller.pull({ batch: 1, expiresMs, noWait: false, signal });
      if (raws.length === 1 && max > 1) {
        raws.push(...(await this.#puller.pull({ batch: max - 1, expiresMs: NO_WAIT_EXPIRES_MS, noWait: true })));
      }
    }
    const messages: BrokerMessage[] = [];
    for (const raw of raws) {
      const message = toBrokerMessage(this.topic, raw);
      if (message === undefined) continue;
      if (this.#closed) {
        raw.respond('-NAK');
        continue;
      }
      this.#inFlight.set(message, raw);
      messages.push(message);
    }
    return messages;
  }

  async ack(messages: readonly BrokerMessage[]): Promise<void> {
    const raws = messages.map((m) => {
      const raw = this.#inFlight.get(m);
      if (raw === undefined) {
        throw new EventyardError(ErrorCode.UNKNOWN_DELIVERY, 'nats: ack of a message this consumer did not deliver');
      }
      return raw;
    });
    const results = await Promise.allSettled(
      raws.map((raw) => this.nc.request(raw.reply ?? '', '+ACK', { timeout: ACK_TIMEOUT_MS })),
    );
    for (const m of messages) this.#inFlight.delete(m);
    const lost = results.filter((r) => r.status === 'rejected').length;
    if (lost > 0) {
      throw new EventyardError(
        ErrorCode.BROKER_UNAVAILABLE,
        `nats: ${lost} of ${messages.length} acks not confirmed; those messages come again after ack_wait`,
        { details: { lost } },
      );
    }
  }

  /** In-progress acks: restarts each message's `ack_wait` while the caller's write runs. */
  async keepAlive(messages: readonly BrokerMessage[]): Promise<void> {
    for (const m of messages) this.#inFlight.get(m)?.respond('+WPI');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#puller.settled();
    for (const raw of this.#inFlight.values()) raw.respond('-NAK');
    this.#inFlight.clear();
    await this.nc.flush().catch(() => undefined);
  }
}

function toBrokerMessage(topic: string, raw: Msg): BrokerMessage | undefined {
  const info = deliveryInfo(raw.reply);
  if (info === undefined) return undefined;
  const headers: Record<string, string> = {};
  let key: string | undefined;
  for (const [name, values] of raw.headers ?? []) {
    const value = values[0] ?? '';
    if (name === KEY_HEADER) key = value;
    else headers[name] = value;
  }
  return {
    id: `${info.stream}/${info.streamSequence}`,
    topic,
    key,
    headers,
    body: Buffer.from(raw.data),
    deliveryCount: info.deliveryCount,
  };
}
