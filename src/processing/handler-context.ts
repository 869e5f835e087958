/**
 * What a handler receives: the message, its event's validated payload, an AbortSignal,
 * an idempotency key, working data, and `emit` for what follows. Everything it emits or
 * writes is buffered here and written atomically with the completion, or not at all.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { encodePayload, parseJson } from '../core/payload.js';
import type { ClaimedMessage, EventStore, NewMessage, WorkingDataWrite } from '../store/port.js';
import type { AttemptControl } from './attempt-control.js';
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

export interface HandlerContext<P = unknown> {
  readonly message: MessageInfo;
  readonly payload: P;
  /** Fires when the lease is lost, the handler timeout passes or the shutdown deadline comes. */
  readonly signal: AbortSignal;
  /** `EVENT_ID:MESSAGE_TYPE:attempt`, for side effects outside the store. */
  readonly idempotencyKey: string;
  readonly workingData: WorkingData;
  /** Emits a follow-up message of this event (e.g. `RQ_C_POST`), written with the completion. */
  emit(messageType: string, options?: Omit<MessageOptions, 'eventId'>): void;
  /** Emits the first message of a new event with its payload; returns the new EVENT_ID. */
  emitEvent(messageType: string, payload: unknown, options?: MessageOptions): Promise<string>;
}

export type Handler<P = unknown> = (context: HandlerContext<P>) => Promise<void> | void;

/** The buffered effects of one attempt. */
export interface AttemptEffects {
  readonly emits: NewMessage[];
  readonly workingData: WorkingDataWrite[];
}

export function createHandlerContext<P>(args: {
  message: ClaimedMessage;
  payload: P;
  control: AttemptControl;
  serviceName: string;
  builder: MessageBuilder;
  store: EventStore;
  /** The attempt's span, when tracing is on: emits get their own producer spans under it. */
  span?: AttemptSpan | undefined;
}): { context: HandlerContext<P>; effects: AttemptEffects; seal: () => void } {
  const { message, builder, serviceName, store } = args;
  const effects: AttemptEffects = { emits: [], workingData: [] };
  const written = new Map<string, string>();
  let sealed = false;
  const open = (): void => {
    if (sealed) {
      throw new EventyardError(ErrorCode.CLOSED, 'this attempt has ended: emit and working data writes are refused', {
        details: { eventId: message.eventId, messageType: message.messageType },
      });
    }
  };
  const inherit = (options?: MessageOptions): MessageOptions => ({
    traceparent: message.traceparent ?? undefined,
    ...options,
  });

  const { control, span } = args;
  /** With tracing on, an emitted row carries its emit span's context unless the handler set one. */
  const traced = (row: NewMessage, options?: MessageOptions): NewMessage => {
    if (span === undefined || options?.traceparent !== undefined) return row;
    const traceparent = span.emit(row);
    return traceparent === undefined ? row : { ...row, traceparent };
  };
  const context: HandlerContext<P> = {
    message: {
      eventId: message.eventId,
      messageType: message.messageType,
      attempt: message.attempts,
      maxAttempts: message.maxAttempts,
      createdBy: message.createdBy,
      createdAt: message.createdAt,
      orderingKey: message.orderingKey,
      traceparent: message.traceparent,
    },
    payload: args.payload,
    get signal() {
      return control.signal;
    },
    idempotencyKey: `${message.eventId}:${message.messageType}:${message.attempts}`,
    workingData: {
      async get<T>(name: string): Promise<T | undefined> {
        const text = written.get(name) ?? (await store.getWorkingData(message.eventId)).get(name);
        return text === undefined ? undefined : (parseJson(text) as T);
      },
      set(name: string, value: unknown): void {
        open();
        if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
          throw new EventyardError(
            ErrorCode.INVALID_OPTION,
            'working data name must be a string of 1 to 200 characters',
          );
        }
        const text = encodePayload(value, builder.limits);
        written.set(name, text);
        const at = effects.workingData.findIndex((w) => w.name === name);
        const write = { eventId: message.eventId, name, value: text };
        if (at >= 0) effects.workingData[at] = write;
        else effects.workingData.push(write);
      },
    },
    emit(messageType, options) {
      open();
      effects.emits.push(
        traced(builder.followUp(messageType, message.eventId, serviceName, inherit(options)), options),
      );
    },
    async emitEvent(messageType, payload, options) {
      open();
      const row = await builder.withPayload(messageType, payload, serviceName, inherit(options));
      open();
      effects.emits.push(traced(row, options));
      return row.eventId;
    },
  };
  return { context, effects, seal: () => (sealed = true) };
}
