-- Group claims: claims up to @limit rows of one group (its free slots, computed in the same
-- transaction by group-in-flight.sql), smallest claim key (then seq) first, as claim-batch.sql
-- (same lease, token, claim key and RETURNING; ordering keys respected), walking
-- {prefix}messages_claimable within the group's range only (schema-v7.sql).
--
-- @tokenPrefix     TEXT     a new id of the store's id generator and '.', once per claim call
-- @table           TEXT     the event table
-- @messageType     TEXT     the grouped message type
-- @groupKey        TEXT     the group
-- @now             INTEGER  epoch ms, store clock
-- @limit           INTEGER  at most this many rows
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
    AND m.group_key = @groupKey
    AND m.status IN ('UNPROCESSED', 'RETRY')
    AND m.group_key IS NOT NULL
    AND m.key_wait IS NULL
    AND (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END) <= @now
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
