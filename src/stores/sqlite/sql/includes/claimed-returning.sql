-- (included) What a claim returns per row (statements.ts ClaimedTuple, in this order): only
-- what the caller does not know already, and the event's payload.
RETURNING
  seq, event_id, created_by, created_at, attempts, max_attempts, available_at, last_error,
  ordering_key, traceparent, priority, priority_lead,
  (SELECT p.payload FROM {prefix}payload AS p WHERE p.id = coalesce(
    {prefix}messages.payload_id,
    (SELECT e.payload_id FROM {prefix}messages AS e
     WHERE e.event_id = {prefix}messages.event_id AND e.payload_id IS NOT NULL LIMIT 1)
  )) AS payload;
