-- The reaper: IN_PROGRESS rows whose lease expired (lease_expires_at <= @now) → ERROR, due at
-- @now + @retryDelayMs, or FAILED when ATTEMPTS >= MAX_ATTEMPTS (the expired attempt counts).
-- LAST_ERROR names the lost owner and the expiry: `EY_LEASE_LOST: lease of <owner> expired
-- at <ISO-8601 UTC>`, or `EY_LEASE_LOST: again: lease of ...` when the previous LAST_ERROR was
-- such an expiry under another owner (the row may kill its worker: src/core/lease-expiry.ts;
-- instr() compares exactly, no LIKE wildcards). Oldest expiry first, at most @limit; INDEXED BY pins the partial index
-- {prefix}messages_leases, already in expiry order.
--
-- @now           INTEGER  epoch ms, store clock
-- @retryDelayMs  INTEGER  delay before a reaped ERROR row is due again
-- @limit         INTEGER  at most this many rows
-- @updatedBy     TEXT     the reaping service
UPDATE {prefix}messages
SET status = CASE WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'ERROR' END,
    available_at = CASE WHEN attempts >= max_attempts THEN available_at ELSE @now + @retryDelayMs END,
    last_error = 'EY_LEASE_LOST: '
      || CASE
           WHEN (substr(last_error, 1, 24) = 'EY_LEASE_LOST: lease of '
                 OR substr(last_error, 1, 31) = 'EY_LEASE_LOST: again: lease of ')
                AND instr(last_error, 'lease of ' || coalesce(lease_owner, '(unknown)') || ' expired at ') = 0
           THEN 'again: '
           ELSE ''
         END
      || 'lease of ' || coalesce(lease_owner, '(unknown)') || ' expired at '
      || strftime('%Y-%m-%dT%H:%M:%S', lease_expires_at / 1000, 'unixepoch')
      || printf('.%03dZ', lease_expires_at % 1000),
    claim_token = NULL,
    lease_expires_at = NULL,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT seq
  FROM {prefix}messages INDEXED BY {prefix}messages_leases
  WHERE status = 'IN_PROGRESS'
    AND lease_expires_at <= @now
  ORDER BY lease_expires_at
  -- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
  LIMIT +@limit
);
