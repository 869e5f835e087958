-- An event's payload and its id: through the (event_id, message_type) key to the event's
-- rows, the first that carries a payload id. Nothing for an event with no payload (or none
-- left: a purge deletes the payload with the event's last row).
--
-- @eventId  TEXT  EVENT_ID
SELECT p.id AS id, p.payload AS payload
FROM {prefix}messages AS m
JOIN {prefix}payload AS p ON p.id = m.payload_id
WHERE m.event_id = @eventId
  AND m.payload_id IS NOT NULL
LIMIT 1;
