-- A rate-limit key's grant log (JSON), inside the takeTokens / returnTokens transaction.
-- @key  TEXT  the limit key
SELECT grants, expires_at AS expiresAt FROM {prefix}rate_limits WHERE limit_key = @key;
