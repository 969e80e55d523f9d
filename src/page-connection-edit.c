/*
 * page-connection-edit.c — Edit a connection: a warning first when flows
 * use it, then the form with the connector, protocol and API type disabled
 * and secret fields empty.
 * Inputs: {id}; GET confirm; POST csrf, name, description, version,
 * check_interval (default | 15m | 1h | 1d | off; left out: unchanged), f.*
 * (f.KEY.expires_on: a secret's expiry date, connform.c), save_anyway (1:
 * save though the test before save failed), once (the form's one-time
 * token: a second POST of the same form saves nothing and is told so).
 * A save is tested first (tester_try) where the test has no side effect:
 * when it fails nothing is saved and the form says why and offers "Save
 * anyway"; typed secrets are not sent back: each one is marked to be
 * entered again.
 * Statuses: 200, 303 (saved: to the details page), 400 (a crafted field),
 * 403 (not a manager of it), 404, 409 (stale: someone saved in between;
 * nothing saved), 422 (invalid, or the test before save failed; nothing
 * saved), 503.
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
	connform_fill(r, cf, from_post);
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

int
page_connection_edit(struct req *r)
{
	struct conn	*c;
	struct connform	 cf;
	char		*stored, *expiry = NULL;
	const char	*confirm = req_param(r, "confirm");
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
	    (expiry = secret_conn_expiry_json(r->app, c->id)) != NULL) {
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

/* The scheduled check posted (NULL: not one of the five), or the stored
 * one when the form left it out. The worker reschedules from it. */
static const char *
edit_check_interval(struct req *r, const struct conn *c)
{
	static const char *const	 keys[] = { "default", "15m", "1h", "1d", "off" };
	const char			*v = req_param(r, "check_interval");
	size_t				 i;

	if (v == NULL)
		return c->check_interval;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i], v) == 0)
			return keys[i];
	return NULL;
}

/* Name and description: checked here, counted as changed fields. A left
 * out field is an empty one: no name is an error, no description is "". */
static int
edit_check_basics(struct req *r, struct conn *c, struct connform *cf)
{
	const char	*name = req_text(r, "name"), *desc = req_text(r, "description");
	const char	*why;
	int		 errors = 0;

	if ((why = valid_name(name, 120)) != NULL) {
		render_set(r->hdf, "Form.Errors.Name", why);
		errors++;
	} else if (strcmp(name, c->name) != 0) {
		buf_printf(&cf->changed, "%sname", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	if ((why = valid_text(desc, 0, 2000)) != NULL) {
		render_set(r->hdf, "Form.Errors.Description", why);
		errors++;
	} else if (strcmp(desc, c->description) != 0) {
		buf_printf(&cf->changed, "%sdescription", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	if (edit_check_interval(r, c) == NULL) {
		render_set(r->hdf, "Form.Errors.CheckInterval",
		    "Choose one of the scheduled checks offered.");
		errors++;
	} else if (strcmp(edit_check_interval(r, c), c->check_interval) != 0) {
		buf_printf(&cf->changed, "%scheck_interval", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	return errors;
}

/* 1 when another connection of the team has this name. */
static int
edit_name_taken(struct req *r, struct conn *c, const char *name)
{
	char		 cid[24], tid[24];
	const char	*params[3] = { cid, tid, name };
	PGresult	*res;
	int		 taken;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(tid, sizeof(tid), "%lld", (long long)c->owner_team_id);
	res = db_exec_named(&r->app->db, "conn_name_taken",
	    "SELECT 1 FROM connections WHERE owner_team_id = $2 AND lower(name) = lower($3)"
	    " AND id <> $1", 3, params);
	if (res == NULL)
		return -1;
	taken = db_rows(res) > 0;
	db_clear(res);
	return taken;
}

/*
 * Test before save: the changed connection tried with the typed secrets
 * over the stored ones. 1 when it failed (why: the sentence, and each typed
 * secret marked to be entered again), 0 when it passed or cannot be tried
 * without side effects, -1 on failure.
 */
static int
edit_try(struct req *r, const struct conn *c, struct connform *cf, struct probe_outcome *o,
    char *why, size_t whylen)
{
	struct conn	 cand = *c;
	int		 i, failed = 0;

	if ((cand.settings = json_dumps(cf->settings, JSON_COMPACT)) == NULL)
		return -1;
	if (tester_try(&r->actor, &cand, cf->secret_field, cf->secret_value, cf->nsecrets,
	    cf->rebind, o) == -1)
		failed = -1;
	else if (o->result != PROBE_OK && o->result != PROBE_UNSUPPORTED) {
		failed = 1;
		probe_result_sentence(o->result, o->http_status, why, whylen);
		for (i = 0; i < cf->nsecrets; i++)
			json_object_set_new(cf->errors, cf->secret_field[i], json_string(
			    "Enter it again to save it: secrets are never sent back to the page."));
	}
	free(cand.settings);
	return failed;
}

/* The try's outcome, recorded as the save's test (the destination is not
 * asked twice), and the details page with it. */
static int
edit_show_tried(struct req *r, const struct conn *c, const struct probe_outcome *o,
    const char *done)
{
	char	 result[256], msg[800], loc[48];
	int	 t;

	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	probe_result_sentence(o->result, o->http_status, result, sizeof(result));
	if ((t = tester_record_outcome(&r->actor, 0, c, "edit", o)) == -1)
		snprintf(result, sizeof(result), "It could not be tested.");
	else if (t == TESTER_GONE) {
		snprintf(result, sizeof(result), "%s", TESTER_GONE_MESSAGE);
		snprintf(loc, sizeof(loc), "/");
	}
	snprintf(msg, sizeof(msg), "%s Test: %s", done, result);
	http_flash_next(r, t == 0 && o->result == PROBE_OK ? "success" : "error", msg);
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
	char		 loc[48];
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
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	http_flash_next(r, "info", "This form was already sent by your first click, so it "
	    "was not saved again.");
	http_redirect(r, loc);
	return 0;
}

/* Save in one transaction; 0 saved, 1 stale (version moved on), -1 failure. */
static int
edit_save(struct req *r, struct conn *c, struct connform *cf, const char *client)
{
	char		 cid[24], *settings = json_dumps(cf->settings, JSON_COMPACT);
	char		 fields[1024];
	PGresult	*res;
	int		 i, rc = -1;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(fields, sizeof(fields), "{%s}", cf->changed.data);
	if (db_begin(&r->app->db) == -1)
		goto out;
	if ((i = connpage_save_version(r, c, req_param(r, "version"), req_text(r, "name"),
	    req_text(r, "description"), settings, edit_check_interval(r, c), fields)) == -1)
		goto fail;
	if (i == 0) {
		db_rollback(&r->app->db);
		rc = 1;
		goto out;
	}
	{
		const char	*cp[2] = { cid, client };

		if ((res = db_exec_named(&r->app->db, "conn_oauth_client", "UPDATE connections"
		    " SET oauth_client_id = $2::bigint WHERE id = $1", 2, cp)) == NULL)
			goto fail;
		db_clear(res);
	}
	for (i = 0; i < cf->nsecrets; i++)
		if (secret_conn_put(&r->actor, c->id, 0, cf->secret_field[i],
		    cf->secret_value[i]) == -1)
			goto fail;
	/* A new destination (an authentication-bound field changed): secrets
	 * not entered again go — the form required them all, so what remains
	 * is OAuth tokens and the like, issued for the old destination. */
	if (cf->rebind) {
		struct buf	 keep;
		const char	*dp[2];

		buf_init(&keep);
		buf_puts(&keep, "{");
		for (i = 0; i < cf->nsecrets; i++)
			buf_printf(&keep, "%s%s", i > 0 ? "," : "", cf->secret_field[i]);
		buf_puts(&keep, "}");
		dp[0] = cid, dp[1] = keep.data;
		res = db_exec_named(&r->app->db, "secrets_prune",
		    "DELETE FROM connection_secrets WHERE connection_id = $1"
		    " AND field <> ALL ($2::text[])", 2, dp);
		buf_free(&keep);
		if (res == NULL)
			goto fail;
		db_clear(res);
	}
	if (connform_save_expiry(cf, &r->actor, c->id) == -1)
		goto fail;
	{
		/* a,b -> ["a","b"]: field keys are [a-z0-9_], names of our own. */
		struct buf	 d;
		const char	*p;

		buf_init(&d);
		buf_puts(&d, "{\"fields\":[");
		for (p = cf->changed.data; *p != '\0'; p++) {
			if (p == cf->changed.data)
				buf_puts(&d, "\"");
			if (*p == ',')
				buf_puts(&d, "\",\"");
			else
				buf_append(&d, p, 1);
		}
		buf_puts(&d, cf->changed.len > 0 ? "\"]}" : "]}");
		i = audit_add(&r->actor, "connection", c->id, req_text(r, "name"), "connection_edit",
		    "success", d.data);
		buf_free(&d);
		if (i == 0)
			i = event_connection(&r->actor, EVENT_UPDATED, c->id, NULL);
	}
	if (i == -1 || db_commit(&r->app->db) == -1)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(&r->app->db);
out:
	free(settings);
	return rc;
}

int
page_connection_edit_post(struct req *r)
{
	struct conn	*c;
	struct connform	 cf;
	char		*stored, *expiry = NULL;
	const char	*version = req_param(r, "version");
	struct probe_outcome	 o;
	char		 loc[64], msg[512], why[200], current[24];
	const char	*client;
	long long	 vnum;
	int		 errors, rc = -1, taken, saved, failed, tried = 0, uses;

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
	errors = edit_check_basics(r, c, &cf);
	if ((rc = connform_validate(r, &cf, strcmp(c->context, "per_user") == 0)) == -1) {
		r->log_note = "undeclared connector field";
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	client = connform_client_check(r, &cf, c->connector, c->protocol, &errors);
	errors += (int)json_object_size(cf.errors);
	if ((uses = connform_client_current(&r->actor, c->id, current, sizeof(current))) == -1) {
		rc = -1;
		goto out;
	}
	if (strcmp(client != NULL ? client : "", uses == 1 ? current : "") != 0)
		connform_client_changed(&cf);
	if (errors == 0 && (taken = edit_name_taken(r, c, req_text(r, "name"))) != 0) {
		if (taken == -1) {
			rc = -1;
			goto out;
		}
		render_set(r->hdf, "Form.Errors.Name",
		    "A connection with this name already exists in the team.");
		errors++;
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
	/* Only what the test depends on is tried: settings or typed secrets. */
	if (req_param(r, "save_anyway") == NULL && (cf.nsecrets > 0 ||
	    !json_equal(cf.old, cf.settings))) {
		if ((failed = edit_try(r, c, &cf, &o, why, sizeof(why))) == -1) {
			rc = -1;
			goto out;
		}
		tried = 1;
		if (failed) {
			render_set(r->hdf, "Form.TestFailed", why);
			snprintf(msg, sizeof(msg), "Nothing was saved: the connection with your "
			    "changes failed its test. %s Keep editing and press Save to test "
			    "again, or press Save anyway.", why);
			render_set(r->hdf, "Form.Error", msg);
			r->log_note = "test before save failed";
			rc = edit_form(r, c, 422, &cf, 1);
			goto out;
		}
	}
	if ((rc = edit_once(r, c)) != 1)
		goto out;
	if ((saved = edit_save(r, c, &cf, client)) == -1) {
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
	rc = tried && o.result == PROBE_OK ? edit_show_tried(r, c, &o, msg) :
	    connpage_test_and_show(r, c->id, "edit", msg);
out:
	probe_outcome_free(&o);
	connform_free(&cf);
	free(stored);
	free(expiry);
	conn_free(c);
	return rc;
}
