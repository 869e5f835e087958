-- The reaper: IN_PROGRESS rows whose lease expired by the server's clock → ERROR, due at
-- now + $2, or FAILED when ATTEMPTS >= MAX_ATTEMPTS (the expired attempt counts).
-- LAST_ERROR names the lost owner and the expiry: `EY_LEASE_LOST: lease of <owner> expired
-- at <ISO-8601 UTC>`, or `EY_LEASE_LOST: again: lease of ...` when the previous LAST_ERROR
-- was such an expiry under another owner (the row may kill its worker:
-- src/core/lease-expiry.ts; left() and strpos() compare exactly, no LIKE wildcards).
-- Oldest expiry first, at most $1, through the partial index
-- messages_leases; SKIP LOCKED so a row being completed right now is left to its holder.
-- Returns how many rows were reaped.
--
-- $1  integer  at most this many rows
-- $2  bigint   delay in ms before a reaped ERROR row is due again
-- $3  text     UPDATED_BY, the reaping service
WITH expired AS (
  SELECT seq
  FROM {schema}.messages
  WHERE status = 'IN_PROGRESS'
    AND lease_expires_at <= {schema}.now_ms()
  ORDER BY lease_expires_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
),
reaped AS (
  UPDATE {schema}.messages AS m
  SET status = CASE WHEN m.attempts >= m.max_attempts THEN 'FAILED' ELSE 'ERROR' END,
      available_at = CASE WHEN m.attempts >= m.max_attempts THEN m.available_at
                          ELSE {schema}.now_ms() + $2 END,
      last_error = 'EY_LEASE_LOST: '
        || CASE
             WHEN (left(m.last_error, 24) = 'EY_LEASE_LOST: lease of '
                   OR left(m.last_error, 31) = 'EY_LEASE_LOST: again: lease of ')
                  AND strpos(m.last_error, 'lease of ' || coalesce(m.lease_owner, '(unknown)') || ' expired at ') = 0
             THEN 'again: '
             ELSE ''
           END
        || 'lease of ' || coalesce(m.lease_owner, '(unknown)') || ' expired at '
        || to_char(to_timestamp(m.lease_expires_at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      claim_token = NULL,
      lease_expires_at = NULL,
      updated_by = $3,
      updated_at = {schema}.now_ms()
  FROM expired
  WHERE m.seq = expired.seq
  RETURNING 1
)
SELECT count(*)::integer AS reaped FROM reaped;
