/**
 * The array literals and text lists the PostgreSQL store sends for its batch statements'
 * array parameters (src/stores/postgres/array-literal.ts): the server must read back exactly
 * what was written, whatever the text holds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { numberArray, textArray, textList, textListSql } from '../../src/stores/postgres/array-literal.js';
import { withAdmin } from '../support/postgres.js';

const roundTrip = (literal: string, type: string): Promise<unknown> =>
  withAdmin(async (client) => (await client.query<{ a: unknown }>(`SELECT $1::${type} AS a`, [literal])).rows[0]?.a);

const listRoundTrip = (values: readonly (string | null | undefined)[]): Promise<unknown> =>
  withAdmin(
    async (client) =>
      (await client.query<{ a: unknown }>(`SELECT ${textListSql('$1')} AS a`, [textList(values)])).rows[0]?.a,
  );

const ALL_CONTROL = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');

describe('postgres store: array literals', () => {
  it('text arrays come back element for element: quotes, backslashes, separators, "NULL", unicode', async () => {
    const values = [
      'plain',
      '',
      'NULL',
      'null',
      'a,b',
      '{x}',
      ' spaced ',
      'quote"d',
      'back\\slash',
      '\\"',
      'ünïcode ✓ 日本',
      '{"json":"text","n":[1,2]}',
      null,
      'tab\there',
      'new\nline',
    ];
    expect(await roundTrip(textArray(values), 'text[]')).toEqual(values);
    // Without anything to escape, the one-join path.
    const plain = ['0190f3a2-7c4e-7000-8000-000000000001.42', 'IN_ORDER', 'SERVICE_A', 'x y'];
    expect(await roundTrip(textArray(plain), 'text[]')).toEqual(plain);
    expect(await roundTrip(textArray([]), 'text[]')).toEqual([]);
    expect(await roundTrip(textArray([null, undefined]), 'text[]')).toEqual([null, null]);
  });

  it('number arrays: integers, bigint digits kept as text, NULL; anything else is refused before sending', async () => {
    expect(await roundTrip(numberArray([1, 0, -7, null, 2147483647]), 'integer[]')).toEqual([
      1,
      0,
      -7,
      null,
      2147483647,
    ]);
    expect(await roundTrip(numberArray(['9223372036854775807', '-1', 12]), 'bigint[]')).toEqual([
      '9223372036854775807',
      '-1',
      '12',
    ]);
    expect(await roundTrip(numberArray([]), 'bigint[]')).toEqual([]);
    expect(() => numberArray([1.5])).toThrow(RangeError);
    expect(() => numberArray([Number.NaN])).toThrow(RangeError);
    expect(() => numberArray(['1}, {2'])).toThrow(RangeError);
  });

  it('text lists come back element for element: empty, one empty text, NULLs, quotes, control characters', async () => {
    const json = JSON.stringify({ id: 'o-1', note: 'say "hi" \\ back\nslash', tags: ['a', 'b'] });
    const cases: (string | null)[][] = [
      [],
      [''],
      [null],
      ['', null, ''],
      [json, null, json, '{}', '[]', 'ünïcode ✓ 日本 😀'],
      // The first separator and marker candidates taken by the values: the next free ones serve.
      ['\u0001', 'a\u0001b\u0002', '\u0002', '\u001e\u001f'],
      [`holds ${ALL_CONTROL.slice(0, 30)}`, ALL_CONTROL.slice(30)],
      // Every candidate taken as a separator: the array literal instead.
      [`holds every one ${ALL_CONTROL}`, 'x', null],
    ];
    for (const values of cases) expect(await listRoundTrip(values)).toEqual(values);
    expect(textList([`${ALL_CONTROL}`]).startsWith('{')).toBe(true);
    expect(textList([json, json]).startsWith('{')).toBe(false);
    expect(await listRoundTrip([undefined, 'x'])).toEqual([null, 'x']);
    const big = Array.from({ length: 256 }, (_, i) => JSON.stringify({ i, body: 'x'.repeat(1000) }));
    expect(await listRoundTrip(big)).toEqual(big);
  });

  it('publish.sql reads its payloads ($9) with the one text-list expression, and nowhere else', () => {
    const text = readFileSync(new URL('../../src/stores/postgres/sql/publish.sql', import.meta.url), 'utf8');
    expect(text).toContain(textListSql('$9'));
    const elsewhere = text
      .split(textListSql('$9'))
      .join('')
      .split('\n')
      .filter((line) => !line.startsWith('--'))
      .join('\n');
    expect(elsewhere).not.toMatch(/\$9(?!\d)/);
  });
});
