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
-- Run now whatever the handler would otherwise wait for (--once --all).
ALTER TABLE jobs ADD COLUMN forced boolean NOT NULL DEFAULT false;
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
	CHECK (kind IN ('check', 'refresh', 'expiry'));
CREATE UNIQUE INDEX jobs_kind_connection_user_key
	ON jobs (kind, COALESCE(connection_id, 0), COALESCE(user_id, 0));
CREATE INDEX jobs_user_idx ON jobs (user_id) WHERE user_id IS NOT NULL;

-- Every connection has its scheduled check. A new one's first check is
-- spread over the next ten minutes (it was tested when it was created; the
-- handler looks at its last test and waits out the interval). A changed
-- interval is looked at again at once.
CREATE FUNCTION connections_check_job() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO jobs (kind, connection_id, run_at)
		VALUES ('check', NEW.id, now() + random() * interval '10 minutes')
		ON CONFLICT DO NOTHING;
	ELSE
		UPDATE jobs SET run_at = now() WHERE kind = 'check'
		    AND connection_id = NEW.id AND locked_by IS NULL;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER connections_check_job_insert AFTER INSERT ON connections
	FOR EACH ROW EXECUTE FUNCTION connections_check_job();
CREATE TRIGGER connections_check_job_interval AFTER UPDATE OF check_interval ON connections
	FOR EACH ROW WHEN (OLD.check_interval IS DISTINCT FROM NEW.check_interval)
	EXECUTE FUNCTION connections_check_job();

-- The connections that exist: their checks spread over the next hour.
INSERT INTO jobs (kind, connection_id, run_at)
SELECT 'check', id, now() + random() * interval '1 hour' FROM connections
ON CONFLICT DO NOTHING;

-- The one expiry sweep.
INSERT INTO jobs (kind, run_at) VALUES ('expiry', now()) ON CONFLICT DO NOTHING;
