/**
 * Consuming as a member of a consumer group, without auto-commit. The client's fetch
 * stream feeds a local buffer that `receive` takes from; the stream is paused while the
 * buffer holds `maxBuffered` messages. `ack` commits, per partition, up to the first
 * message not yet acknowledged (see commit-tracker.ts), and resolves once the group
 * coordinator has the commit. A consumer that closes or dies without committing leaves
 * its partitions to the next member, from the last committed offsets.
 *
 * A hung connection is found by the fetch stream falling silent (fetch-watch.ts): an empty
 * `receive` while the stream has not heard a fetch answer for `requestTimeoutMs` plus the
 * fetch max wait fails as EY_BROKER_UNAVAILABLE, like any receive past its deadline.
 */
import { Consumer, type Message, type MessagesStream } from '@platformatic/kafka';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { DeliveryBuffer } from '../delivery-buffer.js';
import type { BrokerConsumer, BrokerMessage, ReceiveOptions } from '../port.js';
import { CommitTracker } from './commit-tracker.js';
import { toBrokerError } from './errors.js';
import { FetchWatch } from './fetch-watch.js';
import { connectionOf, kafkaSecrets, type ResolvedKafkaOptions } from './options.js';

type Raw = Message<Buffer, Buffer, Buffer, Buffer>;

/** How long the broker holds a fetch that finds no records before it answers empty. */
const FETCH_MAX_WAIT_MS = 500;

interface Delivery {
  readonly raw: Raw;
  readonly partitionKey: string;
}

export class KafkaConsumer implements BrokerConsumer {
  readonly #consumer: Consumer<Buffer, Buffer, Buffer, Buffer>;
  readonly #buffer = new DeliveryBuffer<Raw>();
  readonly #inFlight = new WeakMap<BrokerMessage, Delivery>();
  readonly #tracker = new CommitTracker<Raw>();
  readonly #fetches: FetchWatch;
  #stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  #starting: Promise<void> | undefined;
  #failure: Error | undefined;
  #closed = false;

  readonly #secrets: readonly string[];

  constructor(
    private readonly options: ResolvedKafkaOptions,
    private readonly topic: string,
    group: string,
  ) {
    this.#secrets = kafkaSecrets(options);
    this.#consumer = new Consumer({
      clientId: `${options.clientId}-consumer`,
      ...connectionOf(options),
      groupId: group,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 10)),
      timeout: options.requestTimeoutMs,
      autocommit: false,
      maxWaitTime: FETCH_MAX_WAIT_MS,
    });
    this.#fetches = new FetchWatch(options.requestTimeoutMs + FETCH_MAX_WAIT_MS);
    // New assignments: the stream refreshes its offsets, then fetches again.
    const restart = (): void => this.#fetches.heard();
    this.#consumer.on('consumer:group:join', restart);
    this.#consumer.on('consumer:group:rebalance', restart);
  }

  async receive(options: ReceiveOptions): Promise<readonly BrokerMessage[]> {
    if (this.#closed) throw new EventyardError(ErrorCode.CLOSED, 'kafka: receive after close');
    if (this.#stream === undefined) {
      this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
      await this.#starting;
    }
    const failure = this.#failure;
    if (failure !== undefined && this.#buffer.size === 0) {
      this.#failure = undefined;
      this.#stream = undefined;
      throw toBrokerError(failure, `consume "${this.topic}"`, this.#secrets);
    }
    const taken = await this.#buffer.take(options.max, options.maxWaitMs, options.signal);
    if (this.#buffer.size < this.options.maxBuffered / 2 && this.#stream?.isPaused() === true) {
      this.#stream.resume();
      this.#fetches.heard();
    }
    if (taken.length === 0 && options.signal?.aborted !== true) await this.#checkFetching();
    return taken.map((raw) => {
      const partitionKey = `${raw.topic}/${raw.partition}`;
      this.#tracker.delivered(partitionKey, raw.offset, raw);
      const message = toBrokerMessage(raw);
      this.#inFlight.set(message, { raw, partitionKey });
      return message;
    });
  }

  async #start(): Promise<void> {
    try {
      const stream = await this.#consumer.consume({
        topics: [this.topic],
        mode: 'committed',
        fallbackMode: 'earliest',
        autocommit: false,
      });
      stream.on('data', (raw: Raw) => {
        this.#buffer.push(raw);
        if (this.#buffer.size >= this.options.maxBuffered) stream.pause();
      });
      stream.on('error', (error: Error) => {
        this.#failure = error;
        this.#buffer.interrupt();
      });
      // Emitted for every fetch answer, records or not (and for a failed one, which also errors).
      stream.on('fetch', () => this.#fetches.heard());
      stream.on('offsets', () => this.#fetches.heard());
      this.#fetches.heard();
      this.#stream = stream;
    } catch (error) {
      throw toBrokerError(error, `join group for "${this.topic}"`, this.#secrets);
    }
  }

  /** Fails when the stream should be fetching and has heard nothing for too long (a hung connection). */
  async #checkFetching(): Promise<void> {
    if (this.#fetches.silentFor(this.#fetching()) === undefined) return;
    // After event-loop lag, an answer may sit unread in the socket: let I/O run once first.
    await new Promise((resolve) => setImmediate(resolve));
    const silent = this.#fetches.silentFor(this.#fetching());
    if (silent === undefined || this.#closed) return;
    throw new EventyardError(
      ErrorCode.BROKER_UNAVAILABLE,
      `kafka: consume "${this.topic}": no fetch answer for ${Math.round(silent)} ms (limit ${this.#fetches.limitMs} ms: requestTimeoutMs + fetch max wait)`,
      { details: { call: 'fetch', silentMs: Math.round(silent), deadlineMs: this.#fetches.limitMs, timedOut: true } },
    );
  }

  /** Whether the stream is meant to be fetching: open, not paused for a full buffer, with partitions of the topic. */
  #fetching(): boolean {
    const stream = this.#stream;
    if (stream === undefined || stream.isPaused() || this.#failure !== undefined) return false;
    return this.#consumer.assignments?.some((a) => a.topic === this.topic && a.partitions.length > 0) === true;
  }

  async ack(messages: readonly BrokerMessage[]): Promise<void> {
    const acks = messages.map((m) => {
      const delivery = this.#inFlight.get(m);
      if (delivery === undefined) {
        throw new EventyardError(ErrorCode.UNKNOWN_DELIVERY, 'kafka: ack of a message this consumer did not deliver');
      }
      this.#inFlight.delete(m);
      return { partition: delivery.partitionKey, offset: delivery.raw.offset };
    });
    const commits = this.#tracker.acknowledged(acks);
    try {
      // The client commits a message's offset + 1, with the leader epoch it was fetched under.
      await Promise.all([...commits.values()].map(async ({ item }) => item.commit()));
    } catch (error) {
      throw toBrokerError(error, 'commit offsets', this.#secrets);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#buffer.close();
    await this.#starting?.catch(() => undefined);
    try {
      await this.#stream?.close();
      await this.#consumer.close();
    } catch {
      // Closing anyway: the group coordinator drops a silent member after the session timeout.
    }
  }
}

function toBrokerMessage(raw: Raw): BrokerMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of raw.headers) headers[name.toString('utf8')] = value.toString('utf8');
  return {
    id: `${raw.topic}/${raw.partition}/${raw.offset}`,
    topic: raw.topic,
    key: raw.key === undefined || raw.key === null || raw.key.length === 0 ? undefined : raw.key.toString('utf8'),
    headers,
    body: raw.value ?? Buffer.alloc(0),
    deliveryCount: undefined,
  };
}
