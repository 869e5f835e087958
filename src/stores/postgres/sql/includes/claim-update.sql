-- (included) The claim's write and its RETURNING (statements' ClaimOutRow): each picked row
-- becomes IN_PROGRESS under a new lease, token $4 || '.' || seq, owner $5, lease $6 ms,
-- updated by $7; the claimCommit placeholder: see claim.sql's header.
--
-- The picked rows are found by `seq = ANY (ARRAY(...))` on the primary key, not by a join
-- with `picked`: a generic plan (made once, from the statistics of its first call) cannot
-- know how many rows the LIMIT lets through, and made on a near-empty table, or from
-- statistics with many claimable rows, it hashed the whole table to join a batch of 32
-- (docs/postgres.md, "Plans made on near-empty tables").
UPDATE {schema}.messages AS m
SET status = 'IN_PROGRESS',
    attempts = m.attempts + 1,
    claim_token = $4 || '.' || m.seq,
    lease_owner = $5,
    lease_expires_at = {schema}.now_ms() + $6,
    updated_by = $7,
    updated_at = {schema}.now_ms()
WHERE m.seq = ANY (ARRAY(SELECT picked.seq FROM picked))
  -- TRUE, or asyncClaimCommit's set_config (see the header).
  AND {claimCommit}
RETURNING
  m.seq, m.event_id, m.message_type, m.created_by, m.created_at, m.updated_at, m.attempts,
  m.max_attempts, m.available_at, m.lease_expires_at, m.claim_token, m.last_error,
  m.ordering_key, m.traceparent, m.group_key, m.priority, m.available_at - m.priority_lead AS claim_key,
  (SELECT p.payload FROM {schema}.payload AS p WHERE p.event_id = m.event_id) AS payload
