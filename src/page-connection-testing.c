/*
 * page-connection-testing.c — the "Testing…" page of a run in the
 * background: a Test (page-connection-test.c), the first test of a new
 * connection (page-connection-new.c), a save tested before it is saved
 * (page-connection-edit.c). While the run's outcome is not kept yet it
 * says so and refreshes itself (no JavaScript); once it is, it goes to the
 * details page with the result as the message, or, when a save was not
 * saved (its try failed, or someone saved in between), back to the form.
 * Reloading it never runs anything again.
 * Inputs: {id}; GET run (the run's one-time token, the user's own).
 * Statuses: 200 (running; or it did not finish), 303 (done: to the details
 * page, to the Integrations list when the connection went, or to the edit
 * form of the save), 400 (a malformed run), 403, 404 (no such run of this
 * user and connection), 503.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* How long the page waits for a quick test before it answers "Testing…". */
#define TESTING_WAIT_MS		1200
#define TESTING_POLL_MS		100

/* The run's row (kind "" while running; lost: no outcome after three
 * minutes, its worker went): 1 found, 0 none, -1 failure. */
static int
testing_get(struct req *r, const struct conn *c, const char *run, PGresult **out)
{
	char		 cid[24], uid[24];
	const char	*params[3] = { run, uid, cid };

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->actor.user_id);
	*out = db_exec_named(&r->app->db, "testing_get",
	    "SELECT COALESCE(result_kind, '') AS kind, COALESCE(result_message, '') AS message,"
	    " COALESCE(action, 'test') AS action,"
	    " (now() - used_at > make_interval(secs => 180)) AS lost FROM form_once"
	    " WHERE token = $1 AND user_id = $2::bigint AND connection_id = $3::bigint",
	    3, params);
	if (*out == NULL)
		return -1;
	if (db_rows(*out) == 0) {
		db_clear(*out);
		*out = NULL;
		return 0;
	}
	return 1;
}

int
page_connection_testing(struct req *r)
{
	struct conn	*c;
	struct timespec	 pause = { 0, TESTING_POLL_MS * 1000000L };
	const char	*run = req_param(r, "run"), *kind;
	char		 loc[160];
	PGresult	*res = NULL;
	int		 waited = 0, rc;

	if (connpage_load(r, PERM_USE, &c))
		return 0;
	if (run == NULL || !once_shape_ok(run)) {
		conn_free(c);
		r->log_note = "bad run";
		http_error(r, 400, NULL);
		return 0;
	}
	for (;;) {
		if ((rc = testing_get(r, c, run, &res)) != 1)
			break;
		if (*db_get(res, 0, "kind") != '\0' || waited >= TESTING_WAIT_MS)
			break;
		db_clear(res);
		res = NULL;
		nanosleep(&pause, NULL);
		waited += TESTING_POLL_MS;
	}
	if (rc == 0) {
		http_error(r, 404, "There is no such test of this connection.");
		goto out;
	}
	if (rc == -1)
		goto out;
	kind = db_get(res, 0, "kind");
	if (strcmp(kind, "unsaved") == 0 || strcmp(kind, "stale") == 0) {
		/* The save did not happen: the form again, as it was typed. */
		snprintf(loc, sizeof(loc), "/connections/%lld/edit?confirm=1&run=%s",
		    (long long)c->id, run);
		http_redirect(r, loc);
		rc = 0;
		goto out;
	}
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	if (*kind != '\0') {
		http_flash_next(r, strcmp(kind, "success") == 0 ? "success" : "error",
		    db_get(res, 0, "message"));
		http_redirect(r, strcmp(kind, "gone") == 0 ? "/" : loc);
		rc = 0;
		goto out;
	}
	connpage_fill(r, c, "details");
	render_set(r->hdf, "Testing.Action", db_get(res, 0, "action"));
	if (strcmp(db_get(res, 0, "lost"), "t") == 0)
		render_set(r->hdf, "Testing.Lost", "1");
	else
		render_set(r->hdf, "Page.Refresh", "1");
	render_set_int(r->hdf, "Testing.TimeoutSeconds",
	    (r->app->cfg.outbound_timeout_ms + 999) / 1000);
	rc = http_page(r, 200, "connection-testing.cs");
out:
	db_clear(res);
	conn_free(c);
	return rc;
}
