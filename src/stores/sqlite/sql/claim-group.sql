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
--@include claim-set
WHERE seq IN (
  SELECT m.seq
  FROM {prefix}messages AS m INDEXED BY {prefix}messages_claimable
  WHERE m.table_name = @table
    AND m.message_type = @messageType
    AND m.group_key = @groupKey
    AND m.status IN ('UNPROCESSED', 'RETRY')
    AND m.group_key IS NOT NULL
    --@include claimable-head
  ORDER BY (CASE WHEN m.priority_lead = 0 OR typeof(m.available_at) = 'text' THEN m.available_at ELSE m.available_at - m.priority_lead END), m.seq
  LIMIT +@limit
)
--@include claimed-returning
