/** RabbitMQ failures translated to the broker error codes, in one place. */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { redactedError } from '../../core/redact.js';

/** AMQP reply codes that mean "refused", not "unreachable": 404 NOT_FOUND, 403 ACCESS_REFUSED, 406 PRECONDITION_FAILED. */
const REFUSED = new Set([403, 404, 406]);

export function amqpCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The one translation of client errors; message and cause chain redacted (`secrets` plus any URL password). */
export function toBrokerError(error: unknown, what: string, secrets: readonly string[] = []): EventyardError {
  if (error instanceof EventyardError) return error;
  const code = amqpCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return redactedError(
    code !== undefined && REFUSED.has(code) ? ErrorCode.BROKER_REJECTED : ErrorCode.BROKER_UNAVAILABLE,
    `rabbitmq: ${what}: ${message}`,
    { cause: error, details: code === undefined ? {} : { amqpCode: code }, secrets },
  );
}
