-- Sets aside UNPROCESSED and RETRY rows of one table and message type whose available_at is
-- not a number: text sorts after every number, so such a row is never claimable and would
-- sit forever. It becomes FAILED with LAST_ERROR `EY_ROW_CORRUPT: ...` quoting the raw value,
-- available_at = now. `>= ''` seeks to the text values in the claim index: no scan. The
-- index's key is the claim key (schema-v3.sql), which keeps a text available_at as it is;
-- the expression is written as there so SQLite can seek it.
--
-- @table        TEXT     the event table
-- @messageType  TEXT     MESSAGE_TYPE
-- @now          INTEGER  epoch ms, store clock
-- @updatedBy    TEXT     the claiming service
UPDATE {prefix}messages
SET status = 'FAILED',
    last_error = 'EY_ROW_CORRUPT: ' || status || ' row with available_at ' || quote(available_at)
      || ' (not epoch milliseconds); set aside by the store',
    available_at = @now,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT seq FROM {prefix}messages INDEXED BY {prefix}messages_claimable
  WHERE table_name = @table AND message_type = @messageType
    AND status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL AND key_wait IS NULL
    AND (CASE WHEN priority_lead = 0 OR typeof(available_at) = 'text' THEN available_at ELSE available_at - priority_lead END) >= ''
)
RETURNING table_name AS "table", message_type AS messageType, event_id AS eventId, last_error AS lastError;
