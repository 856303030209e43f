-- Facts about how a database has been used, each kept with the first time it was seen.
-- 'real_sending': a worker or service dispatched to the real partners from this database, so a
-- rehearsal (serve --sandbox, worker --sandbox-url) must not run on it: it would mark real
-- people's messages as sent to a sandbox and accept forged partner events into real data.
-- One row per fact, no per-person data.
CREATE TABLE deployment_marks (
    name        TEXT PRIMARY KEY NOT NULL,
    first_at_ms INTEGER NOT NULL
);

-- A database that sent anything before this table existed cannot tell whether it was to the real
-- partners or to a sandbox: it is marked, to be safe (a rehearsal on it then needs
-- --allow-used-database), with the time of the upgrade.
INSERT INTO deployment_marks (name, first_at_ms)
SELECT 'real_sending', CAST(strftime('%s', 'now') AS INTEGER) * 1000
WHERE EXISTS (SELECT 1 FROM daily_counts)
   OR EXISTS (SELECT 1 FROM outbox WHERE status IN ('sent', 'unknown', 'dead'));
