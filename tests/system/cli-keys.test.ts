/**
 * `eventyard keys` as users run it: spawned processes against a SQLite file with a parked
 * ordering key; listing, skipping the head (confirmation, exit codes), and the key going on.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/stores/sqlite/index.js';
import { cli, json, noStack } from '../support/cli-run.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ey-cli-keys-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('eventyard keys (spawned)', () => {
  it('keys parked lists a parked key; keys skip lets it continue; a second skip exits 3', async () => {
    const path = join(dir, 'keys.db');
    const keysUrl = `sqlite:${path}`;
    const own = createSqliteStore({ path });
    try {
      const message = (n: number) => ({
        eventId: randomUUID(),
        messageType: 'RQ_LEDGER',
        table: 'request' as const,
        payload: JSON.stringify({ n }),
        maxAttempts: 1,
        orderingKey: 'account-7',
        createdBy: 'SERVICE_A',
      });
      const [head, next, last] = [message(1), message(2), message(3)];
      for (const m of [head, next, last]) await own.publish([m]);
      const claim = {
        table: 'request' as const,
        messageTypes: ['RQ_LEDGER'],
        limit: 10,
        owner: 'B/1',
        updatedBy: 'B',
        leaseMs: 30_000,
      };
      const [claimed] = await own.claim(claim);
      expect(claimed?.eventId).toBe(head.eventId);
      const ref = {
        table: 'request' as const,
        eventId: head.eventId,
        messageType: 'RQ_LEDGER',
        claimToken: claimed?.claimToken ?? '',
      };
      await own.fail([{ ref, updatedBy: 'B', error: 'ledger closed', retryDelayMs: null }]);

      const listed = json(await cli(['keys', 'parked', '--url', keysUrl, '--json']));
      expect(listed.next).toBeNull();
      const keys = listed.keys as {
        table: string;
        orderingKey: string;
        waiting: number;
        head: Record<string, unknown>;
      }[];
      expect(
        keys.map((k) => [k.table, k.orderingKey, k.waiting, k.head.eventId, k.head.status, k.head.lastError]),
      ).toEqual([['request', 'account-7', 2, head.eventId, 'FAILED', 'ledger closed']]);
      const human = await cli(['keys', 'parked', '--url', keysUrl]);
      expect(human.code).toBe(0);
      const lines = human.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]?.split(/\s+/)).toEqual([
        'TABLE',
        'ORDERING_KEY',
        'WAITING',
        'HEAD_EVENT_ID',
        'MESSAGE_TYPE',
        'FAILED_AT',
        'LAST_ERROR',
      ]);
      expect(lines[1]?.split(/\s+/).slice(0, 5)).toEqual(['request', 'account-7', '2', head.eventId, 'RQ_LEDGER']);

      const declined = await cli(['keys', 'skip', 'request', 'RQ_LEDGER', head.eventId, '--url', keysUrl]);
      expect(declined.code).toBe(4);
      noStack(declined);
      const badEvent = await cli(['keys', 'skip', 'request', 'RQ_LEDGER', 'nope', '--url', keysUrl, '--yes']);
      expect(badEvent.code).toBe(2);
      noStack(badEvent);
      const badTable = await cli(['keys', 'skip', 'kitchen', 'RQ_LEDGER', head.eventId, '--url', keysUrl, '--yes']);
      expect(badTable.code).toBe(2);

      expect(
        json(
          await cli([
            'keys',
            'skip',
            'request',
            'RQ_LEDGER',
            head.eventId,
            '--url',
            keysUrl,
            '--yes',
            '--by',
            'alice',
            '--json',
          ]),
        ),
      ).toEqual({ skipped: true });
      expect((await own.list({ eventId: head.eventId, limit: 1 })).rows[0]?.lastError).toMatch(
        /^EY_KEY_SKIPPED: skipped by alice at .+Z; was: ledger closed$/,
      );
      expect((await own.claim(claim)).map((c) => c.eventId)).toEqual([next.eventId]);
      expect(json(await cli(['keys', 'parked', '--url', keysUrl, '--json']))).toEqual({ keys: [], next: null });
      expect((await cli(['keys', 'parked', '--url', keysUrl])).stdout).toBe('no parked keys\n');
      const again = await cli(['keys', 'skip', 'request', 'RQ_LEDGER', head.eventId, '--url', keysUrl, '--yes']);
      expect(again.code).toBe(3);
      expect(again.stderr).toContain('is not a parked head');
      noStack(again);
    } finally {
      await own.close();
    }
  });
});
