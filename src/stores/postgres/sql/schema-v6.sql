-- Schema version 6: rows waiting behind their ordering key leave the claimable index. Run
-- by migrations.ts inside the migration transaction, under the schema's advisory lock.
-- {schema} is the validated, quoted schema name. Parameters: none.
--
-- key_wait (NULL: not waiting): set on an ungrouped UNPROCESSED/RETRY keyed row that an
-- earlier row of its key holds (claim.sql finds them, key_demote moves them out); such a
-- row is in neither messages_claimable nor messages_key_claimable, so a claim no longer
-- walks and probes every row queued behind a busy or parked key. The liveness rule: the
-- first holding row of a key (smallest seq, not COMPLETED, key_skipped NULL) never has
-- key_wait set. Demotion (key_demote) and promotion (key_promote: after a completion, a
-- skip, a redrive) take the key's transaction-scoped advisory lock, sorted, and then
-- decide in a query of their own, i.e. on a snapshot taken after the lock (functions are
-- VOLATILE: under READ COMMITTED each query in them takes a fresh snapshot), so a demotion
-- never misses the completion of the head it saw, and a promotion never misses a demotion.
-- Probes are scalar min() subqueries, as in claim.sql's `blocked` (one index seek per row,
-- where a bare EXISTS may become a semi-join over all pairs of a key's rows).
-- A row with key_wait NULL that is not its key's head is allowed (publish writes NULL and
-- takes no lock in the user's transaction): the claim's probe still keeps it back.
ALTER TABLE {schema}.messages ADD COLUMN key_wait boolean;

-- The rows waiting now, as claim + key_demote would mark them (the migration holds the
-- schema lock; a process of the previous version never sets or reads key_wait): one pass
-- for the heads of all keys, one for the rows behind them.
UPDATE {schema}.messages AS m
SET key_wait = true
FROM (
  SELECT h.table_name, h.ordering_key, min(h.seq) AS head
  FROM {schema}.messages AS h
  WHERE h.ordering_key IS NOT NULL AND h.status <> 'COMPLETED' AND h.key_skipped IS NULL
  GROUP BY h.table_name, h.ordering_key
) AS k
WHERE m.table_name = k.table_name
  AND m.ordering_key = k.ordering_key
  AND m.seq > k.head
  AND m.ordering_key IS NOT NULL
  AND m.group_key IS NULL
  AND m.status IN ('UNPROCESSED', 'RETRY');

DROP INDEX {schema}.messages_claimable;

CREATE INDEX messages_claimable ON {schema}.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL AND key_wait IS NULL;

-- The keyed part of messages_claimable: claim.sql walks it (up to where its claim walk
-- stopped) to find candidates its probe refused, the rows to demote. Unkeyed rows are not
-- in it: an unkeyed claim probes it once and finds nothing.
CREATE INDEX messages_key_claimable ON {schema}.messages (table_name, message_type, (available_at - priority_lead), seq)
  WHERE status IN ('UNPROCESSED', 'RETRY') AND group_key IS NULL AND key_wait IS NULL AND ordering_key IS NOT NULL;

-- The waiting rows by key: the retry pass (promote-due-retries.sql) finds keys whose first
-- waiting row became their head without a promotion (a process died in between).
CREATE INDEX messages_key_wait ON {schema}.messages (table_name, ordering_key, seq)
  WHERE key_wait IS NOT NULL;

-- The advisory lock of one (table, ordering key) of this schema: one bigint, so it never
-- meets the two-int locks of migrations.ts.
CREATE FUNCTION {schema}.key_lock_id(p_table text, p_key text) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT hashtextextended('{schema}' || chr(31) || p_table || chr(31) || p_key, 0) $$;

-- Demotes the rows $2 of table $1 that are still not their key's head: locks their keys
-- (sorted by lock id: two callers never deadlock), then re-checks on a fresh snapshot.
-- Returns how many rows it demoted. Called in a short transaction of its own, never in a
-- user's transaction.
CREATE FUNCTION {schema}.key_demote(p_table text, p_seqs bigint[]) RETURNS integer
  LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  lock_id bigint;
  demoted integer;
BEGIN
  FOR lock_id IN
    SELECT DISTINCT {schema}.key_lock_id(m.table_name, m.ordering_key)
    FROM {schema}.messages AS m
    WHERE m.seq = ANY (p_seqs) AND m.table_name = p_table AND m.ordering_key IS NOT NULL
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(lock_id);
  END LOOP;
  UPDATE {schema}.messages AS m
  SET key_wait = true
  WHERE m.seq = ANY (p_seqs)
    AND m.table_name = p_table
    AND m.ordering_key IS NOT NULL
    AND m.group_key IS NULL
    AND m.status IN ('UNPROCESSED', 'RETRY')
    AND m.key_wait IS NULL
    AND (
      SELECT min(earlier.seq)
      FROM {schema}.messages AS earlier
      WHERE earlier.table_name = m.table_name
        AND earlier.ordering_key = m.ordering_key
        AND earlier.seq < m.seq
        AND earlier.ordering_key IS NOT NULL
        AND earlier.status <> 'COMPLETED'
        AND earlier.key_skipped IS NULL
    ) IS NOT NULL;
  GET DIAGNOSTICS demoted = ROW_COUNT;
  RETURN demoted;
END
$fn$;

-- Promotes the first holding row of each (table $1[i], key $2[i]) when it waits: locks the
-- keys (sorted by lock id), then finds the heads on a fresh snapshot, which sees the
-- caller's own completion or skip and every demotion committed before the lock. Returns
-- how many rows it promoted.
CREATE FUNCTION {schema}.key_promote(p_tables text[], p_keys text[]) RETURNS integer
  LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  lock_id bigint;
  promoted integer;
BEGIN
  FOR lock_id IN
    SELECT DISTINCT {schema}.key_lock_id(u.t, u.k)
    FROM unnest(p_tables, p_keys) AS u(t, k)
    WHERE u.k IS NOT NULL
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(lock_id);
  END LOOP;
  UPDATE {schema}.messages AS m
  SET key_wait = NULL
  FROM (
    SELECT DISTINCT u.t, u.k FROM unnest(p_tables, p_keys) AS u(t, k) WHERE u.k IS NOT NULL
  ) AS u
  WHERE m.key_wait IS NOT NULL
    AND m.seq = (
      SELECT min(h.seq)
      FROM {schema}.messages AS h
      WHERE h.table_name = u.t
        AND h.ordering_key = u.k
        AND h.ordering_key IS NOT NULL
        AND h.status <> 'COMPLETED'
        AND h.key_skipped IS NULL
    );
  GET DIAGNOSTICS promoted = ROW_COUNT;
  RETURN promoted;
END
$fn$;
