-- How many rows the planner believes the messages table holds: pg_class.reltuples, -1 when
-- the table was never analyzed or vacuumed. The store compares it with the rows it wrote
-- since its own last ANALYZE (statistics.ts). A catalog read: no lock on the table.
SELECT c.reltuples::float8 AS rows
FROM pg_catalog.pg_class AS c
WHERE c.oid = '{schema}.messages'::regclass;
