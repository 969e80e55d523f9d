/*
 * page-connection-test.c — Test now: runs the connector's test with the
 * stored credentials, records it (Last Tested Date, Progress Status of the
 * using flows, the test history) and shows the result.
 * Inputs: {id}; POST csrf, once (the form's one-time token, once.c: a
 * second POST with it runs nothing). Statuses: 303 (to the details page,
 * the result as a message; also when another test is refreshing its OAuth
 * token: try again; at once when the token was taken before; to the
 * Integrations list when the connection was deleted while it was being
 * tested), 400 (a malformed token), 403 (viewers cannot test), 404, 429
 * (too many tests), 503.
 */
#include <stdio.h>

#include "tether.h"
#include "web.h"

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
	if (once != NULL && (rc = once_take(&r->actor, once)) != 1) {
		conn_free(c);
		if (rc == -1)
			return -1;
		/* A second click of the same button: the first runs the test. */
		http_flash_next(r, "info", "This test is already running from your first "
		    "click, so it was not started again. Its result shows under Last tested "
		    "when it ends.");
		http_redirect(r, loc);
		return 0;
	}
	if (tester_rate_limited(&r->actor)) {
		conn_free(c);
		http_error(r, 429, "You ran many tests in the last minute. Wait a moment "
		    "and try again.");
		return 0;
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
