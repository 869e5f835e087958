-- Retention: deletes up to $3 terminal rows (parked ordering-key heads excepted) (statuses $1, a subset of COMPLETED and FAILED)
-- last changed more than $2 ms ago, through the partial index messages_terminal, then the
-- payloads and working data of their events when no row of the event is left. One
-- statement: the rows and what hangs off them go together. SKIP LOCKED: purgers in several
-- processes split the work. Batched by $3 so one call holds few locks and writes a bounded
-- amount of WAL; the caller repeats while a call deletes $3 rows.
-- Returns how many message rows were deleted.
--
-- $1  text[]   terminal statuses to purge (COMPLETED, FAILED)
-- $2  bigint   age in ms: rows with updated_at < now - $2 are old enough
-- $3  integer  at most this many rows
WITH old AS (
  SELECT seq
  FROM {schema}.messages
  WHERE status IN ('COMPLETED', 'FAILED')
    AND status = ANY ($1::text[])
    AND updated_at < {schema}.now_ms() - $2
    -- never a parked head: a FAILED keyed row nobody skipped still holds its key
    AND NOT (status = 'FAILED' AND ordering_key IS NOT NULL AND key_skipped IS NULL)
  LIMIT $3
  FOR UPDATE SKIP LOCKED
),
gone AS (
  DELETE FROM {schema}.messages AS m
  USING old
  WHERE m.seq = old.seq
  RETURNING m.seq, m.event_id
),
orphaned AS (
  SELECT DISTINCT g.event_id
  FROM gone AS g
  WHERE NOT EXISTS (
    SELECT 1
    FROM {schema}.messages AS m
    WHERE m.event_id = g.event_id
      AND m.seq NOT IN (SELECT seq FROM gone)
  )
),
payloads AS (
  DELETE FROM {schema}.payload AS p USING orphaned AS o WHERE p.event_id = o.event_id
),
working AS (
  DELETE FROM {schema}.working_data AS w USING orphaned AS o WHERE w.event_id = o.event_id
)
SELECT count(*)::integer AS purged FROM gone;
