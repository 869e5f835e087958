-- IN_PROGRESS → COMPLETED, fenced: changes = 0 when the token no longer holds, and then the
-- caller writes nothing else of that request. The lease owner is kept (who completed it).
--
-- @seq          INTEGER  the row, as its claim token names it (row-mapping.ts seqOfToken;
--                        -1 for a token this store never issued: then nothing matches)
-- @eventId      TEXT     the lease reference: event id,
-- @messageType  TEXT     message type,
-- @table        TEXT     event table,
-- @claimToken   TEXT     and the claim token the holder presents (fencing)
-- @updatedBy    TEXT     the completing service
-- @now          INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET status = 'COMPLETED',
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
