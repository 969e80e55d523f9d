-- 010_jobs.sql — tether-worker's queue, as a lease.
--
-- One row per piece of recurring work: kind 'check' (a connection's
-- scheduled test), 'refresh' (an OAuth token refreshed before it expires;
-- user_id set for a user's own tokens of a per-user connection), 'expiry'
-- (the one sweep that announces expiring secrets). A worker claims due rows
-- with FOR UPDATE SKIP LOCKED and, in the same statement, moves run_at to
-- now() + lease and counts the attempt: the row lock lasts only for the
-- claim, the lease is the row itself. Done, the worker sets the next run_at
-- and attempts back to 0. Killed, it leaves run_at at the lease's end, when
-- any worker takes the job again; a job whose attempts keep climbing (a
-- crash loop) is claimed with an ever longer lease, so a crash never
-- hammers a provider.
ALTER TABLE jobs ADD COLUMN user_id bigint REFERENCES users ON DELETE CASCADE;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
	CHECK (kind IN ('check', 'refresh', 'expiry'));
CREATE UNIQUE INDEX jobs_kind_connection_user_key
	ON jobs (kind, COALESCE(connection_id, 0), COALESCE(user_id, 0));
CREATE INDEX jobs_user_idx ON jobs (user_id) WHERE user_id IS NOT NULL;
