/** Pre-loads a store with a backlog of 1 KB events for the probes in this folder. */
import { randomUUID } from 'node:crypto';
import type { ClaimedMessage, ClaimRequest, EventStore, NewMessage } from '../../src/store/port.js';

/** The payload every probe event carries: about 1 KB of JSON. */
export const PROBE_PAYLOAD = JSON.stringify({ seq: 0, data: 'x'.repeat(1000) });

/**
 * Publishes `count` events (random UUIDv4 ids) `batch` at a time, all of one type; with
 * `orderingKeys` > 0, event n has ORDERING_KEY `k<n mod orderingKeys>`.
 */
export async function publishBacklog(
  store: Pick<EventStore, 'publish'>,
  count: number,
  shape: Pick<NewMessage, 'messageType' | 'table' | 'createdBy'> & {
    readonly batch?: number;
    readonly orderingKeys?: number;
  },
): Promise<void> {
  const { batch = 1000, orderingKeys = 0, ...fields } = shape;
  for (let i = 0; i < count; i += batch) {
    await store.publish(
      Array.from({ length: Math.min(batch, count - i) }, (_, j) => ({
        ...fields,
        ...(orderingKeys > 0 ? { orderingKey: `k${(i + j) % orderingKeys}` } : {}),
        eventId: randomUUID(),
        payload: PROBE_PAYLOAD,
        maxAttempts: 5,
      })),
    );
  }
}

/** Claims with `request` until a claim comes back empty; every row claimed, in claim order. */
export async function claimAll(store: Pick<EventStore, 'claim'>, request: ClaimRequest): Promise<ClaimedMessage[]> {
  const claimed: ClaimedMessage[] = [];
  for (;;) {
    const rows = await store.claim(request);
    if (rows.length === 0) return claimed;
    claimed.push(...rows);
  }
}
