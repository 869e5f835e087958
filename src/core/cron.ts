/**
 * Cron expressions, parsed once by croner (a maintained parser with no dependencies of its
 * own): 5 fields (minute precision), 6 fields (seconds first) or a nickname (`@daily`), in
 * an IANA time zone. Pure: the caller passes the time (the store's clock) and gets slots
 * back, as epoch milliseconds.
 *
 * Glossary
 * - **slot**: one time the expression names ("02:00 on 2026-03-05 in Europe/Paris"), as
 *   epoch ms. A schedule fires once per slot.
 */
import { Cron } from 'croner';
import { ErrorCode, EventyardError } from './errors.js';

export interface CronSchedule {
  /** The expression as declared. */
  readonly expression: string;
  /** The IANA time zone the fields are read in. */
  readonly timezone: string;
  /** The latest slot at or before `ms`, or null when there is none (a year field in the future). */
  latestAtOrBefore(ms: number): number | null;
  /** Up to `count` slots strictly before `ms`, newest first. */
  slotsBefore(ms: number, count: number): readonly number[];
  /** The first slot strictly after `ms`, or null when none is left. */
  nextAfter(ms: number): number | null;
}

const MAX_EXPRESSION_LENGTH = 256;

/** Throws EY_INVALID_TIMEZONE unless `timezone` is an IANA zone the runtime's Intl knows. */
export function checkTimezone(timezone: unknown, where: string): string {
  if (typeof timezone !== 'string' || timezone.length === 0 || timezone.length > 64) {
    throw new EventyardError(ErrorCode.INVALID_TIMEZONE, `${where}: timezone must be an IANA time zone name`, {
      details: { timezone },
    });
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (cause) {
    throw new EventyardError(
      ErrorCode.INVALID_TIMEZONE,
      `${where}: unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as "Europe/Paris" or "UTC")`,
      { cause, details: { timezone } },
    );
  }
  return timezone;
}

/**
 * Parses `expression` in `timezone`. EY_INVALID_CRON when it cannot be parsed or names no
 * time that will ever come (`0 0 30 2 *`); EY_INVALID_TIMEZONE for an unknown zone.
 */
export function parseCron(expression: unknown, timezone: unknown, where: string, now = Date.now()): CronSchedule {
  const zone = checkTimezone(timezone, where);
  if (typeof expression !== 'string' || expression.trim() === '' || expression.length > MAX_EXPRESSION_LENGTH) {
    throw new EventyardError(
      ErrorCode.INVALID_CRON,
      `${where}: cron must be a non-empty string of at most ${MAX_EXPRESSION_LENGTH} characters`,
      { details: { cron: typeof expression === 'string' ? expression.slice(0, 80) : typeof expression } },
    );
  }
  let cron: Cron;
  try {
    // 'auto' accepts 5 fields, 6 (seconds first) and 7 (with a year); paused: no timer of its own.
    cron = new Cron(expression, { timezone: zone, paused: true, mode: 'auto' });
  } catch (cause) {
    throw new EventyardError(
      ErrorCode.INVALID_CRON,
      `${where}: cannot parse cron ${JSON.stringify(expression)}: ${(cause as Error).message}`,
      { cause, details: { cron: expression } },
    );
  }
  if (cron.nextRun(new Date(now)) === null) {
    throw new EventyardError(ErrorCode.INVALID_CRON, `${where}: cron ${JSON.stringify(expression)} never fires`, {
      details: { cron: expression },
    });
  }
  return {
    expression,
    timezone: zone,
    latestAtOrBefore: (ms) => cron.previousRuns(1, new Date(ms + 1))[0]?.getTime() ?? null,
    slotsBefore: (ms, count) => cron.previousRuns(count, new Date(ms)).map((d) => d.getTime()),
    nextAfter: (ms) => cron.nextRun(new Date(ms))?.getTime() ?? null,
  };
}
