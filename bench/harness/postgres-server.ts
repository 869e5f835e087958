/**
 * A private PostgreSQL 15 cluster for one run (tests/support/postgres-server.ts: initdb and
 * pg_ctl on a free loopback port, as the postgres OS user under root), with the profile's
 * settings, and a fresh database `bench` in it. The shared server on 5432 (autovacuum off,
 * other helpers' tests) is never used: figures come from a server doing nothing else.
 */
import pg from 'pg';
import { createPostgresServer } from '../../tests/support/postgres-server.js';
import { pgServerSettings, type PgProfile } from './durability.js';

export interface PostgresInstance {
  /** postgres://… of the run's database. */
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

export async function startPostgres(profile: PgProfile): Promise<PostgresInstance> {
  const server = await createPostgresServer(pgServerSettings(profile));
  try {
    const admin = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 10_000 });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE bench');
      const { rows } = await admin.query<{ v: string }>('SHOW server_version');
      return {
        url: server.url.replace(/\/postgres$/, '/bench'),
        version: rows[0]?.v ?? 'unknown',
        stop: () => server.destroy(),
      };
    } finally {
      await admin.end();
    }
  } catch (error) {
    await server.destroy();
    throw error;
  }
}
