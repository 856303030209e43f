-- Why a job's recipient may have received it more than once: it was sent again with the same
-- idempotency key after a worker stopped mid-send or after an answer that never came. Kept in
-- a column of its own, so that later requeues (which rewrite last_error) never erase it. Jobs
-- whose last error still says so are marked now; earlier marks that a requeue overwrote are
-- lost.
ALTER TABLE outbox ADD COLUMN may_repeat TEXT;
UPDATE outbox SET may_repeat = 'worker stopped mid-send; resent with the same idempotency key'
 WHERE last_error = 'worker stopped mid-send; resent with the same idempotency key';
UPDATE outbox SET may_repeat = 'resent with the same idempotency key after an answer that never came'
 WHERE last_error LIKE 'unknown: %' AND status <> 'unknown';
