-- People and their roles (author, approver, scheduler, evaluator, admin; one may hold several).
CREATE TABLE users (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    roles      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- API tokens are given out as "id.secret"; only a hash of the secret is kept.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    secret_hash TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

-- Who wrote a version (uploaded its content): they may never approve it.
CREATE TABLE version_authors (
    version_hash TEXT NOT NULL REFERENCES campaign_versions (hash),
    user_id      TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (version_hash, user_id)
);

-- Approval decisions, bound to the content hash.
CREATE TABLE version_decisions (
    version_hash TEXT NOT NULL REFERENCES campaign_versions (hash),
    user_id      TEXT NOT NULL REFERENCES users (id),
    decision     TEXT NOT NULL,
    note         TEXT,
    decided_at   INTEGER NOT NULL
);

-- The audit log: each entry carries the hash of the one before, so an edited, inserted or
-- deleted row breaks the chain; audit_head keeps the last entry, so a cut tail shows too.
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY NOT NULL,
    at           INTEGER NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    version_hash TEXT,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY NOT NULL,
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');
