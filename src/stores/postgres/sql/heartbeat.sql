-- Extends a batch of leases to now + $5 in one statement, fenced by claim token.
-- Returns the numbers (1-based positions) of the leases whose token still held.
--
-- $1  bigint[]  the rows' seqs, as their claim tokens name them (-1: never issued)
-- $2  text[]    the claim tokens presented
-- $3  text[]    EVENT_IDs of the lease references
-- $4  text[]    MESSAGE_TYPEs of the lease references
-- $5  bigint    the lease in ms: LEASE_EXPIRES_AT = now + $5 (server clock)
WITH request AS (
  SELECT r.*
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
       WITH ORDINALITY AS r(seq, claim_token, event_id, message_type, req)
)
UPDATE {schema}.messages AS m
SET lease_expires_at = {schema}.now_ms() + $5
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
