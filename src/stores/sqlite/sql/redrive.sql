-- Operator re-drive: ERROR or FAILED rows matching the filter → RETRY with ATTEMPTS = 0,
-- claimable at once; LAST_ERROR kept. A skipped FAILED keyed row holds its key again
-- (key_skipped cleared): re-driven, it is its key's head, so key_wait is cleared too
-- (schema-v7.sql; a row re-driven behind its key's head is only probed). ERROR rows are found through the
-- partial index {prefix}messages_errors, FAILED rows through {prefix}messages_terminal, so the many
-- COMPLETED rows are never scanned.
--
-- @redriveErrors  INTEGER  1: re-drive ERROR rows; 0: leave them
-- @redriveFailed  INTEGER  1: re-drive FAILED rows; 0: leave them
-- @table          TEXT     filter by event table, or NULL for all
-- @messageType    TEXT     filter by message type, or NULL for all
-- @eventId        TEXT     filter by event id, or NULL for all
-- @updatedBy      TEXT     the operator
-- @now            INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET status = 'RETRY',
    attempts = 0,
    key_skipped = NULL,
    key_wait = NULL,
    available_at = @now,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT seq
  FROM {prefix}messages INDEXED BY {prefix}messages_errors
  WHERE @redriveErrors = 1
    AND status = 'ERROR'
    AND (@table IS NULL OR table_name = @table)
    AND (@messageType IS NULL OR message_type = @messageType)
    AND (@eventId IS NULL OR event_id = @eventId)
  UNION ALL
  SELECT seq
  FROM {prefix}messages INDEXED BY {prefix}messages_terminal
  WHERE @redriveFailed = 1
    AND status IN ('COMPLETED', 'FAILED')
    AND status = 'FAILED'
    AND (@table IS NULL OR table_name = @table)
    AND (@messageType IS NULL OR message_type = @messageType)
    AND (@eventId IS NULL OR event_id = @eventId)
);
