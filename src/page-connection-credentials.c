/*
 * page-connection-credentials.c — "your own credentials" for a connection
 * that runs as each user's own account: the protocol's secret fields, kept
 * for the signed-in user only (no user ever sees or uses another's), then
 * a test with them.
 * Inputs: {id}; POST csrf, f.* (the protocol's secret fields).
 * Statuses: 200, 303, 400 (a crafted field), 404 (missing, invisible, or
 * not a per-user connection), 403 (viewers), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

static HDF *
cred_protocol(struct req *r, const struct conn *c)
{
	return connector_protocol(&r->app->catalog, c->connector, c->protocol);
}

static void
cred_fill(struct req *r, const struct conn *c, const char *error_field, const char *error)
{
	HDF	*f;
	int	 i = 0;
	char	 action[64];

	connpage_fill(r, c, "details");
	snprintf(action, sizeof(action), "/connections/%lld/credentials", (long long)c->id);
	render_set(r->hdf, "Creds.Action", action);
	for (f = hdf_obj_child(hdf_get_obj(cred_protocol(r, c), "Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		HDF	*n;

		if (strcmp(hdf_get_value(f, "type", ""), "secret") != 0 ||
		    !connector_field_applies(f, c->api_type))
			continue;
		n = render_node(r->hdf, "Creds.Fields.%d", i++);
		{
			char	 input[80];

			snprintf(input, sizeof(input), "f.%s", hdf_obj_name(f));
			render_set(n, "Input", input);
		}
		render_set(n, "Label", hdf_get_value(f, "label", hdf_obj_name(f)));
		render_set(n, "Help", hdf_get_value(f, "help", ""));
		if (error_field != NULL && strcmp(error_field, hdf_obj_name(f)) == 0)
			render_set(n, "Error", error);
	}
	render_set(r->hdf, "Page.Title", "Your credentials");
}

static int
cred_load(struct req *r, struct conn **c)
{
	if (connpage_load(r, PERM_USE, c))
		return 1;
	if (strcmp((*c)->context, "per_user") != 0) {
		conn_free(*c);
		*c = NULL;
		http_error(r, 404, "This connection uses shared credentials.");
		return 1;
	}
	return 0;
}

int
page_connection_credentials(struct req *r)
{
	struct conn	*c;
	int		 rc;

	if (cred_load(r, &c))
		return 0;
	cred_fill(r, c, NULL, NULL);
	rc = http_page(r, 200, "connection-credentials.cs");
	conn_free(c);
	return rc;
}

int
page_connection_credentials_post(struct req *r)
{
	struct conn	*c;
	HDF		*f;
	char		 input[80];
	size_t		 i;
	int		 rc = -1, saved = 0;

	if (cred_load(r, &c))
		return 0;
	/* Only this protocol's secret fields may come in. */
	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;
		int		 known = 0;

		if (strncmp(name, "f.", 2) != 0)
			continue;
		for (f = hdf_obj_child(hdf_get_obj(cred_protocol(r, c), "Fields")); f != NULL;
		    f = hdf_obj_next(f))
			known |= strcmp(hdf_get_value(f, "type", ""), "secret") == 0 &&
			    strcmp(hdf_obj_name(f), name + 2) == 0;
		if (!known) {
			http_error(r, 400, NULL);
			rc = 0;
			goto out;
		}
	}
	if (db_begin(&r->app->db) == -1)
		goto out;
	for (f = hdf_obj_child(hdf_get_obj(cred_protocol(r, c), "Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		const char	*v;

		if (strcmp(hdf_get_value(f, "type", ""), "secret") != 0)
			continue;
		snprintf(input, sizeof(input), "f.%s", hdf_obj_name(f));
		if ((v = req_param(r, input)) == NULL || *v == '\0')
			continue;
		if (strlen(v) > 4096) {
			db_rollback(&r->app->db);
			cred_fill(r, c, hdf_obj_name(f), "Use at most 4096 characters.");
			rc = http_page(r, 422, "connection-credentials.cs");
			goto out;
		}
		/* The user's own secret, never the connection's shared one. */
		if (secret_conn_put(&r->actor, c->id, r->actor.user_id, hdf_obj_name(f),
		    v) == -1) {
			db_rollback(&r->app->db);
			goto out;
		}
		saved++;
	}
	if (saved == 0) {
		db_rollback(&r->app->db);
		cred_fill(r, c, NULL, NULL);
		http_flash(r, "error", "Enter your credentials to save them.");
		rc = http_page(r, 422, "connection-credentials.cs");
		goto out;
	}
	if (audit_add(&r->actor, "connection", c->id, c->name, "connection_user_credentials",
	    "success", NULL) == -1 || db_commit(&r->app->db) == -1) {
		db_rollback(&r->app->db);
		goto out;
	}
	rc = connpage_test_and_show(r, c->id, "manual", "Your credentials are saved.");
out:
	conn_free(c);
	return rc;
}
