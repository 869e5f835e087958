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
-- Rows waiting behind their key (key_wait set, schema-v6.sql) are not in messages_claimable
-- and never walked. Keyed rows the probe refuses that do not wait yet (publish writes
-- key_wait NULL) are found and demoted by claim-keyed.sql, this statement plus that search,
-- which the store runs instead of this one while searches find such rows, else once a
-- second (key-waits.ts): a search in every claim would slow unkeyed claims too.
--
-- The claim key is available_at − priority_lead (priority × aging step, core/priority.ts):
-- the index's third key (schema-v2.sql), written here as the same expression so the
-- planner walks the index by it; for a row without a priority it is available_at. The index
-- range is on the claim key; available_at <= now (due) is checked on the row, which the
-- lock reads anyway: a delayed prioritized row whose claim key is past is skipped until due.
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
-- Returns the claimed rows with their event's payload and claim key, in no particular
-- order (the store sorts them).
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
WITH picked AS (
  SELECT c.seq
  FROM (
    SELECT p.seq, p.claim_key
    FROM unnest($2::text[]) AS t(message_type)
    CROSS JOIN LATERAL (
      --@include ungrouped-candidates
    ) AS p
    --@include grouped-candidates
  ) AS c
  ORDER BY c.claim_key, c.seq
  LIMIT $3
)
--@include claim-update
