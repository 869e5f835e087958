/**
 * A claim and a server crash, on a private server (tests/support/postgres-server.ts) whose
 * WAL writer waits 10 s between flushes: publish (flushed: synchronous), claim, `stop -m
 * immediate`, start (crash recovery).
 *
 * By default a claim commits synchronously: it survives, and its holder completes the row.
 * With `asyncClaimCommit` (claim.sql) the claim is not flushed and the crash loses it: the row
 * is UNPROCESSED with no attempt counted, the old holder's heartbeat, completion and release
 * are fenced (lease_lost, nothing written: not its emit either), and the row is claimed
 * again and completed once. A completion is synchronous: after it the crash loses nothing.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore, type PostgresStore } from '../../src/stores/postgres/index.js';
import type { ClaimedMessage, ClaimRequest, NewMessage } from '../../src/store/port.js';
import { createPostgresServer, type PostgresServerHandle } from '../support/postgres-server.js';

let server: PostgresServerHandle | undefined;

beforeAll(async () => {
  server = await createPostgresServer({ wal_writer_delay: '10s', synchronous_commit: 'on' });
}, 120_000);

afterAll(async () => {
  if (server !== undefined && !(await server.isUp())) await server.start().catch(() => undefined);
  await server?.destroy();
});

const message = (messageType: string): NewMessage => ({
  eventId: randomUUID(),
  messageType,
  table: 'request',
  payload: '{"n":1}',
  maxAttempts: 3,
  createdBy: 'T',
});

const claimOf = (owner: string): ClaimRequest => ({
  table: 'request',
  messageTypes: ['RQ_LOST'],
  limit: 10,
  owner,
  updatedBy: 'T',
  leaseMs: 60_000,
});

async function crash(srv: PostgresServerHandle): Promise<void> {
  srv.stopImmediate();
  await srv.start();
}

async function rowOf(
  url: string,
  schema: string,
  eventId: string,
): Promise<{ status: string; attempts: number; claim_token: string | null }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; attempts: number; claim_token: string | null }>(
      `SELECT status, attempts, claim_token FROM "${schema}".messages WHERE event_id = $1`,
      [eventId],
    );
    return rows[0] as { status: string; attempts: number; claim_token: string | null };
  } finally {
    await client.end();
  }
}

/**
 * A store on the private server, with `options`; a message published and claimed by `old`,
 * then a crash. Returns the opener (for the stores after the crash), the row and its claim.
 */
async function claimThenCrash(
  schema: string,
  options: { asyncClaimCommit?: boolean } = {},
): Promise<{ open: () => Promise<PostgresStore>; row: NewMessage; held: ClaimedMessage }> {
  const srv = server as PostgresServerHandle;
  const open = (): Promise<PostgresStore> =>
    createPostgresStore({
      connectionString: srv.url,
      schema,
      connectTimeoutMs: 2000,
      queryTimeoutMs: 8000,
      ...options,
    });
  const before = await open();
  const row = message('RQ_LOST');
  await before.publish([row]);
  const [held] = await before.claim(claimOf('old'));
  expect(held?.eventId).toBe(row.eventId);
  await crash(srv);
  await before.close();
  return { open, row, held: held as ClaimedMessage };
}

describe('a claim and a PostgreSQL crash', () => {
  it('a claim survives the crash by default: its holder completes the row', async () => {
    const srv = server as PostgresServerHandle;
    const schema = 'ey_kept_claim';
    const { open, row, held: ref } = await claimThenCrash(schema);

    const after = await open();
    try {
      expect(await rowOf(srv.url, schema, row.eventId)).toEqual({
        status: 'IN_PROGRESS',
        attempts: 1,
        claim_token: ref.claimToken,
      });
      expect(await after.claim(claimOf('new'))).toEqual([]);
      expect(await after.complete([{ ref, updatedBy: 'T', emits: [], workingData: [] }])).toEqual(['ok']);
    } finally {
      await after.close();
    }
  }, 120_000);

  it('with asyncClaimCommit a claim lost to it is claimable again, and the old holder is fenced', async () => {
    const srv = server as PostgresServerHandle;
    const schema = 'ey_lost_claim';
    const { open, row, held: ref } = await claimThenCrash(schema, { asyncClaimCommit: true });

    const after = await open();
    try {
      // The claim was never flushed: recovery ends before it.
      expect(await rowOf(srv.url, schema, row.eventId)).toEqual({
        status: 'UNPROCESSED',
        attempts: 0,
        claim_token: null,
      });
      expect(await after.heartbeat([ref], 60_000)).toEqual(['lease_lost']);
      const emit = message('RQ_NEXT');
      expect(await after.complete([{ ref, updatedBy: 'T', emits: [emit], workingData: [] }])).toEqual(['lease_lost']);
      expect(await after.release([ref], 'T')).toEqual(['lease_lost']);

      const [again] = await after.claim(claimOf('new'));
      expect(again?.eventId).toBe(row.eventId);
      expect(again?.attempts).toBe(1);
      expect(again?.claimToken).not.toBe(ref.claimToken);
      expect(await after.complete([{ ref, updatedBy: 'T', emits: [emit], workingData: [] }])).toEqual(['lease_lost']);
      const current = again as NonNullable<typeof again>;
      expect(await after.complete([{ ref: current, updatedBy: 'T', emits: [], workingData: [] }])).toEqual(['ok']);
    } finally {
      await after.close();
    }

    // The completion was synchronous: a crash right after it keeps it, and the old
    // holder's emit was never written.
    await crash(srv);
    const last = await open();
    try {
      expect((await rowOf(srv.url, schema, row.eventId)).status).toBe('COMPLETED');
      expect(await last.countByStatus({ messageType: 'RQ_NEXT' })).toEqual([]);
    } finally {
      await last.close();
    }
  }, 120_000);
});
