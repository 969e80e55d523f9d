/*
 * page-connection-new.c — New Connection: one form whose protocol and API
 * type are submitted with the fields, so what is created is what was
 * chosen. Changing the choice ("Update fields", or the choice differing
 * from the one the fields were drawn for) shows the form again for it,
 * every typed value that still applies kept, nothing saved.
 * Inputs: GET connector, protocol, api_type; POST csrf, connector, protocol,
 * api_type, shown ("PROTOCOL/API_TYPE" the fields were drawn for), change,
 * name, description, team, context and the connector's f.* fields.
 * With the form's one-time token (once) Create answers at once: the
 * connection is saved and its first test runs after the answer, on its
 * "Testing…" page (page-connection-testing.c); a second POST of the same
 * form creates nothing and goes to that page.
 * Statuses: 200 (form; the form for a changed choice), 303 (created: where
 * newconn_created() sends it; a second POST: to the first one's Testing…
 * page, or the Integrations list), 400 (a crafted form: unknown connector,
 * protocol or field), 403 (manages no team), 404, 422 (invalid, or fields of
 * another protocol or API type: the form again with a message at each
 * field, nothing saved).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* Rows (id, name[, team]) as `prefix`.N.Id|Name|Team|Selected of a select. */
static void
newconn_fill_choices(struct req *r, const char *prefix, PGresult *res, const char *chosen)
{
	int	 i, team = db_col(res, "team");

	for (i = 0; i < db_rows(res); i++) {
		HDF	*n = render_node(r->hdf, "%s.%d", prefix, i);

		render_set(n, "Id", db_get(res, i, "id"));
		render_set(n, "Name", db_get(res, i, "name"));
		if (team >= 0)
			render_set(n, "Team", db_value(res, i, team));
		render_set(n, "Selected", chosen != NULL && strcmp(chosen,
		    db_get(res, i, "id")) == 0 ? "1" : "0");
	}
}

static void
newconn_fill_credentials(struct req *r)
{
	PGresult	*res = connsave_credentials(r);

	newconn_fill_choices(r, "Form.NamedCredentials", res,
	    req_param(r, "named_credential"));
	db_clear(res);
}

static void
newconn_fill(struct req *r, struct connsave_new *nc, struct connform *cf, int from_post)
{
	HDF		*n, *p;
	const char	*team = req_param(r, "team"), *ctx = req_param(r, "context");
	int		 i = 0;

	n = render_node(r->hdf, "Form");
	render_set(n, "Mode", "new");
	render_set(n, "Action", "/connections");
	render_set(n, "Connector", nc->connector);
	render_set(n, "ConnectorTitle", hdf_get_value(nc->def, "title", ""));
	render_set(n, "Protocol", nc->protocol);
	render_set(n, "ProtocolLabel", hdf_get_value(nc->proto, "label", ""));
	render_set(n, "ApiType", nc->api_type);
	{
		char	 shown[160];

		snprintf(shown, sizeof(shown), "%s/%s", nc->protocol, nc->api_type);
		render_set(n, "Shown", shown);
	}
	render_set(n, "ApiTypeLabel", connector_api_type_label(&r->app->catalog,
	    nc->connector, nc->api_type));
	if (from_post) {
		render_set(n, "Name", req_text(r, "name"));
		render_set(n, "Description", req_text(r, "description"));
	}
	for (p = hdf_obj_child(hdf_get_obj(nc->def, "Protocols")); p != NULL;
	    p = hdf_obj_next(p)) {
		HDF	*pn = render_node(n, "Protocols.%d", i++);

		render_set(pn, "Key", hdf_obj_name(p));
		render_set(pn, "Label", hdf_get_value(p, "label", ""));
		render_set(pn, "Selected", p == nc->proto ? "1" : "0");
	}
	i = 0;
	for (p = hdf_obj_child(hdf_get_obj(nc->def, "ApiTypes")); p != NULL;
	    p = hdf_obj_next(p)) {
		HDF	*tn = render_node(n, "ApiTypes.%d", i++);

		render_set(tn, "Key", hdf_obj_name(p));
		render_set(tn, "Label", hdf_get_value(p, "label", ""));
		render_set(tn, "Selected", strcmp(hdf_obj_name(p), nc->api_type) == 0 ?
		    "1" : "0");
	}
	for (i = 0; i < db_rows(nc->teams); i++) {
		HDF	*tn = render_node(n, "Teams.%d", i);

		render_set(tn, "Id", db_get(nc->teams, i, "id"));
		render_set(tn, "Name", db_get(nc->teams, i, "name"));
		render_set(tn, "Selected", team != NULL &&
		    strcmp(team, db_get(nc->teams, i, "id")) == 0 ? "1" : "0");
	}
	i = 0;
	if (connector_allows_context(&r->app->catalog, nc->connector, "system")) {
		HDF	*cn = render_node(n, "Contexts.%d", i++);

		render_set(cn, "Key", "system");
		render_set(cn, "Label", "System account (shared credentials)");
		render_set(cn, "Selected", ctx == NULL || strcmp(ctx, "system") == 0 ? "1" : "0");
	}
	if (connector_allows_context(&r->app->catalog, nc->connector, "per_user")) {
		HDF	*cn = render_node(n, "Contexts.%d", i++);

		render_set(cn, "Key", "per_user");
		render_set(cn, "Label", "Each user's own account");
		render_set(cn, "Selected", (ctx != NULL && strcmp(ctx, "per_user") == 0) ||
		    i == 1 ? "1" : "0");
	}
	if (strcmp(hdf_get_value(nc->proto, "kind", ""), "named_credential") == 0)
		newconn_fill_credentials(r);
	if (hdf_get_int_value(nc->def, "uplink", 0) == 1)
		connform_fill_uplinks(r, req_param(r, "uplink"));
	connform_fill(r, cf, from_post);
	(void)connform_client_fill(r, cf, nc->connector, nc->protocol, NULL);
	render_set(r->hdf, "Page.Title", "New connection");
}

/* The teams the user may create in: 0, 1 when none (403 made), -1. */
static int
newconn_teams(struct req *r, struct connsave_new *nc)
{
	if ((nc->teams = team_managed(&r->actor)) == NULL)
		return -1;
	if (db_rows(nc->teams) == 0) {
		db_clear(nc->teams);
		nc->teams = NULL;
		http_error(r, 403, "Only managers of a team can create connections.");
		return 1;
	}
	return 0;
}

int
page_connection_new(struct req *r)
{
	struct connsave_new	 nc;
	struct connform	 cf;
	int		 rc, restored;

	memset(&nc, 0, sizeof(nc));
	/* Back from an OAuth client's page ("+", pencil): the form as it was. */
	restored = connform_client_restore(r);
	if (connsave_resolve(r, &nc, 0) == -1) {
		http_error(r, 404, "There is no such connector. Pick one from the catalog.");
		return 0;
	}
	if ((rc = newconn_teams(r, &nc)) != 0)
		return rc == 1 ? 0 : -1;
	connform_init(&cf, nc.proto, nc.api_type, 0, NULL, NULL);
	newconn_fill(r, &nc, &cf, restored);
	rc = http_page(r, 200, "connection-form.cs");
	connform_free(&cf);
	db_clear(nc.teams);
	return rc;
}

/* The chosen protocol and API type in words: "API key · Data push API". */
static void
newconn_choice(struct req *r, struct connsave_new *nc, char *out, size_t sz)
{
	const char	*t = connector_api_type_label(&r->app->catalog, nc->connector,
			    nc->api_type);

	snprintf(out, sz, "%s%s%s", hdf_get_value(nc->proto, "label", nc->protocol),
	    t != NULL && *t != '\0' ? " · " : "", t != NULL ? t : "");
}

/* The form again for the protocol and API type now chosen, every value
 * that still applies kept (secrets excepted: each says so), nothing saved. */
static int
newconn_switch(struct req *r, struct connsave_new *nc, struct connform *cf, int status,
    const char *why)
{
	char	 choice[256], msg[600];

	newconn_choice(r, nc, choice, sizeof(choice));
	snprintf(msg, sizeof(msg), "%s The form now shows the fields for %s; what you "
	    "typed is kept where it applies. Check them, then press Create.", why, choice);
	render_set(r->hdf, status == 200 ? "Form.Notice" : "Form.Error", msg);
	cf->switched = 1;
	newconn_fill(r, nc, cf, 1);
	return http_page(r, status, "connection-form.cs");
}

/*
 * Where a new connection goes. An OAuth authorization-code connection of
 * the system account has nothing to test before the consent: it goes on to
 * Connect. Any other is tested: with the form's token `once` after the
 * answer, which is its Testing… page; without (a script) at once, and its
 * details page shows the result.
 */
static int
newconn_created(struct req *r, struct connsave_new *nc, long long id, const char *ctx,
    const char *credential, const char *once)
{
	char	 msg[512];

	snprintf(msg, sizeof(msg), "Connection \"%s\" created.", req_text(r, "name"));
	if (connsave_awaits_consent(nc, ctx, credential))
		return page_connection_connect_new(r, id, msg);
	if (once != NULL)
		return page_connection_test_later(r, id, once, "create", msg);
	return connpage_test_and_show(r, id, "create", msg);
}

/* A second POST of a Create form: to the first one's Testing… page when
 * it has one (the first click created the connection), else the list. */
static int
newconn_again(struct req *r, const char *once)
{
	char		 loc[128];
	int64_t		 id;

	if ((id = once_connection(&r->actor, once)) == -1)
		return -1;
	if (id > 0)
		snprintf(loc, sizeof(loc), "/connections/%lld/testing?run=%s", (long long)id,
		    once);
	else
		snprintf(loc, sizeof(loc), "/");
	http_flash_next(r, "info", "This form was already sent by your first click: the "
	    "connection was created once, not twice.");
	http_redirect(r, loc);
	return 0;
}

int
page_connection_create(struct req *r)
{
	struct connsave_new	 nc;
	struct connform	 cf;
	struct connsave_pick	 pick;
	const char	*shown;
	char		 drawn[160];
	int		 errors, rc = -1;
	long long	 id;

	memset(&nc, 0, sizeof(nc));
	if (connsave_resolve(r, &nc, 1) == -1) {
		r->log_note = "unknown connector, protocol or api type";
		http_error(r, 400, NULL);
		return 0;
	}
	if ((rc = newconn_teams(r, &nc)) != 0)
		return rc == 1 ? 0 : -1;
	connform_init(&cf, nc.proto, nc.api_type, 0, NULL, NULL);
	/* "Update fields", or a choice changed since the fields were drawn. */
	snprintf(drawn, sizeof(drawn), "%s/%s", nc.protocol, nc.api_type);
	shown = req_param(r, "shown");
	if (req_param(r, "change") != NULL) {
		rc = newconn_switch(r, &nc, &cf, 200, "Nothing is saved yet.");
		goto out;
	}
	/* "+" or the pencil of the OAuth client picker: to the client's page. */
	if (req_param(r, "client_action") != NULL && connform_client_applies(nc.proto)) {
		rc = connform_client_leave(r, &cf, "/connections/new");
		goto out;
	}
	if (shown != NULL && strcmp(shown, drawn) != 0) {
		r->log_note = "fields drawn for another protocol or api type";
		rc = newconn_switch(r, &nc, &cf, 422, "Nothing was saved: the fields you "
		    "filled in were for another authentication protocol or API type.");
		goto out;
	}
	if (!connform_declares_all(r, &cf) && connsave_foreign_fields(r, &nc)) {
		r->log_note = "fields of another protocol or api type";
		rc = newconn_switch(r, &nc, &cf, 422, "Nothing was saved: the form "
		    "carried fields of another authentication protocol or API type.");
		goto out;
	}
	if ((errors = connsave_check_new(r, &nc, &cf, &pick)) == CONNSAVE_UNDECLARED) {
		r->log_note = "undeclared connector field";
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (errors == 0 && req_param(r, "once") != NULL) {
		/* The form's one-time token (once.c): a second click creates nothing. */
		const char	*once = req_param(r, "once");

		if (!once_shape_ok(once)) {
			r->log_note = "bad once token";
			http_error(r, 400, NULL);
			rc = 0;
			goto out;
		}
		if ((rc = once_take(&r->actor, once)) != 1) {
			if (rc == 0)
				rc = newconn_again(r, once);
			goto out;
		}
	}
	if (errors == 0) {
		if ((id = connsave_create(&r->actor, &nc, &cf, &pick)) > 0) {
			rc = newconn_created(r, &nc, id, pick.ctx, pick.credential,
			    req_param(r, "once"));
			goto out;
		}
		if (id == -1) {
			rc = -1;
			goto out;
		}
		render_set(r->hdf, "Form.Errors.Name",
		    "A connection with this name already exists in that team.");
		errors++;
	}
	render_set(r->hdf, "Form.Error", "Nothing was saved. Correct the fields "
	    "marked below.");
	newconn_fill(r, &nc, &cf, 1);
	rc = http_page(r, 422, "connection-form.cs");
out:
	connform_free(&cf);
	db_clear(nc.teams);
	return rc;
}
