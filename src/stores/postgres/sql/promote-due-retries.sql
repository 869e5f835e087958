-- The retry mechanism: ERROR rows whose AVAILABLE_AT has come → RETRY (claimable), oldest
-- due first, at most $1, through the partial index messages_errors. SKIP LOCKED: two
-- processes promoting at once split the rows instead of waiting for each other. The rows
-- are picked in a CTE, not in `WHERE seq IN (... LIMIT)`: there the planner may run the
-- subquery once per row and the LIMIT stops limiting (the conformance suite caught it).
--
-- The same pass heals ordering keys (schema-v6.sql): a key whose first waiting row has no
-- earlier holding row (its head waits: a process died between a completion and its
-- promotion, or a process of schema version 5 completed the head) gets that row's key_wait
-- cleared. A loose scan of messages_key_wait, at most $1 keys per call after the cursor
-- ($4, $5), one seek each; without waiting rows (an unkeyed deployment) one empty seek. No
-- key lock: clearing key_wait never starves a key, and a head this snapshot misses is
-- found by the next pass.
-- Returns how many rows it promoted to RETRY, and the cursor for the next call (NULLs:
-- the scan reached the end, start over).
--
-- $1  integer  at most this many rows (and keys to heal)
-- $2  text     UPDATED_BY, the promoting service
-- $3  text     the wake-up channel (pg_notify), or NULL to send no notification
-- $4  text     heal cursor: the last table scanned, '' to start
-- $5  text     heal cursor: the last ordering key scanned, '' to start
WITH RECURSIVE due AS (
  SELECT seq
  FROM {schema}.messages
  WHERE status = 'ERROR'
    AND available_at <= {schema}.now_ms()
  ORDER BY available_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
),
promoted AS (
  UPDATE {schema}.messages AS m
  SET status = 'RETRY',
      updated_by = $2,
      updated_at = {schema}.now_ms()
  FROM due
  WHERE m.seq = due.seq
  RETURNING m.table_name
),
waiting_keys (n, table_name, ordering_key, seq) AS (
  SELECT 1, w.table_name, w.ordering_key, w.seq
  FROM (
    SELECT f.table_name, f.ordering_key, f.seq
    FROM {schema}.messages AS f
    WHERE f.key_wait IS NOT NULL AND (f.table_name, f.ordering_key) > ($4::text, $5::text)
    ORDER BY f.table_name, f.ordering_key, f.seq
    LIMIT 1
  ) AS w
  UNION ALL
  SELECT k.n + 1, nx.table_name, nx.ordering_key, nx.seq
  FROM waiting_keys AS k
  CROSS JOIN LATERAL (
    SELECT f.table_name, f.ordering_key, f.seq
    FROM {schema}.messages AS f
    WHERE f.key_wait IS NOT NULL AND (f.table_name, f.ordering_key) > (k.table_name, k.ordering_key)
    ORDER BY f.table_name, f.ordering_key, f.seq
    LIMIT 1
  ) AS nx
  WHERE k.n < $1
),
healed AS (
  UPDATE {schema}.messages AS m
  SET key_wait = NULL
  FROM waiting_keys AS k
  WHERE m.seq = k.seq
    AND m.key_wait IS NOT NULL
    AND (
      SELECT min(earlier.seq)
      FROM {schema}.messages AS earlier
      WHERE earlier.table_name = m.table_name
        AND earlier.ordering_key = m.ordering_key
        AND earlier.seq < m.seq
        AND earlier.ordering_key IS NOT NULL
        AND earlier.status <> 'COMPLETED'
        AND earlier.key_skipped IS NULL
    ) IS NULL
  RETURNING m.table_name
),
last_key AS (
  SELECT k.table_name, k.ordering_key
  FROM waiting_keys AS k
  WHERE k.n = $1
)
SELECT
  (SELECT count(*) FROM promoted)::integer AS promoted,
  (SELECT table_name FROM last_key) AS heal_table,
  (SELECT ordering_key FROM last_key) AS heal_key,
  (SELECT count(pg_notify($3, t.table_name))
   FROM (SELECT table_name FROM promoted UNION SELECT table_name FROM healed) AS t
   WHERE $3 IS NOT NULL) AS notified;
