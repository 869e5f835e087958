-- Schema version 4: parked ordering keys. Run by migrations.ts inside the migration
-- transaction, under the schema's advisory lock. {schema} is the validated, quoted schema
-- name. Parameters: none.
--
-- A FAILED row with an ORDERING_KEY now *parks* its key: later rows of the key wait until an
-- operator re-drives it (it becomes the head again) or skips it (skip-parked-head.sql sets
-- key_skipped = true; the row stays FAILED and no longer blocks). key_skipped is NULL on
-- every other row, and a re-drive clears it.
--
-- Cost: ADD COLUMN of a nullable column without default is a catalog change (no rewrite).
-- The ordering index is built again with the new rule (one pass over the table under the
-- migration's lock; it holds only keyed rows that are not COMPLETED), plus the small
-- parked-head index. The claimable index and the unkeyed claim path are untouched.
--
-- FAILED keyed rows already in the schema kept their old meaning (they did not block):
-- they are marked skipped, so an upgrade never parks a key by itself.

ALTER TABLE {schema}.messages ADD COLUMN key_skipped boolean;

UPDATE {schema}.messages
SET key_skipped = true
WHERE status = 'FAILED' AND ordering_key IS NOT NULL;

-- Ordering keys: per key, its rows that still hold it (not COMPLETED, not skipped).
DROP INDEX {schema}.messages_ordering;
CREATE INDEX messages_ordering ON {schema}.messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status <> 'COMPLETED' AND key_skipped IS NULL;

-- Parked heads, for list-parked-keys.sql: a handful of rows, never the backlog.
CREATE INDEX messages_parked ON {schema}.messages (seq)
  WHERE status = 'FAILED' AND ordering_key IS NOT NULL AND key_skipped IS NULL;
