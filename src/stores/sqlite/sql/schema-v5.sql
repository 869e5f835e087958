-- Schema version 5: parked ordering keys. A migration script, run by migrations.ts with
-- db.exec inside the migration transaction. {prefix} is replaced by the validated table
-- prefix. Parameters: none.
--
-- A FAILED row with an ORDERING_KEY now *parks* its key: later rows of the key wait until an
-- operator re-drives it (it becomes the head again) or skips it (skip-parked-head.sql sets
-- key_skipped = 1; the row stays FAILED and no longer blocks). key_skipped is NULL on every
-- other row, and a re-drive clears it.
--
-- Cost: ADD COLUMN of a nullable column without default rewrites nothing. The ordering
-- index is built again with the new rule (one pass over the table, writing only the keyed
-- rows that are not COMPLETED), and the parked-head index (one pass, writing only parked
-- heads). The claimable index and the unkeyed claim path are untouched.
--
-- FAILED keyed rows already in the file kept their old meaning (they did not block): they
-- are marked skipped, so an upgrade never parks a key by itself.

ALTER TABLE {prefix}messages ADD COLUMN key_skipped INTEGER;

UPDATE {prefix}messages
SET key_skipped = 1
WHERE status = 'FAILED' AND ordering_key IS NOT NULL;

-- Ordering keys: per key, its rows that still hold it (not COMPLETED, not skipped). A claim
-- probes it for an earlier row of the candidate's key (claim-batch.sql).
DROP INDEX {prefix}messages_ordering;
CREATE INDEX {prefix}messages_ordering ON {prefix}messages (table_name, ordering_key, seq)
  WHERE ordering_key IS NOT NULL AND status <> 'COMPLETED' AND key_skipped IS NULL;

-- Parked heads, for list-parked-keys.sql: a handful of rows, never the backlog.
CREATE INDEX {prefix}messages_parked ON {prefix}messages (seq)
  WHERE status = 'FAILED' AND ordering_key IS NOT NULL AND key_skipped IS NULL;
