-- Schema version 4: group concurrency (docs/flow-control.md, "Group concurrency"). A
-- migration script, run by migrations.ts with db.exec inside the migration transaction.
-- {prefix} is replaced by the validated table prefix. Parameters: none. (Version 3 belongs to
-- priorities and runs first.)
--
-- GROUP_KEY (group_key) is set on rows of a type declared with `group`. Grouped rows live in
-- their own partial indexes, and the claim index of every other row leaves them out, so an
-- ungrouped claim walks exactly the rows it walked before and a hot group's backlog never
-- sits in front of it:
-- - messages_claimable: as in version 3 (claim key = AVAILABLE_AT − priority_lead), for rows
--   without a group key;
-- - messages_group_claimable: claimable grouped rows by (table, type, group, due, seq): the
--   claim seeks the next group after its cursor, then that group's oldest rows (FIFO by
--   AVAILABLE_AT within a group: priorities do not reorder a group's rows, see
--   docs/flow-control.md);
-- - messages_group_in_flight: IN_PROGRESS grouped rows by (table, type, group): a group's
--   count is a seek over at most its in-flight rows.
-- Rebuilding messages_claimable reads the table once (a few seconds per million rows).

ALTER TABLE {prefix}messages ADD COLUMN group_key TEXT;

DROP INDEX {prefix}messages_claimable;

-- The claim key expression is version 3's (priorities), token for token: version 4 runs
-- after it on an old file, and claim-candidates.sql / claim-batch.sql use that expression.
CREATE INDEX {prefix}messages_claimable ON {prefix}messages (
  table_name,
  message_type,
  (CASE WHEN priority_lead = 0 OR typeof(available_at) = 'text' THEN available_at ELSE available_at - priority_lead END),
  seq
) WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL;

-- `group_key IS NOT NULL` first: every status change of an ungrouped row evaluates these
-- two predicates, and this way it stops at the first term.
CREATE INDEX {prefix}messages_group_claimable
  ON {prefix}messages (table_name, message_type, group_key, available_at, seq)
  WHERE group_key IS NOT NULL AND status IN ('UNPROCESSED', 'RETRY');

CREATE INDEX {prefix}messages_group_in_flight ON {prefix}messages (table_name, message_type, group_key)
  WHERE group_key IS NOT NULL AND status = 'IN_PROGRESS';
