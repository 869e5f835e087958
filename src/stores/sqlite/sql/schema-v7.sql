-- Schema version 7: a key's waiting rows leave the claim indexes. A migration script, run by
-- migrations.ts with db.exec inside the migration transaction. {prefix} is replaced by the
-- validated table prefix. Parameters: none.
--
-- key_wait = 1 marks a keyed row that is not its key's head when it is written: an earlier
-- row of its (table, ORDERING_KEY) still holds the key (not COMPLETED, not skipped).
-- Such a row cannot be claimed, so it is kept out of messages_claimable: a claim walks
-- heads only, and a hot or parked key's backlog
-- costs the other keys nothing (before, every waiting row was walked and probed by every
-- claim of its type).
--
-- The rule that keeps every key moving: a key's head (its first holding row) never has
-- key_wait set. It holds because
-- - insert-message.sql sets key_wait only when a holding row of the key already exists
--   (the new row has the largest seq, so it is not the head);
-- - when a keyed row stops holding its key (completed, or skipped by an operator), the store
--   runs promote-key.sql in the same transaction, which clears key_wait on the key's new
--   head. The store knows a completed row was keyed without reading it: a keyed row's claim
--   token ends in 'k' (claim-batch.sql). Unkeyed completions run nothing more (reading the
--   key back with RETURNING, or a trigger on every status change, made every completion
--   slower);
-- - redrive.sql clears key_wait on the rows it re-drives (a re-driven skipped row may be
--   the head again);
-- - purge-rows.sql never deletes a holding row, and no other write makes a row stop holding.
-- A row without key_wait that is not its key's head is only a cost, never a wrong claim:
-- the claim statements still probe messages_ordering for an earlier holding row.
--
-- Cost: one probe of messages_ordering per keyed publish (unkeyed rows skip it, CASE),
-- one statement per keyed completion; unkeyed rows never touch key_wait.
--
-- Keyed rows IN_PROGRESS when the file is upgraded hold tokens of the old form (no 'k'): a
-- completion with one would not promote the next row. Their claim is fenced instead (a
-- token nobody holds): the holder's completion is refused as a lost lease, and the row runs
-- again after its lease ends, under a new token. An upgrade stops older processes' claims
-- anyway (their claim statements no longer match the rebuilt index). The upgrade
-- marks today's waiting rows (one probe per keyed holding row) and rebuilds the claim index
-- (one pass over the backlog).
--
-- The same version merges the two claim indexes into one and drops the parked-head index
-- (below): three partial indexes whose predicates read STATUS are tested on every status
-- change of every row, which made the plain drain (claim + complete, no flow control) about
-- 4 % slower than before flow control; two of them are gone.

ALTER TABLE {prefix}messages ADD COLUMN key_wait INTEGER;

UPDATE {prefix}messages
SET claim_token = 'fenced-by-upgrade'
WHERE status = 'IN_PROGRESS' AND ordering_key IS NOT NULL;

UPDATE {prefix}messages
SET key_wait = 1
WHERE ordering_key IS NOT NULL
  AND status <> 'COMPLETED'
  AND key_skipped IS NULL
  AND EXISTS (
    SELECT 1
    FROM {prefix}messages AS earlier
    WHERE earlier.table_name = {prefix}messages.table_name
      AND earlier.ordering_key = {prefix}messages.ordering_key
      AND earlier.seq < {prefix}messages.seq
      AND earlier.ordering_key IS NOT NULL
      AND earlier.status <> 'COMPLETED'
      AND earlier.key_skipped IS NULL
  );

DROP INDEX {prefix}messages_claimable;
DROP INDEX {prefix}messages_group_claimable;

-- One claim index for ungrouped rows (group_key NULL: a range of its own, first) and grouped
-- rows (a range per group), by claim key (version 3's expression, token for token, see
-- claim-batch.sql), then seq. Version 4 kept grouped rows in an index of their own; every
-- status change of every row paid for both indexes' predicates.
CREATE INDEX {prefix}messages_claimable ON {prefix}messages (
  table_name,
  message_type,
  group_key,
  (CASE WHEN priority_lead = 0 OR typeof(available_at) = 'text' THEN available_at ELSE available_at - priority_lead END),
  seq
) WHERE status IN ('UNPROCESSED', 'RETRY') AND key_wait IS NULL;

-- Parked heads are listed from the terminal index's FAILED rows (list-parked-keys.sql): an
-- index of their own cost every status change of every row a predicate test.
DROP INDEX {prefix}messages_parked;
