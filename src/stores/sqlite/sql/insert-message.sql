-- Writes one new message row as UNPROCESSED (or FAILED with @lastError, when its message
-- carries a failure, e.g. EY_INVALID_GROUP_KEY); an existing (event_id, message_type) is left
-- untouched (changes = 0), which makes publish and emits idempotent. A keyed row written
-- while an earlier row of its key still holds it is not its key's head: key_wait = 1 keeps
-- it out of the claim indexes until promote-key.sql lets it in (schema-v7.sql). Unkeyed
-- rows never probe (CASE).
--
-- @eventId      TEXT     EVENT_ID
-- @messageType  TEXT     MESSAGE_TYPE
-- @table        TEXT     the event table (inbound, request, response, outbound)
-- @createdBy    TEXT     the writing service: CREATED_BY and UPDATED_BY
-- @now          INTEGER  epoch ms, store clock: CREATED_DTTM and UPDATED_DTTM
-- @maxAttempts  INTEGER  attempts allowed
-- @availableAt  INTEGER  epoch ms: now + delayMs
-- @orderingKey  TEXT     ORDERING_KEY or NULL
-- @traceparent  TEXT     W3C trace context or NULL
-- @payloadId    INTEGER  the event's payload id (insert-payload.sql) or NULL
-- @status       TEXT     'UNPROCESSED', or 'FAILED' for a message with a failure
-- @lastError    TEXT     LAST_ERROR (the failure) or NULL
-- @groupKey     TEXT     GROUP_KEY or NULL
-- @priority     INTEGER  0..9 (checked by the store)
-- @priorityLead INTEGER  ms claimed ahead of available_at: priority × aging step
INSERT INTO {prefix}messages (
  event_id, message_type, table_name, status, created_by, updated_by, created_at, updated_at,
  attempts, max_attempts, available_at, ordering_key, traceparent, payload_id, last_error, group_key,
  priority, priority_lead, key_wait
) VALUES (
  @eventId, @messageType, @table, @status, @createdBy, @createdBy, @now, @now,
  0, @maxAttempts, @availableAt, @orderingKey, @traceparent, @payloadId, @lastError, @groupKey,
  @priority, @priorityLead,
  CASE WHEN @orderingKey IS NOT NULL AND EXISTS (
    SELECT 1
    FROM {prefix}messages AS earlier INDEXED BY {prefix}messages_ordering
    WHERE earlier.table_name = @table
      AND earlier.ordering_key = @orderingKey
      AND earlier.ordering_key IS NOT NULL
      AND earlier.status <> 'COMPLETED'
      AND earlier.key_skipped IS NULL
  ) THEN 1 END
)
ON CONFLICT (event_id, message_type) DO NOTHING;
