-- The retry mechanism: ERROR rows whose AVAILABLE_AT has come → RETRY (claimable), oldest
-- due first, at most @limit. INDEXED BY pins the partial index {prefix}messages_errors, which
-- is already in AVAILABLE_AT order (without statistics the planner may pick another index
-- and sort).
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
  FROM {prefix}messages INDEXED BY {prefix}messages_errors
  WHERE status = 'ERROR'
    AND available_at <= @now
  ORDER BY available_at
  -- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
  LIMIT +@limit
);
