import { describe, expect, it } from 'vitest';
import { READ_BATCH_MAX, WorkingDataReads, type WorkingDataRow } from '../../src/stores/postgres/read-batcher.js';

const rowsOf = (ids: readonly string[]): WorkingDataRow[] =>
  ids.flatMap((id) => [
    { event_id: id, name: 'a', value: `"${id}-a"` },
    { event_id: id, name: 'b', value: `"${id}-b"` },
  ]);

describe('postgres store: getWorkingData calls of one turn share one statement', () => {
  it('answers every caller of a turn from one fetch, each with its own event', async () => {
    const fetches: string[][] = [];
    const reads = new WorkingDataReads(async (ids) => {
      fetches.push(ids);
      return rowsOf(ids.filter((id) => id !== 'none'));
    });
    const [e1, e2, again, none] = await Promise.all([
      reads.get('e1'),
      reads.get('e2'),
      reads.get('e1'),
      reads.get('none'),
    ]);
    expect(fetches).toEqual([['e1', 'e2', 'none']]);
    expect([...(e1 ?? [])]).toEqual([
      ['a', '"e1-a"'],
      ['b', '"e1-b"'],
    ]);
    expect(e2?.get('b')).toBe('"e2-b"');
    expect([...(again ?? [])]).toEqual([...(e1 ?? [])]);
    expect(again).not.toBe(e1); // callers never share a mutable map
    expect(none?.size).toBe(0);
  });

  it('sends a later turn its own statement, and splits a very large turn', async () => {
    const fetches: number[] = [];
    const reads = new WorkingDataReads(async (ids) => {
      fetches.push(ids.length);
      return rowsOf(ids);
    });
    await reads.get('x');
    await reads.get('y');
    const many = Array.from({ length: READ_BATCH_MAX + 3 }, (_, i) => `m${i}`);
    const maps = await Promise.all(many.map((id) => reads.get(id)));
    expect(fetches).toEqual([1, 1, READ_BATCH_MAX, 3]);
    expect(maps.map((m) => m.get('a'))).toEqual(many.map((id) => `"${id}-a"`));
  });

  it('rejects every caller of a turn whose statement failed, and recovers afterwards', async () => {
    let fail = true;
    const reads = new WorkingDataReads(async (ids) => {
      if (fail) throw new Error('server gone');
      return rowsOf(ids);
    });
    const results = await Promise.allSettled([reads.get('p'), reads.get('q')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    await expect(reads.get('p')).resolves.toEqual(
      new Map([
        ['a', '"p-a"'],
        ['b', '"p-b"'],
      ]),
    );
  });
});
