-- Staff notifications. What happened, as staff-facing aggregate facts only: a kind, the
-- campaign, version and account it concerns, an error code, how many jobs, when. Never an
-- address, a chat id, a subscriber id or a text rendered for a person. Kept as long as
-- `retention_days` says (see docs/OPERATIONS.md, "Staff notifications").
CREATE TABLE staff_events (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    campaign_id  TEXT,
    version_hash TEXT,
    account      TEXT,
    code         TEXT,
    count        INTEGER NOT NULL DEFAULT 1,
    at           INTEGER NOT NULL
);
CREATE INDEX staff_events_by_time ON staff_events (at);

-- Each staff user's own choice: which kinds, by which channel, to which e-mail address.
-- `seen_event` is the last event already put into one of their digests. Kept while the user
-- exists; the address is erased by setting it to nothing.
CREATE TABLE notification_preferences (
    user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    channel    TEXT NOT NULL,
    kinds      TEXT NOT NULL,
    email      TEXT,
    seen_event INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);

-- One message to one user: the events after `after_event` up to `last_event`. Marked sent
-- only once the SMTP server or the webhook accepted it; until then retried with backoff, by
-- whichever process holds its lease.
CREATE TABLE notification_digests (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      TEXT NOT NULL REFERENCES users (id),
    channel      TEXT NOT NULL,
    after_event  INTEGER NOT NULL,
    last_event   INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt INTEGER NOT NULL,
    lease_owner  TEXT,
    lease_until  INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER
);
CREATE INDEX notification_digests_due ON notification_digests (status, next_attempt);
