/** Kafka failures translated to the broker error codes, in one place. */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { redactedError } from '../../core/redact.js';

/** Server answers that mean "refused", not "unreachable". */
const REFUSED =
  /UNKNOWN_TOPIC_OR_PARTITION|UNKNOWN_TOPIC_ID|TOPIC_AUTHORIZATION_FAILED|INVALID_TOPIC_EXCEPTION|RECORD_LIST_TOO_LARGE|MESSAGE_TOO_LARGE|does not exist|Unknown topic/i;

/** Names, messages, server error ids and nested errors (causes, AggregateError members). */
export function describeChain(error: unknown, depth = 0): string {
  if (depth > 4 || error === null || error === undefined) return '';
  if (!(error instanceof Error)) return primitive(error);
  const props = error as Error & { apiId?: unknown; code?: unknown; errors?: unknown };
  const nested: unknown[] = Array.isArray(props.errors) ? (props.errors as unknown[]) : [];
  return [
    `${error.name} ${primitive(props.code)} ${primitive(props.apiId)} ${error.message}`,
    ...nested.map((e: unknown) => describeChain(e, depth + 1)),
    describeChain(error.cause, depth + 1),
  ].join(' | ');
}

export function isAlreadyExists(error: unknown): boolean {
  return /TOPIC_ALREADY_EXISTS|already exists/i.test(describeChain(error));
}

/** The one translation of client errors; message and cause chain redacted (`secrets` plus any URL password). */
export function toBrokerError(error: unknown, what: string, secrets: readonly string[] = []): EventyardError {
  if (error instanceof EventyardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return redactedError(
    REFUSED.test(describeChain(error)) ? ErrorCode.BROKER_REJECTED : ErrorCode.BROKER_UNAVAILABLE,
    `kafka: ${what}: ${message}`,
    { cause: error, secrets },
  );
}

function primitive(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value) : '';
}
