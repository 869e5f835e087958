-- The status of one message row (publish reports it for a row that already existed).
--
-- @eventId      TEXT  EVENT_ID
-- @messageType  TEXT  MESSAGE_TYPE
SELECT status
FROM {prefix}messages
WHERE event_id = @eventId
  AND message_type = @messageType;
