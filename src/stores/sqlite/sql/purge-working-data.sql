-- Deletes an event's working data once no message row of the event is left.
--
-- @eventId  TEXT  EVENT_ID
DELETE FROM {prefix}working_data
WHERE event_id = @eventId
  AND NOT EXISTS (SELECT 1 FROM {prefix}messages WHERE event_id = @eventId);
