/**
 * The logger Eventyard writes to, and the built-in JSON-lines logger. Every `err` field
 * (any Error value in the fields) is written with its name, code, message, the head of its
 * stack and its cause chain, credentials redacted (core/redact.ts), so "WRONGPASS" or
 * "malformed row" reaches the operator. A failure repeated identically (same level,
 * message, error code and error message) is written once per `repeatWindowMs`; the next
 * line after the window says how many were left out (`repeated`), so a store that fails
 * twenty times a second costs one line per window and never goes silent.
 */
import { redactText } from '../core/redact.js';

/** The logger Eventyard writes to: pino's call shape, so a pino logger fits as it is. */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];

const CAUSE_DEPTH = 5;
const STACK_LINES = 4;
const MAX_KEYS = 1000;

export interface SerializedError {
  readonly name: string;
  readonly code?: string | number;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: SerializedError | string;
}

/** An error as a log field: name, code, message, stack head, cause chain; credentials redacted. */
export function serializeError(error: unknown, depth = 0): SerializedError | string {
  if (!(error instanceof Error)) {
    return redactText(typeof error === 'string' ? error : error === undefined ? 'undefined' : typeof error);
  }
  const code = (error as { code?: unknown }).code;
  const stack = error.stack
    ?.split('\n')
    .slice(1, STACK_LINES + 1)
    .join('\n');
  return {
    name: error.name,
    ...((typeof code === 'string' || typeof code === 'number') && { code }),
    message: redactText(error.message),
    ...(stack !== undefined && stack !== '' && { stack: redactText(stack) }),
    ...(error.cause !== undefined && depth < CAUSE_DEPTH && { cause: serializeError(error.cause, depth + 1) }),
  };
}

function serializeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = value instanceof Error ? serializeError(value) : value;
  return out;
}

export interface JsonLoggerOptions {
  /**
   * Identical failures within this window are written once, the next line carrying the count.
   * @defaultValue 10000
   */
  readonly repeatWindowMs?: number;
  /** @defaultValue Date.now */
  readonly now?: () => number;
}

/** Structured JSON lines on stderr, from `level` up. */
export function jsonLogger(
  level: Level = 'warn',
  write: (line: string) => void = (l) => process.stderr.write(l),
  options: JsonLoggerOptions = {},
): Logger {
  const min = LEVELS.indexOf(level);
  const windowMs = options.repeatWindowMs ?? 10_000;
  const now = options.now ?? Date.now;
  /** Per repeated line: until when repeats are left out, and how many were. */
  const recent = new Map<string, { until: number; left: number }>();
  const at =
    (lvl: Level) =>
    (fields: Record<string, unknown>, message: string): void => {
      if (LEVELS.indexOf(lvl) < min) return;
      const line = serializeFields(fields);
      const err = Object.values(line).find(
        (v): v is SerializedError => typeof v === 'object' && v !== null && 'message' in v,
      );
      let repeated = 0;
      if (err !== undefined) {
        const key = `${lvl}\u0000${message}\u0000${String(err.code)}\u0000${err.message}`;
        const t = now();
        const seen = recent.get(key);
        if (seen !== undefined && t < seen.until) {
          seen.left++;
          return;
        }
        repeated = seen?.left ?? 0;
        recent.delete(key);
        if (recent.size >= MAX_KEYS) recent.delete(recent.keys().next().value as string);
        recent.set(key, { until: t + windowMs, left: 0 });
      }
      write(
        `${JSON.stringify({
          level: lvl,
          time: new Date().toISOString(),
          msg: message,
          ...line,
          ...(repeated > 0 && { repeated }),
        })}\n`,
      );
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
