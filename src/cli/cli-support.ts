/**
 * What every CLI command shares: the store URL, filters from flags, durations and times,
 * exit codes, and errors printed without stack traces.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { ErrorCode, EventyardError, isEventyardError } from '../core/errors.js';
import { ALL_TABLES, type Table } from '../core/message-type.js';
import { isStatus, type Status } from '../core/status.js';
import type { EventStore } from '../store/port.js';
import { openStoreFromUrl } from '../ops/connect.js';
import type { RowQuery } from '../ops/row-query.js';

/** Process exit codes; docs/operations.md lists them. */
export const ExitCode = {
  OK: 0,
  /** The store failed or something unexpected happened. */
  FAILURE: 1,
  /** Bad flags or arguments, a missing --url, a bulk action without a filter or --all. */
  USAGE: 2,
  /** `show`: no such event. */
  NOT_FOUND: 3,
  /** A confirmation was declined, or needed and stdin is not a terminal (use --yes). */
  DECLINED: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const usage = (message: string): CliError => new CliError(message, ExitCode.USAGE);

export interface CommonFlags {
  readonly url?: string;
  readonly json?: boolean;
}

export function withUrl(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'store URL: sqlite:./app.db, redis://host:6379?prefix=eventyard (default: $EVENTYARD_URL)')
    .option('--json', 'print JSON for scripts instead of tables');
}

export function withFilters(cmd: Command): Command {
  return cmd
    .option('--table <table>', `only this table (${ALL_TABLES.join(', ')})`)
    .option('--type <messageType>', 'only this message type')
    .option('--status <statuses>', 'only these statuses, comma-separated (e.g. FAILED,ERROR)')
    .option('--event <eventId>', 'only this event')
    .option('--since <time>', 'created at or after: ISO time or an age such as 30m, 2h, 7d')
    .option('--until <time>', 'created before: ISO time or an age')
    .option('--error <text>', 'LAST_ERROR contains this text (case-insensitive)');
}

export interface FilterFlags {
  readonly table?: string;
  readonly type?: string;
  readonly status?: string;
  readonly event?: string;
  readonly since?: string;
  readonly until?: string;
  readonly error?: string;
}

const nonEmpty = (flag: string, v: string | undefined): string | undefined => {
  if (v === undefined) return undefined;
  if (v.trim() === '') throw usage(`--${flag} must not be empty`);
  return v.trim();
};

export function parseStatuses(text: string | undefined): Status[] | undefined {
  const v = nonEmpty('status', text);
  if (v === undefined) return undefined;
  return v.split(',').map((s) => {
    const status = s.trim().toUpperCase();
    if (!isStatus(status)) throw usage(`unknown status ${JSON.stringify(s)}`);
    return status;
  });
}

export function parseTable(text: string | undefined): Table | undefined {
  const v = nonEmpty('table', text);
  if (v === undefined) return undefined;
  if (!(ALL_TABLES as readonly string[]).includes(v))
    throw usage(`unknown table ${JSON.stringify(v)} (${ALL_TABLES.join(', ')})`);
  return v as Table;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `30s`, `15m`, `2h`, `7d` → ms. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (m === null) throw usage(`--${flag}: expected a duration such as 30s, 15m, 2h, 7d (got ${JSON.stringify(text)})`);
  return Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
}

/** An ISO time, or an age (`2h` = two hours before now). */
export function parseTime(flag: string, text: string | undefined, now: number): number | undefined {
  const v = nonEmpty(flag, text);
  if (v === undefined) return undefined;
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d)$/.test(v)) return now - parseDuration(flag, v);
  const at = Date.parse(v);
  if (Number.isNaN(at)) throw usage(`--${flag}: expected an ISO time or an age such as 2h (got ${JSON.stringify(v)})`);
  return at;
}

export function parseFilters(flags: FilterFlags, now: number): RowQuery {
  const q: RowQuery = {
    table: parseTable(flags.table),
    messageType: nonEmpty('type', flags.type),
    statuses: parseStatuses(flags.status),
    eventId: nonEmpty('event', flags.event),
    since: parseTime('since', flags.since, now),
    until: parseTime('until', flags.until, now),
    errorText: nonEmpty('error', flags.error),
  };
  return Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined));
}

export function parseLimit(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1 || n > 10_000)
    throw usage(`--limit: expected 1..10000 (got ${JSON.stringify(text)})`);
  return n;
}

export function storeUrl(flags: CommonFlags): string {
  const url = flags.url ?? process.env.EVENTYARD_URL;
  if (url === undefined || url === '')
    throw usage('no store: give --url sqlite:./app.db (or redis://...), or set EVENTYARD_URL');
  return url;
}

/** Opens the store named by --url / EVENTYARD_URL, runs `fn`, and always closes it. */
export async function withStore<T>(flags: CommonFlags, fn: (store: EventStore) => Promise<T>): Promise<T> {
  const store = await openStoreFromUrl(storeUrl(flags));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Asks on the terminal; without one, declines (the caller says to use --yes). */
export async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new CliError(`${question} needs confirmation: stdin is not a terminal, pass --yes`, ExitCode.DECLINED);
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The message and exit code for an error reaching the top: no stack traces. */
export function describeFailure(error: unknown): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (isEventyardError(error)) {
    const exitCode = error.code === ErrorCode.INVALID_OPTION ? ExitCode.USAGE : ExitCode.FAILURE;
    return { message: `${error.code}: ${error.message}`, exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, exitCode: ExitCode.FAILURE };
}

export { EventyardError };
