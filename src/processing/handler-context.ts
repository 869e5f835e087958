/**
 * What a handler receives: the message, its event's validated payload, an AbortSignal,
 * an idempotency key, working data, and `emit` for what follows. Everything it emits or
 * writes is buffered here and written atomically with the completion, or not at all.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { formatIssues } from '../core/standard-schema.js';
import { checkIdentifier, IDENTIFIER_MAX_LENGTH } from '../core/identifiers.js';
import { encodePayload, parseJson } from '../core/payload.js';
import type { DeclaredName, MessageType, NameOf, PayloadArg, PayloadOf, TypeArg } from '../core/message-type.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import type { ClaimedMessage, EventStore, NewMessage, StoreTransaction, WorkingDataWrite } from '../store/port.js';
import type { AttemptControl } from './attempt-control.js';
import { rowsWithDeadlineCheck } from './deadline-check.js';
import type { MessageBuilder, MessageOptions } from './message-builder.js';
import type { AttemptSpan } from './tracing.js';

export interface MessageInfo {
  readonly eventId: string;
  readonly messageType: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly orderingKey: string | null;
  readonly traceparent: string | null;
}

export interface WorkingData {
  /** The value stored under `name` for this event, including writes made by this handler. */
  get<T = unknown>(name: string): Promise<T | undefined>;
  /** Stored with the completion; discarded if the attempt fails. */
  set(name: string, value: unknown): void;
}

/**
 * A follow-up carries its event's payload (one payload per EVENT_ID), so its type's payload
 * must accept the payload of the message being handled (`P`); otherwise the argument asks
 * for a type it cannot be, and the compiler names the mismatch.
 */
export type FollowUpFits<P, M> = unknown extends P
  ? unknown
  : [P] extends [PayloadOf<M>]
    ? unknown
    : { readonly 'a follow-up of this event must accept its payload (one payload per EVENT_ID)': PayloadOf<M> };

export interface HandlerContext<P = unknown, T extends MessageType = MessageType> {
  readonly message: MessageInfo;
  readonly payload: P;
  /** Fires when the lease is lost, the handler timeout passes or the shutdown deadline comes. */
  readonly signal: AbortSignal;
  /**
   * `EVENT_ID:MESSAGE_TYPE`: the same on every attempt and re-drive of this row, so a side
   * effect outside the store keyed on it happens once even when an attempt's outcome was
   * lost and the row runs again. The attempt number is `message.attempt`.
   */
  readonly idempotencyKey: string;
  readonly workingData: WorkingData;
  /**
   * Emits a follow-up message of this event (e.g. `RQ_C_POST`), written with the
   * completion. It carries this event's payload: when the follow-up type's schema does not
   * accept it, emit throws EY_EMIT_PAYLOAD_MISMATCH here (the attempt fails and is
   * retried), never a FAILED row later. For a step that needs another payload, use
   * `emitEvent` (a new event) or working data.
   */
  emit<M extends T | string>(
    messageType: M extends string ? DeclaredName<M, NameOf<T>> : M & FollowUpFits<P, M>,
    options?: Omit<MessageOptions, 'eventId'>,
  ): void;
  /** Emits the first message of a new event with its payload; returns the new EVENT_ID. */
  emitEvent<M extends T | string>(
    messageType: TypeArg<M, T>,
    payload: PayloadArg<M>,
    options?: MessageOptions,
  ): Promise<string>;
  /**
   * Opens (on the first call) a transaction on the store's database and returns its
   * connection (PostgreSQL: a pg `PoolClient`; `handlerClient(ctx)` from `eventyard/postgres`
   * types it). What the handler writes through it commits in the same transaction as
   * COMPLETED and the emits, or rolls back with a failed attempt or a lost lease.
   * EY_TRANSACTION_UNSUPPORTED on a store without that capability.
   */
  transaction(): Promise<unknown>;
}

/** The idempotency key of a row: derived from its EVENT_ID and MESSAGE_TYPE only. */
export function idempotencyKeyOf(eventId: string, messageType: string): string {
  return `${eventId}:${messageType}`;
}

export type Handler<P = unknown, T extends MessageType = MessageType> = (
  context: HandlerContext<P, T>,
) => Promise<void> | void;

/**
 * The buffered effects of one attempt. The lists stay undefined until the handler adds to
 * them: most handlers emit nothing and write no working data.
 */
export interface AttemptEffects {
  emits: NewMessage[] | undefined;
  workingData: WorkingDataWrite[] | undefined;
  /** Asynchronous schema checks of follow-ups: the attempt completes only if all pass. */
  checks: Promise<void>[] | undefined;
  /** The attempt's transaction, once the handler asked for one. */
  transaction: Promise<StoreTransaction> | undefined;
  /** Set when the attempt ends: emits and working-data writes are refused from then on. */
  sealed: boolean;
}

export interface ContextArgs<P> {
  readonly message: ClaimedMessage;
  readonly payload: P;
  /** The stored payload as parsed JSON, before the handled type's schema ran. */
  readonly rawPayload: unknown;
  /** The schema `payload` was validated with: a follow-up of the same schema needs no check. */
  readonly checkedWith: StandardSchemaV1;
  readonly control: AttemptControl;
  readonly serviceName: string;
  readonly builder: MessageBuilder;
  readonly store: EventStore;
  /** The attempt's span, when tracing is on: emits get their own producer spans under it. */
  readonly span?: AttemptSpan | undefined;
}

export function createHandlerContext<P>(args: ContextArgs<P>): {
  context: HandlerContext<P>;
  effects: AttemptEffects;
  seal: () => void;
} {
  const effects: AttemptEffects = {
    emits: undefined,
    workingData: undefined,
    checks: undefined,
    transaction: undefined,
    sealed: false,
  };
  return { context: new AttemptContext(args, effects), effects, seal: () => (effects.sealed = true) };
}

/**
 * The context object. Its parts are made when the handler first reads them (at tens of
 * thousands of attempts a second, a dozen closures per attempt that most handlers never
 * touch are most of the processor's garbage). The methods are read through getters that
 * return functions bound to this attempt, so `const { emit } = ctx` works as before.
 */
class AttemptContext<P> implements HandlerContext<P> {
  readonly payload: P;
  readonly #args: ContextArgs<P>;
  readonly #effects: AttemptEffects;
  #info: MessageInfo | undefined;
  #workingData: WorkingData | undefined;
  #emit: HandlerContext<P>['emit'] | undefined;
  #emitEvent: HandlerContext<P>['emitEvent'] | undefined;
  #transaction: HandlerContext<P>['transaction'] | undefined;

  constructor(args: ContextArgs<P>, effects: AttemptEffects) {
    this.payload = args.payload;
    this.#args = args;
    this.#effects = effects;
  }

  get message(): MessageInfo {
    const { message } = this.#args;
    return (this.#info ??= {
      eventId: message.eventId,
      messageType: message.messageType,
      attempt: message.attempts,
      maxAttempts: message.maxAttempts,
      createdBy: message.createdBy,
      createdAt: message.createdAt,
      orderingKey: message.orderingKey,
      traceparent: message.traceparent,
    });
  }

  get signal(): AbortSignal {
    return this.#args.control.signal;
  }

  get idempotencyKey(): string {
    return idempotencyKeyOf(this.#args.message.eventId, this.#args.message.messageType);
  }

  get workingData(): WorkingData {
    return (this.#workingData ??= workingDataOf(this.#args, this.#effects));
  }

  get emit(): HandlerContext<P>['emit'] {
    return (this.#emit ??= ((messageType: string | MessageType, options?: Omit<MessageOptions, 'eventId'>) =>
      emitFollowUp(this.#args, this.#effects, messageType, options)) as HandlerContext<P>['emit']);
  }

  get emitEvent(): HandlerContext<P>['emitEvent'] {
    return (this.#emitEvent ??= (async (
      messageType: string | MessageType,
      payload: unknown,
      options?: MessageOptions,
    ) => {
      const { builder, serviceName } = this.#args;
      open(this.#args, this.#effects);
      const row = await builder.withPayload(nameOf(messageType), payload, serviceName, inherit(this.#args, options));
      open(this.#args, this.#effects);
      (this.#effects.emits ??= []).push(...rowsWithDeadlineCheck(builder.registry, traced(this.#args, row, options)));
      return row.eventId;
    }) as HandlerContext<P>['emitEvent']);
  }

  get transaction(): HandlerContext<P>['transaction'] {
    return (this.#transaction ??= async () => {
      const { store } = this.#args;
      open(this.#args, this.#effects);
      if (store.beginTransaction === undefined) {
        throw new EventyardError(
          ErrorCode.TRANSACTION_UNSUPPORTED,
          'this store cannot give a handler a transaction (PostgreSQL can)',
        );
      }
      this.#effects.transaction ??= store.beginTransaction();
      return (await this.#effects.transaction).client;
    });
  }
}

/** Throws EY_CLOSED once the attempt has ended. */
function open(args: ContextArgs<unknown>, effects: AttemptEffects): void {
  if (effects.sealed) {
    throw new EventyardError(ErrorCode.CLOSED, 'this attempt has ended: emit and working data writes are refused', {
      details: { eventId: args.message.eventId, messageType: args.message.messageType },
    });
  }
}

/** A follow-up inherits the handled message's trace context unless the handler set one. */
const inherit = (args: ContextArgs<unknown>, options?: MessageOptions): MessageOptions => ({
  traceparent: args.message.traceparent ?? undefined,
  ...options,
});

/** With tracing on, an emitted row carries its emit span's context unless the handler set one. */
function traced(args: ContextArgs<unknown>, row: NewMessage, options?: MessageOptions): NewMessage {
  const { span } = args;
  if (span === undefined || options?.traceparent !== undefined) return row;
  const traceparent = span.emit(row);
  return traceparent === undefined ? row : { ...row, traceparent };
}

function emitFollowUp(
  args: ContextArgs<unknown>,
  effects: AttemptEffects,
  messageType: string | MessageType,
  options?: Omit<MessageOptions, 'eventId'>,
): void {
  const { message, builder, serviceName, checkedWith } = args;
  open(args, effects);
  const name = nameOf(messageType);
  const sameSchema = builder.registry.get(name).schema === checkedWith;
  const row = traced(
    args,
    builder.followUp(
      name,
      message.eventId,
      serviceName,
      inherit(args, options),
      sameSchema ? args.payload : args.rawPayload,
    ),
    options,
  );
  const type = builder.registry.get(row.messageType);
  if (type.schema !== checkedWith) {
    const check = checkFollowUp(type, args.rawPayload, message);
    if (check !== undefined) {
      check.catch(() => undefined); // awaited by the attempt; this only keeps a thrown handler from leaving it unhandled
      (effects.checks ??= []).push(check);
    }
  }
  (effects.emits ??= []).push(...rowsWithDeadlineCheck(builder.registry, row));
}

function workingDataOf(args: ContextArgs<unknown>, effects: AttemptEffects): WorkingData {
  const { message, builder, store } = args;
  const written = new Map<string, string>();
  return {
    async get<T>(name: string): Promise<T | undefined> {
      checkIdentifier('working data name', name, IDENTIFIER_MAX_LENGTH.workingDataName);
      const text = written.get(name) ?? (await store.getWorkingData(message.eventId)).get(name);
      return text === undefined ? undefined : (parseJson(text) as T);
    },
    set(name: string, value: unknown): void {
      open(args, effects);
      checkIdentifier('working data name', name, IDENTIFIER_MAX_LENGTH.workingDataName);
      const text = encodePayload(value, builder.limits);
      written.set(name, text);
      const writes = (effects.workingData ??= []);
      const at = writes.findIndex((w) => w.name === name);
      const write = { eventId: message.eventId, name, value: text };
      if (at >= 0) writes[at] = write;
      else writes.push(write);
    },
  };
}

const nameOf = (type: string | MessageType): string => (typeof type === 'string' ? type : type?.name);

/**
 * Runs a follow-up type's schema on the event's stored payload: throws at once when the
 * schema answers synchronously, else returns the pending check.
 */
function checkFollowUp(type: MessageType, raw: unknown, message: ClaimedMessage): Promise<void> | undefined {
  const mismatch = (issues: readonly StandardSchemaV1.Issue[]): EventyardError =>
    new EventyardError(
      ErrorCode.EMIT_PAYLOAD_MISMATCH,
      `emit(${type.name}) from ${message.messageType}: ${type.name}'s schema does not accept the payload of ` +
        `event ${message.eventId} (${formatIssues(issues)}). A follow-up carries its event's payload (one ` +
        'payload per EVENT_ID); for a step that needs another payload, emitEvent() a new event or use working data',
      { details: { messageType: type.name, from: message.messageType, eventId: message.eventId, issues } },
    );
  const result = type.schema['~standard'].validate(raw);
  if (!(result instanceof Promise)) {
    if (result.issues !== undefined) throw mismatch(result.issues);
    return undefined;
  }
  return result.then((r) => {
    if (r.issues !== undefined) throw mismatch(r.issues);
  });
}
