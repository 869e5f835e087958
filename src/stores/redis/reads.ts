/**
 * Inspection: list (paged, oldest CREATED_DTTM first across partitions), countByStatus (from
 * the per-partition counters, no row scan), payloads and working data.
 *
 * `list` asks each partition for its first `limit` matching rows after the cursor (a
 * read-only script that scans at most LIST_BUDGET index entries per call, so a filter that
 * matches little never blocks Redis for long), merges them and keeps the oldest `limit`.
 * The cursor is the last returned row's `createdAt:rowId`.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { ListPage, ListRequest, MessageRow, RowFilter, StatusCount } from '../../store/port.js';
import { ALL_TABLES, type Table } from '../../core/message-type.js';
import { isStatus } from '../../core/status.js';
import { asArray, asNumber, asText, byteCompare, decodeRows } from './codec.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';

/** Index entries one list script call may scan. */
const LIST_BUDGET = 2000;

interface Cursor {
  readonly score: string;
  readonly id: string;
}

const rowIdOf = (r: MessageRow): string => `${r.messageType}:${r.eventId}`;
const rowOrder = (a: MessageRow, b: MessageRow): number =>
  a.createdAt - b.createdAt || byteCompare(rowIdOf(a), rowIdOf(b));

function parseCursor(after: string | undefined): Cursor | undefined {
  if (after === undefined) return undefined;
  const at = after.indexOf(':');
  const score = after.slice(0, at);
  if (at <= 0 || !/^\d+$/.test(score)) {
    throw new EventyardError(ErrorCode.INVALID_CURSOR, `invalid list cursor ${JSON.stringify(after)}`);
  }
  return { score, id: after.slice(at + 1) };
}

export class RowReads {
  constructor(
    private readonly conn: RedisConnection,
    private readonly layout: KeyLayout,
  ) {}

  async list(request: ListRequest): Promise<ListPage> {
    const limit = Math.max(1, Math.floor(request.limit));
    const cursor = parseCursor(request.after);
    // An event's keyed rows live in their keys' partitions: by EVENT_ID every partition is asked.
    const partitions =
      request.eventId === undefined
        ? this.layout.bases.map((_, p) => p)
        : this.layout.partitionsForEvent(request.eventId);
    const results = await Promise.all(partitions.map((p) => this.#listPartition(p, request, limit, cursor)));
    const merged = results.flatMap((r) => r.rows).sort(rowOrder);
    const page = merged.slice(0, limit);
    const more = merged.length > limit || results.some((r) => r.more);
    const last = page[page.length - 1];
    return { rows: page, next: more && last !== undefined ? `${last.createdAt}:${rowIdOf(last)}` : null };
  }

  async #listPartition(
    partition: number,
    filter: RowFilter,
    limit: number,
    cursor: Cursor | undefined,
  ): Promise<{ rows: MessageRow[]; more: boolean }> {
    const rows: MessageRow[] = [];
    let position = cursor;
    const statuses = filter.statuses === undefined ? '' : `,${filter.statuses.join(',')},`;
    if (filter.statuses !== undefined && filter.statuses.length === 0) return { rows, more: false };
    for (;;) {
      const reply = asArray(
        await this.conn.script(
          'listRows',
          [this.layout.routeKey(partition)],
          [
            position?.score ?? '',
            position?.id ?? '',
            limit - rows.length,
            LIST_BUDGET,
            filter.table ?? '',
            filter.messageType ?? '',
            statuses,
            filter.eventId ?? '',
          ],
        ),
        'list',
      );
      rows.push(...decodeRows(reply, 3));
      const done = asNumber(reply[0], 'done') === 1;
      if (done) return { rows, more: false };
      if (rows.length >= limit) return { rows, more: true };
      position = { score: asText(reply[1], 'score'), id: asText(reply[2], 'id') };
    }
  }

  async countByStatus(filter: RowFilter = {}): Promise<StatusCount[]> {
    if (filter.eventId !== undefined) return this.#countEvent(filter);
    const hashes = await Promise.all(this.layout.routeKeys.map((key) => this.conn.run('count', (c) => c.hgetall(key))));
    const totals = new Map<string, number>();
    for (const hash of hashes) {
      for (const [field, value] of Object.entries(hash)) totals.set(field, (totals.get(field) ?? 0) + Number(value));
    }
    const counts: StatusCount[] = [];
    for (const [field, count] of totals) {
      const [table, messageType, status] = field.split(' ');
      if (count <= 0 || !ALL_TABLES.includes(table as Table) || !isStatus(status) || messageType === undefined)
        continue;
      if (filter.table !== undefined && filter.table !== table) continue;
      if (filter.messageType !== undefined && filter.messageType !== messageType) continue;
      if (filter.statuses !== undefined && !filter.statuses.includes(status)) continue;
      counts.push({ table: table as Table, messageType, status, count });
    }
    return counts;
  }

  async #countEvent(filter: RowFilter): Promise<StatusCount[]> {
    const results = await Promise.all(
      this.layout
        .partitionsForEvent(filter.eventId as string)
        .map((p) => this.#listPartition(p, filter, 100_000, undefined)),
    );
    const rows = results.flatMap((r) => r.rows);
    const counts = new Map<string, StatusCount>();
    for (const r of rows) {
      const key = `${r.table} ${r.messageType} ${r.status}`;
      const count = (counts.get(key)?.count ?? 0) + 1;
      counts.set(key, { table: r.table, messageType: r.messageType, status: r.status, count });
    }
    return [...counts.values()];
  }

  /** From the event's partition; else from a keyed row's partition (a copy lives with each). */
  async getPayload(eventId: string): Promise<string | null> {
    const own = await this.conn.run('getPayload', (c) => c.get(this.layout.payloadKey(eventId)));
    if (own !== null || this.layout.partitions === 1) return own;
    const others = this.layout.partitionsForEvent(eventId).slice(1);
    const found = await Promise.all(
      others.map((p) => this.conn.run('getPayload', (c) => c.get(`${this.layout.base(p)}:p:${eventId}`))),
    );
    return found.find((v) => v !== null) ?? null;
  }

  async getWorkingData(eventId: string): Promise<ReadonlyMap<string, string>> {
    // A flat reply, not ioredis' object form: a working-data name may be any string.
    const flat = asArray(
      await this.conn.run('getWorkingData', (c) => c.call('HGETALL', this.layout.eventKey(eventId))),
      'working data',
    );
    const data = new Map<string, string>();
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const field = asText(flat[i], 'field');
      if (field.startsWith('w:')) data.set(field.slice(2), asText(flat[i + 1], 'value'));
    }
    return data;
  }

  async now(): Promise<number> {
    const [seconds, micros] = await this.conn.run('time', (c) => c.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }
}
