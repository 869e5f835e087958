/**
 * Message types: a name, the table it lives in, the schema of the event payload it expects,
 * and its retry policy. Declared once; the registry refuses duplicates and unknown names.
 */
import { ErrorCode, EventyardError } from './errors.js';
import { resolveRateLimit, type RateLimit, type RateLimitDeclaration } from './rate-limit.js';
import { resolveGroup, type GroupDeclaration, type GroupPolicy } from './group.js';
import { resolveReplyTimeout, type ReplyTimeout, type ReplyTimeoutDeclaration } from './reply-timeout.js';
import { resolveRetryPolicy, type RetryPolicy, type RetryPolicyOptions } from './retry-policy.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** The four event tables: inbound, request, response, outbound. */
export const Table = {
  INBOUND: 'inbound',
  REQUEST: 'request',
  RESPONSE: 'response',
  OUTBOUND: 'outbound',
} as const;
export type Table = (typeof Table)[keyof typeof Table];
export const ALL_TABLES: readonly Table[] = Object.values(Table);

/** A message type name's prefix names its table unless the declaration says otherwise. */
const TABLE_BY_PREFIX: readonly (readonly [string, Table])[] = [
  ['IN_', Table.INBOUND],
  ['RQ_', Table.REQUEST],
  ['RS_', Table.RESPONSE],
  ['OUT_', Table.OUTBOUND],
];

export const MESSAGE_TYPE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

export interface MessageType<Name extends string = string, Payload = unknown> {
  readonly name: Name;
  readonly table: Table;
  readonly schema: StandardSchemaV1<unknown, Payload>;
  readonly retry: RetryPolicy;
  /** The reply deadline of a request type, when declared (see docs/flow-control.md). */
  readonly replyTimeout?: ReplyTimeout | undefined;
  /** At most `max` handler starts per `intervalMs`, shared by every process (see docs/flow-control.md). */
  readonly rateLimit?: RateLimit | undefined;
  /** Group concurrency, when declared (see docs/flow-control.md, "Group concurrency"). */
  readonly group?: GroupPolicy | undefined;
}

export interface MessageTypeDeclaration<Name extends string, Schema extends StandardSchemaV1> {
  /** Upper snake case, e.g. `RQ_B_STP`. */
  readonly name: Name;
  /** The schema of the event payload this message type's handler expects. */
  readonly schema: Schema;
  /** Required when the name has no known prefix (IN_, RQ_, RS_, OUT_). */
  readonly table?: Table;
  readonly retry?: RetryPolicyOptions;
  /**
   * A reply of `replyType` is expected within `afterMs`; when none is written in time,
   * `onTimeout` is emitted (a follow-up of the same event), durably and once.
   * EY_INVALID_DEADLINE for an `afterMs` that is not a whole number in [1 ms, 1 year].
   */
  readonly replyTimeout?: ReplyTimeoutDeclaration;
  /**
   * At most `max` handler starts (retries included) per `intervalMs` of the store's clock,
   * for the type or, with `perGroup`, for each group of it; shared by every process.
   * EY_INVALID_RATE_LIMIT for a `max` not in [1, 100,000] or an `intervalMs` not in [1 ms, 1 day].
   */
  readonly rateLimit?: RateLimitDeclaration;
  /**
   * At most `maxInFlight` rows of one group (`key(payload)`, e.g. the tenant id) in
   * progress at once, across all processes; groups are claimed round-robin, so a group with
   * a large backlog does not starve the others. EY_INVALID_GROUP when malformed.
   */
  readonly group?: GroupDeclaration<StandardSchemaV1.InferOutput<Schema>>;
}

export function defineMessageType<const Name extends string, Schema extends StandardSchemaV1>(
  declaration: MessageTypeDeclaration<Name, Schema>,
): MessageType<Name, StandardSchemaV1.InferOutput<Schema>> {
  const { name, schema } = declaration;
  if (typeof name !== 'string' || !MESSAGE_TYPE_NAME.test(name)) {
    throw new EventyardError(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `message type name ${JSON.stringify(name)} must match ${String(MESSAGE_TYPE_NAME)}`,
    );
  }
  if (typeof schema !== 'object' || schema === null || typeof schema['~standard']?.validate !== 'function') {
    throw new EventyardError(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `message type ${name}: schema must be a Standard Schema (zod, valibot, arktype, ...)`,
    );
  }
  const table = declaration.table ?? TABLE_BY_PREFIX.find(([prefix]) => name.startsWith(prefix))?.[1];
  if (table === undefined || !ALL_TABLES.includes(table)) {
    throw new EventyardError(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `message type ${name}: declare its table (one of ${ALL_TABLES.join(', ')}) or use a prefix IN_, RQ_, RS_, OUT_`,
    );
  }
  const retry = resolveRetryPolicy(declaration.retry);
  const rateLimit = declaration.rateLimit === undefined ? undefined : resolveRateLimit(name, declaration.rateLimit);
  if (rateLimit !== undefined && table === Table.OUTBOUND) {
    throw new EventyardError(
      ErrorCode.INVALID_RATE_LIMIT,
      `message type ${name}: rateLimit on an outbound type is not applied (the outbound processor delivers it); limit the type whose handler emits it`,
      { details: { messageType: name } },
    );
  }
  const group = declaration.group === undefined ? undefined : resolveGroup(name, declaration.group);
  if (rateLimit?.perGroup === true && group === undefined) {
    throw new EventyardError(
      ErrorCode.INVALID_RATE_LIMIT,
      `message type ${name}: rateLimit.perGroup needs a group declaration (group: { key, maxInFlight }) to know each row's group`,
      { details: { messageType: name } },
    );
  }
  const replyTimeout =
    declaration.replyTimeout === undefined ? undefined : resolveReplyTimeout(name, declaration.replyTimeout);
  return Object.freeze({
    name,
    table,
    schema,
    retry,
    ...(replyTimeout === undefined ? {} : { replyTimeout }),
    ...(group === undefined ? {} : { group }),
    ...(rateLimit === undefined ? {} : { rateLimit }),
  });
}

/** Whether `value` has the shape defineMessageType() returns (name, table, Standard Schema, retry policy). */
function isMessageType(value: unknown): value is MessageType {
  if (typeof value !== 'object' || value === null) return false;
  const type = value as Partial<MessageType>;
  return (
    typeof type.name === 'string' &&
    MESSAGE_TYPE_NAME.test(type.name) &&
    ALL_TABLES.includes(type.table as Table) &&
    typeof type.schema?.['~standard']?.validate === 'function' &&
    typeof type.retry === 'object' &&
    type.retry !== null &&
    Number.isSafeInteger(type.retry.maxAttempts)
  );
}

/** The payload type a message type's handler receives. */
export type PayloadOf<T> = T extends MessageType<string, infer P> ? P : never;

/** The name of a message type. */
export type NameOf<T> = T extends MessageType<infer N, unknown> ? N : never;

/**
 * A message type name given as a string: a literal must be one of `Names` (a typo is a
 * compile error); a plain `string` (a name computed at run time) is checked when called.
 */
export type DeclaredName<S extends string, Names extends string> = S extends Names ? S : string extends S ? S : Names;

/** A message type argument: a declared type object, or its name (see {@link DeclaredName}). */
export type TypeArg<M, T extends MessageType> = M extends string ? DeclaredName<M, NameOf<T>> : M;

/** The payload that goes with a {@link TypeArg}: the type's payload, or `unknown` for a name. */
export type PayloadArg<M> = M extends MessageType ? PayloadOf<M> : unknown;

/** The set of declared message types of an application. */
export class MessageRegistry {
  readonly #types = new Map<string, MessageType>();

  constructor(types: Iterable<MessageType>) {
    let index = 0;
    for (const type of types) {
      if (!isMessageType(type)) {
        throw new EventyardError(
          ErrorCode.INVALID_MESSAGE_TYPE,
          `messageTypes[${index}] is not a message type: declare it with defineMessageType()`,
          { details: { index } },
        );
      }
      index++;
      if (this.#types.has(type.name)) {
        throw new EventyardError(ErrorCode.INVALID_MESSAGE_TYPE, `message type ${type.name} is declared twice`);
      }
      this.#types.set(type.name, type);
    }
  }

  get(name: string): MessageType {
    const type = this.#types.get(name);
    if (type === undefined) {
      throw new EventyardError(
        ErrorCode.UNKNOWN_MESSAGE_TYPE,
        `unknown message type ${JSON.stringify(name)}; declared: ${[...this.#types.keys()].join(', ') || '(none)'}`,
        { details: { messageType: name } },
      );
    }
    return type;
  }

  has(name: string): boolean {
    return this.#types.has(name);
  }

  all(): readonly MessageType[] {
    return [...this.#types.values()];
  }
}
