-- Subscribers of messaging channels (people who opted in to a bot or number). The identifier
-- is kept only sealed (authenticated encryption) and as a keyed hash for lookups; opting out
-- deletes the row. A person belongs to one segment and reads one locale per channel.
CREATE TABLE subscribers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    channel       TEXT NOT NULL,
    lookup        TEXT NOT NULL,
    sealed        TEXT NOT NULL,
    locale        TEXT NOT NULL,
    segment_id    TEXT NOT NULL,
    subscribed_at INTEGER NOT NULL,
    UNIQUE (channel, lookup)
);
CREATE INDEX subscribers_audience ON subscribers (channel, segment_id, locale, id);

-- A job addressed to one subscriber: the fan-out of a broadcast job of a messaging channel.
-- Broadcast jobs end as 'expanded'; their deliveries are ordinary jobs with a subscriber.
ALTER TABLE outbox ADD COLUMN subscriber_id INTEGER;
CREATE INDEX outbox_by_subscriber ON outbox (subscriber_id) WHERE subscriber_id IS NOT NULL;
CREATE INDEX outbox_by_platform_id ON outbox (platform_id, channel) WHERE platform_id IS NOT NULL;

-- Status callbacks already counted, by a hash of (channel, message, recipient, status), so a
-- duplicate or replayed callback changes nothing. Expires with the delivery bookkeeping.
CREATE TABLE callback_receipts (
    receipt     TEXT PRIMARY KEY NOT NULL,
    received_at INTEGER NOT NULL
);
CREATE INDEX callback_receipts_by_time ON callback_receipts (received_at);

-- Status callbacks that arrived before the send they report on was recorded (a partner can
-- answer faster than the worker writes its batch): matched again shortly after.
CREATE TABLE pending_callbacks (
    receipt     TEXT PRIMARY KEY NOT NULL,
    channel     TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    day         TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
