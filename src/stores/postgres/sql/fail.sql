-- Fails a batch of claimed rows in one statement, fenced by claim token: IN_PROGRESS →
-- ERROR (due again at now + delay) or, for a NULL delay, FAILED. LAST_ERROR is replaced.
-- Returns the numbers (1-based positions) of the requests whose token still held.
--
-- $1  bigint[]  the rows' seqs, as their claim tokens name them (-1: never issued)
-- $2  text[]    the claim tokens presented
-- $3  text[]    EVENT_IDs of the lease references
-- $4  text[]    MESSAGE_TYPEs of the lease references
-- $5  text[]    UPDATED_BY, the failing service
-- $6  text[]    LAST_ERROR texts
-- $7  bigint[]  retry delays in ms; NULL entries: FAILED
WITH request AS (
  SELECT r.*
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[])
       WITH ORDINALITY AS r(seq, claim_token, event_id, message_type, updated_by, error, retry_delay_ms, req)
)
UPDATE {schema}.messages AS m
SET status = CASE WHEN r.retry_delay_ms IS NULL THEN 'FAILED' ELSE 'ERROR' END,
    available_at = CASE WHEN r.retry_delay_ms IS NULL THEN m.available_at
                        ELSE {schema}.now_ms() + r.retry_delay_ms END,
    last_error = r.error,
    claim_token = NULL,
    lease_expires_at = NULL,
    updated_by = r.updated_by,
    updated_at = {schema}.now_ms()
FROM request AS r
WHERE m.seq = r.seq
  AND m.claim_token = r.claim_token
  AND m.event_id = r.event_id
  AND m.message_type = r.message_type
  -- A subquery, not the constant: PostgreSQL then cannot use messages_leases (partial on
  -- this status) to find the rows, which generic plans made from statistics that saw no
  -- row in progress did, walking every row in progress for each requested row
  -- (docs/postgres.md, "Plans made on near-empty tables").
  AND m.status = (SELECT 'IN_PROGRESS')
RETURNING r.req;
