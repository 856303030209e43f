-- Retention of personal data. A subscriber's identifier is erased once no scheduled, running
-- or paused campaign could reach them for a while, and once they have had no contact for a
-- while; both periods are set in herald.toml.
-- last_contact_at: the latest moment herald heard from the person (an opt-in again, a change
-- of language or group) or sent them a message whose row has since expired (milliseconds).
ALTER TABLE subscribers ADD COLUMN last_contact_at INTEGER;

-- When a campaign could last reach a channel's segment (milliseconds): written by the upkeep
-- for every segment and channel of a scheduled, running or paused version. A few rows, so
-- the upkeep never rewrites one row per subscriber.
CREATE TABLE audience_reach (
    channel      TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    reachable_at INTEGER NOT NULL,
    PRIMARY KEY (channel, segment_id)
);
