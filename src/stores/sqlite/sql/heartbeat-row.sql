-- Extends a lease to now + leaseMs; fenced (changes = 0 when the token no longer holds).
--
-- @seq          INTEGER  the row, as its claim token names it (row-mapping.ts seqOfToken;
--                        -1 for a token this store never issued: then nothing matches)
-- @eventId      TEXT     the lease reference: event id,
-- @messageType  TEXT     message type,
-- @table        TEXT     event table,
-- @claimToken   TEXT     and the claim token the holder presents (fencing)
-- @leaseExpiresAt  INTEGER  epoch ms: now + leaseMs (store clock)
UPDATE {prefix}messages
SET lease_expires_at = @leaseExpiresAt
WHERE seq = @seq
  AND event_id = @eventId
  AND message_type = @messageType
  AND table_name = @table
  AND status = 'IN_PROGRESS'
  AND claim_token = @claimToken;
