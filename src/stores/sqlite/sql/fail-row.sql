-- IN_PROGRESS → ERROR (due again at now + @retryDelayMs) or, when @retryDelayMs is NULL,
-- FAILED; fenced (changes = 0 when the token no longer holds). LAST_ERROR is replaced.
--
-- @seq          INTEGER  the row, as its claim token names it (row-mapping.ts seqOfToken;
--                        -1 for a token this store never issued: then nothing matches)
-- @eventId      TEXT     the lease reference: event id,
-- @messageType  TEXT     message type,
-- @table        TEXT     event table,
-- @claimToken   TEXT     and the claim token the holder presents (fencing)
-- @retryDelayMs INTEGER  NULL: FAILED; a number: ERROR with AVAILABLE_AT = @now + @retryDelayMs
-- @error        TEXT     LAST_ERROR
-- @updatedBy    TEXT     the failing service
-- @now          INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET status = CASE WHEN @retryDelayMs IS NULL THEN 'FAILED' ELSE 'ERROR' END,
    available_at = CASE WHEN @retryDelayMs IS NULL THEN available_at ELSE @now + @retryDelayMs END,
    last_error = @error,
    claim_token = NULL,
    lease_expires_at = NULL,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq = @seq
  AND event_id = @eventId
  AND message_type = @messageType
  AND table_name = @table
  AND status = 'IN_PROGRESS'
  AND claim_token = @claimToken;
