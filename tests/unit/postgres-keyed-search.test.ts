/**
 * When the PostgreSQL store's claim searches for keyed rows to demote (key-waits.ts,
 * KeyedSearch): always while searches find rows to demote, else once per interval.
 */
import { describe, expect, it } from 'vitest';
import { KeyedSearch } from '../../src/stores/postgres/key-waits.js';

describe('postgres KeyedSearch', () => {
  it('searches first, then once per interval while searches find nothing, and every time while they find rows', () => {
    const search = new KeyedSearch(1000);
    expect(search.wanted('t', 0)).toBe(true);
    search.searched('t', false, 0);
    expect(search.wanted('t', 500)).toBe(false);
    expect(search.wanted('t', 1000)).toBe(true);
    search.searched('t', false, 1000);
    expect(search.wanted('t', 1999)).toBe(false);
    expect(search.wanted('t', 2000)).toBe(true);
    search.searched('t', true, 2000);
    expect(search.wanted('t', 2001)).toBe(true);
    search.searched('t', false, 2001);
    expect(search.wanted('t', 2002)).toBe(false);
    expect(search.wanted('other', 2002)).toBe(true);
  });
});
