/**
 * A store filled with a known mix of rows for the CLI, API and browser tests, written through
 * the store port like services would:
 *
 * - `completed` events that went IN_ORDER (UPSTREAM → SERVICE_A) → RQ_B_STP (→ SERVICE_B),
 *   all COMPLETED, with working data;
 * - `failed` RQ_B_STP rows FAILED with `Error: card declined for order <n>` (one error group),
 *   and `timeouts` FAILED with `EY_HANDLER_TIMEOUT: handler ran past 5000 ms` (another group);
 * - one RQ_B_STP row in ERROR (retry pending) and `waiting` IN_ORDER rows UNPROCESSED;
 * - one event (`xssEventId`) whose payload, LAST_ERROR and working data hold XSS probes.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, NewMessage } from '../../src/store/index.js';

export const XSS_SCRIPT = '<script>window.__xss = "script"</script>';
export const XSS_IMG = '"><img src=x onerror="window.__xss = \'img\'">';

export interface OpsFixture {
  readonly completedEventIds: readonly string[];
  readonly failedEventIds: readonly string[];
  readonly timeoutEventIds: readonly string[];
  readonly errorEventId: string;
  readonly waitingEventIds: readonly string[];
  readonly xssEventId: string;
}

export interface OpsFixtureCounts {
  readonly completed: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly waiting: number;
}

const msg = (eventId: string, messageType: string, createdBy: string, payload?: unknown): NewMessage => ({
  eventId,
  messageType,
  table: messageType.startsWith('IN_') ? 'inbound' : 'request',
  payload: payload === undefined ? undefined : JSON.stringify(payload),
  maxAttempts: 3,
  createdBy,
  traceparent: `00-${eventId.replace(/-/g, '')}-00f067aa0ba902b7-01`,
});

async function claimAll(store: EventStore, table: 'inbound' | 'request', type: string, service: string, limit: number) {
  const rows = await store.claim({
    table,
    messageTypes: [type],
    limit,
    owner: `${service}/host/1/abcd`,
    updatedBy: service,
    leaseMs: 60_000,
  });
  return rows;
}

const ref = (c: {
  table: 'inbound' | 'request' | 'response' | 'outbound';
  eventId: string;
  messageType: string;
  claimToken: string;
}) => ({
  table: c.table,
  eventId: c.eventId,
  messageType: c.messageType,
  claimToken: c.claimToken,
});

export async function seedOpsFixture(store: EventStore, counts: OpsFixtureCounts): Promise<OpsFixture> {
  const ids = (n: number): string[] => Array.from({ length: n }, () => randomUUID());
  const completedEventIds = ids(counts.completed);
  const failedEventIds = ids(counts.failed);
  const timeoutEventIds = ids(counts.timeouts);
  const errorEventId = randomUUID();
  const xssEventId = randomUUID();
  const flowing = [...completedEventIds, ...failedEventIds, ...timeoutEventIds, errorEventId, xssEventId];
  const n = (id: string): number => flowing.indexOf(id);

  await store.publish(
    flowing.map((id) =>
      msg(
        id,
        'IN_ORDER',
        'UPSTREAM',
        id === xssEventId ? { note: XSS_SCRIPT, name: XSS_IMG } : { orderId: `o-${n(id)}`, amount: 10 + n(id) },
      ),
    ),
  );
  const a = await claimAll(store, 'inbound', 'IN_ORDER', 'SERVICE_A', flowing.length);
  await store.complete(
    a.map((c) => ({
      ref: ref(c),
      updatedBy: 'SERVICE_A',
      emits: [msg(c.eventId, 'RQ_B_STP', 'SERVICE_A')],
      workingData: [
        {
          eventId: c.eventId,
          name: c.eventId === xssEventId ? XSS_IMG : 'a.checked',
          value: JSON.stringify(c.eventId === xssEventId ? XSS_SCRIPT : true),
        },
      ],
    })),
  );
  const b = await claimAll(store, 'request', 'RQ_B_STP', 'SERVICE_B', flowing.length);
  const byId = new Map(b.map((c) => [c.eventId, c]));
  const take = (id: string) => ref(byId.get(id) as (typeof b)[number]);
  await store.complete(
    completedEventIds.map((id) => ({ ref: take(id), updatedBy: 'SERVICE_B', emits: [], workingData: [] })),
  );
  await store.fail([
    ...failedEventIds.map((id) => ({
      ref: take(id),
      updatedBy: 'SERVICE_B',
      error: `Error: card declined for order ${n(id)}\n    at charge (b.ts:10:5)`,
      retryDelayMs: null,
    })),
    ...timeoutEventIds.map((id) => ({
      ref: take(id),
      updatedBy: 'SERVICE_B',
      error: 'EY_HANDLER_TIMEOUT: handler ran past 5000 ms',
      retryDelayMs: null,
    })),
    { ref: take(errorEventId), updatedBy: 'SERVICE_B', error: 'Error: upstream 503', retryDelayMs: 3_600_000 },
    { ref: take(xssEventId), updatedBy: 'SERVICE_B', error: `Error: ${XSS_IMG} ${XSS_SCRIPT}`, retryDelayMs: null },
  ]);
  const waitingEventIds = ids(counts.waiting);
  await store.publish(waitingEventIds.map((id) => msg(id, 'IN_ORDER', 'UPSTREAM', { orderId: 'waiting', amount: 1 })));
  return { completedEventIds, failedEventIds, timeoutEventIds, errorEventId, waitingEventIds, xssEventId };
}
