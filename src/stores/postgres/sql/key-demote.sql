-- Demotes rows a claim found waiting behind their ordering key (claim.sql's `blocked`):
-- key_demote (schema-v6.sql) locks their keys and sets key_wait on those still not their
-- key's head. Run on the pool, in a transaction of its own (autocommit), after the claim.
-- Returns how many rows it demoted.
--
-- $1  text      the event table
-- $2  bigint[]  the seqs
SELECT {schema}.key_demote($1, $2::bigint[]) AS demoted;
