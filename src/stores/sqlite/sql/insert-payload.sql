-- Writes an event's payload once: an existing payload of the event is kept.
--
-- @eventId  TEXT  EVENT_ID
-- @payload  TEXT  the payload JSON text, stored as given
INSERT INTO {prefix}payload (event_id, payload)
VALUES (@eventId, @payload)
ON CONFLICT (event_id) DO NOTHING;
