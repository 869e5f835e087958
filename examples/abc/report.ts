/** Prints the event table as in the seed's example, and a summary per message type and status. */
import type { Eventyard, MessageRow, StatusCount } from '../../src/index.js';

const isoTime = (ms: number): string => new Date(ms).toISOString();

const COLUMNS = [
  'EVENT_ID',
  'MESSAGE_TYPE',
  'STATUS',
  'ATTEMPTS',
  'CREATED_BY',
  'CREATED_DTTM',
  'UPDATED_BY',
  'UPDATED_DTTM',
];

export function eventTable(rows: readonly MessageRow[]): string {
  const lines = rows.map((r) => [
    r.eventId,
    r.messageType,
    r.status,
    String(r.attempts),
    r.createdBy,
    isoTime(r.createdAt),
    r.updatedBy,
    isoTime(r.updatedAt),
  ]);
  return markdownTable(COLUMNS, lines);
}

export function summaryTable(counts: readonly StatusCount[]): string {
  const statuses = ['UNPROCESSED', 'IN_PROGRESS', 'COMPLETED', 'ERROR', 'RETRY', 'FAILED'] as const;
  const types = [...new Set(counts.map((c) => c.messageType))];
  const lines = types.map((type) => [
    type,
    ...statuses.map((s) => String(counts.find((c) => c.messageType === type && c.status === s)?.count ?? 0)),
  ]);
  return markdownTable(['MESSAGE_TYPE', ...statuses], lines);
}

function markdownTable(header: readonly string[], lines: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const row = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [row(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(row)].join('\n');
}

/** Every row of the first events, plus every row of up to `retried` events that needed a retry. */
export async function sampleRows(app: Eventyard, events: number, retried: number): Promise<MessageRow[]> {
  const first = await app.list({ messageType: 'IN_ORDER', limit: events });
  const retriedRows: MessageRow[] = [];
  for (let after: string | undefined, page; retriedRows.length < retried; after = page.next ?? undefined) {
    page = await app.list({ messageType: 'RQ_B_STP', limit: 1000, after });
    retriedRows.push(...page.rows.filter((r) => r.attempts > 1).slice(0, retried - retriedRows.length));
    if (page.next === null) break;
  }
  const eventIds = [...new Set([...first.rows, ...retriedRows].map((r) => r.eventId))];
  const rows: MessageRow[] = [];
  for (const eventId of eventIds) rows.push(...(await app.list({ eventId, limit: 100 })).rows);
  return rows;
}
