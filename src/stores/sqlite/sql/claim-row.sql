-- Takes one claim candidate (from claim-candidates.sql, same transaction): IN_PROGRESS under a
-- new lease and claim token, ATTEMPTS + 1.
--
-- @seq             INTEGER  the candidate row
-- @claimToken      TEXT     the new fencing token
-- @leaseOwner      TEXT     the claiming processor instance
-- @leaseExpiresAt  INTEGER  epoch ms: now + leaseMs (store clock)
-- @updatedBy       TEXT     the claiming service
-- @now             INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET status = 'IN_PROGRESS',
    attempts = attempts + 1,
    claim_token = @claimToken,
    lease_owner = @leaseOwner,
    lease_expires_at = @leaseExpiresAt,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq = @seq
  AND status IN ('UNPROCESSED', 'RETRY');
