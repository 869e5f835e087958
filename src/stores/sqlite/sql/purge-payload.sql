-- Deletes a purged event's payload once none of its rows is left.
--
-- @payloadId  INTEGER  the payload's id (from a purged row)
-- @eventId    TEXT     EVENT_ID
DELETE FROM {prefix}payload
WHERE id = @payloadId
  AND NOT EXISTS (SELECT 1 FROM {prefix}messages WHERE event_id = @eventId);
