-- Writes one payload; its id (the rowid, lastInsertRowid) goes into the event's message rows.
-- The caller has checked that the event has no payload yet (select-payload.sql).
--
-- @payload  TEXT  the payload JSON text, stored as given
INSERT INTO {prefix}payload (payload)
VALUES (@payload);
