-- (included) What a claim writes on each row it takes: IN_PROGRESS under a new lease, ATTEMPTS
-- + 1, its own claim token (@tokenPrefix || seq, and 'k' for a keyed row: see claim-batch.sql).
SET status = 'IN_PROGRESS',
    attempts = attempts + 1,
    claim_token = @tokenPrefix || seq || CASE WHEN ordering_key IS NULL THEN '' ELSE 'k' END,
    lease_owner = @leaseOwner,
    lease_expires_at = @leaseExpiresAt,
    updated_by = @updatedBy,
    updated_at = @now
