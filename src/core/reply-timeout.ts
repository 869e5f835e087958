/**
 * Reply deadlines of request messages. A message type may declare that a reply (an `RS_*`
 * type) is expected within `afterMs`, and which message to emit when none came. Every
 * message of such a type is written together with a **deadline check**: a message of a
 * derived type (`DL_<request type>`, request table) of the same event, delayed by the
 * deadline. Its handler looks for the reply row and, when there is none, emits the timeout
 * message with its completion, so the timeout is durable (it is a row, whoever wrote the
 * request may be gone) and written once (the unique `(EVENT_ID, MESSAGE_TYPE)` of the
 * check's completion).
 */
import { ErrorCode, EventyardError } from './errors.js';

/** Longest deadline: one year, as for `delayMs`. */
export const MAX_REPLY_DEADLINE_MS = 365 * 24 * 3600_000;
/** Prefix of the derived deadline-check types. */
export const DEADLINE_CHECK_PREFIX = 'DL_';

/** A message type or its name. */
type TypeRef = string | { readonly name: string };

export interface ReplyTimeoutDeclaration {
  /** Milliseconds after the request becomes claimable (its `delayMs` counted) that a reply may take. */
  readonly afterMs: number;
  /** The message emitted (a follow-up of the same event) when no reply was written in time. */
  readonly onTimeout: TypeRef;
  /**
   * The reply type.
   * @defaultValue the request's name with `RQ_` replaced by `RS_` (`RQ_B_STP` → `RS_B_STP`)
   */
  readonly replyType?: TypeRef;
}

/** A resolved reply deadline, as a message type carries it. */
export interface ReplyTimeout {
  readonly afterMs: number;
  readonly onTimeout: string;
  readonly replyType: string;
  /** The derived deadline-check type: `DL_<request type>`. */
  readonly checkType: string;
}

const nameOf = (ref: unknown): unknown =>
  typeof ref === 'object' && ref !== null ? (ref as { name?: unknown }).name : ref;

/** Checks a declaration's `replyTimeout` (EY_INVALID_DEADLINE, EY_INVALID_MESSAGE_TYPE). */
export function resolveReplyTimeout(requestType: string, declared: unknown): ReplyTimeout {
  const where = `message type ${requestType}: replyTimeout`;
  if (typeof declared !== 'object' || declared === null) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${where} must be an object { afterMs, onTimeout, replyType? }`);
  }
  const { afterMs, onTimeout, replyType, ...rest } = declared as Partial<ReplyTimeoutDeclaration>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `${where}: unknown key "${unknownKey}"`, {
      details: { option: unknownKey },
    });
  }
  if (
    typeof afterMs !== 'number' ||
    !Number.isSafeInteger(afterMs) ||
    afterMs <= 0 ||
    afterMs > MAX_REPLY_DEADLINE_MS
  ) {
    throw new EventyardError(
      ErrorCode.INVALID_DEADLINE,
      `${where}.afterMs must be a whole number of milliseconds in [1, ${MAX_REPLY_DEADLINE_MS}], got ${String(afterMs)}`,
      { details: { messageType: requestType, afterMs } },
    );
  }
  const reply = nameOf(replyType) ?? (requestType.startsWith('RQ_') ? `RS_${requestType.slice(3)}` : undefined);
  if (typeof reply !== 'string' || reply.length === 0) {
    throw new EventyardError(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `${where}: name the replyType (the default, RQ_x → RS_x, needs a name starting with RQ_)`,
    );
  }
  const timeout = nameOf(onTimeout);
  if (typeof timeout !== 'string' || timeout.length === 0) {
    throw new EventyardError(ErrorCode.INVALID_MESSAGE_TYPE, `${where}.onTimeout must name a message type`);
  }
  const checkType = `${DEADLINE_CHECK_PREFIX}${requestType}`;
  if (checkType.length > 64) {
    throw new EventyardError(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `${where}: the deadline check type ${checkType} would be longer than 64 characters; shorten the request's name`,
    );
  }
  return Object.freeze({ afterMs, onTimeout: timeout, replyType: reply, checkType });
}
