/**
 * The one identifier helper: the schema name is the only identifier that comes from
 * configuration; it is validated here and quoted, and put into the SQL texts' `{schema}`
 * placeholders. Values never go into SQL text, only as bound parameters.
 */
import { ErrorCode, EventyardError } from '../../core/errors.js';

/** Lower case only (an unquoted identifier folds to lower case, so psql users can type it bare). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,39}$/;

/** `"name"`, after checking the name against {@link SCHEMA_NAME}. */
export function quoteIdentifier(name: string): string {
  if (!SCHEMA_NAME.test(name)) {
    throw new EventyardError(ErrorCode.INVALID_OPTION, `postgres store: invalid identifier ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/** A SQL text with its `{schema}` placeholders filled with the quoted schema. */
export function inSchema(text: string, schema: string): string {
  return text.replaceAll('{schema}', quoteIdentifier(schema));
}

/** The LISTEN/NOTIFY channel of a schema's wake-ups (a channel name is an identifier: max 63 bytes). */
export const wakeChannel = (schema: string): string => `${quoteIdentifier(schema).slice(1, -1)}_wake`;
