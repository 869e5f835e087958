/**
 * The moving parts of reply deadlines (core/reply-timeout.ts declares them): the derived
 * deadline-check types, the check row written with every request that has a deadline, and
 * the check's handler, run by the services that handle the timeout type.
 *
 * Exactly once: the check row is unique per `(EVENT_ID, DL_<type>)`, and the timeout
 * message is written by the check's completion (atomic, fenced), so however many workers
 * or retries touch the check, at most one timeout row exists per request; and since the
 * check row is written with the request (in the same completion, or before it in the same
 * publish), a request with a deadline never lacks its check.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { resolveRetryPolicy } from '../core/retry-policy.js';
import type { MessageRegistry, MessageType, Table } from '../core/message-type.js';
import type { ReplyTimeout } from '../core/reply-timeout.js';
import type { StandardSchemaV1 } from '../core/standard-schema.js';
import type { EventStore, NewMessage } from '../store/port.js';
import type { Handler } from './handler-context.js';

/** Accepts any payload: a deadline check carries its event's payload and never reads it. */
const ANY_PAYLOAD: StandardSchemaV1<unknown, unknown> = {
  '~standard': { version: 1, vendor: 'eventyard', validate: (value) => ({ value }) },
};

/**
 * The declared types plus a deadline-check type for each one with a reply deadline, after
 * checking that its reply and timeout types are declared (EY_UNKNOWN_MESSAGE_TYPE).
 */
export function withDeadlineChecks(types: readonly MessageType[]): readonly MessageType[] {
  const names = new Set(types.map((t) => (t as MessageType | undefined)?.name));
  const checks: MessageType[] = [];
  for (const type of types) {
    const deadline = (type as MessageType | undefined)?.replyTimeout;
    if (deadline === undefined) continue;
    for (const [role, name] of [
      ['replyType', deadline.replyType],
      ['onTimeout', deadline.onTimeout],
    ] as const) {
      if (!names.has(name)) {
        throw new EventyardError(
          ErrorCode.UNKNOWN_MESSAGE_TYPE,
          `message type ${type.name}: replyTimeout.${role} ${name} is not among the declared message types`,
          { details: { messageType: name } },
        );
      }
    }
    // Deadline checks run in the services that handle the timeout type; an outbound type is
    // handled by an outbound processor, which runs none: its checks would wait forever.
    if (types.find((t) => (t as MessageType | undefined)?.name === deadline.onTimeout)?.table === 'outbound') {
      throw new EventyardError(
        ErrorCode.INVALID_DEADLINE,
        `message type ${type.name}: replyTimeout.onTimeout ${deadline.onTimeout} is an outbound type; ` +
          'deadline checks run in services, so time out with a request or response type whose handler emits it',
        { details: { messageType: type.name, onTimeout: deadline.onTimeout } },
      );
    }
    checks.push(
      Object.freeze({
        name: deadline.checkType,
        table: 'request' satisfies Table,
        schema: ANY_PAYLOAD,
        retry: resolveRetryPolicy({}),
      }),
    );
  }
  return checks.length === 0 ? types : [...types, ...checks];
}

/**
 * `row`, preceded by its deadline check when its type declares a reply deadline. The check
 * comes first: a publish that stops half way leaves at worst a check without its request
 * (a timeout for a request never sent, which the caller's retry of the publish fills in),
 * never a request without its deadline.
 */
export function rowsWithDeadlineCheck(registry: MessageRegistry, row: NewMessage): readonly NewMessage[] {
  const deadline = registry.get(row.messageType).replyTimeout;
  if (deadline === undefined) return [row];
  const check: NewMessage = {
    eventId: row.eventId,
    messageType: deadline.checkType,
    table: 'request',
    maxAttempts: registry.get(deadline.checkType).retry.maxAttempts,
    delayMs: (row.delayMs ?? 0) + deadline.afterMs,
    traceparent: row.traceparent,
    createdBy: row.createdBy,
  };
  return [check, row];
}

/** The deadline checks a service runs: one per request type whose timeout type it handles. */
export function deadlineChecksFor(
  registry: MessageRegistry,
  handled: ReadonlySet<string>,
): readonly (ReplyTimeout & { readonly requestType: string })[] {
  return registry
    .all()
    .flatMap((type) =>
      type.replyTimeout !== undefined && handled.has(type.replyTimeout.onTimeout)
        ? [{ ...type.replyTimeout, requestType: type.name }]
        : [],
    );
}

/**
 * The check's handler: the event has its request but no reply row → emit the timeout message
 * with the completion. A check without its request (the publish that wrote it stopped half
 * way, or the request was refused for another payload) emits nothing: no request was sent.
 */
export function deadlineCheckHandler(
  store: EventStore,
  deadline: ReplyTimeout & { readonly requestType: string },
): Handler {
  return async (ctx) => {
    const { eventId } = ctx.message;
    const [request, reply] = await Promise.all(
      [deadline.requestType, deadline.replyType].map((messageType) => store.list({ eventId, messageType, limit: 1 })),
    );
    if (request?.rows.length === 1 && reply?.rows.length === 0) ctx.emit(deadline.onTimeout);
  };
}
