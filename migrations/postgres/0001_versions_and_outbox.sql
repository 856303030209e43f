-- Campaign versions: immutable content (the canonical bundle) named by its SHA-256 hash.
CREATE TABLE campaign_versions (
    hash        TEXT PRIMARY KEY NOT NULL,
    campaign_id TEXT NOT NULL,
    state       TEXT NOT NULL,
    bundle      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX campaign_versions_by_campaign ON campaign_versions (campaign_id, created_at);

-- The outbox: one job per (version, send, segment, locale, channel, slot), never two.
-- Times are UTC: slot in seconds, run_at and lease_until in milliseconds (rate pacing needs them).
-- status: queued (due at run_at, also retries) | leased | sending (the call may have left) |
--         sent | dead | unknown (sent or not: never re-sent blindly) | cancelled
CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    version_hash    TEXT NOT NULL REFERENCES campaign_versions (hash),
    send_id         TEXT NOT NULL,
    segment_id      TEXT NOT NULL,
    locale          TEXT NOT NULL,
    channel         TEXT NOT NULL,
    slot            BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'queued',
    run_at          BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     BIGINT,
    last_error      TEXT,
    error_code      TEXT,
    variant         TEXT,
    platform_id     TEXT,
    finished_at     BIGINT
);
CREATE INDEX outbox_due ON outbox (status, run_at, id);
CREATE INDEX outbox_by_version ON outbox (version_hash, slot);
CREATE INDEX outbox_leases ON outbox (status, lease_until);

-- How far each version's schedule has been turned into jobs (the rolling horizon).
CREATE TABLE plan_horizon (
    version_hash  TEXT PRIMARY KEY NOT NULL REFERENCES campaign_versions (hash),
    planned_until BIGINT NOT NULL
);

-- Campaign-wide controls: the kill switch stops every pending job and retry of a campaign.
CREATE TABLE campaign_controls (
    campaign_id TEXT PRIMARY KEY NOT NULL,
    killed_at   BIGINT,
    killed_by   TEXT
);

-- Rate budgets shared by every worker: the next free sending time per bucket (an account, or
-- an account and one recipient), and a pause set by a platform's throttling answer.
CREATE TABLE rate_buckets (
    bucket          TEXT PRIMARY KEY NOT NULL,
    next_free_ms    BIGINT NOT NULL,
    paused_until_ms BIGINT NOT NULL DEFAULT 0
);

-- Messages per account per UTC day, for daily caps.
CREATE TABLE daily_counts (
    channel TEXT NOT NULL,
    day     TEXT NOT NULL,
    sent    BIGINT NOT NULL,
    PRIMARY KEY (channel, day)
);
