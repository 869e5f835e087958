-- Schema version 6: rate-limit grant logs (store port `takeTokens` / `returnTokens`). A
-- migration script, run by migrations.ts inside the migration transaction. {prefix} is the
-- validated table prefix. Parameters: none. (Versions 3 to 5 belong to other parts of
-- flow control; migrate() skips the numbers it does not have.)
--
-- One row per limit key: its grant log as JSON `[[at, n], ...]` (store/rate-log.ts), and
-- when the log stops counting (its newest grant + the interval), so rows of keys nobody
-- uses any more (a group that went quiet) are deleted a few at a time by later calls.
CREATE TABLE IF NOT EXISTS {prefix}rate_limits (
  limit_key  TEXT PRIMARY KEY,
  grants     TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS {prefix}rate_limits_expiry ON {prefix}rate_limits (expires_at);
