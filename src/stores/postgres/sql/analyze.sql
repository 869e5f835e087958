-- Fresh planner statistics for the store's growing tables (statistics.ts): the generic plans
-- of the hot statements were made from the statistics of their first call, and ANALYZE
-- makes every cached plan of these tables be made again at its next use. Samples at most
-- 300 × default_statistics_target rows per table, and takes only a SHARE UPDATE EXCLUSIVE
-- lock, which no read or write of the store waits for (autovacuum and other ANALYZEs do).
ANALYZE {schema}.messages, {schema}.payload, {schema}.working_data;
