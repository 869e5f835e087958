-- The retry mechanism: ERROR rows whose AVAILABLE_AT has come → RETRY (claimable), oldest
-- due first, at most @limit (walks the partial index {prefix}messages_errors).
--
-- @now        INTEGER  epoch ms, store clock
-- @limit      INTEGER  at most this many rows
-- @updatedBy  TEXT     the promoting service
UPDATE {prefix}messages
SET status = 'RETRY',
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT seq
  FROM {prefix}messages
  WHERE status = 'ERROR'
    AND available_at <= @now
  ORDER BY available_at
  LIMIT @limit
);
