-- OAuth 2.0 access tokens of X accounts, with what keeps one refresh at a time across workers.
-- The refresh token itself is an account secret (account_secrets, name 'refresh_token'),
-- replaced at every refresh in the same transaction that stores the access token here.
-- access_sealed is sealed like account secrets (bound to the account); lease_holder and
-- lease_until name the worker refreshing now; refused_nonce is the account_secrets nonce of a
-- refresh token X refused (spent or revoked), with X's words in refused_reason: while that
-- token is the stored one, nobody calls X with it again.
CREATE TABLE oauth_tokens (
    channel        TEXT PRIMARY KEY,
    access_nonce   TEXT,
    access_sealed  TEXT,
    refresh_at     BIGINT,
    lease_holder   TEXT,
    lease_until    BIGINT,
    refused_nonce  TEXT,
    refused_reason TEXT,
    updated_at     BIGINT NOT NULL
);
