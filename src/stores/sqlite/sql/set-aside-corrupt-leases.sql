-- Sets aside IN_PROGRESS and ERROR rows whose lease expiry or due time is not a number (text
-- written by hand or by a broken tool): such a row is never reaped or promoted, and would sit
-- forever. It becomes FAILED with LAST_ERROR `EY_ROW_CORRUPT: ...` quoting the raw values;
-- the bad time is replaced (lease cleared, available_at = now) so the row reads and re-drives
-- like any other. Text sorts after every number in an index, so `>= ''` seeks straight to
-- the text values of the two partial indexes: no scan.
--
-- @now        INTEGER  epoch ms, store clock
-- @updatedBy  TEXT     the sweeping service
UPDATE {prefix}messages
SET status = 'FAILED',
    last_error = 'EY_ROW_CORRUPT: ' || status || ' row with available_at ' || quote(available_at)
      || ', lease_expires_at ' || quote(lease_expires_at) || ' (not epoch milliseconds); set aside by the store',
    available_at = CASE WHEN typeof(available_at) = 'integer' THEN available_at ELSE @now END,
    lease_expires_at = NULL,
    claim_token = NULL,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT seq FROM {prefix}messages INDEXED BY {prefix}messages_leases
  WHERE status = 'IN_PROGRESS' AND lease_expires_at >= ''
  UNION ALL
  SELECT seq FROM {prefix}messages INDEXED BY {prefix}messages_errors
  WHERE status = 'ERROR' AND available_at >= ''
)
RETURNING table_name AS "table", message_type AS messageType, event_id AS eventId, last_error AS lastError;
