/**
 * Credential redaction, shared by every connector (Redis, RabbitMQ, NATS, Kafka; the
 * PostgreSQL store calls it too) and by the JSON logger.
 *
 * Client libraries put secrets in places an operator's log or `util.inspect(err)` shows:
 * ioredis keeps `command.args` of a failed AUTH, amqplib keeps the whole URL as
 * `cause.input`, option errors quote the bad value. So an error that leaves a connector is
 * rebuilt, never passed through: {@link redactError} copies name, message, stack, `code`
 * and a few other diagnostic fields of each error in the `cause` chain (and of an
 * AggregateError's members), with every known secret and every URL password replaced by
 * `***`, and drops everything else.
 */

import { EventyardError, type ErrorCode } from './errors.js';

export const REDACTED = '***';

/** Diagnostic fields copied from a client error when they are strings or numbers. */
const KEPT_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'host', 'apiId', 'amqpCode'] as const;
const MAX_DEPTH = 8;

// scheme://user:password@  →  scheme://user:***@   (also scheme://:password@)
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/?#]*):([^\s@/?#]*)@/gi;
// ?password=…  &pass=…  token=…  (query strings and key=value option strings)
const PARAM_SECRET = /\b(password|passwd|pass|pwd|secret|token|auth_token|sasl_password)=([^&\s;,]*)/gi;

/** The secrets of a URL: its password (raw and percent-decoded). */
export function secretsOfUrl(url: string | undefined): string[] {
  if (url === undefined) return [];
  const found: string[] = [];
  for (const match of url.matchAll(URL_PASSWORD)) {
    const password = match[3] ?? '';
    if (password.length > 0) {
      found.push(password);
      try {
        const decoded = decodeURIComponent(password);
        if (decoded !== password) found.push(decoded);
      } catch {
        // not percent-encoded: the raw form is enough
      }
    }
  }
  return found;
}

/** Secrets worth hiding: non-empty strings of values given as credentials (numbers as text too). */
export function secretsOf(...values: unknown[]): string[] {
  const found: string[] = [];
  for (const value of values) {
    if (typeof value === 'string' && value.length > 0) found.push(value, ...secretsOfUrl(value));
    else if (typeof value === 'number' || typeof value === 'bigint') found.push(String(value));
  }
  return found;
}

/** `text` with every known secret, URL password and `password=` value replaced by `***`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_PASSWORD, (_all, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`);
  out = out.replace(PARAM_SECRET, (_all, key: string) => `${key}=${REDACTED}`);
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    // Very short "secrets" (1-2 characters) would shred ordinary text; they are not secrets.
    if (secret.length >= 3) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** A JSON-like value (an error's `details`) with every string redacted; other leaves kept. */
export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (value instanceof Error) return redactError(value, secrets, depth + 1);
  if (Array.isArray(value)) return value.map((v: unknown) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = /pass|secret|token|credential/i.test(key) ? REDACTED : redactValue(v, secrets, depth + 1);
  }
  return out;
}

/** A client error rebuilt from its safe parts, secrets redacted, all the way down the cause chain. */
export class RedactedError extends Error {
  readonly code?: string | number;

  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/**
 * A copy of `error` safe to keep as a `cause` and to log (see the module comment): a
 * {@link RedactedError} with the original's name, redacted message and stack, `code` and
 * the other kept fields, redacted `details`, and a redacted copy of its cause. A non-Error
 * cause survives only as a redacted string or a primitive.
 */
export function redactError(error: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (!(error instanceof Error)) {
    return typeof error === 'string' ? redactText(error, secrets) : typeof error === 'object' ? undefined : error;
  }
  const cause =
    error.cause === undefined || depth >= MAX_DEPTH ? undefined : redactError(error.cause, secrets, depth + 1);
  const copy = new RedactedError(
    error.name,
    redactText(error.message, secrets),
    cause === undefined ? undefined : { cause },
  );
  if (error.stack !== undefined) copy.stack = redactText(error.stack, secrets);
  const source = error as unknown as Record<string, unknown>;
  const target = copy as unknown as Record<string, unknown>;
  for (const field of KEPT_FIELDS) {
    const value = source[field];
    if (typeof value === 'number') target[field] = value;
    else if (typeof value === 'string') target[field] = redactText(value, secrets);
  }
  if ('details' in source && source.details !== undefined) target.details = redactValue(source.details, secrets, depth);
  if (Array.isArray(source.errors)) {
    target.errors = (source.errors as unknown[]).slice(0, 10).map((e) => redactError(e, secrets, depth + 1));
  }
  return copy;
}

/**
 * The EventyardError a connector throws for a client failure: message, `details` and the
 * whole cause chain redacted. Connectors build every error that may carry a client error
 * or a credential-bearing value through this one function.
 */
export function redactedError(
  code: ErrorCode,
  message: string,
  options: { cause?: unknown; details?: Record<string, unknown>; secrets?: readonly string[] } = {},
): EventyardError {
  const secrets = options.secrets ?? [];
  const cause = options.cause === undefined ? undefined : redactError(options.cause, secrets);
  const details =
    options.details === undefined ? undefined : (redactValue(options.details, secrets) as Record<string, unknown>);
  return new EventyardError(code, redactText(message, secrets), {
    ...(cause !== undefined && { cause }),
    ...(details !== undefined && { details }),
  });
}
