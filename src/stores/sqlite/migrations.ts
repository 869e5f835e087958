/**
 * Schema migrations: an ordered list of scripts, each applied once, in one BEGIN IMMEDIATE
 * transaction together with the version bump, so concurrent openers (several processes)
 * serialize and the second finds the work done. A file whose schema is newer than this
 * code is refused with EY_SCHEMA_VERSION, leaving it untouched.
 */
import type { Database } from 'better-sqlite3';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import { schemaV1, schemaV2, schemaV3, schemaV4, schemaV5, schemaV6, schemaV7, schemaV8 } from './generated/scripts.js';
import { withPrefix } from './statements.js';

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
  { version: 8, script: schemaV8 },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Applies pending migrations; returns the schema version the file has afterwards.
 * @internal (kept out of the published types: they must not need better-sqlite3's)
 */
export function migrate(db: Database, prefix: string, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const versionTable = `${prefix}schema_version`;
  const run = db.transaction((): number => {
    db.exec(`CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER NOT NULL)`);
    const row = db.prepare(`SELECT max(version) AS version FROM ${versionTable}`).get() as {
      version: number | null;
    };
    const current = row.version ?? 0;
    if (current > latest) {
      throw new EventyardError(
        ErrorCode.SCHEMA_VERSION,
        `sqlite store: the database schema is version ${current}, newer than this code understands (${latest}); upgrade Eventyard`,
        { details: { found: current, supported: latest } },
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      db.exec(withPrefix(migration.script, prefix));
    }
    if (current < latest) {
      db.prepare(`DELETE FROM ${versionTable}`).run();
      db.prepare(`INSERT INTO ${versionTable} (version) VALUES (?)`).run(latest);
    }
    return latest;
  });
  return run.immediate();
}
