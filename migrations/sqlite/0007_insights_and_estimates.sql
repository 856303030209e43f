-- Published posts whose platform metrics herald reads back: one row per post (a post is public
-- content, not a person, so its platform id may be kept), with the reporting window it is
-- read for next (`1h`, `24h`, `7d` after publishing, `end` of the campaign) and when. A
-- finished poll has no next window. Leases let several workers share the polling.
CREATE TABLE insight_polls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    channel      TEXT NOT NULL,
    post_id      TEXT NOT NULL,
    campaign_id  TEXT NOT NULL,
    version_hash TEXT NOT NULL,
    send_id      TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    locale       TEXT NOT NULL,
    variant      TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    next_window  TEXT,
    due_at       INTEGER,
    lease_owner  TEXT,
    lease_until  INTEGER,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    finished_at  INTEGER,
    UNIQUE (channel, post_id)
);
CREATE INDEX insight_polls_due ON insight_polls (due_at, id) WHERE next_window IS NOT NULL;
CREATE INDEX insight_polls_by_campaign ON insight_polls (campaign_id);

-- What a platform reported about one post for one window: aggregates the platform computed
-- (unique accounts reached, impressions, clicks, engagements), never a person. Reading the
-- same window again replaces the value, so a repeated poll never counts twice.
CREATE TABLE insight_observations (
    campaign_id  TEXT NOT NULL,
    version_hash TEXT NOT NULL,
    send_id      TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    locale       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    variant      TEXT NOT NULL,
    post_id      TEXT NOT NULL,
    window_label TEXT NOT NULL,
    metric       TEXT NOT NULL,
    value        INTEGER NOT NULL,
    api_version  TEXT NOT NULL,
    observed_at  INTEGER NOT NULL,
    PRIMARY KEY (channel, post_id, window_label, metric)
);
CREATE INDEX insight_observations_by_campaign ON insight_observations (campaign_id);

-- The platform's estimate of the audience a segment's targeting reaches on a channel, taken
-- once when a version starts running: the denominator of penetration. Meta answers ranges.
CREATE TABLE audience_estimates (
    campaign_id  TEXT NOT NULL,
    version_hash TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    channel      TEXT NOT NULL,
    lower_bound  INTEGER NOT NULL,
    upper_bound  INTEGER NOT NULL,
    daily        INTEGER,
    api_version  TEXT NOT NULL,
    estimated_at INTEGER NOT NULL,
    PRIMARY KEY (version_hash, segment_id, channel)
);
CREATE INDEX audience_estimates_by_campaign ON audience_estimates (campaign_id);
