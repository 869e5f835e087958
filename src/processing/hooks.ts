/**
 * Hooks: what happened to messages, for alerting, metrics and traces. An app and each of
 * its services have their own listeners; a service's events reach the service's listeners
 * first, then the app's. Events are built only when someone listens: with no listener,
 * reporting an outcome costs a property check and allocates nothing. A listener that
 * throws is logged at warn and does not disturb processing; listeners run synchronously,
 * so keep them short (hand slow work to a queue of your own).
 */
import type { Table } from '../core/message-type.js';
import type { MessageRow } from '../store/port.js';
import type { Logger } from './logger.js';

/** The message a hook event is about: the stored row's identity and bookkeeping. */
export type HookMessage = Pick<
  MessageRow,
  | 'eventId'
  | 'messageType'
  | 'table'
  | 'attempts'
  | 'maxAttempts'
  | 'createdAt'
  | 'createdBy'
  | 'orderingKey'
  | 'traceparent'
>;

/** One attempt's timing. Epoch milliseconds; `message.createdAt` is when the row was written. */
export interface AttemptTiming {
  /** When the handler was called (Date.now()); `startedAt - message.createdAt` is the wait. */
  readonly startedAt: number;
  /** How long the handler ran, in milliseconds (monotonic clock, fractional). */
  readonly handlerMs: number;
  /** When the outcome was written; `finishedAt - message.createdAt` is write-to-outcome latency. */
  readonly finishedAt: number;
}

export interface HookEvents {
  /** Rows written by `publish`/`publishMany`, emitted by a handler with its completion, or fired by a schedule. */
  published: {
    readonly via: 'publish' | 'emit' | 'schedule';
    /** The writer: CREATED_BY (the service, or the publish's `createdBy`). */
    readonly service: string;
    readonly eventId: string;
    readonly messageType: string;
    readonly table: Table;
    /** For `publish` and `schedule`: false when the row existed and nothing was written. Emits: undefined. */
    readonly created: boolean | undefined;
  };
  /** A processor claimed rows (one event per claim call that returned rows). */
  claimed: {
    readonly service: string;
    readonly table: Table;
    readonly messages: readonly HookMessage[];
    /** Milliseconds the claim call took. */
    readonly claimMs: number;
  };
  /** A handler is about to run. */
  started: { readonly service: string; readonly message: HookMessage; readonly startedAt: number };
  /** An attempt completed and its emits were written with it. */
  completed: AttemptTiming & {
    readonly service: string;
    readonly message: HookMessage;
    /** Messages the handler emitted (written with the completion). */
    readonly emitted: number;
  };
  /** An attempt failed and the row went to ERROR; the retry mechanism makes it claimable after `delayMs`. */
  retryScheduled: AttemptTiming & {
    readonly service: string;
    readonly message: HookMessage;
    readonly error: Error;
    readonly delayMs: number;
  };
  /** An attempt failed and the row went to FAILED: attempts exhausted or not retryable. */
  failed: AttemptTiming & {
    readonly service: string;
    readonly message: HookMessage;
    readonly error: Error;
    readonly reason: 'attempts-exhausted' | 'non-retryable';
  };
  /** Claimed rows given back unstarted (at stop, or around a crash suspect); no attempt counted. */
  released: { readonly service: string; readonly table: Table; readonly messages: readonly HookMessage[] };
  /**
   * A rate limit had no token (docs/flow-control.md, "Rate limits"). For a per-type limit
   * the processor waits `waitMs` before asking again and `messages` is empty; for a
   * per-group limit, `messages` are the rows of `group` it claimed and released unstarted
   * (no attempt counted) with AVAILABLE_AT = their next slot, `waitMs` from now.
   */
  rateLimited: {
    readonly service: string;
    readonly table: Table;
    readonly messageType: string;
    /** The group key for a per-group limit (null: rows without one), undefined for a per-type limit. */
    readonly group: string | null | undefined;
    readonly waitMs: number;
    readonly messages: readonly HookMessage[];
  };
  /**
   * An attempt's outcome was not written: the lease was lost (the row was reaped and may be
   * claimed again) or the store kept failing. The row's fate is the reaper's.
   */
  leaseLost: {
    readonly service: string;
    readonly message: HookMessage;
    readonly reason: 'lease_lost' | 'store_error';
    /** What the handler threw, when the attempt had failed. */
    readonly error: Error | undefined;
    readonly startedAt: number;
    readonly finishedAt: number;
  };
}

export type HookName = keyof HookEvents;
export type HookListener<K extends HookName> = (event: HookEvents[K]) => void;

/** What apps and services offer: `on(name, listener)` returns the function that removes it. */
export interface Observable {
  on<K extends HookName>(name: K, listener: HookListener<K>): () => void;
}

type ListenerLists = { [K in HookName]?: HookListener<K>[] };

export class Hooks implements Observable {
  readonly #own: ListenerLists = {};
  readonly #parent: Hooks | undefined;
  readonly #logger: Logger;

  constructor(logger: Logger, parent?: Hooks) {
    this.#logger = logger;
    this.#parent = parent;
  }

  on<K extends HookName>(name: K, listener: HookListener<K>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`on('${name}'): the listener must be a function`);
    // A new array per change: emit() may be iterating the old one.
    const lists = this.#own as Record<K, HookListener<K>[] | undefined>;
    lists[name] = [...(lists[name] ?? []), listener];
    return () => {
      const now = lists[name]?.filter((l) => l !== listener);
      lists[name] = now === undefined || now.length === 0 ? undefined : now;
    };
  }

  /** True when a listener for `name` is registered here or on the parent. Check before building an event. */
  listening(name: HookName): boolean {
    return this.#own[name] !== undefined || (this.#parent !== undefined && this.#parent.listening(name));
  }

  emit<K extends HookName>(name: K, event: HookEvents[K]): void {
    const lists = this.#own as Record<K, HookListener<K>[] | undefined>;
    const listeners = lists[name];
    if (listeners !== undefined) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (error) {
          this.#logger.warn({ err: error, hook: name }, 'a hook listener threw; processing goes on');
        }
      }
    }
    this.#parent?.emit(name, event);
  }
}
