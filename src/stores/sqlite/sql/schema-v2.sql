-- Schema version 2: payloads keyed by an integer id that the message rows carry, instead of
-- by EVENT_ID. A migration script, run by migrations.ts with db.exec inside the migration
-- transaction, after schema-v1.sql (new files) or on a version-1 file.
-- {prefix} is replaced by the validated table prefix. Parameters: none.
--
-- Why: in version 1 a new event's publish inserted into five b-trees (the message row, its
-- (event_id, message_type) key, the claimable index, the payload row and the payload's
-- event_id key), and each is a page written to the WAL at commit. Keyed by its rowid, the
-- payload is one b-tree; rows of an event share its id (`payload_id`), and a row written
-- without one finds its event's payload through the (event_id, message_type) key.
--
-- The migration keeps every payload and its rowid as the new id, and points every row of
-- its event at it: one pass over the message rows, a rewrite of each (6-8 s for a million
-- events of one row and a 1 KB payload each: tests/support/sqlite-migration-cost.ts).

ALTER TABLE {prefix}messages ADD COLUMN payload_id INTEGER;

CREATE TABLE {prefix}payload_v2 (
  id      INTEGER PRIMARY KEY,
  payload TEXT NOT NULL
);

INSERT INTO {prefix}payload_v2 (id, payload)
SELECT rowid, payload FROM {prefix}payload;

UPDATE {prefix}messages
SET payload_id = (SELECT p.rowid FROM {prefix}payload AS p WHERE p.event_id = {prefix}messages.event_id);

DROP TABLE {prefix}payload;

ALTER TABLE {prefix}payload_v2 RENAME TO {prefix}payload;
