-- Clicks on tracking links, as counters only: no cookie, address, user agent or time of day is
-- kept. Link-preview fetchers and prefetchers are counted apart from people.
CREATE TABLE click_counts (
    campaign_id TEXT NOT NULL,
    send_id     TEXT NOT NULL,
    variant     TEXT NOT NULL,
    locale      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    day         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    clicks      BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, send_id, variant, locale, channel, day, kind)
);
