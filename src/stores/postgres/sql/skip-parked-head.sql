-- Operator skip of a parked ordering key's head: a FAILED row with an ORDERING_KEY that is
-- not skipped yet gets key_skipped = true (it no longer holds its key, see claim.sql) and
-- LAST_ERROR 'EY_KEY_SKIPPED: skipped by <$4> at <ISO time, server clock>; was: <previous>'.
-- It stays FAILED. Any other row: no change. Found by the (event_id, message_type) key.
-- Returns how many rows changed (0 or 1), with the wake-up notification sent when 1, and
-- the skipped row's table and key (arrays) for the store to promote the key's next row.
--
-- $1  text  the event table
-- $2  text  the row's event id
-- $3  text  the row's message type
-- $4  text  UPDATED_BY, the operator
-- $5  text  the wake-up channel (pg_notify), or NULL to send no notification
WITH skipped AS (
  UPDATE {schema}.messages
  SET key_skipped = true,
      last_error = 'EY_KEY_SKIPPED: skipped by ' || $4::text || ' at '
        || to_char(to_timestamp({schema}.now_ms() / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        || '; was: ' || coalesce(last_error, ''),
      updated_by = $4,
      updated_at = {schema}.now_ms()
  WHERE event_id = $2
    AND message_type = $3
    AND table_name = $1
    AND status = 'FAILED'
    AND ordering_key IS NOT NULL
    AND key_skipped IS NULL
  RETURNING table_name, ordering_key
)
SELECT
  count(*)::integer AS skipped,
  (SELECT array_agg(s.table_name) FROM skipped AS s) AS tables,
  (SELECT array_agg(s.ordering_key) FROM skipped AS s) AS keys,
  (SELECT count(pg_notify($5, s.table_name)) FROM skipped AS s WHERE $5 IS NOT NULL) AS notified
FROM skipped;
