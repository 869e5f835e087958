/**
 * Durability profiles. Every Redis run gets a fresh redis-server of its own (so other
 * work on the shared 6379 cannot disturb the figures, and each run starts from an empty
 * append-only file); every SQLite run gets a fresh database file; every PostgreSQL run a
 * fresh private cluster (initdb) on its own port.
 */

export const RedisProfile = {
  /** AOF on, fsync once per second: the main profile. */
  EVERYSEC: 'redis-aof-everysec',
  /** AOF on, fsync before every reply. */
  ALWAYS: 'redis-aof-always',
} as const;
export type RedisProfile = (typeof RedisProfile)[keyof typeof RedisProfile];

export const SqliteProfile = {
  /** journal_mode=WAL, synchronous=NORMAL. */
  NORMAL: 'sqlite-wal-normal',
  /** journal_mode=WAL, synchronous=FULL. */
  FULL: 'sqlite-wal-full',
} as const;
export type SqliteProfile = (typeof SqliteProfile)[keyof typeof SqliteProfile];

export const PgProfile = {
  /** synchronous_commit = on (PostgreSQL's default): a commit returns after its WAL is flushed. */
  SYNC_ON: 'pg-sync-on',
  /** synchronous_commit = off: commits return before the WAL flush (at most ~3 × wal_writer_delay lost on a crash). */
  SYNC_OFF: 'pg-sync-off',
} as const;
export type PgProfile = (typeof PgProfile)[keyof typeof PgProfile];

export type Profile = RedisProfile | SqliteProfile | PgProfile;

export const isRedisProfile = (p: Profile): p is RedisProfile => p.startsWith('redis-');
export const isPgProfile = (p: Profile): p is PgProfile => p.startsWith('pg-');

/** Server settings of a private PostgreSQL 15 for the profile (fsync on, autovacuum on: the defaults). */
export function pgServerSettings(profile: PgProfile): Record<string, string> {
  // 200 connections: graphile-worker's advised pool for W5's 128 jobs in flight is 130.
  return { synchronous_commit: profile === PgProfile.SYNC_OFF ? 'off' : 'on', max_connections: '200' };
}

export function redisServerArgs(profile: RedisProfile): string[] {
  return [
    '--appendonly',
    'yes',
    '--appendfsync',
    profile === RedisProfile.ALWAYS ? 'always' : 'everysec',
    '--save',
    '',
  ];
}

export function sqliteSynchronous(profile: SqliteProfile): 'NORMAL' | 'FULL' {
  return profile === SqliteProfile.FULL ? 'FULL' : 'NORMAL';
}

export function describeProfile(profile: Profile): string {
  switch (profile) {
    case RedisProfile.EVERYSEC:
      return 'Redis 7, appendonly yes, appendfsync everysec, no RDB snapshots';
    case RedisProfile.ALWAYS:
      return 'Redis 7, appendonly yes, appendfsync always, no RDB snapshots';
    case SqliteProfile.NORMAL:
      return 'SQLite, journal_mode=WAL, synchronous=NORMAL';
    case SqliteProfile.FULL:
      return 'SQLite, journal_mode=WAL, synchronous=FULL';
    case PgProfile.SYNC_ON:
      return 'PostgreSQL 15, a private server per run (fsync on, autovacuum on, full_page_writes on), synchronous_commit=on';
    case PgProfile.SYNC_OFF:
      return 'PostgreSQL 15, a private server per run (fsync on, autovacuum on, full_page_writes on), synchronous_commit=off';
  }
}
