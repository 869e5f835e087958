-- Claim candidates of one message type: claimable (UNPROCESSED, RETRY) and due rows, oldest
-- AVAILABLE_AT first, with the event's payload. Runs inside the claim's BEGIN IMMEDIATE
-- transaction; claim-row.sql then takes each chosen row.
-- Walks the partial index {prefix}messages_claimable in order and stops after @limit rows.
-- A row with an ORDERING_KEY is a candidate only while it is the head of its key: no earlier
-- row (smaller seq) of the same table and key is still not COMPLETED or FAILED. So a claim
-- takes at most one row per key (probe on {prefix}messages_ordering).
--
-- @table        TEXT     the event table (inbound, request, response, outbound)
-- @messageType  TEXT     the one message type to claim
-- @now          INTEGER  the store clock, epoch ms: rows with available_at <= @now are due
-- @limit        INTEGER  at most this many rows
SELECT
  m.seq,
  m.event_id         AS eventId,
  m.message_type     AS messageType,
  m.table_name       AS "table",
  m.status,
  m.created_by       AS createdBy,
  m.updated_by       AS updatedBy,
  m.created_at       AS createdAt,
  m.updated_at       AS updatedAt,
  m.attempts,
  m.max_attempts     AS maxAttempts,
  m.available_at     AS availableAt,
  m.lease_owner      AS leaseOwner,
  m.lease_expires_at AS leaseExpiresAt,
  m.claim_token      AS claimToken,
  m.last_error       AS lastError,
  m.ordering_key     AS orderingKey,
  m.traceparent,
  p.payload
FROM {prefix}messages AS m
LEFT JOIN {prefix}payload AS p ON p.event_id = m.event_id
WHERE m.table_name = @table
  AND m.message_type = @messageType
  AND m.status IN ('UNPROCESSED', 'RETRY')
  AND m.available_at <= @now
  AND (
    m.ordering_key IS NULL
    OR NOT EXISTS (
      SELECT 1
      FROM {prefix}messages AS earlier
      WHERE earlier.table_name = m.table_name
        AND earlier.ordering_key = m.ordering_key
        AND earlier.seq < m.seq
        AND earlier.ordering_key IS NOT NULL
        AND earlier.status NOT IN ('COMPLETED', 'FAILED')
    )
  )
ORDER BY m.available_at, m.seq
LIMIT @limit;
