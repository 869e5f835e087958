-- IN_PROGRESS → UNPROCESSED (it was the first attempt) or RETRY: the attempt is not counted,
-- the lease is cleared and the row is claimable at @availableAt (now, or later for a
-- rate-limited row waiting for its slot), keeping its place (seq); fenced.
-- (In an UPDATE every right-hand side reads the old row, so attempts <= 1 means "first".)
--
-- @seq          INTEGER  the row, as its claim token names it (row-mapping.ts seqOfToken;
--                        -1 for a token this store never issued: then nothing matches)
-- @eventId      TEXT     the lease reference: event id,
-- @messageType  TEXT     message type,
-- @table        TEXT     event table,
-- @claimToken   TEXT     and the claim token the holder presents (fencing)
-- @updatedBy    TEXT     the releasing service
-- @now          INTEGER  epoch ms, store clock
-- @availableAt  INTEGER  epoch ms, store clock: now + the release's delay
UPDATE {prefix}messages
SET status = CASE WHEN attempts <= 1 THEN 'UNPROCESSED' ELSE 'RETRY' END,
    attempts = max(attempts - 1, 0),
    available_at = @availableAt,
    lease_owner = NULL,
    lease_expires_at = NULL,
    claim_token = NULL,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq = @seq
  AND event_id = @eventId
  AND message_type = @messageType
  AND table_name = @table
  AND status = 'IN_PROGRESS'
  AND claim_token = @claimToken;
