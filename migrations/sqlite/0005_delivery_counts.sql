-- Delivery outcomes as counters per (version, send, segment, locale, channel, variant, day,
-- status): what reports are built from. No row names a person.
CREATE TABLE delivery_counts (
    campaign_id  TEXT NOT NULL,
    version_hash TEXT NOT NULL,
    send_id      TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    locale       TEXT NOT NULL,
    channel      TEXT NOT NULL,
    variant      TEXT NOT NULL,
    day          TEXT NOT NULL,
    status       TEXT NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (version_hash, send_id, segment_id, locale, channel, variant, day, status)
);
CREATE INDEX delivery_counts_by_campaign ON delivery_counts (campaign_id);
