/**
 * The layout check every process runs before its first operation, and the move of a key
 * prefix's rows from the layout of earlier releases (a hash per row) to row texts (one field
 * per row in each partition's `:r` hash, lua/includes/row.lua).
 *
 * `{<keyPrefix>:layout}` records the layout: `partitions=<n> rows=2` now, `partitions=<n>`
 * before row texts, `partitions=<n> rows=moving` while a process moves the rows. Processes of
 * earlier releases accept only `partitions=<n>`, so they refuse to start on the new layout
 * and during the move. The process that finds the old layout takes the migration lock and
 * moves every partition's rows in list order, MIGRATION_BATCH index entries per script call,
 * renewing the lock between calls; the others wait for it (or take over when its lock lapses:
 * each call is idempotent). Processes of an earlier release that are still running must be
 * stopped first: they would go on writing rows in the old layout (docs/redis.md, "Upgrading").
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode, EventyardError } from '../../core/errors.js';
import type { Logger } from '../../processing/logger.js';
import { asArray, asNumber } from './codec.js';
import type { RedisConnection } from './connection.js';
import type { KeyLayout } from './layout.js';

/** Old row hashes moved per script call (each a HGETALL, an HSET and a DEL). */
export const MIGRATION_BATCH = 500;
/** The migration lock's lease; renewed after every call. */
const LOCK_MS = 30_000;
/** How long a process waits for another one's migration before it gives up. */
const WAIT_MS = 15 * 60_000;
const POLL_MS = 200;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The layout values of one partition count: before row texts, while moving, now. */
export function layoutValues(partitions: number): { before: string; moving: string; now: string } {
  const before = `partitions=${partitions}`;
  return { before, moving: `${before} rows=moving`, now: `${before} rows=2` };
}

/**
 * Records the layout under the prefix (a new prefix), moves an old layout's rows, waits for
 * another process's move, or refuses a different partition count.
 */
export async function checkLayout(conn: RedisConnection, layout: KeyLayout, logger: Logger): Promise<void> {
  const values = layoutValues(layout.partitions);
  const key = layout.layoutKey;
  const [, recorded] = await conn.run('layout check', async (c) => [
    await c.set(key, values.now, 'NX'),
    await c.get(key),
  ]);
  if (recorded === values.now) return;
  if (recorded === values.before || recorded === values.moving) {
    await migrate(conn, layout, logger);
    return;
  }
  throw new EventyardError(
    ErrorCode.INVALID_OPTION,
    `redis store: key prefix "${layout.prefix}" holds data laid out with ${recorded ?? '(unknown)'}, ` +
      `not ${values.now}; use the same "partitions" in every process (or another keyPrefix)`,
    { details: { option: 'partitions' } },
  );
}

async function migrate(conn: RedisConnection, layout: KeyLayout, logger: Logger): Promise<void> {
  const values = layoutValues(layout.partitions);
  const key = layout.layoutKey;
  const lock = `${key}:migration`;
  const owner = randomUUID();
  const step = async (name: 'begin' | 'renew' | 'finish'): Promise<boolean> =>
    asNumber(
      await conn.script('migrationStep', [key, lock], [name, owner, LOCK_MS, values.before, values.moving, values.now]),
      'migration step',
    ) === 1;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const taken = await conn.run('migration lock', (c) => c.set(lock, owner, 'PX', LOCK_MS, 'NX'));
    if (taken === 'OK') {
      if (await step('begin')) break;
      await conn.run('migration lock', (c) => c.del(lock));
    }
    await sleep(POLL_MS);
    const recorded = await conn.run('layout check', (c) => c.get(key));
    if (recorded === values.now) return;
    if (recorded !== values.before && recorded !== values.moving) return checkLayout(conn, layout, logger);
    if (Date.now() > deadline) {
      throw new EventyardError(
        ErrorCode.STORE_UNAVAILABLE,
        `redis store: key prefix "${layout.prefix}" is being moved to the row-text layout by another process; ` +
          `still not done after ${WAIT_MS / 60_000} minutes`,
      );
    }
  }
  logger.info({ keyPrefix: layout.prefix }, 'redis store: moving rows to the row-text layout');
  let moved = 0;
  for (let p = 0; p < layout.partitions; p++) {
    for (let start = 0; ;) {
      const reply = asArray(
        await conn.script('migrateRows', [layout.routeKey(p)], [start, MIGRATION_BATCH]),
        'migrate rows',
      );
      const read = asNumber(reply[0], 'entries read');
      moved += asNumber(reply[1], 'rows moved');
      start += read;
      if (!(await step('renew'))) throw lockLost(layout);
      if (read < MIGRATION_BATCH) break;
    }
  }
  if (!(await step('finish'))) throw lockLost(layout);
  logger.info({ keyPrefix: layout.prefix, rows: moved }, 'redis store: rows moved to the row-text layout');
}

function lockLost(layout: KeyLayout): EventyardError {
  return new EventyardError(
    ErrorCode.STORE_UNAVAILABLE,
    `redis store: lost the migration lock of key prefix "${layout.prefix}" (another process took over the move)`,
  );
}
