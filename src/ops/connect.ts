/**
 * Opens a store from a connection URL, for the CLI and the console: `sqlite:./app.db`,
 * `redis://[user:password@]host:port/db?prefix=eventyard`. Each store's module (and its
 * client library) is imported only when its scheme is used, so a SQLite user never needs
 * ioredis. A new store is one entry in {@link STORE_OPENERS}.
 */
import { ErrorCode, EventyardError } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import type { EventStore } from '../store/port.js';

/** Opens a store for a parsed URL. */
export type StoreOpener = (url: URL, raw: string) => Promise<EventStore>;

const sqlitePath = (url: URL, raw: string): string => {
  // `sqlite:./app.db`, `sqlite:/abs/app.db`, `sqlite:///abs/app.db`, `sqlite::memory:`.
  const rest = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  const path = decodeURIComponent(rest.split('?')[0] ?? '');
  if (path === '') throw invalid(`sqlite URL needs a file path, e.g. sqlite:./app.db (got ${redactUrl(raw)})`);
  void url;
  return path;
};

/** The URL scheme (with its colon) → how to open that store. */
export const STORE_OPENERS: Readonly<Record<string, StoreOpener>> = {
  'sqlite:': async (url, raw) => {
    const { createSqliteStore } = await import('../stores/sqlite/index.js');
    return createSqliteStore({ path: sqlitePath(url, raw) });
  },
  'redis:': openRedis,
  'rediss:': openRedis,
  'postgres:': openPostgres,
  'postgresql:': openPostgres,
};

/** `postgres://user:pass@host:5432/db?schema=eventyard`: `schema` picks the store's schema. */
async function openPostgres(url: URL): Promise<EventStore> {
  const { createPostgresStore } = await import('../stores/postgres/index.js');
  const schema = url.searchParams.get('schema');
  const plain = new URL(url.href);
  plain.searchParams.delete('schema');
  return createPostgresStore({ connectionString: plain.href, ...(schema === null ? {} : { schema }) });
}

async function openRedis(url: URL): Promise<EventStore> {
  const { createRedisStore } = await import('../stores/redis/index.js');
  const prefix = url.searchParams.get('prefix');
  const plain = new URL(url.href);
  plain.search = '';
  return createRedisStore({ url: plain.href, ...(prefix === null ? {} : { keyPrefix: prefix }) });
}

/**
 * Parses `raw` and opens its store. Throws EY_INVALID_OPTION for an unknown scheme or bad URL;
 * what the store itself throws while opening (a missing directory, a refused connection)
 * comes wrapped as EY_STORE_UNAVAILABLE, so a caller can tell a bad URL from a store that
 * cannot be opened.
 */
export async function openStoreFromUrl(raw: string): Promise<EventStore> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(
      `not a store URL: ${redactUrl(raw)} (expected e.g. sqlite:./app.db, redis://127.0.0.1:6379 or postgres://127.0.0.1:5432/app)`,
    );
  }
  const opener = STORE_OPENERS[url.protocol];
  if (opener === undefined) {
    const known = Object.keys(STORE_OPENERS).join(', ');
    throw invalid(`unknown store scheme ${url.protocol} in ${redactUrl(raw)} (known: ${known})`);
  }
  try {
    return await opener(url, raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new EventyardError(ErrorCode.STORE_UNAVAILABLE, `cannot open ${redactUrl(raw)}: ${redactText(reason)}`, {
      cause: error,
    });
  }
}

/** The URL with any password replaced by `***`: safe to print and log. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.protocol === 'sqlite:' ? raw : url.href;
  } catch {
    return raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}

function invalid(message: string): EventyardError {
  return new EventyardError(ErrorCode.INVALID_OPTION, message);
}
