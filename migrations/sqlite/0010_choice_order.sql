-- The time (as the partner stamped it) of the latest choice of each kind ('locale' or
-- 'segment') applied to a subscriber, by the vault's keyed lookup hash, so that a retried or
-- replayed press of an older button never moves them back to a language or group they left.
-- Written only for subscribers, deleted with them on opt-out, and otherwise kept only until
-- `keep_until` (the choice's time plus the platform's tolerance for late events), then pruned
-- by the retention sweep.
CREATE TABLE preference_marks (
    channel    TEXT NOT NULL,
    lookup     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    event_at   INTEGER NOT NULL,
    keep_until INTEGER NOT NULL,
    PRIMARY KEY (channel, lookup, kind)
);
CREATE INDEX preference_marks_by_expiry ON preference_marks (keep_until);

-- How far the retention sweep has pruned consent event ids and marks: an event kept only
-- until before this could have lost its record, so it is refused rather than applied again.
-- One row, no per-person data.
CREATE TABLE consent_prune_horizon (
    id            INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    pruned_before INTEGER NOT NULL
);
INSERT INTO consent_prune_horizon (id, pruned_before) VALUES (1, 0);
