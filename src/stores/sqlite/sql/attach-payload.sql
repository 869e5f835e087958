-- Points the rows of an event that carry no payload id at the event's payload: after a
-- publish brought a payload for an event whose rows were written without one, and after a
-- purge deleted the rows that carried it while others of the event remain.
--
-- @payloadId  INTEGER  the payload's id
-- @eventId    TEXT     EVENT_ID
UPDATE {prefix}messages
SET payload_id = @payloadId
WHERE event_id = @eventId
  AND payload_id IS NULL;
