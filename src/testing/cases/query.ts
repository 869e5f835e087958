/** Inspection: list paging and filters, countByStatus. */
import assert from 'node:assert/strict';
import { ErrorCode, isEventyardError } from '../../core/errors.js';
import type { ConformanceCase } from '../types.js';
import type { MessageRow, StatusCount } from '../../store/port.js';
import { claimRequest, leaseRefOf, newMessage, publishInOrder, sleep } from '../builders.js';

const byKey = (a: StatusCount, b: StatusCount): number =>
  `${a.table}/${a.messageType}/${a.status}`.localeCompare(`${b.table}/${b.messageType}/${b.status}`);

export const queryCases: readonly ConformanceCase[] = [
  {
    name: 'list: a cursor no list call returned is refused with EY_INVALID_CURSOR',
    async run({ store }) {
      await store.publish([newMessage()]);
      for (const after of ['abc', '{"x":1}', 'not a cursor at all']) {
        await assert.rejects(
          store.list({ limit: 1, after }),
          (error: unknown) => isEventyardError(error, ErrorCode.INVALID_CURSOR),
          `cursor ${JSON.stringify(after)}`,
        );
      }
    },
  },
  {
    name: 'list: pages with a cursor, oldest first, no row twice and none missed',
    async run({ store }) {
      const messages = Array.from({ length: 23 }, (_, i) =>
        newMessage({ messageType: i % 3 === 0 ? 'RQ_THIRD' : 'RQ_REST' }),
      );
      await store.publish(messages.slice(0, 10));
      await sleep(3);
      await publishInOrder(store, messages.slice(10));
      const seen: MessageRow[] = [];
      let after: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await store.list({ limit: 4, after });
        pages++;
        assert.ok(page.rows.length <= 4, `page of ${page.rows.length} > limit`);
        seen.push(...page.rows);
        if (page.next === null) break;
        assert.ok(page.rows.length > 0, 'an empty page with a next cursor');
        assert.ok(pages < 50, 'paging does not end');
        after = page.next;
      }
      const keys = seen.map((r) => r.eventId);
      assert.equal(new Set(keys).size, keys.length, 'a row came twice');
      assert.deepEqual([...keys].sort(), messages.map((m) => m.eventId).sort());
      for (let i = 1; i < seen.length; i++) {
        assert.ok((seen[i - 1]?.createdAt ?? 0) <= (seen[i]?.createdAt ?? 0), 'list is not oldest first');
      }
      assert.deepEqual(
        keys.slice(10),
        messages.slice(10).map((m) => m.eventId),
        'rows published in order are not listed in order',
      );
    },
  },
  {
    name: 'list: filters by table, message type, event and statuses, across pages',
    async run({ store }) {
      const shared = newMessage({ messageType: 'RQ_EVEN' });
      const rest = Array.from({ length: 11 }, (_, i) =>
        newMessage({ messageType: i % 2 === 0 ? 'RQ_ODD' : 'RQ_EVEN' }),
      );
      const messages = [shared, ...rest];
      const response = newMessage({ messageType: 'RS_ONE', table: 'response', eventId: shared.eventId });
      await store.publish([...messages, response]);
      const claimed = await store.claim(claimRequest({ messageTypes: ['RQ_EVEN'], limit: 3 }));
      assert.equal(claimed.length, 3);
      assert.deepEqual(
        await store.complete(
          claimed.slice(0, 1).map((c) => ({ ref: leaseRefOf(c), updatedBy: 'B', emits: [], workingData: [] })),
        ),
        ['ok'],
      );
      const all = async (filter: Parameters<typeof store.list>[0]): Promise<MessageRow[]> => {
        const rows: MessageRow[] = [];
        let page = await store.list(filter);
        rows.push(...page.rows);
        while (page.next !== null) {
          page = await store.list({ ...filter, after: page.next });
          rows.push(...page.rows);
        }
        return rows;
      };
      assert.equal((await all({ limit: 2, messageType: 'RQ_EVEN' })).length, 6);
      assert.equal((await all({ limit: 2, table: 'request' })).length, 12);
      assert.equal((await all({ limit: 2, table: 'response' })).length, 1);
      assert.equal((await all({ limit: 2, eventId: response.eventId })).length, 2);
      assert.equal((await all({ limit: 2, statuses: ['IN_PROGRESS'] })).length, 2);
      assert.equal((await all({ limit: 2, statuses: ['IN_PROGRESS', 'COMPLETED'] })).length, 3);
      assert.equal((await all({ limit: 2, messageType: 'RQ_EVEN', statuses: ['UNPROCESSED'] })).length, 3);
      assert.equal((await all({ limit: 2, messageType: 'RQ_NONE' })).length, 0);
      for (const row of await all({ limit: 5, statuses: ['UNPROCESSED'], table: 'request' })) {
        assert.equal(row.status, 'UNPROCESSED');
        assert.equal(row.table, 'request');
      }
    },
  },
  {
    name: 'countByStatus: exact counts by table, message type and status, zero counts left out',
    async run({ store }) {
      assert.deepEqual(await store.countByStatus(), []);
      await store.publish([
        ...Array.from({ length: 5 }, () => newMessage({ messageType: 'RQ_COUNTED' })),
        ...Array.from({ length: 2 }, () => newMessage({ messageType: 'RS_COUNTED', table: 'response' })),
      ]);
      const claimed = await store.claim(claimRequest({ messageTypes: ['RQ_COUNTED'], limit: 3 }));
      assert.equal(claimed.length, 3);
      const [first, second] = claimed;
      assert.ok(first && second);
      await store.complete([{ ref: leaseRefOf(first), updatedBy: 'B', emits: [], workingData: [] }]);
      await store.fail([{ ref: leaseRefOf(second), updatedBy: 'B', error: 'x', retryDelayMs: null }]);
      assert.deepEqual([...(await store.countByStatus())].sort(byKey), [
        { table: 'request', messageType: 'RQ_COUNTED', status: 'COMPLETED', count: 1 },
        { table: 'request', messageType: 'RQ_COUNTED', status: 'FAILED', count: 1 },
        { table: 'request', messageType: 'RQ_COUNTED', status: 'IN_PROGRESS', count: 1 },
        { table: 'request', messageType: 'RQ_COUNTED', status: 'UNPROCESSED', count: 2 },
        { table: 'response', messageType: 'RS_COUNTED', status: 'UNPROCESSED', count: 2 },
      ]);
      assert.deepEqual(await store.countByStatus({ table: 'response' }), [
        { table: 'response', messageType: 'RS_COUNTED', status: 'UNPROCESSED', count: 2 },
      ]);
      assert.deepEqual([...(await store.countByStatus({ statuses: ['UNPROCESSED'] }))].sort(byKey), [
        { table: 'request', messageType: 'RQ_COUNTED', status: 'UNPROCESSED', count: 2 },
        { table: 'response', messageType: 'RS_COUNTED', status: 'UNPROCESSED', count: 2 },
      ]);
      assert.deepEqual(await store.countByStatus({ eventId: first.eventId }), [
        { table: 'request', messageType: 'RQ_COUNTED', status: 'COMPLETED', count: 1 },
      ]);
    },
  },
];
