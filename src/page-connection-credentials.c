/*
 * page-connection-credentials.c — "your own credentials" for a connection
 * that runs as each user's own account: the protocol's secret fields, kept
 * for the signed-in user only (no user ever sees or uses another's), then
 * a test with them.
 * Inputs: {id}; POST csrf, f.* (the protocol's secret fields), f.KEY.expires_on
 * (the date that secret stops working, YYYY-MM-DD; optional, saved with it).
 * Statuses: 200, 303, 400 (a crafted field), 404 (missing, invisible, or
 * not a per-user connection), 403 (viewers), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

static HDF *
cred_protocol(struct req *r, const struct conn *c)
{
	return connector_protocol(&r->app->catalog, c->connector, c->protocol);
}

#define EXPIRES_SUFFIX	".expires_on"

/* error_field: a secret's key, or KEY.expires_on for its date. */
static void
cred_fill(struct req *r, const struct conn *c, const char *error_field, const char *error)
{
	HDF	*f;
	int	 i = 0;
	char	 action[64], *expiry = secret_user_expiry_json(&r->actor, c->id);
	json_t	*stored = json_loads(expiry != NULL ? expiry : "{}", 0, NULL);

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
		{
			char		 input[96];
			const char	*v;

			/* The date is not secret: as posted, or as stored. */
			snprintf(input, sizeof(input), "f.%s" EXPIRES_SUFFIX, hdf_obj_name(f));
			render_set(n, "ExpiresInput", input);
			v = req_param(r, input);
			render_set(n, "ExpiresOn", v != NULL ? v : json_string_value(
			    json_object_get(stored, hdf_obj_name(f))));
			if (error_field != NULL && strcmp(error_field, input + 2) == 0)
				render_set(n, "ExpiresError", error);
		}
	}
	render_set(r->hdf, "Page.Title", "Your credentials");
	json_decref(stored);
	free(expiry);
}

/* "f.KEY" or "f.KEY.expires_on" for a secret field KEY of the protocol. */
static int
cred_declared(struct req *r, const struct conn *c, const char *name)
{
	HDF	*f;
	size_t	 klen;

	for (f = hdf_obj_child(hdf_get_obj(cred_protocol(r, c), "Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		if (strcmp(hdf_get_value(f, "type", ""), "secret") != 0)
			continue;
		klen = strlen(hdf_obj_name(f));
		if (strncmp(hdf_obj_name(f), name + 2, klen) == 0 && (name[2 + klen] == '\0' ||
		    strcmp(name + 2 + klen, EXPIRES_SUFFIX) == 0))
			return 1;
	}
	return 0;
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
	/* Only this protocol's secret fields (and their dates) may come in. */
	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;

		if (strncmp(name, "f.", 2) == 0 && !cred_declared(r, c, name)) {
			http_error(r, 400, NULL);
			rc = 0;
			goto out;
		}
	}
	if (db_begin(&r->app->db) == -1)
		goto out;
	for (f = hdf_obj_child(hdf_get_obj(cred_protocol(r, c), "Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		const char	*v, *date, *why = NULL;
		char		 dinput[96];

		if (strcmp(hdf_get_value(f, "type", ""), "secret") != 0)
			continue;
		snprintf(input, sizeof(input), "f.%s", hdf_obj_name(f));
		snprintf(dinput, sizeof(dinput), "f.%s" EXPIRES_SUFFIX, hdf_obj_name(f));
		v = req_param(r, input);
		/* The date goes with a secret entered now: the form asks for it
		 * again on every save. */
		if ((date = req_param(r, dinput)) != NULL && *date != '\0' &&
		    (why = valid_date(date)) == NULL && (v == NULL || *v == '\0'))
			why = "Enter the secret as well: the date belongs to it.";
		if (why != NULL) {
			db_rollback(&r->app->db);
			cred_fill(r, c, dinput + 2, why);
			rc = http_page(r, 422, "connection-credentials.cs");
			goto out;
		}
		if (v == NULL || *v == '\0')
			continue;
		if (strlen(v) > 4096) {
			db_rollback(&r->app->db);
			cred_fill(r, c, hdf_obj_name(f), "Use at most 4096 characters.");
			rc = http_page(r, 422, "connection-credentials.cs");
			goto out;
		}
		/* The user's own secret, never the connection's shared one. */
		if (secret_conn_put(&r->actor, c->id, r->actor.user_id, hdf_obj_name(f),
		    v) == -1 || secret_user_set_expiry(&r->actor, c->id, r->actor.user_id,
		    hdf_obj_name(f), date != NULL && *date != '\0' ? date : NULL) == -1) {
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

/*
 * "Disconnect my account" (issue 13 §5): the signed-in user's own tokens
 * of a per-user connection are revoked at the provider (RFC 7009, best
 * effort, where the connector declares an endpoint), then destroyed with
 * the user's own state and refresh job, whatever the provider said; the
 * audit entry says which. Inputs: {id}; POST csrf. Statuses: 303, 403,
 * 404 (not a per-user connection), 503.
 */
int
page_connection_disconnect_post(struct req *r)
{
	struct conn		*c;
	enum revoke_result	 rr;
	char			 cid[24], uid[24], cls[48], loc[48], *details;
	const char		*params[2] = { cid, uid };
	PGresult		*res;
	json_t			*d;
	int			 rc = -1;

	if (cred_load(r, &c))
		return 0;
	if (revoke_owner(&r->actor, c, r->actor.user_id, &rr, cls, sizeof(cls)) == -1) {
		rr = REVOKE_FAILED;
		snprintf(cls, sizeof(cls), "%s", "error");
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->actor.user_id);
	d = json_pack("{s:s}", "revoke", revoke_result_key(rr));
	if (rr == REVOKE_FAILED)
		json_object_set_new(d, "revoke_class", json_string(cls));
	details = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	if (db_begin(&r->app->db) == -1)
		goto out;
	res = db_exec_named(&r->app->db, "user_disconnect",
	    "WITH s AS (DELETE FROM user_connection_secrets WHERE connection_id = $1"
	    " AND user_id = $2), j AS (DELETE FROM jobs WHERE kind = 'refresh' AND"
	    " connection_id = $1 AND user_id = $2) DELETE FROM user_connection_states"
	    " WHERE connection_id = $1 AND user_id = $2", 2, params);
	if (res == NULL || audit_add(&r->actor, "connection", c->id, c->name,
	    "connection_user_disconnect", "success", details) == -1 ||
	    db_commit(&r->app->db) == -1) {
		db_clear(res);
		db_rollback(&r->app->db);
		goto out;
	}
	db_clear(res);
	http_flash_next(r, "success", rr == REVOKE_DONE ? "Your account is disconnected: "
	    "its access was revoked at the provider and Tether no longer keeps it." :
	    rr == REVOKE_FAILED ? "Your account is disconnected: Tether no longer keeps "
	    "it, but the provider could not be reached to revoke its access." :
	    "Your account is disconnected: Tether no longer keeps its credentials.");
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)c->id);
	http_redirect(r, loc);
	rc = 0;
out:
	free(details);
	conn_free(c);
	return rc;
}
