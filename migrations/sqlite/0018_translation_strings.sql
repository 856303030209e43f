-- Per-string translation status: who last changed a string of a locale, to which words (by
-- the SHA-256 of their canonical text) and in which status (draft, translated, reviewed).
-- Tied to the words, not to a version: every version that holds the same words shows the
-- record, and changed words show as unrecorded. Names staff (by user id), like the authors of
-- a version, and is kept as long as they are.
CREATE TABLE translation_strings (
    campaign_id TEXT NOT NULL,
    locale      TEXT NOT NULL,
    string_id   TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    status      TEXT NOT NULL,
    changed_by  TEXT NOT NULL REFERENCES users (id),
    changed_ms  INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, locale, string_id, text_sha256)
);
