-- The payload JSON text of one event (no row: the event has none).
--
-- @eventId  TEXT  EVENT_ID
SELECT payload
FROM {prefix}payload
WHERE event_id = @eventId;
