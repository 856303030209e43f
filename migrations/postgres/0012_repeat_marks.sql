-- Why a job's recipient may have received it more than once: it was sent again with the same
-- idempotency key after a worker stopped mid-send or after an answer that never came. Kept in
-- a column of its own, so that later requeues (which rewrite last_error) never erase it.
ALTER TABLE outbox ADD COLUMN may_repeat TEXT;
UPDATE outbox SET may_repeat = last_error
 WHERE last_error = 'worker stopped mid-send; resent with the same idempotency key';
