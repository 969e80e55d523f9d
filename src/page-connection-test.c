/*
 * page-connection-test.c — Test now: runs the connector's test with the
 * stored credentials, records it (Last Tested Date, Progress Status of the
 * using flows, the test history) and shows the result.
 * Inputs: {id}; POST csrf, once (the form's one-time token, once.c).
 * With a token the answer comes at once — 303 to the "Testing…" page of
 * that run (page-connection-testing.c) — and the test runs after it is sent
 * (req.after); a second POST with the same token runs nothing and goes to
 * the same page. Without one (scripts) the test runs before the answer.
 * Create and Save answer the same way (page_connection_test_later).
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

/* Work to do once the answer is sent, as the user who asked, on a run. */
struct run_after {
	void	(*fn)(const struct actor *, const char *, void *);
	void	*arg;
	int64_t	 user_id;
	int	 is_admin;
	char	*email;
	char	*client_addr;
	char	 request_id[17];
	char	*token;
};

/* req.after: the actor again (the request is gone), then the work. */
static void
run_after_call(struct app *app, void *arg)
{
	struct run_after	*ra = arg;
	struct actor		 a = { .app = app, .user_id = ra->user_id,
	    .is_admin = ra->is_admin, .email = ra->email, .client_addr = ra->client_addr,
	    .request_id = ra->request_id };

	db_forget_failure(&app->db);
	ra->fn(&a, ra->token, ra->arg);
	free(ra->email);
	free(ra->client_addr);
	free(ra->token);
	free(ra);
}

void
page_connection_run_after(struct req *r, const char *token,
    void (*fn)(const struct actor *, const char *, void *), void *arg)
{
	struct run_after	*ra = xcalloc(1, sizeof(*ra));

	ra->fn = fn;
	ra->arg = arg;
	ra->user_id = r->actor.user_id;
	ra->is_admin = r->actor.is_admin;
	ra->email = xstrdup(r->actor.email);
	ra->client_addr = xstrdup(r->actor.client_addr);
	snprintf(ra->request_id, sizeof(ra->request_id), "%s", r->actor.request_id);
	ra->token = xstrdup(token);
	r->after = run_after_call;
	r->after_arg = ra;
}

/* A test to run after the answer: the connection, why, what came before. */
struct test_later {
	int64_t	 conn_id;
	char	 trigger[16];
	char	*done;		/* "Connection … created.", or NULL */
};

const char *
page_connection_test_outcome(const struct actor *a, int64_t id, const char *trigger,
    const char *done, char *message, size_t len)
{
	char		 result[200];
	const char	*kind;
	int		 ok = 0, rc;

	rc = tester_run_id(a, id, trigger, result, sizeof(result), &ok);
	if (rc == -1) {
		snprintf(result, sizeof(result), "It could not be tested.");
		kind = "error";
	} else if (rc == TESTER_GONE) {
		snprintf(result, sizeof(result), "%s", TESTER_GONE_MESSAGE);
		kind = "gone";
	} else
		kind = ok ? "success" : "error";
	if (done != NULL)
		snprintf(message, len, "%s Test: %s", done, result);
	else
		snprintf(message, len, "%s", result);
	return kind;
}

/* Run the test and keep its outcome on the run's token for the Testing…
 * page: "<done> Test: <result>", or the result alone. */
static void
test_later_run(const struct actor *a, const char *token, void *arg)
{
	struct test_later	*t = arg;
	char			 message[1000];
	const char		*kind;

	kind = page_connection_test_outcome(a, t->conn_id, t->trigger, t->done, message,
	    sizeof(message));
	if (once_finish(a, token, kind, message) == -1)
		log_error(a->request_id, "connection %lld: the test's outcome was not kept",
		    (long long)t->conn_id);
	free(t->done);
	free(t);
}

int
page_connection_test_later(struct req *r, int64_t id, const char *token,
    const char *trigger, const char *done)
{
	struct test_later	*t;
	char			 loc[128];

	if (once_start(&r->actor, token, id, strcmp(trigger, "create") == 0 ? "create" :
	    "test", NULL) == -1)
		return -1;
	t = xcalloc(1, sizeof(*t));
	t->conn_id = id;
	snprintf(t->trigger, sizeof(t->trigger), "%s", trigger);
	t->done = done != NULL ? xstrdup(done) : NULL;
	page_connection_run_after(r, token, test_later_run, t);
	if (done != NULL)
		http_flash_next(r, "success", done);
	snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s", (long long)id, token);
	http_redirect(r, loc);
	return 0;
}

/* With a one-time token: take it for this connection and answer at once;
 * the test runs after the answer. 0 answered, -1 on failure. */
static int
test_post_once(struct req *r, const struct conn *c, const char *once)
{
	char	 loc[128];
	int	 first;

	if ((first = once_take(&r->actor, once)) == -1)
		return -1;
	if (first == 0) {
		/* A second click of the same button: the first runs the test. */
		snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s",
		    (long long)c->id, once);
		http_flash_next(r, "info", "This test is already running from your first "
		    "click, so it was not started again.");
		http_redirect(r, loc);
		return 0;
	}
	return page_connection_test_later(r, c->id, once, "manual", NULL);
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
