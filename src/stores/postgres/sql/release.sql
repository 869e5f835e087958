-- Releases a batch of claimed rows that never started, fenced by claim token:
-- IN_PROGRESS → UNPROCESSED (it was the first attempt) or RETRY, ATTEMPTS - 1, lease
-- cleared, claimable at once (or after $7 ms: a rate-limited row waiting for its slot),
-- keeping its place (seq). Returns the numbers (1-based
-- positions) of the requests whose token still held, with the tables they woke.
--
-- $1  bigint[]  the rows' seqs, as their claim tokens name them (-1: never issued)
-- $2  text[]    the claim tokens presented
-- $3  text[]    EVENT_IDs of the lease references
-- $4  text[]    MESSAGE_TYPEs of the lease references
-- $5  text      UPDATED_BY, the releasing service
-- $6  text      the wake-up channel (pg_notify), or NULL to send no notification
-- $7  bigint    delay in ms before the rows are claimable again (0: at once, and notify)
WITH request AS (
  SELECT r.*
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])
       WITH ORDINALITY AS r(seq, claim_token, event_id, message_type, req)
),
released AS (
  UPDATE {schema}.messages AS m
  SET status = CASE WHEN m.attempts <= 1 THEN 'UNPROCESSED' ELSE 'RETRY' END,
      attempts = greatest(m.attempts - 1, 0),
      available_at = {schema}.now_ms() + $7::bigint,
      lease_owner = NULL,
      lease_expires_at = NULL,
      claim_token = NULL,
      updated_by = $5,
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
  RETURNING r.req, m.table_name
)
SELECT
  req,
  (SELECT count(pg_notify($6, t.table_name))
   FROM (SELECT DISTINCT table_name FROM released) AS t
   WHERE $6 IS NOT NULL AND $7::bigint = 0) AS notified
FROM released;
