/**
 * PostgreSQL array literals (`{"a","b"}`, `{1,2}`) for the array parameters of the batch
 * statements, written in one pass. node-postgres turns a JS array into the same text, but
 * element by element through its general value conversion (dates, buffers, nested arrays,
 * objects), which at a batch per round trip was one of the largest allocators of a drain.
 * The statements cast each parameter (`$2::text[]`), so the server parses the text as before.
 */

/** A character that must be escaped inside a quoted array element. */
const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** A `text[]` literal: every element quoted (so `NULL`, commas and spaces stay text), null as NULL. */
export function textArray(values: readonly (string | null | undefined)[]): string {
  if (values.length === 0) return '{}';
  let plain = true;
  for (const v of values) {
    if (v === null || v === undefined || NEEDS_ESCAPE.test(v)) {
      plain = false;
      break;
    }
  }
  if (plain) return `{"${values.join('","')}"}`;
  return `{${values.map((v) => (v === null || v === undefined ? 'NULL' : `"${v.replace(ESCAPED, '\\$&')}"`)).join(',')}}`;
}

/**
 * A numeric array literal (`integer[]`, `bigint[]`, `smallint[]`): integers, or decimal
 * digit strings (bigint values kept as text), null as NULL.
 */
export function numberArray(values: readonly (number | string | null | undefined)[]): string {
  return `{${values.map((v) => (v === null || v === undefined ? 'NULL' : typeof v === 'number' ? integerText(v) : digits(v))).join(',')}}`;
}

function integerText(v: number): string {
  if (!Number.isSafeInteger(v)) throw new RangeError(`not an integer for a numeric array: ${v}`);
  return String(v);
}

function digits(v: string): string {
  if (!/^-?\d{1,19}$/.test(v)) throw new RangeError(`not an integer for a numeric array: ${JSON.stringify(v)}`);
  return v;
}
