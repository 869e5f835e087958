-- Schema version 3: message priorities (core/priority.ts, docs/flow-control.md "Priorities").
-- A migration script, run by migrations.ts with db.exec inside the migration transaction.
-- {prefix} is replaced by the validated table prefix. Parameters: none.
--
-- priority       0..9, what the row was published with (shown, kept across retries).
-- priority_lead  ms the row is claimed ahead of its AVAILABLE_AT: priority × the writing
--                store's priorityAgingStepMs, fixed at write time.
--
-- The claim index keeps its name and stays the one index a claim walks; its third key is
-- the row's *claim key*, AVAILABLE_AT − priority_lead, which is AVAILABLE_AT itself for
-- every row without a priority (so their order, and the index's size, are as in version 2).
-- A text AVAILABLE_AT (a corrupt row, set-aside-corrupt-claimable.sql) stays text in the
-- key, so the set-aside still finds it with one seek. Due-ness is still judged on
-- AVAILABLE_AT: the claim statements filter on both.
--
-- ADD COLUMN with a constant default rewrites no row; rebuilding the index reads every
-- claimable row once (the backlog, not the table: it is partial).

ALTER TABLE {prefix}messages ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE {prefix}messages ADD COLUMN priority_lead INTEGER NOT NULL DEFAULT 0;

DROP INDEX {prefix}messages_claimable;

-- Keep the key expression identical, token for token, in claim-candidates.sql and
-- claim-batch.sql: SQLite uses an index on an expression only for that same expression.
CREATE INDEX {prefix}messages_claimable ON {prefix}messages (
  table_name,
  message_type,
  (CASE WHEN priority_lead = 0 OR typeof(available_at) = 'text' THEN available_at ELSE available_at - priority_lead END),
  seq
) WHERE status IN ('UNPROCESSED', 'RETRY');
