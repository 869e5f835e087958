-- An event's payload (schema-v8.sql): through the (event_id, message_type) key to the
-- event's rows, the first that carries it inline or points at the payload table (rows
-- written before version 8). Nothing for an event with no payload (or none left: a purge
-- deletes the payload with the event's last row).
--
-- @eventId  TEXT  EVENT_ID
SELECT coalesce(m.payload, (SELECT p.payload FROM {prefix}payload AS p WHERE p.id = m.payload_id)) AS payload
FROM {prefix}messages AS m
WHERE m.event_id = @eventId
  AND (m.payload IS NOT NULL OR m.payload_id IS NOT NULL)
LIMIT 1;
