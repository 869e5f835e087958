-- Writes one working-data value of an event, replacing the value under the same name.
--
-- @eventId  TEXT  EVENT_ID
-- @name     TEXT  the name, unique per event
-- @value    TEXT  JSON text, stored as given
INSERT INTO {prefix}working_data (event_id, name, value)
VALUES (@eventId, @name, @value)
ON CONFLICT (event_id, name) DO UPDATE SET value = excluded.value;
