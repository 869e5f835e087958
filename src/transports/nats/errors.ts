/** NATS failures translated to the broker error codes, in one place. */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { redactedError } from '../../core/redact.js';

/**
 * Refused rather than unreachable: no stream captures the subject (the client reports the
 * 503 "no responders" of a JetStream publish as "jetstream is not enabled"), or the
 * stream or consumer does not exist.
 */
const REFUSED = /no ?responders|jetstream is not enabled|stream not found|consumer not found|\b503\b/i;

function describeChain(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    parts.push(e instanceof Error ? `${e.name} ${e.message}` : typeof e === 'string' ? e : '');
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(' <- ');
}

/** The one translation of client errors; message and cause chain redacted (`secrets` plus any URL password). */
export function toBrokerError(error: unknown, what: string, secrets: readonly string[] = []): EventyardError {
  if (error instanceof EventyardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return redactedError(
    REFUSED.test(describeChain(error)) ? ErrorCode.BROKER_REJECTED : ErrorCode.BROKER_UNAVAILABLE,
    `nats: ${what}: ${message}`,
    { cause: error, secrets },
  );
}
