-- list-rows.sql for one event: found through the (event_id, message_type) unique index
-- instead of a scan.
--
-- @eventId      TEXT     the event id
-- @after        INTEGER  the seq of the previous page's last row, or -1 for the first page
-- @limit        INTEGER  at most this many rows
-- @table        TEXT     filter by event table, or NULL for all
-- @messageType  TEXT     filter by message type, or NULL for all
-- @statuses     TEXT     statuses as '|A|B|', or NULL for all
SELECT
  seq,
  event_id         AS eventId,
  message_type     AS messageType,
  table_name       AS "table",
  status,
  created_by       AS createdBy,
  updated_by       AS updatedBy,
  created_at       AS createdAt,
  updated_at       AS updatedAt,
  attempts,
  max_attempts     AS maxAttempts,
  available_at     AS availableAt,
  lease_owner      AS leaseOwner,
  lease_expires_at AS leaseExpiresAt,
  claim_token      AS claimToken,
  last_error       AS lastError,
  ordering_key     AS orderingKey,
  group_key        AS groupKey,
  traceparent,
  priority
FROM {prefix}messages
WHERE event_id = @eventId
  AND seq > @after
  AND (@table IS NULL OR table_name = @table)
  AND (@messageType IS NULL OR message_type = @messageType)
  AND (@statuses IS NULL OR instr(@statuses, '|' || status || '|') > 0)
ORDER BY seq
-- +@limit: keeps the statement from being compiled again on every call (claim-batch.sql)
LIMIT +@limit;
