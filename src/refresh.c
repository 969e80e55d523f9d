/*
 * refresh.c — proactive OAuth refresh (job kind "refresh", one per
 * connection, or per connection and user for per-user tokens) and the
 * expiry sweep (kind "expiry", one job).
 *
 * A refresh job is set by oauth_store whenever tokens are stored (reconnect,
 * any refresh): due health.refresh_ahead_seconds before the access token
 * expires, and at least daily for connectors with OAuth.refresh_daily. It
 * refreshes through oauth_refresh, the one path tests and pages use too, so
 * the refresh lock serialises all of them. invalid_grant is recorded once as
 * a `refresh` test (needs reconnect, its event) and the job goes away until
 * a reconnect stores new tokens; other failures are retried with the job's
 * backoff and notified once per run of failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"

#define BUSY_RETRY_S	60L
#define EXPIRY_EVERY_S	3600L
#define EXPIRY_PAGE	200
#define EXPIRY_PAGES	10	/* per run: 2,000 reminders, the rest a minute later */

/*
 * A refresh failed for a reason that may pass (timeout, 5xx, refused
 * client): mark the job's run of failures (jobs.last_error, cleared when the
 * job next finishes well or new tokens are stored) and, at its first failure
 * only, emit EVENT_REFRESH_FAILED; not for a user's own tokens (per-user
 * states never notify, as in tester_record). 0 or -1.
 */
static int
refresh_failed(const struct actor *a, const struct job *j, const struct probe_outcome *o)
{
	char		 id[24], error[64], *extra;
	const char	*params[2] = { id, error };
	PGresult	*res;
	json_t		*x;
	int		 first;

	snprintf(id, sizeof(id), "%lld", (long long)j->id);
	snprintf(error, sizeof(error), "refresh: %s", probe_result_key(o->result));
	if (db_begin(&a->app->db) == -1)
		return -1;
	res = db_exec_named(&a->app->db, "refresh_failed", "UPDATE jobs j SET last_error = $2"
	    " FROM (SELECT id, last_error FROM jobs WHERE id = $1 FOR UPDATE) o"
	    " WHERE j.id = o.id RETURNING o.last_error IS NULL AS first", 2, params);
	if (res == NULL)
		goto fail;
	first = db_rows(res) == 1 && strcmp(db_get(res, 0, "first"), "t") == 0;
	db_clear(res);
	if (first && j->user_id == 0) {
		x = json_pack("{s:{s:s,s:I}}", "refresh", "result",
		    probe_result_key(o->result), "http_status", (json_int_t)o->http_status);
		extra = x != NULL ? json_dumps(x, JSON_COMPACT) : NULL;
		json_decref(x);
		if (extra == NULL || event_connection(a, EVENT_REFRESH_FAILED, j->connection_id,
		    extra) == -1) {
			free(extra);
			goto fail;
		}
		free(extra);
	}
	return db_commit(&a->app->db);
fail:
	db_rollback(&a->app->db);
	return -1;
}

long
job_refresh(const struct actor *a, const struct job *j)
{
	struct probe_outcome	 o;
	struct conn		*c;
	long			 next;
	int			 dberr, refreshed, per_user, rc;

	if ((c = conn_get(a, j->connection_id, &dberr)) == NULL)
		return dberr ? JOB_FAILED : JOB_DELETE;
	per_user = strcmp(c->context, "per_user") == 0;
	if (per_user != (j->user_id > 0)) {
		conn_free(c);
		return JOB_DELETE;
	}
	probe_outcome_init(&o);
	rc = oauth_refresh(a, c, j->user_id, NULL, OAUTH_DUE, &o, &refreshed);
	if (rc == -1)
		next = JOB_FAILED;
	else if (o.result == PROBE_OK)
		next = oauth_refresh_next_s(a, c, j->user_id);	/* -1 is JOB_FAILED */
	else if (o.result == PROBE_BUSY)
		next = BUSY_RETRY_S;
	else if (o.result == PROBE_UNSUPPORTED)
		next = JOB_DELETE;		/* not (or no longer) OAuth */
	else if (o.result == PROBE_NEEDS_RECONNECT && o.http_status == 0)
		next = JOB_DELETE;		/* no refresh token: nothing to do */
	else if (o.result == PROBE_NEEDS_RECONNECT) {
		/* invalid_grant: told once; a reconnect schedules the job again. */
		rc = tester_record_outcome(a, j->user_id, c, "refresh", &o);
		next = rc == -1 ? JOB_FAILED : JOB_DELETE;
	} else {
		log_error(a->request_id, "connection %lld: refresh failed: %s",
		    (long long)c->id, probe_result_key(o.result));
		/* Retried after the lease, longer with every attempt (jobs.c). */
		(void)refresh_failed(a, j, &o);
		next = JOB_FAILED;
	}
	probe_outcome_free(&o);
	conn_free(c);
	return next;
}

/*
 * One page of connections whose earliest expiry (a shared secret's
 * expires_on, kept in secrets_expire_on, or the refresh token's) falls
 * within health.expiry_horizon_days and was not announced yet: marked
 * (expiry_notified_on) and announced (EVENT_EXPIRING with expires_on,
 * days_left and what expires: field names or "refresh token", never a
 * value) in one transaction. The number announced, -1 on failure.
 */
static int
expiry_page(const struct actor *a)
{
	char		 horizon[16], limit[16];
	const char	*params[2] = { horizon, limit };
	PGresult	*res;
	int		 i, n;

	snprintf(horizon, sizeof(horizon), "%d", a->app->cfg.expiry_horizon_days);
	snprintf(limit, sizeof(limit), "%d", EXPIRY_PAGE);
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* The WHERE repeats connections_expiry_idx's expression and predicate. */
	res = db_exec_named(&a->app->db, "expiry_due",
	    "WITH due AS (SELECT id, LEAST(secrets_expire_on, (refresh_token_expires_at"
	    " AT TIME ZONE 'UTC')::date) AS d FROM connections"
	    " WHERE (secrets_expire_on IS NOT NULL OR refresh_token_expires_at IS NOT NULL)"
	    " AND LEAST(secrets_expire_on, (refresh_token_expires_at AT TIME ZONE 'UTC')::date)"
	    " <= (now() AT TIME ZONE 'UTC')::date + $1::int"
	    " AND expiry_notified_on IS DISTINCT FROM LEAST(secrets_expire_on,"
	    " (refresh_token_expires_at AT TIME ZONE 'UTC')::date)"
	    " LIMIT $2::int FOR UPDATE SKIP LOCKED)"
	    " UPDATE connections c SET expiry_notified_on = due.d FROM due WHERE c.id = due.id"
	    " RETURNING c.id, jsonb_build_object('expires_on', to_char(due.d, 'YYYY-MM-DD'),"
	    " 'days_left', due.d - (now() AT TIME ZONE 'UTC')::date, 'what',"
	    " COALESCE((SELECT jsonb_agg(s.field ORDER BY s.field) FROM connection_secrets s"
	    " WHERE s.connection_id = c.id AND s.expires_on = due.d), '[]'::jsonb) ||"
	    " CASE WHEN (c.refresh_token_expires_at AT TIME ZONE 'UTC')::date = due.d"
	    " THEN '[\"refresh token\"]'::jsonb ELSE '[]'::jsonb END)::text AS extra",
	    2, params);
	if (res == NULL)
		goto fail;
	n = db_rows(res);
	for (i = 0; i < n; i++)
		if (event_connection(a, EVENT_EXPIRING, strtoll(db_get(res, i, "id"), NULL, 10),
		    db_get(res, i, "extra")) == -1) {
			db_clear(res);
			goto fail;
		}
	db_clear(res);
	if (db_commit(&a->app->db) == -1)
		return -1;
	return n;
fail:
	db_rollback(&a->app->db);
	return -1;
}

long
job_expiry(const struct actor *a, const struct job *j)
{
	int	 pages, n = EXPIRY_PAGE;

	(void)j;
	for (pages = 0; pages < EXPIRY_PAGES && n == EXPIRY_PAGE; pages++)
		if ((n = expiry_page(a)) == -1)
			return JOB_FAILED;
	/* More than a run's worth: the rest soon, not in an hour. */
	return n == EXPIRY_PAGE ? BUSY_RETRY_S : EXPIRY_EVERY_S;
}
