-- The retry mechanism: ERROR rows whose AVAILABLE_AT has come → RETRY (claimable), oldest
-- due first, at most $1, through the partial index messages_errors. SKIP LOCKED: two
-- processes promoting at once split the rows instead of waiting for each other. The rows
-- are picked in a CTE, not in `WHERE seq IN (... LIMIT)`: there the planner may run the
-- subquery once per row and the LIMIT stops limiting (the conformance suite caught it).
-- Returns the tables of the promoted rows (one row per promoted row).
--
-- $1  integer  at most this many rows
-- $2  text     UPDATED_BY, the promoting service
-- $3  text     the wake-up channel (pg_notify), or NULL to send no notification
WITH due AS (
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
)
SELECT
  count(*)::integer AS promoted,
  (SELECT count(pg_notify($3, t.table_name))
   FROM (SELECT DISTINCT table_name FROM promoted) AS t
   WHERE $3 IS NOT NULL) AS notified
FROM promoted;
