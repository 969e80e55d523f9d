/*
 * health.c — the scheduled check (job kind "check"): test a connection on
 * its interval, as the trigger `schedule`, without anyone pressing Test.
 * The interval counts from the last test whatever started it: a connection
 * tested a minute ago by a person is not tested again by the schedule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define DAY_S		86400L
#define BUSY_RETRY_S	60L

/* The connection's interval in seconds; 0 when its checks are off. */
static long
check_interval_s(const struct app *app, const char *setting)
{
	if (strcmp(setting, "off") == 0)
		return 0;
	if (strcmp(setting, "15m") == 0)
		return 15 * 60L;
	if (strcmp(setting, "1h") == 0)
		return 3600L;
	if (strcmp(setting, "1d") == 0)
		return DAY_S;
	return app->cfg.check_interval_min * 60L;
}

/* Up to a tenth more, so that a thousand connections created together do
 * not come due in the same second forever after. */
static long
jittered(long s)
{
	return s + (long)randombytes_uniform((uint32_t)(s / 10 + 1));
}

/*
 * One check of a connection at a time across every worker: a session
 * advisory lock held while it is tested, released after, or by PostgreSQL
 * when the process dies. A worker that took over a job whose lease ran out
 * while the first one was still testing does not test it a second time.
 * 1 when taken, 0 when another worker holds it, -1 on failure.
 */
static int
check_lock(const struct actor *a, const char *cid, int take)
{
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 got;

	res = take ? db_exec_named(&a->app->db, "check_lock", "SELECT pg_try_advisory_lock("
	    "hashtextextended('tether.check:' || $1, 0))", 1, params) :
	    db_exec_named(&a->app->db, "check_unlock", "SELECT pg_advisory_unlock("
	    "hashtextextended('tether.check:' || $1, 0))", 1, params);
	if (res == NULL)
		return -1;
	got = strcmp(db_get(res, 0, take ? "pg_try_advisory_lock" : "pg_advisory_unlock"),
	    "t") == 0;
	db_clear(res);
	return got;
}

/* The check itself, under the lock: due, test; the seconds until the next. */
static long
check_due(const struct actor *a, const struct job *j, const char *cid, const char *jid)
{
	char		 message[256];
	const char	*params[2] = { cid, jid };
	PGresult	*res;
	long		 every, since, next;
	int		 ok, rc, untestable, reconnect, swept;

	/* swept: tested since its sweep asked (sql/012_jobs_sweep.sql). */
	res = db_exec_named(&a->app->db, "check_due", "SELECT c.check_interval, c.status,"
	    " c.execution_context, c.connector, c.auth_protocol,"
	    " c.named_credential_id IS NULL AS own_auth, COALESCE(extract(epoch FROM now() -"
	    " c.last_tested_at)::bigint, -1) AS since, COALESCE(c.last_tested_at >="
	    " j.forced_at, false) AS swept FROM connections c LEFT JOIN jobs j ON j.id = $2"
	    " WHERE c.id = $1", 2, params);
	if (res == NULL)
		return JOB_FAILED;
	if (db_rows(res) != 1) {
		db_clear(res);
		return JOB_DELETE;
	}
	every = check_interval_s(a->app, db_get(res, 0, "check_interval"));
	since = strtol(db_get(res, 0, "since"), NULL, 10);
	untestable = strcmp(db_get(res, 0, "status"), "not_testable") == 0 ||
	    strcmp(db_get(res, 0, "execution_context"), "per_user") == 0;
	/* OAuth code never connected: a person must Connect first (that tests
	 * it); the schedule would only record a failure nothing caused. */
	if (strcmp(db_get(res, 0, "status"), "not_tested") == 0 &&
	    strcmp(db_get(res, 0, "own_auth"), "t") == 0 &&
	    strcmp(connector_protocol_kind(&a->app->catalog, db_get(res, 0, "connector"),
	    db_get(res, 0, "auth_protocol")), "oauth2_code") == 0)
		untestable = 1;
	reconnect = strcmp(db_get(res, 0, "status"), "needs_reconnect") == 0;
	swept = strcmp(db_get(res, 0, "swept"), "t") == 0;
	db_clear(res);
	/*
	 * Off: looked at again daily (setting an interval reschedules at once).
	 * Needs reconnect: a person must act (a reconnect or an edit tests at
	 * once), so the schedule tries once a day, no more: enough to notice a
	 * grant restored at the provider, never a retry storm.
	 */
	if (every == 0 || untestable)
		next = every == 0 ? DAY_S : every;
	else {
		if (reconnect && every < DAY_S)
			every = DAY_S;
		if (j->forced ? swept : since >= 0 && since < every)
			next = since >= 0 && since < every ? every - since : every;
		else {
			rc = tester_run_id(a, j->connection_id, "schedule", message,
			    sizeof(message), &ok);
			next = rc == -1 ? JOB_FAILED : rc == TESTER_GONE ? JOB_DELETE :
			    rc == TESTER_BUSY ? BUSY_RETRY_S : every;
		}
	}
	return next;
}

long
job_check(const struct actor *a, const struct job *j)
{
	char		 cid[24], jid[24];
	long		 next;
	int		 rc;

	snprintf(cid, sizeof(cid), "%lld", (long long)j->connection_id);
	snprintf(jid, sizeof(jid), "%lld", (long long)j->id);
	if ((rc = check_lock(a, cid, 1)) != 1)
		return rc == -1 ? JOB_FAILED : jittered(BUSY_RETRY_S);
	next = check_due(a, j, cid, jid);
	(void)check_lock(a, cid, 0);
	return next > 0 ? jittered(next) : next;
}
