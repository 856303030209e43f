-- Consent events already applied, by a keyed hash of (channel, the partner's event id), so a
-- partner's retry or an attacker's replay of a signed opt-in or opt-out is applied once. Kept
-- until `keep_until` (the event's time plus the platform's tolerance for late events: after
-- that the event is refused as too old anyway), then pruned by the retention sweep.
CREATE TABLE consent_event_ids (
    digest     TEXT PRIMARY KEY NOT NULL,
    keep_until BIGINT NOT NULL
);
CREATE INDEX consent_event_ids_by_expiry ON consent_event_ids (keep_until);

-- The time (as the partner stamped it) of the latest consent event applied to a person, by the
-- vault's keyed lookup hash, so that an older opt-in arriving late never undoes a newer
-- opt-out, even though the opt-out erased the subscriber row. Kept, like the event ids, only
-- until `keep_until`, then pruned by the retention sweep.
CREATE TABLE consent_marks (
    channel    TEXT NOT NULL,
    lookup     TEXT NOT NULL,
    event_at   BIGINT NOT NULL,
    keep_until BIGINT NOT NULL,
    PRIMARY KEY (channel, lookup)
);
CREATE INDEX consent_marks_by_expiry ON consent_marks (keep_until);
