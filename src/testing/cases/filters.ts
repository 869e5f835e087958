/**
 * Filters of list, countByStatus, redrive and purge: every store refuses an empty or
 * malformed value with the same typed error (never "matches everything"), a re-drive with
 * no filter needs `{ all: true }`, and an EVENT_ID matches in any letter case.
 */
import assert from 'node:assert/strict';
import { ErrorCode, isEventyardError } from '../../core/errors.js';
import type { EventStore, MessageRow } from '../../store/port.js';
import type { ConformanceCase } from '../types.js';
import { listAll } from '../builders.js';
import { publishRowInStatus } from './redrive-purge.js';

/** Filters every store must refuse with EY_INVALID_FILTER. */
export const MALFORMED_FILTERS: readonly Record<string, unknown>[] = [
  { messageType: '' },
  { eventId: '' },
  { table: '' },
  { statuses: [] },
  { messageType: 'rq_lower' },
  { messageType: 5 },
  { eventId: 'not-a-uuid' },
  { eventId: '00000000-0000-0000-0000-00000000000g' },
  { table: 'requests' },
  { statuses: ['NOPE'] },
  { statuses: 'FAILED' },
  { messageTyp: 'RQ_A' },
  { messageType: null },
];

async function expectCode(work: () => Promise<unknown>, code: ErrorCode, what: string): Promise<void> {
  let thrown: unknown;
  try {
    await work();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown !== undefined, `${what}: expected ${code}, but the call succeeded`);
  assert.ok(
    isEventyardError(thrown, code),
    `${what}: expected ${code}, got ${thrown instanceof Error ? thrown.message : typeof thrown}`,
  );
}

const snapshot = async (store: EventStore): Promise<MessageRow[]> => listAll(store);

export const filterCases: readonly ConformanceCase[] = [
  {
    name: 'filters: an empty or malformed filter value is EY_INVALID_FILTER on list, count and redrive; nothing moves',
    async run({ store }) {
      await publishRowInStatus(store, 'FAILED', { messageType: 'RQ_A' });
      await publishRowInStatus(store, 'FAILED', { messageType: 'RS_B', table: 'response' });
      await publishRowInStatus(store, 'ERROR', { messageType: 'RQ_C' });
      const before = await snapshot(store);
      for (const filter of MALFORMED_FILTERS) {
        const what = JSON.stringify(filter);
        await expectCode(() => store.list({ ...filter, limit: 10 }), ErrorCode.INVALID_FILTER, `list ${what}`);
        await expectCode(() => store.countByStatus(filter), ErrorCode.INVALID_FILTER, `count ${what}`);
        await expectCode(() => store.redrive(filter, 'OPERATOR'), ErrorCode.INVALID_FILTER, `redrive ${what}`);
      }
      await expectCode(() => store.list({ limit: 0 }), ErrorCode.INVALID_FILTER, 'list limit 0');
      await expectCode(() => store.list({ limit: 1.5 }), ErrorCode.INVALID_FILTER, 'list limit 1.5');
      await expectCode(() => store.list({ limit: 5, after: '' }), ErrorCode.INVALID_FILTER, 'list after ""');
      assert.deepEqual(await snapshot(store), before, 'a refused filter changed rows');
    },
  },
  {
    name: 'filters: a redrive with no filter is EY_FILTER_REQUIRED; { all: true } re-drives every ERROR and FAILED row',
    async run({ store }) {
      await publishRowInStatus(store, 'FAILED', { messageType: 'RQ_A' });
      await publishRowInStatus(store, 'ERROR', { messageType: 'RS_B', table: 'response' });
      await publishRowInStatus(store, 'COMPLETED', { messageType: 'RQ_C' });
      const before = await snapshot(store);
      for (const filter of [{}, { all: undefined }, { table: undefined, eventId: undefined }]) {
        await expectCode(() => store.redrive(filter, 'OPERATOR'), ErrorCode.FILTER_REQUIRED, JSON.stringify(filter));
      }
      await expectCode(
        () => store.redrive({ all: false } as never, 'OPERATOR'),
        ErrorCode.INVALID_FILTER,
        'all: false',
      );
      await expectCode(
        () => store.redrive({ statuses: ['COMPLETED'] } as never, 'OPERATOR'),
        ErrorCode.INVALID_FILTER,
        'statuses COMPLETED',
      );
      assert.deepEqual(await snapshot(store), before);
      assert.equal(await store.redrive({ all: true }, 'OPERATOR'), 2);
      const statuses = (await snapshot(store)).map((r) => `${r.messageType}:${r.status}`).sort();
      assert.deepEqual(statuses, ['RQ_A:RETRY', 'RQ_C:COMPLETED', 'RS_B:RETRY']);
    },
  },
  {
    name: 'filters: an EVENT_ID filter matches in any letter case',
    async run({ store }) {
      const message = await publishRowInStatus(store, 'FAILED', { messageType: 'RQ_A' });
      const upper = message.eventId.toUpperCase();
      assert.equal((await store.list({ eventId: upper, limit: 10 })).rows.length, 1);
      assert.deepEqual(
        (await store.countByStatus({ eventId: upper })).map((c) => c.count),
        [1],
      );
      assert.equal(await store.redrive({ eventId: upper }, 'OPERATOR'), 1);
    },
  },
  {
    name: 'filters: a malformed purge request is EY_INVALID_FILTER and deletes nothing',
    async run({ store }) {
      await publishRowInStatus(store, 'COMPLETED', { messageType: 'RQ_A' });
      const before = await snapshot(store);
      const bad: readonly Record<string, unknown>[] = [
        { statuses: [], olderThanMs: 0, limit: 10 },
        { statuses: ['UNPROCESSED'], olderThanMs: 0, limit: 10 },
        { statuses: ['COMPLETED'], olderThanMs: -1, limit: 10 },
        { statuses: ['COMPLETED'], olderThanMs: Number.NaN, limit: 10 },
        { statuses: ['COMPLETED'], olderThanMs: 0, limit: 0 },
        { statuses: ['COMPLETED'], olderThanMs: 0 },
        { statuses: ['COMPLETED'], olderThanMs: 0, limit: 10, messageType: 'RQ_A' },
      ];
      for (const request of bad) {
        await expectCode(() => store.purge(request as never), ErrorCode.INVALID_FILTER, JSON.stringify(request));
      }
      assert.deepEqual(await snapshot(store), before);
    },
  },
];
