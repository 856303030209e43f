-- When a user's API tokens stop working (`herald user add --expires`); NULL: never. A token
-- of an expired user is refused like a revoked one, and the sessions it opened end with it.
ALTER TABLE users ADD COLUMN expires_at INTEGER;

-- Web-interface sessions, in the database so that every replica serving /ui shares them and a
-- restart signs no one out. The cookie holds a random session secret; only its SHA-256 is kept
-- (secret_hash), so a copy of this table opens no session. `id` is a separate random handle
-- that admins see and end sessions by. A session ends at idle_until (moved forward as it is
-- used, at most once a minute) or at expires_at (fixed when it opens), whichever comes first;
-- the upkeep of `serve` and `worker` deletes the rows of ended sessions.
CREATE TABLE web_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    token_id     TEXT NOT NULL REFERENCES api_tokens (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_until   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX web_sessions_by_user ON web_sessions (user_id, created_at);
CREATE INDEX web_sessions_by_token ON web_sessions (token_id);
