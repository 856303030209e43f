-- Facts about how a database has been used, each kept with the first time it was seen.
-- 'real_sending': a worker or service dispatched to the real partners from this database, so a
-- rehearsal (serve --sandbox, worker --sandbox-url) must not run on it: it would mark real
-- people's messages as sent to a sandbox and accept forged partner events into real data.
-- One row per fact, no per-person data.
CREATE TABLE deployment_marks (
    name        TEXT PRIMARY KEY NOT NULL,
    first_at_ms INTEGER NOT NULL
);
