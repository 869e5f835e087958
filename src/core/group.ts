/**
 * Group concurrency (docs/flow-control.md, "Group concurrency"): a message type may declare
 * a group key function over its payload and a maximum of rows in progress per group. This
 * file checks the declaration and computes a row's group key when the row is written.
 *
 * A key that cannot be computed is the message's own problem, not the caller's: the row is
 * still written, directly as FAILED with `EY_INVALID_GROUP_KEY: ...` as LAST_ERROR
 * (`NewMessage.failure`), so nothing else is held up and the operator sees why.
 */
import { ErrorCode, EventyardError } from './errors.js';

/** The longest group key accepted (as ORDERING_KEY). */
export const GROUP_KEY_MAX_LENGTH = 256;
/** The largest maxInFlight accepted: a bound, not a tuning value. */
export const MAX_IN_FLIGHT_LIMIT = 1_000_000;

export interface GroupDeclaration<Payload = unknown> {
  /** The group of a message, from its payload (e.g. the tenant id). A non-empty string. */
  readonly key: (payload: Payload) => string;
  /** At most this many rows of one group IN_PROGRESS at once, across all processes. */
  readonly maxInFlight: number;
}

/** A resolved group declaration. */
export interface GroupPolicy {
  readonly key: (payload: unknown) => string;
  readonly maxInFlight: number;
}

/** Checks a `group` declaration: EY_INVALID_GROUP when malformed. */
export function resolveGroup(typeName: string, group: unknown): GroupPolicy {
  if (typeof group !== 'object' || group === null) {
    throw new EventyardError(ErrorCode.INVALID_GROUP, `message type ${typeName}: group must be { key, maxInFlight }`, {
      details: { messageType: typeName },
    });
  }
  const { key, maxInFlight } = group as Partial<GroupDeclaration>;
  if (typeof key !== 'function') {
    throw new EventyardError(
      ErrorCode.INVALID_GROUP,
      `message type ${typeName}: group.key must be a function of the payload returning the group key`,
      { details: { messageType: typeName, field: 'key' } },
    );
  }
  if (
    typeof maxInFlight !== 'number' ||
    !Number.isSafeInteger(maxInFlight) ||
    maxInFlight < 1 ||
    maxInFlight > MAX_IN_FLIGHT_LIMIT
  ) {
    throw new EventyardError(
      ErrorCode.INVALID_GROUP,
      `message type ${typeName}: group.maxInFlight must be a whole number in [1, ${MAX_IN_FLIGHT_LIMIT}], got ${String(maxInFlight)}`,
      { details: { messageType: typeName, field: 'maxInFlight' } },
    );
  }
  return Object.freeze({ key, maxInFlight });
}

/** What a row of a grouped type carries: its group key, or the reason it has none. */
export type GroupKeyResult =
  | { readonly groupKey: string; readonly failure?: undefined }
  | { readonly failure: string; readonly groupKey?: undefined };

/**
 * The group key of a payload: `{ groupKey }`, or `{ failure }` (LAST_ERROR text,
 * `EY_INVALID_GROUP_KEY: ...`) when the function throws or returns a non-string, an empty
 * string or one longer than {@link GROUP_KEY_MAX_LENGTH}.
 */
export function computeGroupKey(typeName: string, group: GroupPolicy, payload: unknown): GroupKeyResult {
  const fail = (why: string): GroupKeyResult => ({
    failure: `${ErrorCode.INVALID_GROUP_KEY}: group key of ${typeName}: ${why}`.slice(0, 2000),
  });
  let value: unknown;
  try {
    value = group.key(payload);
  } catch (thrown) {
    const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    return fail(`the key function threw ${message}`);
  }
  if (typeof value !== 'string')
    return fail(`the key function returned ${value === null ? 'null' : typeof value}, not a string`);
  if (value.length === 0) return fail('the key function returned an empty string');
  if (value.length > GROUP_KEY_MAX_LENGTH) {
    return fail(`the key function returned ${value.length} characters, more than ${GROUP_KEY_MAX_LENGTH}`);
  }
  return { groupKey: value };
}

/**
 * A row of a grouped type with its group key, or written FAILED with the reason (`failure`).
 * A FAILED row with an ordering key would park its key, holding up every later message of
 * it for a reason that is not theirs: such a row is written without its key (the key is
 * named in LAST_ERROR), so nothing else is held up.
 */
export function withGroupKey<Row extends { readonly orderingKey?: string | undefined }>(
  row: Row,
  typeName: string,
  group: GroupPolicy,
  payload: unknown,
): Row & { readonly groupKey?: string | undefined; readonly failure?: string | undefined } {
  const result = computeGroupKey(typeName, group, payload);
  if (result.failure === undefined) return { ...row, groupKey: result.groupKey };
  if (row.orderingKey === undefined) return { ...row, failure: result.failure };
  return {
    ...row,
    orderingKey: undefined,
    failure:
      `${result.failure} (written without its ordering key ${JSON.stringify(row.orderingKey)}, so the key is not held up)`.slice(
        0,
        2000,
      ),
  };
}

/** The `ClaimRequest.groups` of a set of types: their maxInFlight, for the grouped ones. */
export function groupLimits(
  types: Iterable<{ readonly name: string; readonly group?: GroupPolicy | undefined }>,
): Readonly<Record<string, { readonly maxInFlight: number }>> | undefined {
  let limits: Record<string, { readonly maxInFlight: number }> | undefined;
  for (const type of types) {
    if (type.group === undefined) continue;
    limits ??= {};
    limits[type.name] = { maxInFlight: type.group.maxInFlight };
  }
  return limits === undefined ? undefined : Object.freeze(limits);
}
