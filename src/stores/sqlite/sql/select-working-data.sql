-- The working data of one event, by name.
--
-- @eventId  TEXT  EVENT_ID
SELECT name, value
FROM {prefix}working_data
WHERE event_id = @eventId
ORDER BY name;
