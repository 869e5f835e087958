/**
 * What operators read: the status table (counts per table, message type and status, with
 * the age of the oldest waiting row per type), one event's whole story, and errors grouped
 * by code and message. Computed from the store port's reads only.
 */
import { isEventyardError } from '../core/errors.js';
import { normalizeEventId } from '../core/identifiers.js';
import { ALL_TABLES, type Table } from '../core/message-type.js';
import { ALL_STATUSES, Status } from '../core/status.js';
import type { EventStore, MessageRow } from '../store/port.js';
import { rowsOfEvent, scanRows, type RowQuery } from './row-query.js';

/** Rows that wait for a processor: not yet claimed, or released for another attempt. */
export const WAITING: readonly Status[] = [Status.UNPROCESSED, Status.RETRY, Status.ERROR];

export interface TypeSummary {
  readonly table: Table;
  readonly messageType: string;
  /** Count per status; every status is present (0 when none). */
  readonly counts: Readonly<Record<Status, number>>;
  readonly total: number;
  /** Store-clock ms since the oldest waiting row (UNPROCESSED, RETRY, ERROR) was created; null when none waits. */
  readonly oldestWaitingAgeMs: number | null;
}

export interface StatusSummary {
  /** The store's clock when read (epoch ms). */
  readonly at: number;
  readonly types: readonly TypeSummary[];
  readonly totals: Readonly<Record<Status, number>>;
}

const zeroCounts = (): Record<Status, number> =>
  Object.fromEntries(ALL_STATUSES.map((s) => [s, 0])) as Record<Status, number>;

export async function statusSummary(
  store: EventStore,
  filter: { table?: Table | undefined } = {},
): Promise<StatusSummary> {
  const [at, counts] = await Promise.all([store.now(), store.countByStatus(filter)]);
  const byType = new Map<string, { table: Table; counts: Record<Status, number> }>();
  const totals = zeroCounts();
  for (const c of counts) {
    const key = `${c.table}\u0000${c.messageType}`;
    const entry = byType.get(key) ?? { table: c.table, counts: zeroCounts() };
    entry.counts[c.status] += c.count;
    totals[c.status] += c.count;
    byType.set(key, entry);
  }
  const types = await Promise.all(
    [...byType.entries()].map(async ([key, entry]): Promise<TypeSummary> => {
      const messageType = key.split('\u0000')[1] as string;
      const waiting = WAITING.some((s) => entry.counts[s] > 0);
      const oldest = waiting
        ? (await store.list({ table: entry.table, messageType, statuses: WAITING, limit: 1 })).rows[0]
        : undefined;
      return {
        table: entry.table,
        messageType,
        counts: entry.counts,
        total: Object.values(entry.counts).reduce((a, b) => a + b, 0),
        oldestWaitingAgeMs: oldest === undefined ? null : Math.max(0, at - oldest.createdAt),
      };
    }),
  );
  types.sort(
    (a, b) => ALL_TABLES.indexOf(a.table) - ALL_TABLES.indexOf(b.table) || a.messageType.localeCompare(b.messageType),
  );
  return { at, types, totals };
}

export interface EventStory {
  readonly eventId: string;
  /** Every message row of the event, oldest first. */
  readonly rows: readonly MessageRow[];
  /** The payload JSON text, or null. */
  readonly payload: string | null;
  /** Working data, name → JSON text. */
  readonly workingData: Readonly<Record<string, string>>;
}

/** The event's whole story, or null when no row and no payload has this id. */
export async function eventStory(store: EventStore, id: string): Promise<EventStory | null> {
  let eventId: string;
  try {
    eventId = normalizeEventId(id); // what is not a UUID names no event
  } catch (error) {
    if (isEventyardError(error)) return null;
    throw error;
  }
  const [rows, payload, workingData] = await Promise.all([
    rowsOfEvent(store, eventId),
    store.getPayload(eventId),
    store.getWorkingData(eventId),
  ]);
  if (rows.length === 0 && payload === null) return null;
  return { eventId, rows, payload, workingData: Object.fromEntries(workingData) };
}

export interface ErrorGroup {
  /** The error code: LAST_ERROR's text before the first `: ` (e.g. `EY_LEASE_LOST`, `Error`). */
  readonly code: string;
  /** The first line's message with ids and numbers replaced by `#`, the grouping key with `code`. */
  readonly message: string;
  /** One full first line, as stored. */
  readonly example: string;
  readonly count: number;
  readonly messageTypes: readonly string[];
  readonly statuses: readonly Status[];
  readonly lastAt: number;
  /** The rows of the group (for bulk re-drive). */
  readonly rows: readonly { readonly eventId: string; readonly messageType: string }[];
}

const ID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{16,}\b|\d+(?:\.\d+)?/gi;

export function splitLastError(text: string): { code: string; message: string; firstLine: string } {
  const firstLine = text.split('\n', 1)[0] ?? '';
  const colon = firstLine.indexOf(': ');
  const code = colon > 0 && colon <= 64 && !firstLine.slice(0, colon).includes(' ') ? firstLine.slice(0, colon) : '';
  const message = code === '' ? firstLine : firstLine.slice(colon + 2);
  return { code, message, firstLine };
}

/** ERROR and FAILED rows (or `query.statuses`) grouped by error code and message, largest group first. */
export async function errorGroups(
  store: EventStore,
  query: RowQuery = {},
  cap = 10_000,
): Promise<{ groups: ErrorGroup[]; scanned: number; truncated: boolean }> {
  const statuses = query.statuses ?? [Status.ERROR, Status.FAILED];
  const { rows, truncated } = await scanRows(store, { ...query, statuses }, cap);
  const groups = new Map<
    string,
    { g: Omit<ErrorGroup, 'messageTypes' | 'statuses'>; types: Set<string>; st: Set<Status> }
  >();
  for (const row of rows) {
    const { code, message, firstLine } = splitLastError(row.lastError ?? '');
    const normal = message.replace(ID_LIKE, '#');
    const key = `${code}\u0000${normal}`;
    const entry = groups.get(key) ?? {
      g: { code, message: normal, example: firstLine, count: 0, lastAt: 0, rows: [] },
      types: new Set<string>(),
      st: new Set<Status>(),
    };
    entry.g = {
      ...entry.g,
      count: entry.g.count + 1,
      lastAt: Math.max(entry.g.lastAt, row.updatedAt),
    };
    (entry.g.rows as { eventId: string; messageType: string }[]).push({
      eventId: row.eventId,
      messageType: row.messageType,
    });
    entry.types.add(row.messageType);
    entry.st.add(row.status);
    groups.set(key, entry);
  }
  const list = [...groups.values()].map(({ g, types, st }) => ({
    ...g,
    messageTypes: [...types].sort(),
    statuses: [...st].sort(),
  }));
  list.sort((a, b) => b.count - a.count || b.lastAt - a.lastAt);
  return { groups: list, scanned: rows.length, truncated };
}
