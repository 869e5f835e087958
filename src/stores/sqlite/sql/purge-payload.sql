-- Deletes an event's payload once no message row of the event is left.
--
-- @eventId  TEXT  EVENT_ID
DELETE FROM {prefix}payload
WHERE event_id = @eventId
  AND NOT EXISTS (SELECT 1 FROM {prefix}messages WHERE event_id = @eventId);
