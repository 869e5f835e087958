-- One page of parked ordering keys: per (table, key), its earliest FAILED row nobody skipped
-- (the head), in the head's publish order (seq) after the cursor @after, with `waiting`, the
-- key's later rows that are not COMPLETED or FAILED. Reads the FAILED rows of the terminal
-- index {prefix}messages_terminal (a page sorts the keyed, not skipped ones by seq: its cost
-- grows with the FAILED rows kept, not with the backlog); each head costs two probes of
-- {prefix}messages_ordering (is there an earlier parked row of its key; how many rows wait
-- behind it). Schema version 7 dropped the parked-head index this walked before: every
-- status change of every row paid for its predicate.
--
-- @after  INTEGER  the seq of the previous page's last head, or -1 for the first page
-- @limit  INTEGER  at most this many keys (the caller asks one more to know if a next page exists)
-- @table  TEXT     only keys of this event table, or NULL for all
SELECT
  h.seq,
  h.event_id         AS eventId,
  h.message_type     AS messageType,
  h.table_name       AS "table",
  h.status,
  h.created_by       AS createdBy,
  h.updated_by       AS updatedBy,
  h.created_at       AS createdAt,
  h.updated_at       AS updatedAt,
  h.attempts,
  h.max_attempts     AS maxAttempts,
  h.available_at     AS availableAt,
  h.lease_owner      AS leaseOwner,
  h.lease_expires_at AS leaseExpiresAt,
  h.claim_token      AS claimToken,
  h.last_error       AS lastError,
  h.ordering_key     AS orderingKey,
  h.group_key        AS groupKey,
  h.traceparent,
  h.priority,
  (SELECT count(*)
   FROM {prefix}messages AS w INDEXED BY {prefix}messages_ordering
   WHERE w.table_name = h.table_name
     AND w.ordering_key = h.ordering_key
     AND w.seq > h.seq
     AND w.ordering_key IS NOT NULL
     AND w.status <> 'COMPLETED'
     AND w.key_skipped IS NULL
     AND w.status <> 'FAILED') AS waiting
FROM {prefix}messages AS h INDEXED BY {prefix}messages_terminal
WHERE h.status IN ('COMPLETED', 'FAILED')
  AND h.status = 'FAILED'
  AND h.ordering_key IS NOT NULL
  AND h.key_skipped IS NULL
  AND h.seq > @after
  AND (@table IS NULL OR h.table_name = @table)
  AND NOT EXISTS (
    SELECT 1
    FROM {prefix}messages AS e INDEXED BY {prefix}messages_ordering
    WHERE e.table_name = h.table_name
      AND e.ordering_key = h.ordering_key
      AND e.seq < h.seq
      AND e.ordering_key IS NOT NULL
      AND e.status <> 'COMPLETED'
      AND e.key_skipped IS NULL
      AND e.status = 'FAILED'
  )
ORDER BY h.seq
-- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
LIMIT +@limit;
