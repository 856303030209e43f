-- The audit chain keyed by HMAC: each entry names the key its hash is an HMAC under (NULL for
-- the plain SHA-256 entries written before, or without a key), and the head names the key of
-- the last entry, so that no entry is written under another key or none after a keyed one.
ALTER TABLE audit_log ADD COLUMN key_id TEXT;
ALTER TABLE audit_head ADD COLUMN key_id TEXT;
