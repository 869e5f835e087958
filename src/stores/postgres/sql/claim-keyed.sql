-- claim.sql, plus the search for keyed rows to demote (`blocked`, below): the store runs
-- this text instead of claim.sql while searches find rows to demote, else once a second
-- (key-waits.ts). Same parameters.
--
-- Claims up to $3 claimable rows of the given types in one statement: UNPROCESSED or RETRY
-- rows due by the server's clock, smallest claim key (then publish order) first, become
-- IN_PROGRESS under a new lease, ATTEMPTS + 1, each with its own claim token
-- ($4 || '.' || seq: new per claim call, and it names the row, so the fenced writes find
-- the row by primary key).
--
-- FOR UPDATE SKIP LOCKED: concurrent claimers skip the rows another claimer is taking
-- instead of waiting for it, and a row is re-checked against the WHERE clause once locked,
-- so no row is ever returned to two claimers. The candidates come from the partial index
-- messages_claimable (only claimable rows are in it), one message type at a time (the
-- LATERAL over $2): with `message_type = ANY ($2)` the planner cannot walk the index in
-- (available_at, seq) order and sorts every claimable row instead, 84 ms instead of 0.2 ms
-- per claim of 64 with a backlog of 20,000 rows. With several types each locks up to $3
-- candidates and the oldest $3 of them are claimed; the others stay unchanged (their locks
-- end with the statement).
--
-- A row with an ORDERING_KEY is a candidate only while it is the head of its key: no
-- earlier row (smaller seq) of the same table and key still holds it, i.e. is not
-- COMPLETED and not a skipped FAILED row (one probe of messages_ordering, whose WHERE the
-- probe repeats). A FAILED row nobody skipped parks its key; rows without a key never probe. The head itself being claimed by someone else at the
-- same moment still counts as "not terminal", so one key has at most one row in progress.
--
-- The claim key is available_at − priority_lead (priority × aging step, core/priority.ts):
-- the index's third key (schema-v2.sql), written here as the same expression so the
-- planner walks the index by it; for a row without a priority it is available_at. The index
-- range is on the claim key; available_at <= now (due) is checked on the row, which the
-- lock reads anyway: a delayed prioritized row whose claim key is past is skipped until due.
--
-- Rows waiting behind their key (key_wait set, schema-v6.sql) are not in messages_claimable
-- and never walked. A keyed row the probe refuses that does not wait yet (publish writes
-- key_wait NULL) is returned in `blocked` for the store to demote (key_demote); the probe
-- stays, so a row not yet demoted is only a cost, never claimed out of order.
--
-- Returns the claimed rows with their event's payload and claim key, in no particular
-- order (the store sorts them), each with `blocked` (bigint[] or NULL: the seqs to demote);
-- when no row is claimed, one row whose columns are NULL but `blocked`.
--
-- Durability: the claimCommit placeholder is TRUE, or, with the store option asyncClaimCommit (off by
-- default), a set_config that commits this transaction with synchronous_commit off: it does
-- not wait for its WAL flush. A claim lost to a server crash leaves its row claimable again
-- (attempts as before) and the old holder is fenced (lease_lost) as after an expired lease,
-- but the two runs may overlap until it learns so, which "at most one holder per row" does
-- not allow: hence opt-in. WAL is flushed in order, so any later synchronous commit (a
-- completion, a publish) makes every earlier claim durable too. docs/postgres.md ("Claims
-- that do not wait for their flush") argues it.
--
-- $1  text      the event table (inbound, request, response, outbound)
-- $2  text[]    the message types to claim (non-empty)
-- $3  integer   at most this many rows
-- $4  text      token prefix: a new id of the store's id generator, once per claim call
-- $5  text      LEASE_OWNER: the claiming processor instance
-- $6  bigint    the lease in ms: LEASE_EXPIRES_AT = now + $6 (server clock)
-- $7  text      UPDATED_BY: the claiming service
-- $8  text[]    the types among $2 whose grouped rows are claimed here too, without a group
--               limit (the claim names none for them); grouped rows of the other types are
--               claimed group by group (claim-group.sql)
--
-- Rows with a GROUP_KEY are not in messages_claimable (schema v3): an ungrouped claim walks
-- exactly the rows it walked before.
WITH walked AS (
  SELECT t.message_type, p.seq, p.claim_key
  FROM unnest($2::text[]) AS t(message_type)
  CROSS JOIN LATERAL (
      --@include ungrouped-candidates
  ) AS p
),
-- Keyed candidates of the range the walk above covered (up to its last row, by claim key
-- then seq, when it found $3; else up to now) that its probe refused, at most 10,000: the
-- rows to demote (passed to key_demote, schema-v6.sql). Walks messages_key_claimable,
-- which holds no unkeyed row. The probe is a scalar min(), not EXISTS: the planner turns a
-- bare EXISTS into a hash semi-join that compares every pair of a key's rows (quadratic in
-- a key's backlog); a correlated scalar subquery stays one seek of messages_ordering.
blocked AS (
  SELECT b.seq
  FROM unnest($2::text[]) AS t(message_type)
  CROSS JOIN LATERAL (
    SELECT coalesce(l.claim_key, {schema}.now_ms()) AS upto, coalesce(l.seq, 9223372036854775807) AS upto_seq
    FROM (SELECT 1) AS one
    LEFT JOIN (
      SELECT w.claim_key, w.seq
      FROM walked AS w
      WHERE w.message_type = t.message_type
      ORDER BY w.claim_key DESC, w.seq DESC
      LIMIT 1
    ) AS l ON (SELECT count(*) FROM walked AS c WHERE c.message_type = t.message_type) >= $3
  ) AS r
  CROSS JOIN LATERAL (
    SELECT m.seq
    FROM {schema}.messages AS m
    WHERE m.table_name = $1
      AND m.message_type = t.message_type
      AND m.status IN ('UNPROCESSED', 'RETRY')
      AND m.group_key IS NULL
      AND m.key_wait IS NULL
      AND m.ordering_key IS NOT NULL
      AND (m.available_at - m.priority_lead, m.seq) <= (r.upto, r.upto_seq)
      AND (
        SELECT min(earlier.seq)
        FROM {schema}.messages AS earlier
        WHERE earlier.table_name = m.table_name
          AND earlier.ordering_key = m.ordering_key
          AND earlier.seq < m.seq
          AND earlier.ordering_key IS NOT NULL
          AND earlier.status <> 'COMPLETED'
          AND earlier.key_skipped IS NULL
      ) IS NOT NULL
    LIMIT 10000
  ) AS b
),
picked AS (
  SELECT c.seq
  FROM (
    SELECT w.seq, w.claim_key FROM walked AS w
    --@include grouped-candidates
  ) AS c
  ORDER BY c.claim_key, c.seq
  LIMIT $3
),
claimed AS (
--@include claim-update
)
-- At least one row: the claimed rows (none: one row of NULLs), each with the blocked seqs.
SELECT c.*, b.blocked
FROM (SELECT array_agg(seq) AS blocked FROM blocked) AS b
LEFT JOIN claimed AS c ON true;
