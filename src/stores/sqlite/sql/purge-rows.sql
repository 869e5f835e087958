-- Retention: deletes terminal rows (parked ordering-key heads excepted) (the caller passes COMPLETED and/or FAILED) last changed
-- before @cutoff, at most @limit, returning their event and payload ids so purge-payload.sql and
-- purge-working-data.sql can drop what no row refers to any more. No ORDER BY: the
-- {prefix}messages_terminal range is walked as is and stops at @limit, instead of sorting
-- every old row of both statuses. The literal IN lets the partial index
-- {prefix}messages_terminal serve the query.
--
-- @statusA  TEXT     a terminal status to purge (COMPLETED or FAILED)
-- @statusB  TEXT     another one, or @statusA again
-- @cutoff   INTEGER  epoch ms: rows with updated_at < @cutoff are old enough
-- @limit    INTEGER  at most this many rows
DELETE FROM {prefix}messages
WHERE seq IN (
  SELECT seq
  FROM {prefix}messages INDEXED BY {prefix}messages_terminal
  WHERE status IN ('COMPLETED', 'FAILED')
    AND status IN (@statusA, @statusB)
    AND updated_at < @cutoff
    -- never a parked head: a FAILED keyed row nobody skipped still holds its key
    AND NOT (status = 'FAILED' AND ordering_key IS NOT NULL AND key_skipped IS NULL)
  -- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
  LIMIT +@limit
)
RETURNING event_id AS eventId, payload_id AS payloadId;
