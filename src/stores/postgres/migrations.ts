/**
 * Schema migrations: an ordered list of scripts, each applied once, inside one transaction
 * that first takes a transaction-scoped advisory lock keyed by the schema name, so many
 * processes starting at once serialize and the second finds the work done. The version is
 * kept in `<schema>.schema_version`. A schema newer than this code is refused with
 * EY_SCHEMA_VERSION and left untouched.
 *
 * The schema is created when missing; when it exists (a DBA created it and granted it to
 * the store's role) no database-level CREATE privilege is needed.
 */
import type pg from 'pg';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { schemaV1, schemaV2, schemaV3, schemaV4, schemaV5, schemaV6, schemaV7 } from './generated/scripts.js';
import { inSchema, quoteIdentifier } from './identifiers.js';

export interface Migration {
  readonly version: number;
  readonly script: string;
}

/** Every migration, by ascending version. Append; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, script: schemaV1 },
  { version: 2, script: schemaV2 },
  { version: 3, script: schemaV3 },
  { version: 4, script: schemaV4 },
  { version: 5, script: schemaV5 },
  { version: 6, script: schemaV6 },
  { version: 7, script: schemaV7 },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** First key of the two-int advisory lock: 'EY' in ASCII, so the lock is recognisable in pg_locks. */
const LOCK_CLASS = 0x4559;

/** Applies pending migrations on `client` (a connection of its own); returns the schema version afterwards. */
export async function migrate(
  client: pg.ClientBase,
  schema: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number> {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const quoted = quoteIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${quoted}.schema_version (version integer NOT NULL)`);
    const row = await client.query<{ version: number | null }>(
      `SELECT max(version) AS version FROM ${quoted}.schema_version`,
    );
    const current = row.rows[0]?.version ?? 0;
    if (current > latest) {
      throw new EventyardError(
        ErrorCode.SCHEMA_VERSION,
        `postgres store: schema ${quoted} is version ${current}, newer than this code understands (${latest}); upgrade Eventyard`,
        { details: { found: current, supported: latest } },
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      await client.query(inSchema(migration.script, schema));
    }
    if (current < latest) {
      await client.query(`DELETE FROM ${quoted}.schema_version`);
      await client.query(`INSERT INTO ${quoted}.schema_version (version) VALUES ($1)`, [latest]);
    }
    await client.query('COMMIT');
    return Math.max(current, latest);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
