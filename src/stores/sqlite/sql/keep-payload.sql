-- Gives an event that has rows but no payload the payload @payload, inline in its first row
-- (schema-v8.sql): after a publish brought a payload for an event whose rows were written
-- without one (the publish's own row existed already), and after a purge deleted the row
-- that carried it inline while others of the event remain. An event that has a payload
-- (inline or in the payload table) keeps it.
--
-- @payload  TEXT  the payload JSON text
-- @eventId  TEXT  EVENT_ID
UPDATE {prefix}messages
SET payload = @payload
WHERE seq = (SELECT min(first.seq) FROM {prefix}messages AS first WHERE first.event_id = @eventId)
  AND NOT EXISTS (
    SELECT 1
    FROM {prefix}messages AS holder
    WHERE holder.event_id = @eventId
      AND (holder.payload IS NOT NULL OR holder.payload_id IS NOT NULL)
  );
