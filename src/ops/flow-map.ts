/**
 * The flow map: which service writes each message type and which service handles it,
 * learned from the rows (CREATED_BY of a type's rows; UPDATED_BY of its rows a processor
 * claimed, completed or failed). A type whose handler has not been seen yet points to its
 * table's far side: `(handler not seen yet)`, or `downstream` for outbound types.
 */
import type { Table } from '../core/message-type.js';
import { Status } from '../core/status.js';
import type { EventStore, MessageRow } from '../store/port.js';
import type { CountHistory } from './count-history.js';

export interface FlowEdge {
  readonly messageType: string;
  readonly table: Table;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  /** Rows in ERROR or FAILED now. */
  readonly errors: number;
  readonly counts: Readonly<Partial<Record<Status, number>>>;
  /** Rows completed per minute over the last five minutes (0 until the console has two samples). */
  readonly completedPerMin: number;
}

export interface FlowMap {
  readonly nodes: readonly string[];
  readonly edges: readonly FlowEdge[];
}

const SAMPLE = 50;
const HANDLED: readonly Status[] = [Status.IN_PROGRESS, Status.COMPLETED, Status.FAILED];

const mostCommon = (values: readonly string[]): string | undefined => {
  const n = new Map<string, number>();
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1);
  return [...n.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
};

const farSide = (table: Table): string => (table === 'outbound' ? 'downstream' : '(handler not seen yet)');

export async function flowMap(store: EventStore, history?: CountHistory): Promise<FlowMap> {
  const counts = await store.countByStatus();
  const types = new Map<string, { table: Table; counts: Partial<Record<Status, number>> }>();
  for (const c of counts) {
    const t = types.get(c.messageType) ?? { table: c.table, counts: {} };
    t.counts[c.status] = (t.counts[c.status] ?? 0) + c.count;
    types.set(c.messageType, t);
  }
  const edges = await Promise.all(
    [...types.entries()].map(async ([messageType, t]): Promise<FlowEdge> => {
      const [recent, handled] = await Promise.all([
        store.list({ messageType, table: t.table, limit: SAMPLE }),
        store.list({ messageType, table: t.table, statuses: HANDLED, limit: SAMPLE }),
      ]);
      const from = mostCommon(recent.rows.map((r: MessageRow) => r.createdBy)) ?? '?';
      const to = mostCommon(handled.rows.map((r: MessageRow) => r.updatedBy)) ?? farSide(t.table);
      const total = Object.values(t.counts).reduce((a, b) => a + b, 0);
      return {
        messageType,
        table: t.table,
        from,
        to,
        total,
        errors: (t.counts.ERROR ?? 0) + (t.counts.FAILED ?? 0),
        counts: t.counts,
        completedPerMin: history?.ratePerMinute(messageType, Status.COMPLETED) ?? 0,
      };
    }),
  );
  edges.sort((a, b) => a.messageType.localeCompare(b.messageType));
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  return { nodes, edges };
}
