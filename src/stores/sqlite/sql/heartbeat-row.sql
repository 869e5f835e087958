-- Extends a lease to now + leaseMs; fenced (changes = 0 when the token no longer holds).
--
-- @eventId      TEXT     the lease reference: event id,
-- @messageType  TEXT     message type,
-- @table        TEXT     event table,
-- @claimToken   TEXT     and the claim token the holder presents (fencing)
-- @leaseExpiresAt  INTEGER  epoch ms: now + leaseMs (store clock)
UPDATE {prefix}messages
SET lease_expires_at = @leaseExpiresAt
WHERE event_id = @eventId
  AND message_type = @messageType
  AND table_name = @table
  AND status = 'IN_PROGRESS'
  AND claim_token = @claimToken;
