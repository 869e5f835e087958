/**
 * Builders and probes for store tests: messages with sensible defaults, claim shortcuts,
 * and reads of one row or of every row, all through the store port.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Table } from '../core/message-type.js';
import type { Status } from '../core/status.js';
import type {
  ClaimedMessage,
  ClaimRequest,
  EventStore,
  LeaseRef,
  MessageRow,
  NewMessage,
  RowFilter,
} from '../store/port.js';

/** The message type and table the suite uses unless a case says otherwise. */
export const TEST_TYPE = 'RQ_CONFORMANCE';
export const TEST_TABLE: Table = 'request';
export const TEST_SERVICE = 'SERVICE_CONFORMANCE';

/** A message to publish: a new event id, {@link TEST_TYPE}, a small payload, 3 attempts. */
export function newMessage(overrides: Partial<NewMessage> = {}): NewMessage {
  return {
    eventId: randomUUID(),
    messageType: TEST_TYPE,
    table: TEST_TABLE,
    payload: JSON.stringify({ amount: 1 }),
    maxAttempts: 3,
    createdBy: TEST_SERVICE,
    ...overrides,
  };
}

/** A claim request of {@link TEST_TYPE} in {@link TEST_TABLE}; override what you need. */
export function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    table: TEST_TABLE,
    messageTypes: [TEST_TYPE],
    limit: 10,
    owner: `${TEST_SERVICE}/conformance/${randomUUID()}`,
    updatedBy: TEST_SERVICE,
    leaseMs: 30_000,
    ...overrides,
  };
}

/** What a holder presents for a claimed row. */
export function leaseRefOf(claimed: ClaimedMessage): LeaseRef {
  return {
    table: claimed.table,
    eventId: claimed.eventId,
    messageType: claimed.messageType,
    claimToken: claimed.claimToken,
    orderingKey: claimed.orderingKey,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Claims and asserts that exactly one row came back. */
export async function claimOne(store: EventStore, overrides: Partial<ClaimRequest> = {}): Promise<ClaimedMessage> {
  const claimed = await store.claim(claimRequest({ limit: 1, ...overrides }));
  assert.equal(claimed.length, 1, `expected one claimed row, got ${claimed.length}`);
  return claimed[0] as ClaimedMessage;
}

/** Claims and asserts that nothing came back. */
export async function claimNone(store: EventStore, overrides: Partial<ClaimRequest> = {}): Promise<void> {
  const claimed = await store.claim(claimRequest({ limit: 100, ...overrides }));
  assert.deepEqual(
    claimed.map((c) => `${c.eventId}/${c.messageType}/${c.status}`),
    [],
    'expected nothing claimable',
  );
}

/** Every row matching the filter, through all pages. */
export async function listAll(store: EventStore, filter: RowFilter = {}): Promise<MessageRow[]> {
  const rows: MessageRow[] = [];
  let after: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await store.list({ ...filter, limit: 500, after });
    rows.push(...result.rows);
    if (result.next === null) return rows;
    after = result.next;
  }
  throw new Error('list did not end after 10,000 pages');
}

/** The row `(eventId, messageType)`, or undefined when it does not exist. */
export async function findRow(
  store: EventStore,
  eventId: string,
  messageType: string = TEST_TYPE,
): Promise<MessageRow | undefined> {
  const rows = await listAll(store, { eventId, messageType });
  assert.ok(rows.length <= 1, `(${eventId}, ${messageType}) is not unique: ${rows.length} rows`);
  return rows[0];
}

/** The row `(eventId, messageType)`; fails when it does not exist. */
export async function getRow(store: EventStore, eventId: string, messageType: string = TEST_TYPE): Promise<MessageRow> {
  const row = await findRow(store, eventId, messageType);
  assert.ok(row !== undefined, `row (${eventId}, ${messageType}) not found`);
  return row;
}

/** Asserts the row's status (and attempts when given). */
export async function expectRow(
  store: EventStore,
  eventId: string,
  expected: { status: Status; attempts?: number; messageType?: string },
): Promise<MessageRow> {
  const row = await getRow(store, eventId, expected.messageType ?? TEST_TYPE);
  assert.equal(row.status, expected.status, `status of ${eventId}`);
  if (expected.attempts !== undefined) assert.equal(row.attempts, expected.attempts, `attempts of ${eventId}`);
  return row;
}

/** Asserts `low - tolerance ≤ value ≤ high + tolerance`. */
export function assertBetween(value: number | null, low: number, high: number, tolerance: number, what: string): void {
  assert.ok(value !== null, `${what} is null`);
  assert.ok(
    value >= low - tolerance && value <= high + tolerance,
    `${what} = ${value}, expected within [${low}, ${high}] ± ${tolerance}`,
  );
}

/** Publishes one message at a time, a few milliseconds apart, so their times are strictly ordered. */
export async function publishInOrder(store: EventStore, messages: readonly NewMessage[]): Promise<void> {
  for (const message of messages) {
    const [result] = await store.publish([message]);
    assert.equal(result?.created, true, `publish of ${message.eventId} did not create a row`);
    await sleep(3);
  }
}
