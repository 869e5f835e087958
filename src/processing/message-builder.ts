/**
 * Builds the rows a publish or an emit writes: looks the type up, validates and encodes
 * the payload against the limits, stamps the retry policy's max attempts.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageRegistry } from '../core/message-type.js';
import {
  checkIdentifier,
  checkOptionalIdentifier,
  IDENTIFIER_MAX_LENGTH,
  normalizeEventId,
} from '../core/identifiers.js';
import { withGroupKey } from '../core/group.js';
import { encodePayload, type PayloadLimits } from '../core/payload.js';
import { checkPriority } from '../core/priority.js';
import type { NewMessage, StoreFeatures } from '../store/port.js';
import { validatePayload } from './validate.js';

export interface MessageOptions {
  /** The event this message belongs to. A new UUID when absent. */
  readonly eventId?: string | undefined;
  /** Not claimable before this many milliseconds have passed. */
  readonly delayMs?: number | undefined;
  /** Messages with the same key are handled one at a time, in order. */
  readonly orderingKey?: string | undefined;
  /** W3C trace context to carry along. */
  readonly traceparent?: string | undefined;
  /**
   * 0 (default) to 9: higher is claimed first within its message type, aged so lower ones
   * still get their turn (docs/flow-control.md, "Priorities"). Else EY_INVALID_PRIORITY.
   */
  readonly priority?: number | undefined;
}

export const MAX_DELAY_MS = 365 * 24 * 3600_000;
const OPTION_KEYS: readonly string[] = ['eventId', 'delayMs', 'orderingKey', 'traceparent', 'priority'];

/**
 * Checks a message's options and returns them normalised (EVENT_ID in lower case):
 * identifiers through the one identifier check (EY_INVALID_IDENTIFIER), the rest
 * EY_INVALID_OPTION.
 */
export function checkMessageOptions(options: MessageOptions): MessageOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'message options must be an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new EventyardError(ErrorCode.INVALID_OPTION, `unknown message option "${key}"`, {
        details: { option: key },
      });
    }
  }
  const { delayMs } = options;
  if (delayMs !== undefined && !(Number.isSafeInteger(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `delayMs must be an integer in [0, ${MAX_DELAY_MS}]`, {
      details: { option: 'delayMs' },
    });
  }
  return {
    eventId: options.eventId === undefined ? undefined : normalizeEventId(options.eventId),
    delayMs,
    orderingKey: checkOptionalIdentifier('orderingKey', options.orderingKey, IDENTIFIER_MAX_LENGTH.orderingKey),
    traceparent: checkOptionalIdentifier('traceparent', options.traceparent, IDENTIFIER_MAX_LENGTH.traceparent),
    priority: options.priority === undefined ? undefined : checkPriority(options.priority),
  };
}

export class MessageBuilder {
  constructor(
    readonly registry: MessageRegistry,
    readonly limits: PayloadLimits,
    private readonly newId: () => string,
    /** The store's features: an ordering key on a store without them is refused, not dropped. */
    private readonly features: StoreFeatures = { multiProcess: true, orderingKeys: true },
  ) {}

  /** A message of a new event (or of `options.eventId`) with its payload, validated. */
  async withPayload(
    typeName: string,
    payload: unknown,
    createdBy: string,
    options: MessageOptions = {},
  ): Promise<NewMessage> {
    const type = this.registry.get(typeName);
    const checked = checkMessageOptions(options);
    const by = checkIdentifier('createdBy', createdBy, IDENTIFIER_MAX_LENGTH.createdBy);
    // What is stored and what a handler will receive is the JSON round trip of the payload.
    // encodePayload refuses every value whose round trip differs (a Date, which passes
    // z.date() but would be stored as a string; undefined, NaN, a class instance: jsonProblem),
    // so the schema checks the value itself and sees exactly that, without parsing the text
    // back. A synchronous schema runs before anything else can change the object; an
    // asynchronous one might see a caller's later change, and the stored text is then checked
    // again when the row is claimed (a mismatch is FAILED there).
    const text = encodePayload(payload, this.limits);
    const value = await validatePayload(type, payload);
    return this.#row(typeName, by, checked.eventId ?? this.newId(), checked, text, value);
  }

  /**
   * A follow-up message of an existing event: no payload of its own. `eventPayload` is the
   * event's payload (decoded), which a grouped type's key function reads.
   */
  followUp(
    typeName: string,
    eventId: string,
    createdBy: string,
    options: Omit<MessageOptions, 'eventId'> = {},
    eventPayload?: unknown,
  ): NewMessage {
    this.registry.get(typeName);
    const checked = checkMessageOptions(options);
    return this.#row(typeName, createdBy, normalizeEventId(eventId), checked, undefined, eventPayload);
  }

  #row(
    typeName: string,
    createdBy: string,
    eventId: string,
    options: MessageOptions,
    payload: string | undefined,
    value: unknown,
  ): NewMessage {
    const type = this.registry.get(typeName);
    if (options.orderingKey !== undefined && !this.features.orderingKeys) {
      throw new EventyardError(
        ErrorCode.UNSUPPORTED_FEATURE,
        `${typeName}: this store does not keep ordering keys, so orderingKey cannot be honoured; ` +
          'use a store with ordering keys (SQLite) or leave the option out',
        { details: { option: 'orderingKey', feature: 'orderingKeys' } },
      );
    }
    const row: NewMessage = {
      eventId,
      messageType: type.name,
      table: type.table,
      payload,
      maxAttempts: type.retry.maxAttempts,
      delayMs: options.delayMs,
      orderingKey: options.orderingKey,
      traceparent: options.traceparent,
      // Left out at 0: the stores' fast path for rows without a priority.
      ...(options.priority ? { priority: options.priority } : {}),
      createdBy,
    };
    return type.group === undefined ? row : withGroupKey(row, type.name, type.group, value);
  }
}
