/*
 * page-connection-test.c — Test now: runs the connector's test with the
 * stored credentials, records it (Last Tested Date, Progress Status of the
 * using flows, the test history) and shows the result.
 * Inputs: {id}; POST csrf, once (the form's one-time token, once.c).
 * With a token the answer comes at once — 303 to the "Testing…" page of
 * that run (page-connection-testing.c) — and the test runs after it is sent
 * (req.after); a second POST with the same token runs nothing and goes to
 * the same page. Without one (scripts) the test runs before the answer.
 * Statuses: 303 (to the Testing… page; or, without a token, to the details
 * page with the result as a message, also when another test is refreshing
 * its OAuth token: try again, or to the Integrations list when the
 * connection was deleted while it was being tested), 400 (a malformed
 * token), 403 (viewers cannot test), 404, 429 (too many tests), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* A Test to run once the answer is sent: who asked, for which run. */
struct test_run {
	int64_t	 conn_id;
	int64_t	 user_id;
	int	 is_admin;
	char	*email;
	char	*client_addr;
	char	 request_id[17];
	char	*token;
};

/* req.after: run the test as the user who asked, keep its outcome on the
 * run's token for the Testing… page. */
static void
test_run_after(struct app *app, void *arg)
{
	struct test_run	*t = arg;
	struct actor	 a = { .app = app, .user_id = t->user_id, .is_admin = t->is_admin,
	    .email = t->email, .client_addr = t->client_addr, .request_id = t->request_id };
	char		 message[200];
	const char	*kind, *params[3] = { t->token, NULL, message };
	PGresult	*res;
	int		 ok = 0, rc;

	db_forget_failure(&app->db);
	rc = tester_run_id(&a, t->conn_id, "manual", message, sizeof(message), &ok);
	if (rc == -1) {
		snprintf(message, sizeof(message), "It could not be tested.");
		kind = "error";
	} else if (rc == TESTER_GONE) {
		snprintf(message, sizeof(message), "%s", TESTER_GONE_MESSAGE);
		kind = "gone";
	} else
		kind = ok ? "success" : "error";
	params[1] = kind;
	res = db_exec_named(&app->db, "test_run_done", "UPDATE form_once SET result_kind = $2,"
	    " result_message = $3 WHERE token = $1", 3, params);
	if (res == NULL)
		log_error(t->request_id, "connection %lld: the test's outcome was not kept",
		    (long long)t->conn_id);
	db_clear(res);
	free(t->email);
	free(t->client_addr);
	free(t->token);
	free(t);
}

/* With a one-time token: take it for this connection and answer at once;
 * the test runs after the answer. 0 answered, -1 on failure. */
static int
test_post_once(struct req *r, const struct conn *c, const char *once)
{
	struct test_run	*t;
	char		 cid[24], loc[128];
	const char	*params[2] = { once, cid };
	PGresult	*res;
	int		 first;

	snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s", (long long)c->id, once);
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	if ((first = once_take(&r->actor, once)) == -1)
		return -1;
	if (first == 0) {
		/* A second click of the same button: the first runs the test. */
		http_flash_next(r, "info", "This test is already running from your first "
		    "click, so it was not started again.");
		http_redirect(r, loc);
		return 0;
	}
	res = db_exec_named(&r->app->db, "test_run_start",
	    "UPDATE form_once SET connection_id = $2 WHERE token = $1", 2, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	t = xcalloc(1, sizeof(*t));
	t->conn_id = c->id;
	t->user_id = r->actor.user_id;
	t->is_admin = r->actor.is_admin;
	t->email = xstrdup(r->actor.email);
	t->client_addr = xstrdup(r->actor.client_addr);
	snprintf(t->request_id, sizeof(t->request_id), "%s", r->actor.request_id);
	t->token = xstrdup(once);
	r->after = test_run_after;
	r->after_arg = t;
	http_redirect(r, loc);
	return 0;
}

int
page_connection_test_post(struct req *r)
{
	struct conn		*c;
	struct probe_outcome	 o;
	const char		*once = req_param(r, "once");
	char			 message[200], loc[48];
	int			 rc;

	if (connpage_load(r, PERM_USE, &c))
		return 0;
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	if (once != NULL && !once_shape_ok(once)) {
		conn_free(c);
		r->log_note = "bad once token";
		http_error(r, 400, NULL);
		return 0;
	}
	if (tester_rate_limited(&r->actor)) {
		conn_free(c);
		http_error(r, 429, "You ran many tests in the last minute. Wait a moment "
		    "and try again.");
		return 0;
	}
	if (once != NULL) {
		rc = test_post_once(r, c, once);
		conn_free(c);
		return rc;
	}
	probe_outcome_init(&o);
	rc = tester_run(&r->actor, c, "manual", &o, message, sizeof(message));
	if (rc == TESTER_GONE) {
		http_flash_next(r, "error", TESTER_GONE_MESSAGE);
		http_redirect(r, "/");
		rc = 0;
	} else if (rc >= 0) {	/* tested, or busy: the message says which */
		http_flash_next(r, o.result == PROBE_OK ? "success" : "error", message);
		http_redirect(r, loc);
		rc = 0;
	}
	probe_outcome_free(&o);
	conn_free(c);
	return rc == -1 ? -1 : 0;
}
