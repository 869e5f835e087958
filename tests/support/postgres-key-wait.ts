/**
 * Reads of the key_wait column (schema v6) for the PostgreSQL ordering-key tests, on an
 * admin connection: how many rows are in the claimable index, and the keys whose first
 * holding row waits (the liveness rule says: none, in every committed state).
 */
import { withAdmin } from './postgres.js';

export interface KeyWaitCounts {
  /** UNPROCESSED/RETRY rows with key_wait NULL (what messages_claimable holds of them). */
  claimableNotWaiting: number;
  /** The same, of the key 'hot'. */
  claimableNotWaitingHot: number;
  /** Rows with key_wait set. */
  waiting: number;
}

export async function keyWaitCounts(schema: string): Promise<KeyWaitCounts> {
  const { rows } = await withAdmin((c) =>
    c.query<KeyWaitCounts>(
      `SELECT
         count(*) FILTER (WHERE status IN ('UNPROCESSED', 'RETRY') AND key_wait IS NULL)::integer AS "claimableNotWaiting",
         count(*) FILTER (WHERE status IN ('UNPROCESSED', 'RETRY') AND key_wait IS NULL
                            AND ordering_key = 'hot')::integer AS "claimableNotWaitingHot",
         count(*) FILTER (WHERE key_wait IS NOT NULL)::integer AS waiting
       FROM "${schema}".messages`,
    ),
  );
  return rows[0] as KeyWaitCounts;
}

/** `table/key` of every key whose first holding row has key_wait set (one snapshot). */
export async function headsWaiting(schema: string): Promise<string[]> {
  const { rows } = await withAdmin((c) =>
    c.query<{ k: string }>(
      `SELECT h.table_name || '/' || h.ordering_key AS k
       FROM (
         SELECT DISTINCT ON (table_name, ordering_key) table_name, ordering_key, key_wait
         FROM "${schema}".messages
         WHERE ordering_key IS NOT NULL AND status <> 'COMPLETED' AND key_skipped IS NULL
         ORDER BY table_name, ordering_key, seq
       ) AS h
       WHERE h.key_wait IS NOT NULL
       ORDER BY 1`,
    ),
  );
  return rows.map((r) => r.k);
}
