/**
 * A corrupt row never blocks its table: on Redis (a row text with a non-numeric attempts, one
 * cut short, one that is not a row text at all) and on SQLite (text in available_at or in the
 * lease expiry), the row is set aside as FAILED with EY_ROW_CORRUPT and its raw values, logged
 * once, list() keeps working, and every other row flows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventStore, Logger } from '../../src/index.js';
import { createRedisStore } from '../../src/stores/redis/index.js';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { claimRequest, listAll, newMessage } from '../../src/testing/builders.js';
import { deletePrefix, randomPrefix, SINGLE_REDIS } from '../support/redis-keys.js';

function capturingLogger(): { logger: Logger; warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  const none = (): void => undefined;
  return { logger: { debug: none, info: none, error: none, warn: (f) => void warnings.push(f) }, warnings };
}

async function expectOthersFlow(store: EventStore, good: readonly string[], corrupt: readonly string[]): Promise<void> {
  const claimed = await store.claim(claimRequest({ limit: 50 }));
  expect(claimed.map((c) => c.eventId).sort()).toEqual([...good].sort());
  const rows = await listAll(store);
  for (const eventId of corrupt) {
    const row = rows.find((r) => r.eventId === eventId);
    expect(row?.status, `status of corrupt ${eventId}`).toBe('FAILED');
    expect(row?.lastError ?? '').toMatch(/^EY_ROW_CORRUPT: /);
  }
  expect(await store.claim(claimRequest({ limit: 50 }))).toEqual([]);
}

describe('corrupt rows (redis)', () => {
  const admin = new Redis({ ...SINGLE_REDIS, maxRetriesPerRequest: 1 });
  const prefix = randomPrefix('corrupt');
  afterAll(async () => {
    await deletePrefix(admin, prefix);
    await admin.quit();
  });

  it('bad attempts, a cut text and a text that is no row are set aside; list works; the rest flow', async () => {
    const { logger, warnings } = capturingLogger();
    const store = createRedisStore({ ...SINGLE_REDIS, keyPrefix: prefix, logger });
    try {
      const good = [newMessage(), newMessage(), newMessage()];
      const [badAttempts, cutShort, notARow] = [newMessage(), newMessage(), newMessage()];
      await store.publish([...good, badAttempts, cutShort, notARow] as never);
      const rows = `{${prefix}:0}:r`;
      const id = (eventId: string): string => `RQ_CONFORMANCE:${eventId}`;
      const textOf = async (eventId: string): Promise<string> => (await admin.hget(rows, id(eventId))) ?? '';
      const sep = '\x1f'; // the row text's field separator
      const original = await textOf(badAttempts.eventId);
      expect(original.startsWith(`U0${sep}`)).toBe(true);
      const bad = `Unot-a-number${original.slice(2)}`;
      // Cut after its table: no created-at, max attempts and the rest.
      const cut = (await textOf(cutShort.eventId)).split(sep).slice(0, 9).join(sep);
      await admin.hset(rows, id(badAttempts.eventId), bad, id(cutShort.eventId), cut, id(notARow.eventId), 'garbage');
      // list() reads every row, the corrupt ones flagged, before anything was repaired.
      const listed = await listAll(store);
      expect(listed).toHaveLength(6);
      expect(listed.filter((r) => (r.lastError ?? '').startsWith('EY_ROW_CORRUPT')).length).toBe(3);
      const corrupt = [badAttempts, cutShort, notARow].map((m) => m.eventId);
      await expectOthersFlow(
        store,
        good.map((m) => m.eventId),
        corrupt,
      );
      expect(warnings.map((w) => w.row).sort()).toEqual(corrupt.map((e) => `{${prefix}:0} ${id(e)}`).sort());
      // The raw texts are kept whole for the operator.
      expect(await admin.hget(`{${prefix}:0}:rx`, id(badAttempts.eventId))).toBe(bad);
      expect(await admin.hget(`{${prefix}:0}:rx`, id(notARow.eventId))).toBe('garbage');
      const counts = await store.countByStatus({});
      expect(counts.find((c) => c.status === 'FAILED')?.count).toBe(3);
      expect(counts.find((c) => c.status === 'UNPROCESSED')).toBeUndefined();
      expect(await store.redrive({ eventId: badAttempts.eventId }, 'OPERATOR')).toBe(1);
    } finally {
      await store.close();
    }
  });
});

describe('corrupt rows (sqlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ey-corrupt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('text in available_at or the lease expiry is set aside; the rest flow', async () => {
    const path = join(dir, 'store.db');
    const { logger, warnings } = capturingLogger();
    const store = createSqliteStore({ path, logger });
    const raw = new Sqlite(path);
    try {
      const good = [newMessage(), newMessage()];
      const [textDue, textLease] = [newMessage(), newMessage()];
      await store.publish([textLease]);
      const [held] = await store.claim(claimRequest({ limit: 1 }));
      expect(held?.eventId).toBe(textLease.eventId);
      await store.publish([...good, textDue]);
      raw.prepare("UPDATE ey_messages SET available_at = 'soon' WHERE event_id = ?").run(textDue.eventId);
      raw.prepare("UPDATE ey_messages SET lease_expires_at = 'later' WHERE event_id = ?").run(textLease.eventId);
      expect(await listAll(store)).toHaveLength(4);
      await store.reapExpiredLeases({ limit: 100, retryDelayMs: 0, updatedBy: 'REAPER' });
      // A claim looks for corrupt claimable rows of a type at most once a second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await expectOthersFlow(
        store,
        good.map((m) => m.eventId),
        [textDue.eventId, textLease.eventId],
      );
      expect(warnings.map((w) => w.eventId).sort()).toEqual([textDue.eventId, textLease.eventId].sort());
      const rows = await listAll(store);
      expect(rows.find((r) => r.eventId === textDue.eventId)?.lastError).toContain("'soon'");
      expect(rows.find((r) => r.eventId === textLease.eventId)?.lastError).toContain("'later'");
    } finally {
      raw.close();
      await store.close();
    }
  });
});
