/**
 * Schedules: a service publishes a message on every slot of a cron expression.
 *
 * - **No double firing.** The message of a slot has a deterministic EVENT_ID,
 *   uuidv5(`schedule:<name>:<slot ms>`), so every process that runs the schedule writes the
 *   same `(EVENT_ID, MESSAGE_TYPE)`, and the store keeps one row (the others get
 *   `created: false`). No lock, no leader: any number of processes may run it.
 * - **Time** is the store's clock (the one AVAILABLE_AT and leases are judged by); the
 *   worker's timer only decides when to look again (at the next slot, at least once a minute).
 * - **Catch-up** (`catchUp: 'latest'`, the default): a process that starts, or wakes late,
 *   fires the latest slot it missed, once, never the ones before it (no storm after an
 *   outage). At start it fires that slot only when the schedule has fired before: one of
 *   the {@link CATCH_UP_LOOKBACK} slots before it has its row, so a first deployment waits
 *   for the next slot. `catchUp: 'none'` never fires a slot that passed before the process started.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { parseCron, type CronSchedule } from '../core/cron.js';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from '../core/identifiers.js';
import type { MessageType } from '../core/message-type.js';
import { encodePayload, type PayloadLimits } from '../core/payload.js';
import type { EventStore } from '../store/port.js';
import { uuidV5 } from '../transports/inbound/event-id.js';
import { rowsWithDeadlineCheck } from './deadline-check.js';
import type { Hooks } from './hooks.js';
import type { Logger } from './logger.js';
import type { MessageBuilder } from './message-builder.js';
import type { MessageTracer } from './tracing.js';
import { sleep } from './timing.js';

/** What the payload function of a schedule receives, and the default payload. */
export interface ScheduleFiring {
  /** The schedule's name. */
  readonly schedule: string;
  /** The slot, ISO-8601 UTC (not the moment it was written, which may be later). */
  readonly scheduledAt: string;
}

export interface ScheduleOptions<P = unknown> {
  /**
   * 5 fields (`m h dom mon dow`), 6 with seconds first, or a nickname (`@hourly`, `@daily`,
   * `@weekly`, `@monthly`, `@yearly`). EY_INVALID_CRON when it cannot be parsed or never fires.
   */
  readonly cron: string;
  /**
   * IANA time zone the fields are read in (daylight saving handled by croner). EY_INVALID_TIMEZONE otherwise.
   * @defaultValue 'UTC' (the same in every process, whatever its machine's zone)
   */
  readonly timezone?: string | undefined;
  /**
   * Names the schedule: the slot's EVENT_ID is derived from it, so every process that runs
   * the schedule must give the same name, and two schedules of one service must differ
   * (EY_DUPLICATE_SCHEDULE).
   * @defaultValue the message type's name
   */
  readonly name?: string | undefined;
  /**
   * The event's payload: a value, or a function of the firing (called in each process
   * that fires the slot, so it should give the same payload for the same slot).
   * @defaultValue `{ schedule, scheduledAt }` ({@link ScheduleFiring})
   */
  readonly payload?: P | ((firing: ScheduleFiring) => P) | undefined;
  /**
   * `latest`: a process that starts fires the latest slot it missed while down (once,
   * when the schedule ran before); `none`: it waits for the next slot. Either way a running
   * process that wakes late (a pause, a store outage) fires the latest slot it slept through.
   * @defaultValue 'latest'
   */
  readonly catchUp?: 'latest' | 'none' | undefined;
}

/** Earlier slots looked up at start to tell a restart (catch up) from a first deployment (wait). */
export const CATCH_UP_LOOKBACK = 10;
/** The timer never sleeps longer than this, so a worker clock that drifts is re-read against the store's. */
const MAX_SLEEP_MS = 60_000;
/** Longest wait between tries while the store fails: the slot it fires after an outage is at most this late. */
const MAX_RETRY_MS = 5_000;
const SCHEDULE_NAMESPACE = '0e3c8f9a-6d2b-4f7e-9a41-5c3d2b1e8f60';
const OPTION_KEYS = ['cron', 'timezone', 'name', 'payload', 'catchUp'];

/** A checked schedule declaration. */
export interface ScheduleSpec {
  readonly name: string;
  readonly messageType: string;
  readonly cron: CronSchedule;
  readonly payload: unknown;
  readonly catchUp: 'latest' | 'none';
}

/** The EVENT_ID of a schedule's slot: the same in every process. */
export function slotEventId(name: string, slotMs: number): string {
  return uuidV5(`schedule:${name}:${slotMs}`, SCHEDULE_NAMESPACE);
}

/** Checks a declaration (EY_INVALID_CRON, EY_INVALID_TIMEZONE, EY_INVALID_OPTION, ...). */
export function resolveSchedule(
  type: MessageType,
  options: unknown,
  where: string,
  limits: PayloadLimits,
): ScheduleSpec {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${where}: schedule options must be an object { cron, ... }`);
  }
  const o = options as ScheduleOptions;
  const unknownKey = Object.keys(o).find((key) => !OPTION_KEYS.includes(key));
  if (unknownKey !== undefined) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${where}: unknown schedule option "${unknownKey}"`, {
      details: { option: unknownKey },
    });
  }
  const name = checkIdentifier(`${where}: name`, o.name ?? type.name, IDENTIFIER_MAX_LENGTH.createdBy);
  const cron = parseCron(o.cron, o.timezone ?? 'UTC', `${where} ${name}`);
  const catchUp = o.catchUp ?? 'latest';
  if (catchUp !== 'latest' && catchUp !== 'none') {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${where} ${name}: catchUp must be 'latest' or 'none'`, {
      details: { option: 'catchUp' },
    });
  }
  // A constant payload JSON cannot carry is refused now (its schema is checked at each firing).
  if (o.payload !== undefined && typeof o.payload !== 'function') encodePayload(o.payload, limits);
  return { name, messageType: type.name, cron, payload: o.payload, catchUp };
}

export interface ScheduleRunnerDeps {
  readonly store: EventStore;
  readonly builder: MessageBuilder;
  readonly logger: Logger;
  readonly hooks: Hooks;
  readonly serviceName: string;
  /** The app's tracer: each firing gets a producer span, as a publish does. */
  readonly tracer: MessageTracer | undefined;
}

/** Runs one schedule in one process until stopped. */
export class ScheduleRunner {
  readonly #abort = new AbortController();
  #done: Promise<void> | undefined;

  constructor(
    private readonly deps: ScheduleRunnerDeps,
    readonly spec: ScheduleSpec,
  ) {}

  start(): void {
    this.#done ??= this.#run();
  }

  /** Stops the timer; a firing in flight is awaited (the caller bounds the wait). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { store, logger } = this.deps;
    const { cron, name } = this.spec;
    const signal = this.#abort.signal;
    let handled: number | undefined; // the latest slot this runner has dealt with
    let failures = 0;
    while (!signal.aborted) {
      let waitMs: number;
      try {
        const now = await store.now();
        const latest = cron.latestAtOrBefore(now);
        if (handled === undefined) {
          if (latest !== null && this.spec.catchUp === 'latest' && (await this.#missedAtStart(latest))) {
            await this.#fire(latest, 'catch-up');
          }
          handled = latest ?? Number.NEGATIVE_INFINITY;
        } else if (latest !== null && latest > handled) {
          // On time, or late (a long pause, a store outage): the latest slot only.
          await this.#fire(latest, now - latest > MAX_SLEEP_MS ? 'late' : 'on time');
          handled = latest;
        }
        failures = 0;
        const next = cron.nextAfter(now);
        if (next === null) {
          logger.info({ schedule: name }, `schedule ${name}: no slot left, stopping`);
          return;
        }
        waitMs = Math.min(next - now, MAX_SLEEP_MS);
      } catch (error) {
        failures++;
        waitMs = Math.min(250 * 2 ** Math.min(failures, 5), MAX_RETRY_MS);
        logger.warn({ schedule: name, err: error, retryInMs: waitMs }, `schedule ${name}: store call failed`);
      }
      await sleep(waitMs, signal);
    }
  }

  /** At start: whether `slot` is missing while one of the slots before it has fired. */
  async #missedAtStart(slot: number): Promise<boolean> {
    const { store } = this.deps;
    const { name, messageType, cron } = this.spec;
    const slots = [slot, ...cron.slotsBefore(slot, CATCH_UP_LOOKBACK)];
    const found = await Promise.all(
      slots.map(async (s) => {
        const page = await store.list({ eventId: slotEventId(name, s), messageType, limit: 1 });
        return page.rows.length > 0;
      }),
    );
    return found[0] === false && found.includes(true);
  }

  /** Publishes the slot's message. Store errors propagate (the loop retries the slot). */
  async #fire(slot: number, why: string): Promise<void> {
    const { store, builder, logger, hooks, serviceName } = this.deps;
    const { name, messageType, payload } = this.spec;
    const firing: ScheduleFiring = { schedule: name, scheduledAt: new Date(slot).toISOString() };
    const eventId = slotEventId(name, slot);
    let row;
    try {
      const value = typeof payload === 'function' ? (payload as (f: ScheduleFiring) => unknown)(firing) : payload;
      row = await builder.withPayload(messageType, value ?? firing, serviceName, { eventId });
    } catch (error) {
      // No I/O above: a payload function that throws, or a payload its schema refuses, fails
      // the same way in every process and on every retry. Skip the slot, loudly.
      logger.error(
        { schedule: name, messageType, scheduledAt: firing.scheduledAt, err: error },
        `schedule ${name}: slot skipped, its message could not be built`,
      );
      return;
    }
    const span = this.deps.tracer?.publish(row, serviceName);
    if (span?.traceparent !== undefined) row = { ...row, traceparent: span.traceparent };
    let results;
    try {
      results = await store.publish(rowsWithDeadlineCheck(builder.registry, row));
    } catch (error) {
      span?.end(error as Error);
      throw error;
    }
    span?.end();
    const created = results.at(-1)?.created === true;
    logger.debug(
      { schedule: name, messageType, eventId, scheduledAt: firing.scheduledAt, created },
      `schedule ${name}: ${created ? 'fired' : 'already fired by another process'} (${why})`,
    );
    if (hooks.listening('published')) {
      hooks.emit('published', {
        via: 'schedule',
        service: serviceName,
        eventId,
        messageType,
        table: row.table,
        created,
      });
    }
  }
}
