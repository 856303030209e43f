-- How staff resolved a job whose outcome was unknown, once they had checked with the partner:
-- delivered, or not delivered (and whether it was sent again), by whom and when. Kept on the
-- job's own row, so it goes when the row does (the retention of finished jobs); the audit log
-- keeps the decision for good.
ALTER TABLE outbox ADD COLUMN resolved_as TEXT;
ALTER TABLE outbox ADD COLUMN resolved_by TEXT;
ALTER TABLE outbox ADD COLUMN resolved_at BIGINT;
