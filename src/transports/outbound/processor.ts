/**
 * The outbound processor: the transactional outbox's relay. Claims outbound rows of its
 * routes, publishes them per topic as one batch, and marks them COMPLETED only after the
 * broker confirmed the whole batch. A failed publish fails every row of the batch through
 * its message type's retry policy (ERROR → RETRY after the backoff; FAILED when attempts
 * run out), so a broker outage is a pause, not a loss. Delivery is at least once: a batch
 * the broker stored but did not confirm (connection lost before the confirm) is
 * published again; consumers de-duplicate by the `ey-event-id` + `ey-message-type` headers.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { ErrorCode, EventyardError, describeError, toError } from '../../core/errors.js';
import { Table, type MessageRegistry } from '../../core/message-type.js';
import { groupLimits } from '../../core/group.js';
import { decideFailure } from '../../core/retry-policy.js';
import { RetryMechanism } from '../../processing/retry-mechanism.js';
import { OutageWatch, isOutage, storeWithDeadline } from '../../processing/store-deadline.js';
import { OutageLog } from '../../processing/outage-log.js';
import { IdleBackoff, sleep } from '../../processing/timing.js';
import { Backoff } from '../backoff.js';
import type { ClaimedMessage, EventStore, FailRequest } from '../../store/port.js';
import { brokerWithDeadline } from '../broker-deadline.js';
import type { Broker, BrokerProducer, OutgoingMessage } from '../port.js';
import {
  resolveOutboundOptions,
  type OutboundOptions,
  type OutboundRoute,
  type ResolvedOutboundOptions,
} from './options.js';
import { renderOutgoing } from './render.js';
import type { TraceSpan } from '../../processing/tracing.js';
import { Header } from '../headers.js';

/** The message with the publish span's context in its `traceparent` header. */
function withTraceparent(message: OutgoingMessage, traceparent: string | undefined): OutgoingMessage {
  return traceparent === undefined
    ? message
    : { ...message, headers: { ...message.headers, [Header.TRACEPARENT]: traceparent } };
}

export interface OutboundStats {
  claimed: number;
  /** Rows whose batch the broker confirmed. */
  published: number;
  /** ... and that were then marked COMPLETED. */
  completed: number;
  /** Confirmed, but the lease was lost before COMPLETED: another holder publishes it again. */
  leaseLost: number;
  /** Publish calls that failed (broker down, refused, no confirm). */
  publishFailures: number;
  /** Rows failed to ERROR (retried later) and to FAILED. */
  retried: number;
  failed: number;
}

export class OutboundProcessor {
  readonly stats: OutboundStats = {
    claimed: 0,
    published: 0,
    completed: 0,
    leaseLost: 0,
    publishFailures: 0,
    retried: 0,
    failed: 0,
  };
  readonly #options: ResolvedOutboundOptions;
  readonly #routes: ReadonlyMap<string, OutboundRoute>;
  readonly #owner: string;
  readonly #retry: RetryMechanism | undefined;
  readonly #store: EventStore;
  readonly #broker: Broker;
  readonly #storeWatch: OutageWatch;
  readonly #brokerWatch: OutageWatch;
  #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(input: OutboundOptions) {
    const options = resolveOutboundOptions(input);
    const routes = new Map<string, OutboundRoute>();
    for (const [typeName, route] of Object.entries(options.routes)) {
      const type = options.app.registry.get(typeName);
      if (type.table !== Table.OUTBOUND) {
        throw new EventyardError(
          ErrorCode.INVALID_OPTION,
          `outbound processor: ${typeName} is in the ${type.table} table, not outbound`,
        );
      }
      routes.set(typeName, typeof route === 'string' ? { topic: route } : route);
    }
    this.#options = options;
    this.#routes = routes;
    this.#owner = `${options.serviceName}/${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    const scope = `outbound processor ${options.serviceName}`;
    this.#storeWatch = new OutageWatch(options.logger, scope);
    this.#brokerWatch = new OutageWatch(options.logger, scope, `the broker (${options.broker.kind})`);
    const storeTimeoutMs = options.storeTimeoutMs ?? Math.max(10, Math.floor(options.leaseMs / 3));
    this.#store = storeWithDeadline(options.app.store, storeTimeoutMs, this.#storeWatch);
    this.#broker = brokerWithDeadline(options.broker, options.brokerTimeoutMs, this.#brokerWatch);
    this.#retry = options.runRetryMechanism
      ? new RetryMechanism(this.#store, options.serviceName, options.logger, options.retryMechanism, this.#storeWatch)
      : undefined;
  }

  start(): this {
    if (this.#loop !== undefined) return this;
    this.#stop = new AbortController();
    this.#retry?.start();
    this.#loop = this.#run(this.#stop.signal);
    return this;
  }

  /** Stops claiming; the batch in hand finishes (its outcome written) before this resolves. */
  async stop(): Promise<void> {
    if (this.#loop === undefined) return;
    this.#stop.abort();
    await this.#loop;
    await this.#retry?.stop();
    this.#loop = undefined;
  }

  /** `healthy`: the store and the broker both answered their last calls within their deadlines. */
  health(): { running: boolean; healthy: boolean } {
    const running = this.#loop !== undefined;
    return { running, healthy: running && this.#storeWatch.healthy && this.#brokerWatch.healthy };
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { logger } = this.#options;
    const store = this.#store;
    const broker = this.#broker;
    const idle = new IdleBackoff(this.#options.idleMinMs, this.#options.idleMaxMs);
    const claims = new OutageLog(logger, 'outbound: claim');
    const brokerBackoff = new Backoff(250, 10_000);
    let producer: BrokerProducer | undefined;
    let declared = !this.#options.declareTopics;
    const groups = groupLimits([...this.#routes.keys()].map((t) => this.#options.app.registry.get(t)));
    try {
      while (!signal.aborted) {
        try {
          producer ??= await broker.producer();
          if (!declared) {
            for (const topic of new Set([...this.#routes.values()].map((r) => r.topic)))
              await broker.declare({ topic });
            declared = true;
          }
        } catch (error) {
          if (!isOutage(error)) logger.warn({ err: error }, 'outbound: broker not ready; retrying');
          await sleep(brokerBackoff.next(), signal);
          continue;
        }
        let claimed: readonly ClaimedMessage[];
        try {
          claimed = await store.claim({
            table: Table.OUTBOUND,
            messageTypes: [...this.#routes.keys()],
            limit: this.#options.batchSize,
            owner: this.#owner,
            updatedBy: this.#options.serviceName,
            leaseMs: this.#options.leaseMs,
            ...(groups === undefined ? {} : { groups }),
          });
        } catch (error) {
          if (!isOutage(error)) claims.failed(error, {}, 'backing off');
          await sleep(idle.next(), signal);
          continue;
        }
        claims.succeeded({});
        if (claimed.length === 0) {
          const wait = idle.next();
          await (store.waitForMessages ? store.waitForMessages(Table.OUTBOUND, wait, signal) : sleep(wait, signal));
          continue;
        }
        idle.reset();
        this.stats.claimed += claimed.length;
        if (await this.#relay(producer, claimed)) {
          // The broker stopped answering: a fresh producer (connection, channel) next time.
          await producer.close().catch(() => undefined);
          producer = undefined;
        }
      }
    } finally {
      await producer?.close().catch(() => undefined);
    }
  }

  /**
   * Publishes the claimed rows per topic, then writes each row's outcome. true when a
   * publish failed because the broker did not answer (the producer should be replaced).
   */
  async #relay(producer: BrokerProducer, claimed: readonly ClaimedMessage[]): Promise<boolean> {
    let brokerOutage = false;
    const { broker } = this.#options;
    const app = { registry: this.#options.app.registry, store: this.#store, tracer: this.#options.app.tracer };
    const byTopic = new Map<string, { row: ClaimedMessage; message: OutgoingMessage; span: TraceSpan | undefined }[]>();
    const failures: FailRequest[] = [];
    for (const row of claimed) {
      const route = this.#routes.get(row.messageType) as OutboundRoute;
      try {
        const message = await renderOutgoing(row, route, app.store);
        const span = app.tracer?.brokerPublish({
          system: broker.kind,
          topic: route.topic,
          messageId: message.id ?? `${row.eventId}:${row.messageType}`,
          eventId: row.eventId,
          messageType: row.messageType,
          traceparent: row.traceparent ?? undefined,
        });
        const list = byTopic.get(route.topic) ?? [];
        list.push({ row, message: withTraceparent(message, span?.traceparent), span });
        byTopic.set(route.topic, list);
      } catch (error) {
        failures.push(this.#failure(row, error, app.registry));
      }
    }
    for (const [topic, items] of byTopic) {
      const rows = items.map((i) => i.row);
      const heartbeat = this.#keepLeases(app.store, rows);
      try {
        await producer.publish(
          topic,
          items.map((i) => i.message),
        );
        this.stats.published += rows.length;
        for (const i of items) i.span?.end();
      } catch (error) {
        for (const i of items) i.span?.end(toError(error));
        this.stats.publishFailures++;
        if (isOutage(error)) brokerOutage = true;
        this.#options.logger.warn(
          { err: error, topic, rows: rows.length },
          'outbound: publish failed; rows go to the retry policy',
        );
        failures.push(...rows.map((row) => this.#failure(row, error, app.registry)));
        continue;
      } finally {
        clearInterval(heartbeat);
      }
      await this.#complete(app.store, rows);
    }
    if (failures.length > 0) await this.#fail(app.store, failures);
    return brokerOutage;
  }

  /** Renews the leases while a publish waits for its confirms. */
  #keepLeases(store: EventStore, rows: readonly ClaimedMessage[]): NodeJS.Timeout {
    const leaseMs = this.#options.leaseMs;
    return setInterval(() => void store.heartbeat(rows, leaseMs).catch(() => undefined), Math.max(50, leaseMs / 3));
  }

  async #complete(store: EventStore, rows: readonly ClaimedMessage[]): Promise<void> {
    const updatedBy = this.#options.serviceName;
    for (;;) {
      try {
        const outcomes = await store.complete(rows.map((ref) => ({ ref, updatedBy, emits: [], workingData: [] })));
        for (const outcome of outcomes) {
          if (outcome === 'ok') this.stats.completed++;
          else this.stats.leaseLost++;
        }
        return;
      } catch (error) {
        // Published but not yet marked: keep trying while the lease lasts; if it runs out,
        // the reaper makes the row claimable and it is published again (a duplicate).
        if (!isOutage(error)) {
          this.#options.logger.warn({ err: error }, 'outbound: completing published rows failed; retrying');
        }
        await sleep(Math.min(1000, this.#options.leaseMs / 4));
        if (this.#stop.signal.aborted) return;
      }
    }
  }

  #failure(row: ClaimedMessage, thrown: unknown, registry: MessageRegistry): FailRequest {
    const error = toError(thrown);
    const decision = decideFailure(registry.get(row.messageType).retry, error, row.attempts, row.maxAttempts);
    if (decision.kind === 'retry') this.stats.retried++;
    else this.stats.failed++;
    return {
      ref: row,
      updatedBy: this.#options.serviceName,
      error: describeError(error),
      retryDelayMs: decision.kind === 'retry' ? decision.delayMs : null,
    };
  }

  async #fail(store: EventStore, failures: readonly FailRequest[]): Promise<void> {
    try {
      await store.fail(failures);
    } catch (error) {
      // The leases expire and the reaper counts the attempt instead.
      this.#options.logger.warn({ err: error, rows: failures.length }, 'outbound: writing failures failed');
    }
  }
}

export function createOutboundProcessor(options: OutboundOptions): OutboundProcessor {
  return new OutboundProcessor(options);
}
