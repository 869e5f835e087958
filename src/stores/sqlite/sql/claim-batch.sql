-- Claims up to @limit rows of one message type in one statement: claimable (UNPROCESSED,
-- RETRY) and due rows, smallest claim key (then seq) first, become IN_PROGRESS under a new
-- lease, each with its own claim token, ATTEMPTS + 1. Returns the claimed rows with the
-- event's payload. Runs in the claim's BEGIN IMMEDIATE transaction.
--
-- The candidates walk the partial index {prefix}messages_claimable in order (pinned with
-- INDEXED BY: COMPLETED rows piling up never enter it, nor grouped rows, which
-- claim-group.sql takes, nor keyed rows waiting behind their key's head: key_wait,
-- schema-v7.sql) and stop after @limit rows. A row with an ORDERING_KEY is a candidate
-- only while it is the head of its key: no earlier row (smaller seq) of the same table and
-- key still holds it, i.e. is not COMPLETED and not a skipped FAILED row (one probe of
-- {prefix}messages_ordering, whose WHERE the probe repeats word for word so SQLite uses
-- it). A FAILED row nobody skipped parks its key. The probe stays although key_wait keeps
-- most non-heads out: a row re-driven behind its key's head has no key_wait. One claim
-- takes at most one row per key; rows without a key never probe.
-- The candidate filter is the same as in claim-candidates.sql: keep the two in step.
--
-- The claim key is AVAILABLE_AT − priority_lead (priority × aging step, core/priority.ts):
-- the index's third key (schema-v3.sql), written here as the same expression so SQLite
-- walks the index by it. For a row without a priority it is AVAILABLE_AT. The index range
-- is on the claim key; AVAILABLE_AT <= @now (due) is checked on the row, which the
-- ordering-key test and the update read anyway: a delayed prioritized row whose claim key
-- is already past is skipped until it is due.
--
-- LIMIT +@limit, not LIMIT @limit: SQLite (3.53, bundled with better-sqlite3 12) compiles
-- a bare bound LIMIT value into the statement as a constant (sqlite3ExprIsInteger) and so
-- marks the statement to be compiled again whenever that parameter is bound, which
-- better-sqlite3 does on every call: 70-80 µs per claim. Under a unary plus it does not.
-- A claim of one row went from 90 to 20 µs (:memory:), the W2 drain at concurrency 1 from
-- 5,300 to 12,800 events/s. Every LIMIT in these files is written so.
--
-- The payload is the row's own payload id's; a row written without one (its event got a
-- payload from another publish) looks its event's up through the (event_id, message_type) key.
--
-- RETURNING lists only what the caller does not know already: the table, type, status,
-- lease, token (@tokenPrefix || seq, and 'k' for a keyed row) and updated_* it set itself are filled in by the store
-- (row-mapping.ts toClaimedMessage). Each value returned is one more V8 value built per
-- row, mostly strings; the eight left out were about a tenth of a claim's time.
--
-- One statement instead of a SELECT then an UPDATE per row: 854 ms instead of 1,075 ms for
-- the claims of a 100,000-row drain in batches of 64 (WAL file, 2-core host).
--
-- Each claimed row's token is @tokenPrefix (new for every claim call) followed by the row's
-- seq: unique per row and per claim, so a stale holder's token never matches a later claim,
-- and it names the row, so the fenced writes find it by rowid (see row-mapping.ts seqOfToken).
-- A keyed row's token ends in 'k': its completion promotes the key's next row
-- (promote-key.sql), which an unkeyed completion need not run, nor read the row to know.
-- It replaced a JS function SQLite called once per claimed row for a fresh UUID.
--
-- @tokenPrefix     TEXT     a new id of the store's id generator and '.', once per claim call
-- @table           TEXT     the event table (inbound, request, response, outbound)
-- @messageType     TEXT     the one message type to claim
-- @now             INTEGER  epoch ms, store clock: due when available_at <= @now
-- @limit           INTEGER  at most this many rows
-- @maxClaimKey     INTEGER  with @maxSeq, the last candidate allowed, as (claim key, seq):
-- @maxSeq          INTEGER  set when several types share one limit; else @now and a huge seq
-- @leaseOwner      TEXT     the claiming processor instance
-- @leaseExpiresAt  INTEGER  epoch ms: @now + leaseMs
-- @updatedBy       TEXT     the claiming service
UPDATE {prefix}messages
SET status = 'IN_PROGRESS',
    attempts = attempts + 1,
    claim_token = @tokenPrefix || seq || CASE WHEN ordering_key IS NULL THEN '' ELSE 'k' END,
    lease_owner = @leaseOwner,
    lease_expires_at = @leaseExpiresAt,
    updated_by = @updatedBy,
    updated_at = @now
WHERE seq IN (
  SELECT m.seq
  FROM {prefix}messages AS m INDEXED BY {prefix}messages_claimable
  WHERE m.table_name = @table
    AND m.message_type = @messageType
    AND m.status IN ('UNPROCESSED', 'RETRY')
    AND m.group_key IS NULL
    AND m.key_wait IS NULL
    AND (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END) <= @now
    AND m.available_at <= @now
    AND ((CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END), m.seq) <= (@maxClaimKey, @maxSeq)
    AND (
      m.ordering_key IS NULL
      OR NOT EXISTS (
        SELECT 1
        FROM {prefix}messages AS earlier
        WHERE earlier.table_name = m.table_name
          AND earlier.ordering_key = m.ordering_key
          AND earlier.seq < m.seq
          AND earlier.ordering_key IS NOT NULL
          AND earlier.status <> 'COMPLETED'
          AND earlier.key_skipped IS NULL
      )
    )
  ORDER BY (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END), m.seq
  LIMIT +@limit
)
RETURNING
  seq, event_id, created_by, created_at, attempts, max_attempts, available_at, last_error,
  ordering_key, traceparent, priority, priority_lead,
  (SELECT p.payload FROM {prefix}payload AS p WHERE p.id = coalesce(
    {prefix}messages.payload_id,
    (SELECT e.payload_id FROM {prefix}messages AS e
     WHERE e.event_id = {prefix}messages.event_id AND e.payload_id IS NOT NULL LIMIT 1)
  )) AS payload;
