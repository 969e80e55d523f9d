-- 012_jobs_sweep.sql — when a sweep asked for a job's check.
--
-- `tether-worker --once --all` makes every check due with forced = true and
-- forced_at = now(). The check handler then tests a connection unless it was
-- tested after forced_at: a worker killed between recording a test and
-- finishing its job never has it tested twice. forced_at stays after the job
-- is done: while some jobs of a sweep are still forced (it is under way), a
-- second --all (cron on another host, the same minute) joins it and does not
-- force again the jobs the first one has done.
ALTER TABLE jobs ADD COLUMN forced_at timestamptz;
