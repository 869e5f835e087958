-- Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
-- claimable at once; LAST_ERROR kept. A skipped FAILED keyed row holds its key again
-- (key_skipped cleared): re-driven, it is its key's head, so it never waits (key_wait
-- NULL, schema-v6.sql); a later row that was the head keeps key_wait NULL and is held back
-- by the claim's probe until this one completes. Returns how many, with the
-- wake-up notification sent for the tables touched.
--
-- $1  text[]  the statuses to re-drive (a subset of ERROR, FAILED)
-- $2  text    filter by event table, or NULL for all
-- $3  text    filter by message type, or NULL for all
-- $4  text    filter by event id, or NULL for all
-- $5  text    UPDATED_BY, the operator
-- $6  text    the wake-up channel (pg_notify), or NULL to send no notification
WITH redriven AS (
  UPDATE {schema}.messages
  SET status = 'RETRY',
      attempts = 0,
      key_skipped = NULL,
      key_wait = NULL,
      available_at = {schema}.now_ms(),
      updated_by = $5,
      updated_at = {schema}.now_ms()
  WHERE status = ANY ($1::text[])
    AND status IN ('ERROR', 'FAILED')
    AND ($2::text IS NULL OR table_name = $2)
    AND ($3::text IS NULL OR message_type = $3)
    AND ($4::text IS NULL OR event_id = $4)
  RETURNING table_name
)
SELECT
  count(*)::integer AS redriven,
  (SELECT count(pg_notify($6, t.table_name))
   FROM (SELECT DISTINCT table_name FROM redriven) AS t
   WHERE $6 IS NOT NULL) AS notified
FROM redriven;
