/**
 * Parks an ordering key through the store port, as a service whose handler failed for good
 * would: `1 + waiting` RQ_LEDGER rows of one key are published, the head is claimed and
 * failed with `error` (FAILED), and the rest wait behind it.
 */
import { randomUUID } from 'node:crypto';
import type { EventStore, NewMessage } from '../../src/store/index.js';

export interface ParkedFixture {
  readonly headEventId: string;
  readonly waitingEventIds: readonly string[];
}

export async function parkKey(
  store: EventStore,
  orderingKey: string,
  waiting: number,
  error = 'ledger closed',
): Promise<ParkedFixture> {
  const rows: NewMessage[] = Array.from({ length: waiting + 1 }, (_, n) => ({
    eventId: randomUUID(),
    messageType: 'RQ_LEDGER',
    table: 'request',
    payload: JSON.stringify({ n }),
    maxAttempts: 1,
    orderingKey,
    createdBy: 'SERVICE_A',
  }));
  for (const row of rows) await store.publish([row]);
  const [head] = await store.claim({
    table: 'request',
    messageTypes: ['RQ_LEDGER'],
    limit: 100,
    owner: 'SERVICE_B/host/1/park',
    updatedBy: 'SERVICE_B',
    leaseMs: 60_000,
  });
  if (head === undefined || head.eventId !== rows[0]?.eventId)
    throw new Error(`parkKey: claimed ${head?.eventId}, not the key's head`);
  const ref = { table: head.table, eventId: head.eventId, messageType: head.messageType, claimToken: head.claimToken };
  await store.fail([{ ref, updatedBy: 'SERVICE_B', error, retryDelayMs: null }]);
  return { headEventId: head.eventId, waitingEventIds: rows.slice(1).map((r) => r.eventId) };
}
