-- Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
-- claimable at once; LAST_ERROR kept. The caller narrows the statuses to ERROR and FAILED.
--
-- @statusA      TEXT     a status to re-drive (ERROR or FAILED)
-- @statusB      TEXT     another one, or @statusA again
-- @table        TEXT  filter by event table, or NULL for all
-- @messageType  TEXT  filter by message type, or NULL for all
-- @eventId      TEXT  filter by event id, or NULL for all
-- @updatedBy    TEXT     the operator
-- @now          INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET status = 'RETRY',
    attempts = 0,
    available_at = @now,
    updated_by = @updatedBy,
    updated_at = @now
WHERE status IN (@statusA, @statusB)
  AND (@table IS NULL OR table_name = @table)
  AND (@messageType IS NULL OR message_type = @messageType)
  AND (@eventId IS NULL OR event_id = @eventId);
