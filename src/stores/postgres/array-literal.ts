/**
 * PostgreSQL array literals (`{"a","b"}`, `{1,2}`) for the array parameters of the batch
 * statements, written in one pass. node-postgres turns a JS array into the same text, but
 * element by element through its general value conversion (dates, buffers, nested arrays,
 * objects), which at a batch per round trip was one of the largest allocators of a drain.
 * The statements cast each parameter (`$2::text[]`), so the server parses the text as before.
 * A publish's payloads go as a text list instead ({@link textList}).
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

/** The characters a {@link textList} may use as its separator and its NULL marker. */
const LIST_CHARS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1));

/**
 * A `text[]` parameter for long texts (a publish's payloads: JSON), sent as the values
 * joined by a separator instead of as an array literal, so nothing is escaped: a JSON text
 * is full of quotes, which a literal escapes one by one here and unescapes one by one on the
 * server. The statement turns it back into the array with the expression of {@link textListSql}.
 *
 * Format: the separator, the NULL marker, then each value preceded by the separator (NULL
 * as the marker). Both are control characters (U+0001..U+001F), which JSON text never holds
 * unescaped; the first pair that no value contains (separator) or equals (marker) is taken.
 * If there is none, the value is the array literal instead ({@link textArray}), whose
 * first character `{` is never a control character: the statement tells the two apart.
 */
export function textList(values: readonly (string | null | undefined)[]): string {
  const separator = LIST_CHARS.find((c) => values.every((v) => v === null || v === undefined || !v.includes(c)));
  const marker =
    separator === undefined ? undefined : LIST_CHARS.find((c) => c !== separator && values.every((v) => v !== c));
  if (separator === undefined || marker === undefined) return textArray(values);
  let text = separator + marker;
  for (const v of values) text += separator + (v ?? marker);
  return text;
}

/**
 * The SQL expression that reads a {@link textList} parameter back as `text[]`, for the
 * parameter `placeholder` (`$9`). The SQL files write it out (a unit test holds them to this
 * text). The element before the first separator is always empty and is cut (`[2:]`), so an
 * empty list and a list of one empty text stay apart.
 */
export function textListSql(placeholder: string): string {
  return `CASE WHEN left(${placeholder}::text, 1) = '{' THEN ${placeholder}::text::text[] ELSE (string_to_array(substr(${placeholder}::text, 3), substr(${placeholder}::text, 1, 1), substr(${placeholder}::text, 2, 1)))[2:] END`;
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
