/**
 * One validation for every identifier a caller hands us (EVENT_ID, CREATED_BY, ORDERING_KEY,
 * TRACEPARENT, working-data names, service names), run before any store sees the value, so
 * every store stores exactly the same text or refuses it the same way.
 *
 * An identifier is a string of 1 to `maxLength` UTF-16 units, well-formed Unicode (no lone
 * surrogate: SQLite and Redis would store U+FFFD in its place, so two distinct keys could
 * collide), without control characters (U+0000-U+001F, U+007F: NUL truncates names in C
 * APIs; the rest break log lines and terminals). An EVENT_ID is a UUID, normalised to lower
 * case (so one UUID in two letter cases is one event).
 */
import { ErrorCode, EventyardError } from './errors.js';

/** Longest accepted value of each kind of identifier, in UTF-16 units. */
export const IDENTIFIER_MAX_LENGTH = {
  createdBy: 200,
  orderingKey: 256,
  traceparent: 512,
  workingDataName: 200,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;
/** True when `value` holds a control character (U+0000-U+001F, U+007F). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

function refuse(what: string, value: unknown, rule: string): EventyardError {
  return new EventyardError(ErrorCode.INVALID_IDENTIFIER, `${what} ${rule}, got ${shown(value)}`, {
    details: { identifier: what },
  });
}

/** Why `value` is not an identifier of at most `maxLength` units, or undefined when it is one. */
export function identifierProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0 || value.length > maxLength) return `must be 1 to ${maxLength} characters`;
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it holds a lone surrogate)';
  if (CONTROL.test(value)) return 'must not hold control characters';
  return undefined;
}

/** Returns `value` when it is a valid identifier; else throws EY_INVALID_IDENTIFIER naming `what`. */
export function checkIdentifier(what: string, value: unknown, maxLength: number): string {
  const problem = identifierProblem(value, maxLength);
  if (problem !== undefined) throw refuse(what, value, problem);
  return value as string;
}

/** As {@link checkIdentifier} for an optional value: undefined passes through. */
export function checkOptionalIdentifier(what: string, value: unknown, maxLength: number): string | undefined {
  return value === undefined ? undefined : checkIdentifier(what, value, maxLength);
}

/** A UUID in any letter case → the lower-case UUID; anything else throws EY_INVALID_IDENTIFIER. */
export function normalizeEventId(value: unknown, what = 'eventId'): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw refuse(what, value, 'must be a UUID');
  return value.toLowerCase();
}
