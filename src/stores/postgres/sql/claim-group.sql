-- Group claims: claims the oldest claimable rows (by available_at: priorities do not reorder
-- a group's rows, docs/flow-control.md) of each group in $2, up to its free slots
-- ($3 minus its rows IN_PROGRESS), groups in the given order, at most $4 rows in all: each
-- becomes IN_PROGRESS under a new lease as in claim.sql (same token, RETURNING). Runs in the
-- transaction that holds the groups' advisory locks (group-lock.sql).
--
-- $1  text      the event table
-- $2  text[]    the groups, locked, in the order to serve them
-- $3  integer   maxInFlight of the type
-- $4  integer   at most this many rows
-- $5  text      token prefix: a new id of the store's id generator, once per claim call
-- $6  text      LEASE_OWNER
-- $7  bigint    the lease in ms
-- $8  text      UPDATED_BY
-- $9  text      the grouped message type
WITH slots AS (
  SELECT g.k, g.ord,
         $3 - (SELECT count(*)
               FROM {schema}.messages AS f
               WHERE f.table_name = $1 AND f.message_type = $9 AND f.group_key = g.k
                 AND f.status = 'IN_PROGRESS' AND f.group_key IS NOT NULL) AS free
  FROM unnest($2::text[]) WITH ORDINALITY AS g(k, ord)
),
candidates AS (
  SELECT c.seq, row_number() OVER (ORDER BY s.ord, c.available_at, c.seq) AS rn
  FROM slots AS s
  CROSS JOIN LATERAL (
    SELECT m.seq, m.available_at
    FROM {schema}.messages AS m
    WHERE m.table_name = $1
      AND m.message_type = $9
      AND m.group_key = s.k
      AND m.status IN ('UNPROCESSED', 'RETRY')
      AND m.group_key IS NOT NULL
      AND m.available_at <= {schema}.now_ms()
      --@include key-head
    ORDER BY m.available_at, m.seq
    LIMIT greatest(s.free, 0)
    FOR UPDATE SKIP LOCKED
  ) AS c
),
picked AS (
  SELECT seq FROM candidates WHERE rn <= $4
)
UPDATE {schema}.messages AS m
SET status = 'IN_PROGRESS',
    attempts = m.attempts + 1,
    claim_token = $5 || '.' || m.seq,
    lease_owner = $6,
    lease_expires_at = {schema}.now_ms() + $7,
    updated_by = $8,
    updated_at = {schema}.now_ms()
FROM picked
WHERE m.seq = picked.seq
RETURNING
  m.seq, m.event_id, m.message_type, m.created_by, m.created_at, m.updated_at, m.attempts,
  m.max_attempts, m.available_at, m.lease_expires_at, m.claim_token, m.last_error,
  m.ordering_key, m.traceparent, m.group_key, m.priority, m.available_at - m.priority_lead AS claim_key,
  (SELECT p.payload FROM {schema}.payload AS p WHERE p.event_id = m.event_id) AS payload;
