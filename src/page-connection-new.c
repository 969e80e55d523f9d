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

struct newconn {
	const char	*connector;
	const char	*protocol;
	const char	*api_type;
	HDF		*def;
	HDF		*proto;
	PGresult	*teams;		/* the teams the user may create in */
};

/* Resolve connector, protocol and API type; -1 when the connector is unknown. */
static int
newconn_resolve(struct req *r, struct newconn *nc, int strict)
{
	HDF	*t;

	nc->connector = req_param(r, "connector");
	if (nc->connector == NULL ||
	    (nc->def = catalog_get(&r->app->catalog, nc->connector)) == NULL)
		return -1;
	nc->protocol = req_param(r, "protocol");
	if (nc->protocol == NULL || (nc->proto = connector_protocol(&r->app->catalog,
	    nc->connector, nc->protocol)) == NULL) {
		if (strict)
			return -1;
		nc->proto = hdf_obj_child(hdf_get_obj(nc->def, "Protocols"));
		nc->protocol = hdf_obj_name(nc->proto);
	}
	nc->api_type = req_param(r, "api_type");
	if ((t = hdf_obj_child(hdf_get_obj(nc->def, "ApiTypes"))) == NULL) {
		if (nc->api_type != NULL && *nc->api_type != '\0' && strict)
			return -1;
		nc->api_type = "";
	} else if (nc->api_type == NULL || hdf_get_obj(hdf_get_obj(nc->def,
	    "ApiTypes"), nc->api_type) == NULL || strchr(nc->api_type, '.') != NULL) {
		if (strict)
			return -1;
		nc->api_type = hdf_obj_name(t);
	}
	return 0;
}

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

/* The named credentials the user may reference (their managed teams'). */
static PGresult *
newconn_credentials(struct req *r)
{
	char		 uid[24];
	const char	*params[2] = { uid, r->sess->is_admin ? "t" : "f" };

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	return db_exec_named(&r->app->db, "nc_usable",
	    "SELECT n.id, n.name, t.name AS team FROM named_credentials n"
	    " JOIN teams t ON t.id = n.owner_team_id WHERE $2::boolean OR n.owner_team_id IN"
	    " (SELECT team_id FROM team_members WHERE user_id = $1 AND role = 'manager')"
	    " ORDER BY lower(n.name)", 2, params);
}

static void
newconn_fill_credentials(struct req *r)
{
	PGresult	*res = newconn_credentials(r);

	newconn_fill_choices(r, "Form.NamedCredentials", res,
	    req_param(r, "named_credential"));
	db_clear(res);
}

/* The chosen named credential, when the protocol needs one; NULL otherwise.
 * Adds a form error when it is missing or not usable. */
static const char *
newconn_check_credential(struct req *r, struct newconn *nc, int *errors)
{
	const char	*chosen = req_param(r, "named_credential");
	PGresult	*res;
	int		 i, ok = 0;

	if (strcmp(hdf_get_value(nc->proto, "kind", ""), "named_credential") != 0)
		return NULL;
	if (chosen != NULL && (res = newconn_credentials(r)) != NULL) {
		for (i = 0; i < db_rows(res); i++)
			ok |= strcmp(chosen, db_get(res, i, "id")) == 0;
		db_clear(res);
	}
	if (!ok) {
		render_set(r->hdf, "Form.Errors.NamedCredential",
		    "Choose a named credential of a team you manage.");
		(*errors)++;
		return NULL;
	}
	return chosen;
}

static void
newconn_fill(struct req *r, struct newconn *nc, struct connform *cf, int from_post)
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
newconn_teams(struct req *r, struct newconn *nc)
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
	struct newconn	 nc;
	struct connform	 cf;
	int		 rc, restored;

	memset(&nc, 0, sizeof(nc));
	/* Back from an OAuth client's page ("+", pencil): the form as it was. */
	restored = connform_client_restore(r);
	if (newconn_resolve(r, &nc, 0) == -1) {
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

/* The checks outside the connector's fields: name, description, team, context. */
static int
newconn_check(struct req *r, struct newconn *nc, const char **team, const char **ctx)
{
	const char	*name = req_text(r, "name"), *desc = req_text(r, "description");
	const char	*why;
	int		 errors = 0, i;

	if ((why = valid_name(name, 120)) != NULL) {
		render_set(r->hdf, "Form.Errors.Name", why);
		errors++;
	}
	if ((why = valid_text(desc, 0, 2000)) != NULL) {
		render_set(r->hdf, "Form.Errors.Description", why);
		errors++;
	}
	*team = req_param(r, "team");
	for (i = 0; *team != NULL && i < db_rows(nc->teams); i++)
		if (strcmp(*team, db_get(nc->teams, i, "id")) == 0)
			break;
	if (*team == NULL || i == db_rows(nc->teams)) {
		render_set(r->hdf, "Form.Errors.Team", "Choose a team you manage.");
		errors++;
	}
	*ctx = req_param(r, "context");
	if (*ctx == NULL || (strcmp(*ctx, "system") != 0 && strcmp(*ctx, "per_user") != 0) ||
	    !connector_allows_context(&r->app->catalog, nc->connector, *ctx)) {
		render_set(r->hdf, "Form.Errors.Context",
		    "Choose how this connection runs.");
		errors++;
	}
	return errors;
}

/* Insert the connection, its secrets, version 1 and the audit entry, in one
 * transaction. Returns the id, 0 when the name is taken, -1 on failure. */
static long long
newconn_save(struct req *r, struct newconn *nc, struct connform *cf, const char *team,
    const char *ctx, const char *credential, const char *uplink, const char *client)
{
	char		 uid[24], *settings = json_dumps(cf->settings, JSON_COMPACT);
	const char	*params[12];
	PGresult	*res;
	long long	 id = -1;
	int		 i;
	const char	*key;
	json_t		*v;
	struct buf	 fields;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	params[0] = team, params[1] = req_text(r, "name");
	params[2] = req_text(r, "description"), params[3] = nc->connector;
	params[4] = nc->protocol, params[5] = nc->api_type, params[6] = settings;
	params[7] = ctx, params[8] = uid;
	if (db_begin(&r->app->db) == -1)
		goto out;
	params[9] = credential, params[10] = uplink, params[11] = client;
	res = db_exec_named(&r->app->db, "conn_insert",
	    "INSERT INTO connections (owner_team_id, name, description, connector,"
	    " auth_protocol, api_type, settings, execution_context, created_by, updated_by,"
	    " named_credential_id, uplink_id, oauth_client_id) VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7::jsonb, $8, $9, $9, $10::bigint, $11::bigint, $12::bigint)"
	    " ON CONFLICT DO NOTHING RETURNING id", 12, params);
	if (res == NULL)
		goto fail;
	id = db_rows(res) == 1 ? strtoll(db_get(res, 0, "id"), NULL, 10) : 0;
	db_clear(res);
	if (id == 0) {
		db_rollback(&r->app->db);
		goto out;
	}
	for (i = 0; i < cf->nsecrets; i++)
		if (secret_conn_put(&r->actor, id, 0, cf->secret_field[i],
		    cf->secret_value[i]) == -1)
			goto fail;
	if (connform_save_expiry(cf, &r->actor, id) == -1)
		goto fail;
	buf_init(&fields);
	buf_puts(&fields, "{");
	json_object_foreach(cf->settings, key, v) {
		(void)v;
		buf_printf(&fields, "%s\"%s\"", fields.len > 1 ? "," : "", key);
	}
	for (i = 0; i < cf->nsecrets; i++)
		buf_printf(&fields, "%s\"%s\"", fields.len > 1 ? "," : "", cf->secret_field[i]);
	buf_puts(&fields, "}");
	{
		char		 cid[24];
		const char	*vp[4] = { cid, settings, fields.data, uid };

		snprintf(cid, sizeof(cid), "%lld", id);
		res = db_exec_named(&r->app->db, "version_insert",
		    "INSERT INTO connection_versions (connection_id, version, settings,"
		    " changed_fields, changed_by) VALUES ($1, 1, $2::jsonb, $3::text[], $4)",
		    4, vp);
	}
	if (res == NULL) {
		buf_free(&fields);
		goto fail;
	}
	db_clear(res);
	/* Field names come from connector definitions: [a-z0-9_] only. */
	fields.data[0] = '[';
	fields.data[fields.len - 1] = ']';
	{
		struct buf	 details;

		buf_init(&details);
		buf_printf(&details, "{\"connector\":\"%s\",\"fields\":%s", nc->connector,
		    fields.data);
		/* The saved OAuth client it uses: an id (checked digits), no secret. */
		if (client != NULL)
			buf_printf(&details, ",\"oauth_client_id\":%lld", strtoll(client, NULL, 10));
		buf_puts(&details, "}");
		i = audit_add(&r->actor, "connection", id, req_text(r, "name"), "connection_create",
		    "success", details.data);
		buf_free(&details);
		if (i == 0)
			i = event_connection(&r->actor, EVENT_CREATED, id, NULL);
	}
	buf_free(&fields);
	if (i == -1 || db_commit(&r->app->db) == -1)
		goto fail;
	goto out;
fail:
	db_rollback(&r->app->db);
	id = -1;
out:
	free(settings);
	return id;
}

/* Every f.* field the request carries that this protocol and API type do
 * not take is one of another protocol or API type of the connector: 1;
 * 0 when one is no field of the connector at all (a crafted form). */
static int
newconn_foreign_fields(struct req *r, struct newconn *nc)
{
	size_t	 i;
	HDF	*p, *f;

	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;
		int		 known = 0;

		if (strncmp(name, "f.", 2) != 0)
			continue;
		for (p = hdf_obj_child(hdf_get_obj(nc->def, "Protocols")); p != NULL &&
		    !known; p = hdf_obj_next(p))
			for (f = hdf_obj_child(hdf_get_obj(p, "Fields")); f != NULL;
			    f = hdf_obj_next(f))
				/* f.KEY, or f.KEY.SUB (an expiry date, a scope) */
				if (strncmp(name + 2, hdf_obj_name(f),
				    strlen(hdf_obj_name(f))) == 0 && (name[2 +
				    strlen(hdf_obj_name(f))] == '\0' ||
				    name[2 + strlen(hdf_obj_name(f))] == '.'))
					known = 1;
		if (!known)
			return 0;
	}
	return 1;
}

/* The chosen protocol and API type in words: "API key · Data push API". */
static void
newconn_choice(struct req *r, struct newconn *nc, char *out, size_t sz)
{
	const char	*t = connector_api_type_label(&r->app->catalog, nc->connector,
			    nc->api_type);

	snprintf(out, sz, "%s%s%s", hdf_get_value(nc->proto, "label", nc->protocol),
	    t != NULL && *t != '\0' ? " · " : "", t != NULL ? t : "");
}

/* The form again for the protocol and API type now chosen, every value
 * that still applies kept (secrets excepted: each says so), nothing saved. */
static int
newconn_switch(struct req *r, struct newconn *nc, struct connform *cf, int status,
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
newconn_created(struct req *r, struct newconn *nc, long long id, const char *ctx,
    const char *credential, const char *once)
{
	char	 msg[512];

	snprintf(msg, sizeof(msg), "Connection \"%s\" created.", req_text(r, "name"));
	if (strcmp(hdf_get_value(nc->proto, "kind", ""), "oauth2_code") == 0 &&
	    strcmp(ctx, "system") == 0 && credential == NULL)
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
	struct newconn	 nc;
	struct connform	 cf;
	const char	*team, *ctx, *credential, *uplink, *shown, *client;
	char		 drawn[160];
	int		 errors, rc = -1;
	long long	 id;

	memset(&nc, 0, sizeof(nc));
	if (newconn_resolve(r, &nc, 1) == -1) {
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
	if (!connform_declares_all(r, &cf) && newconn_foreign_fields(r, &nc)) {
		r->log_note = "fields of another protocol or api type";
		rc = newconn_switch(r, &nc, &cf, 422, "Nothing was saved: the form "
		    "carried fields of another authentication protocol or API type.");
		goto out;
	}
	errors = newconn_check(r, &nc, &team, &ctx);
	credential = newconn_check_credential(r, &nc, &errors);
	uplink = connform_check_uplink(r, nc.def, &errors);
	rc = connform_validate(r, &cf, ctx != NULL && strcmp(ctx, "per_user") == 0);
	if (rc == -1) {
		r->log_note = "undeclared connector field";
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	client = connform_client_check(r, &cf, nc.connector, nc.protocol, &errors);
	errors += (int)json_object_size(cf.errors);
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
		if ((id = newconn_save(r, &nc, &cf, team, ctx, credential, uplink,
		    client)) > 0) {
			rc = newconn_created(r, &nc, id, ctx, credential,
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
