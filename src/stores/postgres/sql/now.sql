-- The store's clock: the server's now() as epoch milliseconds.
-- Parameters: none.
SELECT {schema}.now_ms() AS now;
