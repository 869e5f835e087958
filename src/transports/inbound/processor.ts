/**
 * The inbound processor: moves broker messages into the inbound table, and acknowledges
 * them only after the store has them.
 *
 *   receive a batch → map each message (rows, or IN_REJECTED rows) → store.publish (the
 *   durable write; retried until it succeeds, with in-progress keep-alives) → ack
 *
 * A crash anywhere before the ack leaves the batch with the broker, which delivers it
 * again; the same message maps to the same `(EVENT_ID, MESSAGE_TYPE)`, so the second write
 * is a no-op the stats count as a duplicate. Nothing is ever acknowledged unwritten.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { Table } from '../../core/message-type.js';
import type { Logger } from '../../processing/logger.js';
import { OutageWatch, isOutage, storeWithDeadline } from '../../processing/store-deadline.js';
import type { BrokerHop } from '../../processing/tracing.js';
import { sleep } from '../../processing/timing.js';
import type { EventStore, NewMessage } from '../../store/port.js';
import { Backoff } from '../backoff.js';
import { brokerWithDeadline } from '../broker-deadline.js';
import { Header, validTraceparent } from '../headers.js';
import type { Broker, BrokerConsumer, BrokerMessage } from '../port.js';
import { mapInbound, payloadConflictRow, type InboundMapping } from './mapping.js';
import { resolveInboundOptions, type InboundOptions, type ResolvedInboundOptions } from './options.js';
import { REJECTED_TYPE } from './rejected.js';
import { RejectedSweeper } from './rejected-sweeper.js';

export interface InboundStats {
  /** Broker deliveries received (redeliveries included). */
  received: number;
  /** ... of which the broker flagged as redelivered (deliveryCount > 1). */
  redelivered: number;
  /** Rows written (new `(EVENT_ID, MESSAGE_TYPE)`), IN_REJECTED rows included. */
  created: number;
  /** Deliveries whose row existed already: redeliveries absorbed by the unique key. */
  duplicates: number;
  /** Deliveries stored as IN_REJECTED (the row may be a duplicate too). */
  rejected: number;
  acked: number;
  ackFailures: number;
  receiveFailures: number;
  writeFailures: number;
  /** IN_REJECTED rows moved to FAILED, and re-driven ones that now passed. */
  rejectedFailed: number;
  rejectedRecovered: number;
}

export class InboundProcessor {
  readonly stats: InboundStats = {
    received: 0,
    redelivered: 0,
    created: 0,
    duplicates: 0,
    rejected: 0,
    acked: 0,
    ackFailures: 0,
    receiveFailures: 0,
    writeFailures: 0,
    rejectedFailed: 0,
    rejectedRecovered: 0,
  };
  readonly #options: ResolvedInboundOptions;
  readonly #mapping: InboundMapping;
  readonly #sweeper: RejectedSweeper;
  readonly #logger: Logger;
  readonly #store: EventStore;
  readonly #broker: Broker;
  readonly #storeWatch: OutageWatch;
  readonly #brokerWatch: OutageWatch;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #lastReceiveAt = 0;

  constructor(input: InboundOptions) {
    const options = resolveInboundOptions(input);
    const { app, broker } = options;
    if (!app.registry.has(REJECTED_TYPE)) {
      throw new EventyardError(
        ErrorCode.INVALID_OPTION,
        'inbound processor: declare inboundRejectedType among the app message types (rejected messages are kept as IN_REJECTED rows)',
      );
    }
    if (options.messageType !== undefined) {
      const type = app.registry.get(options.messageType);
      if (type.table !== Table.INBOUND || type.name === REJECTED_TYPE) {
        throw new EventyardError(
          ErrorCode.INVALID_OPTION,
          `inbound processor: messageType ${type.name} is not an inbound message type (its table is ${type.table})`,
          { details: { option: 'messageType' } },
        );
      }
    }
    this.#options = options;
    this.#logger = options.logger;
    this.#mapping = {
      brokerKind: broker.kind,
      registry: app.registry,
      limits: { maxBytes: options.maxPayloadBytes, maxDepth: options.maxPayloadDepth },
      serviceName: options.serviceName,
      messageType: options.messageType,
      messageTypeHeader: options.messageTypeHeader,
      eventIdFrom: options.eventIdFrom,
      eventIdHeader: options.eventIdHeader,
      orderingKeyFromKey: options.orderingKeyFromKey,
    };
    const owner = `${options.serviceName}/${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    const scope = `inbound processor ${options.serviceName} (${options.topic})`;
    this.#storeWatch = new OutageWatch(this.#logger, scope);
    this.#brokerWatch = new OutageWatch(this.#logger, scope, `the broker (${broker.kind})`);
    this.#store = storeWithDeadline(app.store, options.storeTimeoutMs, this.#storeWatch);
    this.#broker = brokerWithDeadline(broker, options.brokerTimeoutMs, this.#brokerWatch);
    this.#sweeper = new RejectedSweeper(this.#store, this.#mapping, owner, this.#logger);
  }

  start(): this {
    if (this.#loop !== undefined) return this;
    this.#stop = new AbortController();
    this.#loop = this.#run(this.#stop.signal);
    return this;
  }

  /** Stops receiving, finishes the batch in hand (write and ack), closes the consumer. */
  async stop(): Promise<void> {
    if (this.#loop === undefined) return;
    this.#stop.abort();
    await this.#loop;
    this.#loop = undefined;
  }

  /** `healthy`: the store and the broker both answered their last calls within their deadlines. */
  health(): { running: boolean; healthy: boolean; lastReceiveAt: number } {
    const running = this.#loop !== undefined;
    return {
      running,
      healthy: running && this.#storeWatch.healthy && this.#brokerWatch.healthy,
      lastReceiveAt: this.#lastReceiveAt,
    };
  }

  /**
   * Opens a consumer and works with it until stopped or until a broker call fails: then
   * the consumer is closed (what it held in flight is redelivered; a call abandoned at its
   * deadline may have taken messages this process never saw) and a new one is opened.
   */
  async #run(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.#options.retryDelayMs);
    while (!signal.aborted) {
      const consumer = await this.#open(signal, backoff);
      if (consumer === undefined) return;
      const broken = await this.#consume(consumer, signal, backoff);
      await consumer.close().catch((error: unknown) => this.#logger.debug({ err: error }, 'inbound: close failed'));
      if (broken) await sleep(backoff.next(), signal);
    }
  }

  async #open(signal: AbortSignal, backoff: Backoff): Promise<BrokerConsumer | undefined> {
    const { topic, group } = this.#options;
    while (!signal.aborted) {
      try {
        return await this.#broker.consumer({ topic, group });
      } catch (error) {
        if (!isOutage(error))
          this.#logger.warn({ err: error, topic, group }, 'inbound: cannot open the consumer; retrying');
        await sleep(backoff.next(), signal);
      }
    }
    return undefined;
  }

  /** true when a broker call failed and the consumer should be replaced. */
  async #consume(consumer: BrokerConsumer, signal: AbortSignal, backoff: Backoff): Promise<boolean> {
    const { topic, group } = this.#options;
    let nextSweep = 0;
    while (!signal.aborted) {
      if (Date.now() >= nextSweep) {
        await this.#sweep();
        nextSweep = Date.now() + this.#options.sweepIntervalMs;
      }
      let batch: readonly BrokerMessage[];
      try {
        batch = await consumer.receive({
          max: this.#options.batchSize,
          maxWaitMs: this.#options.receiveWaitMs,
          signal,
        });
        this.#lastReceiveAt = Date.now();
        backoff.reset();
      } catch (error) {
        this.stats.receiveFailures++;
        if (!isOutage(error)) this.#logger.warn({ err: error, topic, group }, 'inbound: receive failed; retrying');
        return true;
      }
      if (batch.length === 0) continue;
      const outcome = await this.#handle(consumer, batch, signal);
      if (outcome === 'stopped') return false;
      if (outcome === 'ack-failed') return true;
    }
    return false;
  }

  /** Write, then ack. `stopped`: stopping before the write succeeded (nothing acked). */
  async #handle(
    consumer: BrokerConsumer,
    batch: readonly BrokerMessage[],
    signal: AbortSignal,
  ): Promise<'done' | 'stopped' | 'ack-failed'> {
    this.stats.received += batch.length;
    this.stats.redelivered += batch.filter((m) => (m.deliveryCount ?? 1) > 1).length;
    const mapped = await Promise.all(batch.map((message) => mapInbound(message, this.#mapping)));
    const rejected = mapped.filter((m) => m.kind === 'rejected').length;
    const { tracer } = this.#options.app;
    const spans =
      tracer &&
      batch.map((message, i) => tracer.brokerReceive(receivedHop(this.#options.broker.kind, message, mapped[i]?.row)));
    const rows = mapped.map((m, i) => withTraceparent(m.row, spans?.[i]?.traceparent));
    const written = await this.#write(consumer, batch, rows, signal);
    spans?.forEach((span) => span.end(written ? undefined : new Error('not written (stopping)')));
    if (!written) return 'stopped';
    this.stats.rejected += rejected;
    try {
      await consumer.ack(batch);
      this.stats.acked += batch.length;
    } catch (error) {
      // Written but not acknowledged: the broker delivers them again, the unique key absorbs it.
      this.stats.ackFailures += batch.length;
      this.#logger.warn({ err: error, messages: batch.length }, 'inbound: ack failed after the write');
      return 'ack-failed';
    }
    if (rejected > 0) await this.#sweep();
    return 'done';
  }

  async #write(
    consumer: BrokerConsumer,
    batch: readonly BrokerMessage[],
    rows: readonly NewMessage[],
    signal: AbortSignal,
  ): Promise<boolean> {
    const backoff = new Backoff(this.#options.retryDelayMs);
    const keepAlive =
      consumer.keepAlive === undefined
        ? undefined
        : setInterval(() => void consumer.keepAlive?.(batch).catch(() => undefined), this.#options.keepAliveMs);
    try {
      for (;;) {
        try {
          const results = await this.#store.publish(rows);
          const conflicts: NewMessage[] = [];
          results.forEach((result, i) => {
            if (result.conflict !== undefined) {
              conflicts.push(payloadConflictRow(batch[i] as BrokerMessage, this.#mapping, rows[i] as NewMessage));
            } else if (result.created) this.stats.created++;
            else this.stats.duplicates++;
          });
          if (conflicts.length > 0) {
            await this.#store.publish(conflicts);
            this.stats.rejected += conflicts.length;
          }
          return true;
        } catch (error) {
          this.stats.writeFailures++;
          if (!isOutage(error)) {
            this.#logger.warn({ err: error, rows: rows.length }, 'inbound: store write failed; retrying (not acked)');
          }
          if (signal.aborted) return false;
          await sleep(backoff.next(), signal);
          if (signal.aborted) return false;
        }
      }
    } finally {
      if (keepAlive !== undefined) clearInterval(keepAlive);
    }
  }

  async #sweep(): Promise<void> {
    try {
      const result = await this.#sweeper.sweep();
      this.stats.rejectedFailed += result.failed;
      this.stats.rejectedRecovered += result.recovered;
    } catch (error) {
      if (!isOutage(error))
        this.#logger.warn({ err: error }, 'inbound: sweeping IN_REJECTED rows failed; will try again');
    }
  }
}

export function createInboundProcessor(options: InboundOptions): InboundProcessor {
  return new InboundProcessor(options);
}

/** What a received message's span records; the row carries its context on. */
function receivedHop(system: string, message: BrokerMessage, row: NewMessage | undefined): BrokerHop {
  return {
    system,
    topic: message.topic,
    messageId: message.id,
    eventId: row?.eventId,
    messageType: row?.messageType,
    traceparent: validTraceparent(message.headers[Header.TRACEPARENT]),
  };
}

function withTraceparent(row: NewMessage, traceparent: string | undefined): NewMessage {
  return traceparent === undefined ? row : { ...row, traceparent };
}
