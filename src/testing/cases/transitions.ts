/**
 * The transition table of `src/core/status.ts`, checked from the outside: rows in every
 * status, each store operation applied, and every status change it made must be one the
 * table allows for that operation.
 */
import assert from 'node:assert/strict';
import type { ConformanceCase } from '../types.js';
import type { EventStore, MessageRow } from '../../store/port.js';
import { ALL_STATUSES, TRANSITIONS, Transition, type Status } from '../../core/status.js';
import { claimOne, claimRequest, leaseRefOf, listAll, newMessage, sleep } from '../builders.js';
import { publishRowInStatus } from './redrive-purge.js';

type Snapshot = ReadonlyMap<string, MessageRow>;

async function snapshot(store: EventStore): Promise<Snapshot> {
  return new Map((await listAll(store)).map((r) => [`${r.eventId}/${r.messageType}`, r]));
}

/** Asserts every change from `before` to `after` is allowed for `operation`; returns the moves as `FROM→TO`. */
function movesOf(before: Snapshot, after: Snapshot, operation: Transition | 'purge'): string[] {
  const moves: string[] = [];
  for (const [key, row] of before) {
    const now = after.get(key);
    if (now === undefined) {
      assert.equal(operation, 'purge', `${operation} deleted ${key}`);
      assert.ok(row.status === 'COMPLETED' || row.status === 'FAILED', `purge deleted a ${row.status} row`);
      moves.push(`${row.status}→deleted`);
      continue;
    }
    if (now.status === row.status) continue;
    const how = TRANSITIONS[row.status][now.status];
    assert.equal(how, operation, `${operation} moved ${key} ${row.status} → ${now.status}`);
    moves.push(`${row.status}→${now.status}`);
  }
  for (const key of after.keys()) assert.ok(before.has(key), `${operation} created ${key}`);
  return moves.sort();
}

const ALL_MADE_TYPES = ALL_STATUSES.map((s) => `RQ_MADE_${s}`);

export const transitionCases: readonly ConformanceCase[] = [
  {
    name: 'transitions: each operation moves rows only along the transition table',
    async run({ store, timing }) {
      const order: Status[] = ['COMPLETED', 'FAILED', 'ERROR', 'IN_PROGRESS', 'RETRY', 'UNPROCESSED'];
      for (const status of order) await publishRowInStatus(store, status);
      const dueError = newMessage({ messageType: 'RQ_DUE_ERROR' });
      await store.publish([dueError]);
      const claimed = await claimOne(store, { messageTypes: ['RQ_DUE_ERROR'] });
      await store.fail([{ ref: leaseRefOf(claimed), updatedBy: 'B', error: 'due', retryDelayMs: 0 }]);
      await sleep(timing.marginMs);

      let before = await snapshot(store);
      assert.equal(await store.promoteDueRetries(100, 'R'), 1);
      let after = await snapshot(store);
      assert.deepEqual(movesOf(before, after, Transition.PROMOTE), ['ERROR→RETRY']);

      before = after;
      const types = [...ALL_MADE_TYPES, 'RQ_DUE_ERROR'];
      const claims = await store.claim(claimRequest({ messageTypes: types, limit: 100, leaseMs: timing.leaseMs }));
      assert.equal(claims.length, 3);
      after = await snapshot(store);
      assert.deepEqual(movesOf(before, after, Transition.CLAIM), [
        'RETRY→IN_PROGRESS',
        'RETRY→IN_PROGRESS',
        'UNPROCESSED→IN_PROGRESS',
      ]);

      await sleep(timing.leaseMs + timing.marginMs);
      before = await snapshot(store);
      assert.equal(await store.reapExpiredLeases({ limit: 100, retryDelayMs: 60_000, updatedBy: 'R' }), 3);
      after = await snapshot(store);
      assert.deepEqual(movesOf(before, after, Transition.FAIL_RETRYABLE), [
        'IN_PROGRESS→ERROR',
        'IN_PROGRESS→ERROR',
        'IN_PROGRESS→ERROR',
      ]);

      before = after;
      assert.equal(await store.redrive({ statuses: ['FAILED'] }, 'OPERATOR'), 1);
      after = await snapshot(store);
      assert.deepEqual(movesOf(before, after, Transition.REDRIVE), ['FAILED→RETRY']);
      // ERROR → RETRY by re-drive is the same move the retry mechanism makes (one table entry).
      before = after;
      assert.equal(await store.redrive({ statuses: ['ERROR'] }, 'OPERATOR'), 4);
      after = await snapshot(store);
      assert.equal(movesOf(before, after, Transition.PROMOTE).length, 4);

      before = after;
      assert.equal(await store.purge({ statuses: ['COMPLETED', 'FAILED'], olderThanMs: 0, limit: 100 }), 1);
      after = await snapshot(store);
      assert.deepEqual(movesOf(before, after, 'purge'), ['COMPLETED→deleted']);
      assert.deepEqual([...after.values()].map((r) => r.status).sort(), [
        'IN_PROGRESS',
        'RETRY',
        'RETRY',
        'RETRY',
        'RETRY',
        'RETRY',
      ]);
    },
  },
];
