/*
 * jobs.c — tether-worker's queue (sql/010_jobs.sql): claim due jobs as a
 * lease, hand each to its kind's handler, and set when it is due again.
 * PostgreSQL is the only coordination: any number of workers on any number
 * of hosts claim with FOR UPDATE SKIP LOCKED, so no job runs twice at once,
 * and a killed worker's jobs come back when their lease ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

/* A lease grows with the attempts that never finished (2^n, up to a day):
 * a job that kills its worker every time is not retried every minute. */
int
jobs_claim(const struct actor *a, const char *worker_id, int max, struct job *out)
{
	char		 lease[16], n[16];
	const char	*params[3] = { worker_id, lease, n };
	PGresult	*res;
	int		 i, rows;

	snprintf(lease, sizeof(lease), "%d", a->app->cfg.worker_lease_s);
	snprintf(n, sizeof(n), "%d", max);
	res = db_exec_named(&a->app->db, "jobs_claim",
	    "WITH due AS (SELECT id FROM jobs WHERE run_at <= now() ORDER BY run_at"
	    " LIMIT $3 FOR UPDATE SKIP LOCKED)"
	    " UPDATE jobs j SET run_at = now() + make_interval(secs => $2::int *"
	    " LEAST(power(2, LEAST(j.attempts, 10)), 86400 / $2::int)),"
	    " attempts = j.attempts + 1, locked_at = now(), locked_by = $1"
	    " FROM due WHERE j.id = due.id RETURNING j.id, j.kind,"
	    " COALESCE(j.connection_id, 0) AS cid, COALESCE(j.user_id, 0) AS uid,"
	    " j.attempts, j.forced", 3, params);
	if (res == NULL)
		return -1;
	rows = db_rows(res);
	for (i = 0; i < rows; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].id = strtoll(db_get(res, i, "id"), NULL, 10);
		snprintf(out[i].kind, sizeof(out[i].kind), "%s", db_get(res, i, "kind"));
		out[i].connection_id = strtoll(db_get(res, i, "cid"), NULL, 10);
		out[i].user_id = strtoll(db_get(res, i, "uid"), NULL, 10);
		out[i].attempts = atoi(db_get(res, i, "attempts"));
		out[i].forced = strcmp(db_get(res, i, "forced"), "t") == 0;
	}
	db_clear(res);
	return rows;
}

/* Done: due again in `next` seconds, or gone (JOB_DELETE). Only while the
 * lease is still ours: a job taken over after its lease ended belongs to the
 * worker that took it. JOB_FAILED leaves the lease to run out. */
int
jobs_finish(const struct actor *a, const char *worker_id, const struct job *j, long next)
{
	char		 id[24], secs[24];
	const char	*params[3] = { id, worker_id, secs };
	PGresult	*res;

	if (next == JOB_FAILED)
		return 0;
	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(secs, sizeof(secs), "%ld", next);
	res = next == JOB_DELETE ? db_exec_named(&a->app->db, "jobs_delete",
	    "DELETE FROM jobs WHERE id = $1 AND locked_by = $2 AND $3::bigint = 0",
	    3, params) : db_exec_named(&a->app->db, "jobs_done",
	    "UPDATE jobs SET run_at = now() + make_interval(secs => $3::bigint),"
	    " attempts = 0, locked_at = NULL, locked_by = NULL, last_error = NULL,"
	    " forced = false WHERE id = $1 AND locked_by = $2", 3, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/*
 * About to run a claimed job: its lease starts again from now (as long as
 * the claim made it), so that a job that waited behind slow ones in its
 * batch is not taken over while it runs. 1 when the job is still ours, 0
 * when its lease ran out and another worker took it (do not run it).
 */
int
jobs_start(const struct actor *a, const char *worker_id, const struct job *j)
{
	char		 id[24], lease[16];
	const char	*params[3] = { id, worker_id, lease };
	PGresult	*res;
	int		 ours;

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(lease, sizeof(lease), "%d", a->app->cfg.worker_lease_s);
	res = db_exec_named(&a->app->db, "jobs_start",
	    "UPDATE jobs SET run_at = now() + make_interval(secs => $3::int *"
	    " LEAST(power(2, LEAST(GREATEST(attempts - 1, 0), 10)), 86400 / $3::int)),"
	    " locked_at = now() WHERE id = $1 AND locked_by = $2 RETURNING id",
	    3, params);
	if (res == NULL)
		return -1;
	ours = db_rows(res) == 1;
	db_clear(res);
	return ours;
}

/* Claimed but not started (the worker is stopping): due again at once, the
 * claim not counted. */
int
jobs_release(const struct actor *a, const char *worker_id, const struct job *j)
{
	char		 id[24];
	const char	*params[2] = { id, worker_id };
	PGresult	*res;

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	res = db_exec_named(&a->app->db, "jobs_release", "UPDATE jobs SET run_at = now(),"
	    " attempts = GREATEST(attempts - 1, 0), locked_at = NULL, locked_by = NULL"
	    " WHERE id = $1 AND locked_by = $2", 2, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/* --once --all: every connection's check is due now, as a sweep asked at
 * this time (sql/012_jobs_sweep.sql). While a sweep is still under way
 * (forced jobs left), a second one joins it instead of testing again what
 * the first has already tested. A job running now is left alone: its
 * connection is being tested. */
int
jobs_all_checks_due(const struct actor *a)
{
	PGresult	*res;

	res = db_exec_named(&a->app->db, "jobs_all_due",
	    "WITH sweep AS (SELECT min(forced_at) AS began FROM jobs"
	    " WHERE kind = 'check' AND forced)"
	    " UPDATE jobs j SET run_at = now(), forced = true, forced_at = now()"
	    " FROM sweep WHERE j.kind = 'check' AND j.locked_by IS NULL AND NOT j.forced"
	    " AND (sweep.began IS NULL OR j.forced_at IS NULL OR j.forced_at < sweep.began)",
	    0, NULL);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

static const struct {
	const char	*kind;
	job_handler	 run;
} handlers[] = {
	{ "check", job_check },
	{ "refresh", job_refresh },
	{ "expiry", job_expiry },
};

long
jobs_run(const struct actor *a, const struct job *j)
{
	size_t	 i;

	for (i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (strcmp(handlers[i].kind, j->kind) == 0)
			return handlers[i].run(a, j);
	log_error(a->request_id, "job %lld: unknown kind %s", (long long)j->id, j->kind);
	return JOB_DELETE;
}
