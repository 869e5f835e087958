-- Group claims: takes the transaction-scoped advisory lock of each group, without waiting:
-- a group another claimer is working on is skipped (it is served by that claimer), so two
-- claimers never wait for each other and never deadlock. Holding the lock until COMMIT,
-- this transaction alone may move rows of the group to IN_PROGRESS, so the count and the
-- claim of claim-group.sql (a later statement: its snapshot sees every earlier holder's
-- commit) are exact.
--
-- $1  text[]  the groups, in the order to serve them
-- $2  text    the lock namespace: schema, table and type
SELECT g.k AS group_key
FROM unnest($1::text[]) WITH ORDINALITY AS g(k, ord)
WHERE pg_try_advisory_xact_lock(hashtextextended($2 || ':' || g.k, 0))
ORDER BY g.ord;
