-- Operator skip of a parked ordering key's head: a FAILED row with an ORDERING_KEY that is
-- not skipped yet gets key_skipped = 1 (it no longer holds its key, see claim-batch.sql) and
-- LAST_ERROR '<@prefix><previous LAST_ERROR>'. It stays FAILED. Any other row: no change
-- (the caller answers false). Found by the (event_id, message_type) key.
--
-- @table        TEXT     the event table
-- @eventId      TEXT     the row's event id
-- @messageType  TEXT     the row's message type
-- @prefix       TEXT     'EY_KEY_SKIPPED: skipped by <by> at <ISO time>; was: '
-- @updatedBy    TEXT     the operator
-- @now          INTEGER  epoch ms, store clock
UPDATE {prefix}messages
SET key_skipped = 1,
    last_error = @prefix || coalesce(last_error, ''),
    updated_by = @updatedBy,
    updated_at = @now
WHERE event_id = @eventId
  AND message_type = @messageType
  AND table_name = @table
  AND status = 'FAILED'
  AND ordering_key IS NOT NULL
  AND key_skipped IS NULL;
