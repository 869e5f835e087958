-- A keyed row stopped holding its key (completed, or skipped by an operator): the key's
-- new head, its first row still holding it (not COMPLETED, not skipped), loses key_wait and
-- so enters the claim index (schema-v7.sql). The row is found by its (event_id,
-- message_type) key, the head by one seek of messages_ordering, whose WHERE the subquery
-- repeats word for word so SQLite uses it. Nothing changes when no row holds the key any
-- more, or its head has no key_wait. Runs in the transaction of the write that released it.
--
-- @eventId      TEXT  the row that released its key
-- @messageType  TEXT
UPDATE {prefix}messages
SET key_wait = NULL
WHERE seq = (
    SELECT h.seq
    FROM {prefix}messages AS released, {prefix}messages AS h INDEXED BY {prefix}messages_ordering
    WHERE released.event_id = @eventId
      AND released.message_type = @messageType
      AND h.table_name = released.table_name
      AND h.ordering_key = released.ordering_key
      AND h.ordering_key IS NOT NULL
      AND h.status <> 'COMPLETED'
      AND h.key_skipped IS NULL
    ORDER BY h.seq
    LIMIT 1
  )
  AND key_wait IS NOT NULL;
