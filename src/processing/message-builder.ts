/**
 * Builds the rows a publish or an emit writes: looks the type up, validates and encodes
 * the payload against the limits, stamps the retry policy's max attempts.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import type { MessageRegistry } from '../core/message-type.js';
import { encodePayload, type PayloadLimits } from '../core/payload.js';
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
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_DELAY_MS = 365 * 24 * 3600_000;

export function checkMessageOptions(options: MessageOptions): void {
  const { eventId, delayMs, orderingKey } = options;
  if (eventId !== undefined && (typeof eventId !== 'string' || !UUID.test(eventId))) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `eventId must be a UUID, got ${JSON.stringify(eventId)}`, {
      details: { option: 'eventId' },
    });
  }
  if (delayMs !== undefined && !(Number.isSafeInteger(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `delayMs must be an integer in [0, ${MAX_DELAY_MS}]`, {
      details: { option: 'delayMs' },
    });
  }
  if (
    orderingKey !== undefined &&
    (typeof orderingKey !== 'string' || orderingKey.length === 0 || orderingKey.length > 256)
  ) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, 'orderingKey must be a string of 1 to 256 characters', {
      details: { option: 'orderingKey' },
    });
  }
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
    checkMessageOptions(options);
    await validatePayload(type, payload);
    return this.#row(
      typeName,
      createdBy,
      options.eventId ?? this.newId(),
      options,
      encodePayload(payload, this.limits),
    );
  }

  /** A follow-up message of an existing event: no payload of its own. */
  followUp(
    typeName: string,
    eventId: string,
    createdBy: string,
    options: Omit<MessageOptions, 'eventId'> = {},
  ): NewMessage {
    this.registry.get(typeName);
    checkMessageOptions(options);
    return this.#row(typeName, createdBy, eventId, options, undefined);
  }

  #row(
    typeName: string,
    createdBy: string,
    eventId: string,
    options: MessageOptions,
    payload: string | undefined,
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
    return {
      eventId,
      messageType: type.name,
      table: type.table,
      payload,
      maxAttempts: type.retry.maxAttempts,
      delayMs: options.delayMs,
      orderingKey: options.orderingKey,
      traceparent: options.traceparent,
      createdBy,
    };
  }
}
