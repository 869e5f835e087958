/**
 * Durability profiles. Every Redis run gets a fresh redis-server of its own (so other
 * work on the shared 6379 cannot disturb the figures, and each run starts from an empty
 * append-only file); every SQLite run gets a fresh database file.
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

export type Profile = RedisProfile | SqliteProfile;

export const isRedisProfile = (p: Profile): p is RedisProfile => p.startsWith('redis-');

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
  }
}
