/**
 * The array literals the PostgreSQL store sends for its batch statements' array parameters
 * (src/stores/postgres/array-literal.ts): the server must read back exactly what was
 * written, whatever the text holds.
 */
import { describe, expect, it } from 'vitest';
import { numberArray, textArray } from '../../src/stores/postgres/array-literal.js';
import { withAdmin } from '../support/postgres.js';

const roundTrip = (literal: string, type: string): Promise<unknown> =>
  withAdmin(async (client) => (await client.query<{ a: unknown }>(`SELECT $1::${type} AS a`, [literal])).rows[0]?.a);

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
});
