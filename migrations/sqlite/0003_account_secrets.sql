-- Credentials set through the API (write-only): sealed with XChaCha20-Poly1305 under the key
-- in HERALD_SECRET_KEY, bound to their account and name; never returned by any route.
CREATE TABLE account_secrets (
    channel    TEXT NOT NULL,
    name       TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    sealed     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (channel, name)
);
