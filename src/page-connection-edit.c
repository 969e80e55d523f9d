/*
 * page-connection-edit.c — Edit a connection: a warning first when flows
 * use it, then the form with the connector, protocol and API type disabled
 * and secret fields empty.
 * Inputs: {id}; GET confirm, run (a save's run, below); POST csrf, name,
 * description, version, check_interval (default | 15m | 1h | 1d | off; left
 * out: unchanged), uplink (the connection mode: "" Direct or an uplink's id;
 * left out: unchanged; a change asks for the secrets again, connform.c), f.*
 * (f.KEY.expires_on: a secret's expiry date, connform.c), save_anyway (1:
 * save though the test before save failed), once (the form's one-time
 * token: a second POST of the same form saves nothing and is told so).
 * A save is tested first (tester_try) where the test has no side effect:
 * when it fails nothing is saved and the form says why and offers "Save
 * anyway"; typed secrets are not sent back: each one is marked to be
 * entered again. With the form's token (once) the answer comes at once:
 * "Testing your changes…" (page-connection-testing.c) while the change is
 * tried after the answer, then saved when it passes (typed secrets stay in
 * this process's memory, never written until saved); when it fails, that
 * page comes back here, GET run (the run's token): the form as it was
 * typed, from the run's inputs (never a secret), with why. A save that
 * needs no try, or is saved anyway, is saved at once and tested after the
 * answer, on its Testing… page.
 * Statuses: 200, 303 (saved: to the details page; with a token: to the
 * Testing… page), 400 (a crafted field),
 * 403 (not a manager of it), 404, 409 (stale: someone saved in between;
 * nothing saved; also GET run of such a save), 422 (invalid, or the test
 * before save failed; nothing saved; also GET run of such a save), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

static void
edit_fill(struct req *r, const struct conn *c, struct connform *cf, int from_post)
{
	HDF		*n = render_node(r->hdf, "Form");
	char		 action[64];

	snprintf(action, sizeof(action), "/connections/%lld/edit", (long long)c->id);
	render_set(n, "Mode", "edit");
	render_set(n, "Action", action);
	render_set(n, "Connector", c->connector);
	render_set(n, "ConnectorTitle", catalog_title(&r->app->catalog, c->connector));
	render_set(n, "Protocol", c->protocol);
	render_set(n, "ProtocolLabel", catalog_protocol_label(&r->app->catalog,
	    c->connector, c->protocol));
	render_set(n, "ApiType", c->api_type);
	render_set(n, "ApiTypeLabel", *c->api_type != '\0' ? connector_api_type_label(
	    &r->app->catalog, c->connector, c->api_type) : "");
	render_set(n, "Name", from_post ? req_text(r, "name") : c->name);
	render_set(n, "Description", from_post ? req_text(r, "description") : c->description);
	/* After a stale save the form carries the current version: saving
	 * again is a conscious second look, not a silent overwrite. */
	render_set_int(n, "Version", c->version);
	render_set(n, "CheckInterval", from_post && req_param(r, "check_interval") != NULL ?
	    req_param(r, "check_interval") : c->check_interval);
	render_set_int(r->hdf, "Health.CheckIntervalMinutes", r->app->cfg.check_interval_min);
	if (hdf_get_int_value(catalog_get(&r->app->catalog, c->connector), "uplink", 0) == 1) {
		char	 cur[24];

		snprintf(cur, sizeof(cur), "%lld", (long long)c->uplink_id);
		connform_fill_uplinks(r, from_post && req_param(r, "uplink") != NULL ?
		    req_param(r, "uplink") : cur);
	}
	connform_fill(r, cf, from_post);
	/* An Uplinked connection's calls leave from its uplink's addresses. */
	if (c->uplink_id > 0 && hdf_get_obj(r->hdf, "Form.OnPremises") != NULL)
		uplinks_egress_fill(r, c->uplink_id, c->uplink);
	{
		char	 current[24];

		(void)connform_client_fill(r, cf, c->connector, c->protocol,
		    connform_client_current(&r->actor, c->id, current, sizeof(current)) == 1 ?
		    current : NULL);
	}
	render_set(r->hdf, "Page.Title", "Edit connection");
}

static int
edit_form(struct req *r, struct conn *c, int status, struct connform *cf, int from_post)
{
	connpage_fill(r, c, "details");
	edit_fill(r, c, cf, from_post);
	return http_page(r, status, "connection-form.cs");
}

/* GET run: below, after what it shares with the POST. */
static int	 edit_run_form(struct req *, struct conn *, const char *, const char *,
		    const char *);

int
page_connection_edit(struct req *r)
{
	struct conn	*c;
	struct connform	 cf;
	char		*stored, *expiry = NULL;
	const char	*confirm = req_param(r, "confirm"), *run = NULL;
	int		 rc = -1, restored;

	if (connpage_load(r, PERM_MANAGE, &c))
		return 0;
	/* Back from an OAuth client's page (the picker's "+" or pencil): the
	 * form as it was, past the warning it had already passed. */
	restored = connform_client_restore(r);
	if (c->flow_count > 0 && !restored && (confirm == NULL || strcmp(confirm, "1") != 0)) {
		connpage_fill(r, c, "details");
		render_set_int(render_node(r->hdf, "Warning"), "Count", c->flow_count);
		if (connpage_fill_flows(r, c->id, "Warning.Flows", NULL) == 0)
			rc = http_page(r, 200, "connection-edit-warning.cs");
		conn_free(c);
		return rc;
	}
	if ((stored = secret_conn_stored_json(r->app, c->id)) != NULL &&
	    (expiry = secret_conn_expiry_json(r->app, c->id)) != NULL &&
	    (run = req_param(r, "run")) != NULL) {
		if (!once_shape_ok(run)) {
			r->log_note = "bad run";
			http_error(r, 400, NULL);
			rc = 0;
		} else if ((rc = edit_run_form(r, c, run, stored, expiry)) == 1)
			run = NULL;	/* no such run: the form as it is stored */
	}
	if (stored != NULL && expiry != NULL && run == NULL) {
		connform_init(&cf, connector_protocol(&r->app->catalog, c->connector,
		    c->protocol), c->api_type, 1, c->settings, stored);
		connform_set_expiry(&cf, expiry);
		rc = edit_form(r, c, 200, &cf, restored);
		connform_free(&cf);
	}
	free(stored);
	free(expiry);
	conn_free(c);
	return rc;
}

/* The form after a failed try: why, "Save anyway", each typed secret
 * (field key) marked to be entered again. */
static void
edit_failed(struct req *r, struct connform *cf, char *const *typed, int ntyped,
    const char *why)
{
	char	 msg[512];
	int	 i;

	for (i = 0; i < ntyped; i++)
		json_object_set_new(cf->errors, typed[i], json_string(
		    "Enter it again to save it: secrets are never sent back to the page."));
	render_set(r->hdf, "Form.TestFailed", why);
	snprintf(msg, sizeof(msg), "Nothing was saved: the connection with your changes "
	    "failed its test. %s Keep editing and press Save to test again, or press Save "
	    "anyway.", why);
	render_set(r->hdf, "Form.Error", msg);
}

/* The try's outcome, recorded as the save's test (the destination is not
 * asked twice): its kind ("success", "error", "gone") and "<done> Test: …". */
static const char *
edit_record_tried(const struct actor *a, const struct conn *c, const struct probe_outcome *o,
    const char *done, char *msg, size_t msglen)
{
	char	 result[256];
	int	 t;

	probe_result_sentence(o->result, o->http_status, result, sizeof(result));
	if ((t = tester_record_outcome(a, 0, c, "edit", o)) == -1)
		snprintf(result, sizeof(result), "It could not be tested.");
	else if (t == TESTER_GONE)
		snprintf(result, sizeof(result), "%s", TESTER_GONE_MESSAGE);
	snprintf(msg, msglen, "%s Test: %s", done, result);
	if (t == TESTER_GONE)
		return "gone";
	return t == 0 && o->result == PROBE_OK ? "success" : "error";
}

/* The same, and the details page with it. */
static int
edit_show_tried(struct req *r, const struct conn *c, const struct probe_outcome *o,
    const char *done)
{
	char		 msg[1000], loc[48];
	const char	*kind = edit_record_tried(&r->actor, c, o, done, msg, sizeof(msg));

	if (strcmp(kind, "gone") == 0)
		snprintf(loc, sizeof(loc), "/");
	else
		snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	http_flash_next(r, strcmp(kind, "success") == 0 ? "success" : "error", msg);
	http_redirect(r, loc);
	return 0;
}

/*
 * Take the form's one-time token (once.c) before saving: 1 go on (taken
 * now, or none sent); 0 answered: the same form was sent before (a second
 * click), nothing is saved; -1 on failure.
 */
static int
edit_once(struct req *r, const struct conn *c)
{
	const char	*once = req_param(r, "once");
	char		 loc[128];
	int		 t;

	if (once == NULL)
		return 1;
	if (!once_shape_ok(once)) {
		r->log_note = "bad once token";
		http_error(r, 400, NULL);
		return 0;
	}
	if ((t = once_take(&r->actor, once)) != 0)
		return t;
	/* The first click's run, when it has one: its Testing… page. */
	if (once_connection(&r->actor, once) == c->id)
		snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s",
		    (long long)c->id, once);
	else
		snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	http_flash_next(r, "info", "This form was already sent by your first click, so it "
	    "was not saved again.");
	http_redirect(r, loc);
	return 0;
}

/*
 * GET run: the form of a save that was not saved after its try (Testing…
 * sent it here), filled from the run's inputs as it was typed, with why.
 * 0 answered, 1 no such run (the plain form), -1 on failure.
 */
static int
edit_run_form(struct req *r, struct conn *c, const char *run, const char *stored,
    const char *expiry)
{
	struct connform	 cf;
	char		 cid[24], uid[24], *typed[CONNFORM_SECRETS_MAX];
	const char	*params[3] = { run, uid, cid }, *kind, *inputs;
	PGresult	*res;
	size_t		 i;
	int		 ntyped = 0, rc;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->actor.user_id);
	res = db_exec_named(&r->app->db, "edit_run_get", "SELECT result_kind AS kind,"
	    " COALESCE(result_message, '') AS message, inputs FROM form_once"
	    " WHERE token = $1 AND user_id = $2::bigint AND connection_id = $3::bigint"
	    " AND action = 'save' AND result_kind IN ('unsaved', 'stale')"
	    " AND inputs IS NOT NULL", 3, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 1;
	}
	kind = db_get(res, 0, "kind");
	inputs = db_get(res, 0, "inputs");
	/* The inputs are read as the POST's were, bounded the same way. */
	if (form_parse_urlencoded(&r->in, inputs, strlen(inputs), r->in.n +
	    r->app->cfg.fields_max) != FORM_OK) {
		db_clear(res);
		return 1;
	}
	for (i = 0; i < r->in.n && ntyped < CONNFORM_SECRETS_MAX; i++)
		if (strcmp(r->in.v[i].name, "typed") == 0)
			typed[ntyped++] = r->in.v[i].value;
	connform_init(&cf, connector_protocol(&r->app->catalog, c->connector, c->protocol),
	    c->api_type, 1, c->settings, stored);
	connform_set_expiry(&cf, expiry);
	(void)connsave_check_basics(r, c, &cf);
	(void)connsave_check_uplink(r, c, &cf);
	if (connform_validate(r, &cf, strcmp(c->context, "per_user") == 0) == -1) {
		rc = 1;
		goto out;
	}
	if (strcmp(kind, "stale") == 0) {
		render_set(r->hdf, "Form.Stale.By", c->updated_by);
		render_set(r->hdf, "Form.Stale.At", c->updated_at);
		rc = edit_form(r, c, 409, &cf, 1);
	} else {
		edit_failed(r, &cf, typed, ntyped, db_get(res, 0, "message"));
		rc = edit_form(r, c, 422, &cf, 1);
	}
out:
	connform_free(&cf);
	db_clear(res);
	return rc;
}

/* A save tried after the answer: all it needs, owned (the typed secrets in
 * cf, wiped by connform_free). */
struct edit_run {
	struct conn		*c;
	struct connform		 cf;
	struct connsave_values	 v;
	char			*version;
	char			*name;
	char			*description;
	char			*client;
};

/* After the answer: try the change; saved when it passes, or the run says
 * why not. The Testing… page picks the outcome up. */
static void
edit_run_after(const struct actor *a, const char *token, void *arg)
{
	struct edit_run		*e = arg;
	struct probe_outcome	 o;
	char			 why[200], done[700], msg[1000];
	const char		*kind;
	int			 failed, saved = -1;

	probe_outcome_init(&o);
	if ((failed = connsave_try(a, e->c, &e->cf, &o, why, sizeof(why))) == -1)
		(void)once_finish(a, token, "error", "Nothing was saved: the connection with "
		    "your changes could not be tested. Try again.");
	else if (failed)
		(void)once_finish(a, token, "unsaved", why);
	else if ((saved = connsave_edit(a, e->c, &e->cf, &e->v)) == -1)
		(void)once_finish(a, token, "error", "Nothing was saved: the change could not "
		    "be written. Try again.");
	else if (saved == 1)
		(void)once_finish(a, token, "stale", "Someone saved this connection while "
		    "your changes were tested.");
	else {
		snprintf(done, sizeof(done), "Saved \"%s\"; the change is live for every flow "
		    "using it.", e->name);
		/* The try's outcome is the save's test; one that could not be
		 * tried without side effects is tested now. */
		if (o.result == PROBE_OK)
			kind = edit_record_tried(a, e->c, &o, done, msg, sizeof(msg));
		else
			kind = page_connection_test_outcome(a, e->c->id, "edit", done, msg,
			    sizeof(msg));
		(void)once_finish(a, token, kind, msg);
	}
	if (saved == -1 && failed != 1)
		log_error(a->request_id, "connection %lld: a save tried after the answer "
		    "failed", (long long)e->c->id);
	probe_outcome_free(&o);
	connform_free(&e->cf);
	conn_free(e->c);
	free(e->version);
	free(e->name);
	free(e->description);
	free(e->client);
	free(e);
}

/*
 * The form's fields for it to come back as typed, URL-encoded: never a
 * secret field, nor any value typed as a secret; the typed secrets' keys
 * as "typed" (each is to be entered again). The caller frees it.
 */
static char *
edit_inputs(struct req *r, const struct connform *cf)
{
	static const char *const	 skip[] = { "csrf", "once", "save_anyway", "run",
	    "confirm" };
	HDF				*fields = hdf_get_obj(cf->proto, "Fields"), *f;
	struct buf			 b;
	size_t				 i, k;
	int				 n;

	buf_init(&b);
	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name, *value = r->in.v[i].value;

		for (k = 0; k < sizeof(skip) / sizeof(skip[0]); k++)
			if (strcmp(name, skip[k]) == 0)
				break;
		if (k < sizeof(skip) / sizeof(skip[0]))
			continue;
		if (strncmp(name, "f.", 2) == 0 && (f = hdf_get_obj(fields, name + 2)) != NULL &&
		    strcmp(hdf_get_value(f, "type", "text"), "secret") == 0)
			continue;
		for (n = 0; n < cf->nsecrets; n++)
			if (strcmp(value, cf->secret_value[n]) == 0)
				break;
		if (n < cf->nsecrets)
			continue;
		buf_printf(&b, "%s", b.len > 0 ? "&" : "");
		buf_url_encode(&b, name);
		buf_puts(&b, "=");
		buf_url_encode(&b, value);
	}
	for (n = 0; n < cf->nsecrets; n++) {
		buf_printf(&b, "%styped=", b.len > 0 ? "&" : "");
		buf_url_encode(&b, cf->secret_field[n]);
	}
	buf_puts(&b, "");
	return b.data;
}

/*
 * Test before save after the answer (the form's token `once`): take the
 * token, keep the form's non-secret fields on its run, answer with the
 * Testing… page; *cp and *cf go to the run. 0 answered, -1 on failure.
 */
static int
edit_try_later(struct req *r, struct conn **cp, struct connform *cf, const char *client)
{
	struct edit_run	*e;
	const char	*once = req_param(r, "once");
	char		*inputs, loc[128];
	int		 rc;

	if ((rc = edit_once(r, *cp)) != 1)
		return rc;
	inputs = edit_inputs(r, cf);
	rc = once_start(&r->actor, once, (*cp)->id, "save", inputs);
	free(inputs);
	if (rc == -1)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->c = *cp;
	*cp = NULL;
	e->cf = *cf;
	memset(cf, 0, sizeof(*cf));
	e->version = xstrdup(req_param(r, "version"));
	e->name = xstrdup(req_text(r, "name"));
	e->description = xstrdup(req_text(r, "description"));
	e->v.version = e->version;
	e->v.name = e->name;
	e->v.description = e->description;
	e->client = client != NULL ? xstrdup(client) : NULL;
	e->v.client = e->client;
	e->v.check_interval = connsave_check_interval(r, e->c);	/* a key, or e->c's */
	page_connection_run_after(r, once, edit_run_after, e);
	snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s", (long long)e->c->id,
	    once);
	http_redirect(r, loc);
	return 0;
}

int
page_connection_edit_post(struct req *r)
{
	struct conn	*c;
	struct connform	 cf;
	char		*stored, *expiry = NULL;
	const char	*version = req_param(r, "version");
	struct probe_outcome	 o;
	struct connsave_values	 v;
	char		 loc[64], msg[700], why[200];
	const char	*client;
	long long	 vnum;
	int		 errors, rc = -1, saved, failed, tried = 0;

	if (connpage_load(r, PERM_MANAGE, &c))
		return 0;
	if ((stored = secret_conn_stored_json(r->app, c->id)) == NULL ||
	    (expiry = secret_conn_expiry_json(r->app, c->id)) == NULL) {
		free(stored);
		conn_free(c);
		return -1;
	}
	connform_init(&cf, connector_protocol(&r->app->catalog, c->connector, c->protocol),
	    c->api_type, 1, c->settings, stored);
	connform_set_expiry(&cf, expiry);
	probe_outcome_init(&o);
	/* "+" or the pencil of the OAuth client picker: to the client's page. */
	if (req_param(r, "client_action") != NULL && connform_client_applies(cf.proto)) {
		snprintf(loc, sizeof(loc), "/connections/%lld/edit", (long long)c->id);
		rc = connform_client_leave(r, &cf, loc);
		goto out;
	}
	if (version == NULL || valid_int(version, 1, 2147483647, &vnum) != NULL) {
		r->log_note = "bad version";
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (vnum != c->version && (rc = edit_once(r, c)) != 1)
		goto out;
	if (vnum != c->version) {
		/* Someone saved in between: nothing is saved, the form is kept. */
		render_set(r->hdf, "Form.Stale.By", c->updated_by);
		render_set(r->hdf, "Form.Stale.At", c->updated_at);
		(void)connform_validate(r, &cf, strcmp(c->context, "per_user") == 0);
		r->log_note = "stale form";
		rc = edit_form(r, c, 409, &cf, 1);
		goto out;
	}
	if ((errors = connsave_check_edit(r, c, &cf, &client)) == CONNSAVE_UNDECLARED) {
		r->log_note = "undeclared connector field";
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (errors == -1) {
		rc = -1;
		goto out;
	}
	if (errors > 0) {
		render_set(r->hdf, "Form.Error", "Nothing was saved. Correct the fields "
		    "marked below.");
		rc = edit_form(r, c, 422, &cf, 1);
		goto out;
	}
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	if (cf.nchanged == 0) {
		http_flash_next(r, "info", "Nothing changed, so nothing was saved.");
		http_redirect(r, loc);
		rc = 0;
		goto out;
	}
	/* Only what the test depends on is tried: settings or typed secrets;
	 * with the form's token after the answer, without (a script) now. */
	if (req_param(r, "save_anyway") == NULL && connsave_needs_try(&cf)) {
		if (req_param(r, "once") != NULL) {
			rc = edit_try_later(r, &c, &cf, client);
			goto out;
		}
		if ((failed = connsave_try(&r->actor, c, &cf, &o, why, sizeof(why))) == -1) {
			rc = -1;
			goto out;
		}
		tried = 1;
		if (failed) {
			edit_failed(r, &cf, cf.secret_field, cf.nsecrets, why);
			r->log_note = "test before save failed";
			rc = edit_form(r, c, 422, &cf, 1);
			goto out;
		}
	}
	if ((rc = edit_once(r, c)) != 1)
		goto out;
	connsave_values_read(r, c, version, client, &v);
	if ((saved = connsave_edit(&r->actor, c, &cf, &v)) == -1) {
		rc = -1;
		goto out;
	}
	if (saved == 1) {
		render_set(r->hdf, "Form.Stale.By", c->updated_by);
		render_set(r->hdf, "Form.Stale.At", c->updated_at);
		rc = edit_form(r, c, 409, &cf, 1);
		goto out;
	}
	/* A successful save tests the connection and shows the result: the
	 * try's outcome when there was one. */
	snprintf(msg, sizeof(msg), "Saved \"%s\"; the change is live for every flow using "
	    "it.", req_text(r, "name"));
	if (tried && o.result == PROBE_OK)
		rc = edit_show_tried(r, c, &o, msg);
	else if (req_param(r, "once") != NULL)
		rc = page_connection_test_later(r, c->id, req_param(r, "once"), "edit", msg);
	else
		rc = connpage_test_and_show(r, c->id, "edit", msg);
out:
	probe_outcome_free(&o);
	connform_free(&cf);
	free(stored);
	free(expiry);
	conn_free(c);
	return rc;
}
