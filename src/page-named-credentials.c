/*
 * page-named-credentials.c — Named credentials: a URL and an
 * authentication kept centrally by a team and referenced by connections.
 * Connections that use one edit only their name and description, have no
 * Reconnect, and keep the credential when deleted; a credential that
 * connections reference cannot be deleted (the foreign key is the last
 * guard) and its page lists them.
 * Inputs: POST /named-credentials csrf, name, description, team, url,
 * protocol, f.* ; POST /named-credentials/{id} csrf, action (save|delete),
 * description, url, f.*, expires_on (the secret's expiry date, YYYY-MM-DD;
 * empty clears it, left out keeps it).
 * Statuses: 200, 303, 400, 403 (not a manager), 404, 409 (name taken or in
 * use), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

/* What a named credential can hold: a fixed, small set. */
static const struct nc_protocol {
	const char	*key;
	const char	*label;
	const char	*setting;	/* non-secret field, or NULL */
	const char	*setting_label;
	const char	*secret;	/* the secret field */
	const char	*secret_label;
} nc_protocols[] = {
	{ "basic", "User name and password", "username", "User name", "password", "Password" },
	{ "bearer", "Bearer token", NULL, NULL, "token", "Token" },
	{ "api_key_header", "API key in a header", "header", "Header name", "api_key",
	    "API key" },
	{ "oauth2_client", "OAuth 2.0 client credentials", "client_id", "Client ID",
	    "client_secret", "Client secret" },
};

static const struct nc_protocol *
nc_protocol(const char *key)
{
	size_t	 i;

	for (i = 0; key != NULL && i < sizeof(nc_protocols) / sizeof(nc_protocols[0]); i++)
		if (strcmp(nc_protocols[i].key, key) == 0)
			return &nc_protocols[i];
	return NULL;
}

static const char nc_visible[] =
    " ($2::boolean OR n.owner_team_id IN (SELECT team_id FROM team_members"
    " WHERE user_id = $1 AND role = 'manager'))";

static int
nc_fill_list(struct req *r)
{
	char		 uid[24], sql[1024];
	const char	*params[2] = { uid, r->sess->is_admin ? "t" : "f" };
	PGresult	*res, *teams;
	int		 i;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(sql, sizeof(sql), "SELECT n.id, n.name, n.url, n.auth_protocol, t.name AS team,"
	    " (SELECT count(*) FROM connections c WHERE c.named_credential_id = n.id) AS uses"
	    " FROM named_credentials n JOIN teams t ON t.id = n.owner_team_id WHERE%s"
	    " ORDER BY lower(n.name)", nc_visible);
	res = db_exec_named(&r->app->db, "nc_list", sql, 2, params);
	teams = team_managed(&r->actor);
	if (res == NULL || teams == NULL) {
		db_clear(res);
		db_clear(teams);
		return -1;
	}
	for (i = 0; i < db_rows(res); i++) {
		HDF			*n = render_node(r->hdf, "NamedCredentials.%d", i);
		const struct nc_protocol *p = nc_protocol(db_get(res, i, "auth_protocol"));

		render_set(n, "Id", db_get(res, i, "id"));
		render_set(n, "Name", db_get(res, i, "name"));
		render_set(n, "Url", db_get(res, i, "url"));
		render_set(n, "ProtocolLabel", p != NULL ? p->label : "");
		render_set(n, "Team", db_get(res, i, "team"));
		render_set(n, "Connections", db_get(res, i, "uses"));
	}
	render_rows(r->hdf, "NcForm.Teams", teams, (const char *const[]){
	    "Id", "id", "Name", "name", NULL });
	for (i = 0; i < (int)(sizeof(nc_protocols) / sizeof(nc_protocols[0])); i++) {
		HDF	*n = render_node(r->hdf, "NcForm.Protocols.%d", i);

		render_set(n, "Key", nc_protocols[i].key);
		render_set(n, "Label", nc_protocols[i].label);
		render_set(n, "SettingLabel", nc_protocols[i].setting_label);
		render_set(n, "SecretLabel", nc_protocols[i].secret_label);
	}
	db_clear(res);
	db_clear(teams);
	render_set(r->hdf, "Page.Title", "Named credentials");
	return 0;
}

int
page_named_credentials(struct req *r)
{
	int	 may = session_is_manager(r);

	if (may <= 0) {
		if (may == 0)
			http_error(r, 403, "Named credentials are kept by team managers and "
			    "administrators.");
		return may == 0 ? 0 : -1;
	}
	if (nc_fill_list(r) == -1)
		return -1;
	return http_page(r, 200, "named-credentials.cs");
}

/* Shared checks of create and save; adds errors to NcForm.Errors. */
static int
nc_check(struct req *r, const struct nc_protocol *p, int creating)
{
	const char	*why;
	int		 errors = 0;
	char		 input[40];
	const char	*v;
	long long	 n;

#define NC_ERR(field, msg) do { render_set(r->hdf, "NcForm.Errors." field, msg); \
	errors++; } while (0)
	if (creating && (why = valid_name(req_text(r, "name"), 120)) != NULL)
		NC_ERR("Name", why);
	if ((v = req_param(r, "description")) != NULL && (why = valid_text(v, 0, 2000)) != NULL)
		NC_ERR("Description", why);
	if ((why = valid_url(req_text(r, "url"), 0)) != NULL)
		NC_ERR("Url", why);
	/* The team is an id before the database sees it (a team of the user's
	 * own is checked by the insert). */
	if (creating && valid_int(req_text(r, "team"), 1, INT64_MAX / 2, &n) != NULL)
		NC_ERR("Team", "Choose a team you manage.");
	if (p == NULL) {
		NC_ERR("Protocol", "Choose how to authenticate.");
		return errors;
	}
	{
		size_t	 i;

		/* Only this protocol's two fields may come in. */
		for (i = 0; i < r->in.n; i++) {
			const char	*name = r->in.v[i].name;

			if (strncmp(name, "f.", 2) == 0 && strcmp(name + 2, p->secret) != 0 &&
			    (p->setting == NULL || strcmp(name + 2, p->setting) != 0))
				NC_ERR("Protocol", "The form carried fields of another protocol.");
		}
	}
	if (p->setting != NULL) {
		snprintf(input, sizeof(input), "f.%s", p->setting);
		if ((why = valid_text(req_text(r, input), 1, 255)) != NULL)
			NC_ERR("Setting", why);
	}
	snprintf(input, sizeof(input), "f.%s", p->secret);
	v = req_param(r, input);
	if (creating && (v == NULL || *v == '\0'))
		NC_ERR("Secret", "Enter a value.");
	else if (v != NULL && strlen(v) > 4096)
		NC_ERR("Secret", "Use at most 4096 characters.");
	if ((v = req_param(r, "expires_on")) != NULL && *v != '\0' &&
	    (why = valid_date(v)) != NULL)
		NC_ERR("ExpiresOn", why);
#undef NC_ERR
	return errors;
}

int
page_named_credentials_post(struct req *r)
{
	const struct nc_protocol *p = nc_protocol(req_param(r, "protocol"));
	const char	*team = req_param(r, "team"), *desc = req_param(r, "description");
	char		 uid[24], input[40], loc[48], *settings;
	const char	*params[8];
	json_t		*s;
	PGresult	*res;
	long long	 id;
	int		 may = session_is_manager(r), errors;

	if (may <= 0) {
		if (may == 0)
			http_error(r, 403, NULL);
		return may == 0 ? 0 : -1;
	}
	errors = nc_check(r, p, 1);
	if (errors > 0) {
		render_set(r->hdf, "NcForm.Name", req_text(r, "name"));
		render_set(r->hdf, "NcForm.Url", req_text(r, "url"));
		render_set(r->hdf, "NcForm.Description", req_text(r, "description"));
		render_set(r->hdf, "NcForm.Team", req_text(r, "team"));
		render_set(r->hdf, "NcForm.Protocol", req_text(r, "protocol"));
		render_set(r->hdf, "NcForm.Error", "Nothing was saved. Correct the fields "
		    "marked below.");
		if (nc_fill_list(r) == -1)
			return -1;
		return http_page(r, 422, "named-credentials.cs");
	}
	s = json_object();
	if (p->setting != NULL) {
		snprintf(input, sizeof(input), "f.%s", p->setting);
		json_object_set_new(s, p->setting, json_string(req_param(r, input)));
	}
	settings = json_dumps(s, JSON_COMPACT);
	json_decref(s);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	params[0] = team, params[1] = req_param(r, "name"), params[2] = desc != NULL ? desc : "";
	params[3] = req_param(r, "url"), params[4] = p->key, params[5] = settings;
	params[6] = uid, params[7] = r->sess->is_admin ? "t" : "f";
	if (db_begin(&r->app->db) == -1) {
		free(settings);
		return -1;
	}
	/* Only into a team the user manages (or any, for admins). */
	res = db_exec_named(&r->app->db, "nc_insert",
	    "INSERT INTO named_credentials (owner_team_id, name, description, url,"
	    " auth_protocol, settings, created_by, updated_by)"
	    " SELECT t.id, $2, $3, $4, $5, $6::jsonb, $7, $7 FROM teams t WHERE"
	    " t.id = $1::bigint AND ($8::boolean OR t.id IN (SELECT team_id FROM team_members"
	    " WHERE user_id = $7 AND role = 'manager')) ON CONFLICT DO NOTHING RETURNING id",
	    8, params);
	free(settings);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		db_rollback(&r->app->db);
		render_set(r->hdf, "NcForm.Errors.Name", "Choose a team you manage; the name "
		    "must be unique in it.");
		if (nc_fill_list(r) == -1)
			return -1;
		return http_page(r, 409, "named-credentials.cs");
	}
	id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	snprintf(input, sizeof(input), "f.%s", p->secret);
	if (secret_nc_put(&r->actor, id, p->secret, req_param(r, input)) == -1 ||
	    audit_add(&r->actor, "named_credential", id, req_param(r, "name"),
	    "named_credential_create", "success", NULL) == -1 ||
	    db_commit(&r->app->db) == -1) {
		db_rollback(&r->app->db);
		return -1;
	}
	http_flash_next(r, "success", "Named credential created.");
	snprintf(loc, sizeof(loc), "/named-credentials/%lld", id);
	http_redirect(r, loc);
	return 0;
}

/* One named credential the user may manage; NULL with the response made. */
static PGresult *
nc_load(struct req *r)
{
	char		 uid[24], nid[24], sql[1024];
	const char	*params[3] = { uid, r->sess->is_admin ? "t" : "f", nid };
	PGresult	*res;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(nid, sizeof(nid), "%lld", (long long)r->arg_id);
	snprintf(sql, sizeof(sql), "SELECT n.id, n.name, n.description, n.url,"
	    " n.auth_protocol, n.settings::text AS settings, t.name AS team, n.owner_team_id,"
	    " to_char(n.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS at"
	    " FROM named_credentials n JOIN teams t ON t.id = n.owner_team_id"
	    " WHERE n.id = $3 AND%s", nc_visible);
	if ((res = db_exec_named(&r->app->db, "nc_get", sql, 3, params)) == NULL) {
		http_error(r, 503, NULL);
		return NULL;
	}
	if (db_rows(res) != 1) {
		db_clear(res);
		http_error(r, 404, NULL);
		return NULL;
	}
	return res;
}

static int
nc_fill_one(struct req *r, PGresult *nc)
{
	const struct nc_protocol *p = nc_protocol(db_get(nc, 0, "auth_protocol"));
	char		 nid[24];
	const char	*params[1] = { nid };
	PGresult	*uses, *sec;
	json_t		*settings = json_loads(db_get(nc, 0, "settings"), 0, NULL);
	HDF		*n = render_node(r->hdf, "NamedCredential");
	int		 i;

	snprintf(nid, sizeof(nid), "%s", db_get(nc, 0, "id"));
	uses = db_exec_named(&r->app->db, "nc_uses", "SELECT id, name, connector FROM"
	    " connections WHERE named_credential_id = $1 ORDER BY lower(name)", 1, params);
	sec = db_exec_named(&r->app->db, "nc_secrets", "SELECT field, to_char(updated_at"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS at,"
	    " COALESCE(to_char(expires_on, 'YYYY-MM-DD'), '') AS expires FROM"
	    " named_credential_secrets WHERE named_credential_id = $1", 1, params);
	if (uses == NULL || sec == NULL) {
		db_clear(uses);
		db_clear(sec);
		json_decref(settings);
		return -1;
	}
	render_set(n, "Id", db_get(nc, 0, "id"));
	render_set(n, "Name", db_get(nc, 0, "name"));
	render_set(n, "Description", db_get(nc, 0, "description"));
	render_set(n, "Url", db_get(nc, 0, "url"));
	render_set(n, "Protocol", p != NULL ? p->key : "");
	render_set(n, "ProtocolLabel", p != NULL ? p->label : "");
	render_set(n, "Team", db_get(nc, 0, "team"));
	render_set(n, "UpdatedAt", db_get(nc, 0, "at"));
	if (p != NULL && p->setting != NULL) {
		render_set(n, "SettingKey", p->setting);
		render_set(n, "SettingLabel", p->setting_label);
		render_set(n, "SettingValue", json_string_value(json_object_get(settings,
		    p->setting)));
	}
	if (p != NULL) {
		const char	*ev = req_param(r, "expires_on");

		render_set(n, "SecretKey", p->secret);
		render_set(n, "SecretLabel", p->secret_label);
		render_set(n, "SecretStored", db_rows(sec) > 0 ? "1" : "0");
		render_set(n, "SecretChangedAt", db_rows(sec) > 0 ? db_get(sec, 0, "at") : "");
		/* The date is not secret: as stored, or as posted. */
		render_set(n, "SecretExpiresOn", ev != NULL ? ev : db_rows(sec) > 0 ?
		    db_get(sec, 0, "expires") : "");
	}
	for (i = 0; i < db_rows(uses); i++) {
		HDF	*c = render_node(n, "Connections.%d", i);

		render_set(c, "Id", db_get(uses, i, "id"));
		render_set(c, "Name", db_get(uses, i, "name"));
		render_set(c, "ConnectorTitle", catalog_title(&r->app->catalog,
		    db_get(uses, i, "connector")));
	}
	render_set_int(n, "InUse", db_rows(uses));
	render_set(r->hdf, "Page.Title", db_get(nc, 0, "name"));
	db_clear(uses);
	db_clear(sec);
	json_decref(settings);
	return 0;
}

int
page_named_credential(struct req *r)
{
	PGresult	*nc = nc_load(r);
	int		 rc;

	if (nc == NULL)
		return 0;
	rc = nc_fill_one(r, nc) == 0 ? http_page(r, 200, "named-credential.cs") : -1;
	db_clear(nc);
	return rc;
}

static int
nc_save(struct req *r, PGresult *nc)
{
	const struct nc_protocol *p = nc_protocol(db_get(nc, 0, "auth_protocol"));
	const char	*url = req_param(r, "url"), *desc = req_param(r, "description");
	const char	*secret_v, *expires = req_param(r, "expires_on");
	char		 input[40], loc[48], *settings;
	const char	*params[4];
	json_t		*s = json_object();
	PGresult	*res;
	int		 rebind;

	if (nc_check(r, p, 0) > 0) {
		render_set(r->hdf, "NcForm.Error", "Nothing was saved. Correct the fields "
		    "marked below.");
		if (nc_fill_one(r, nc) == -1) {
			json_decref(s);
			return -1;
		}
		json_decref(s);
		return http_page(r, 422, "named-credential.cs");
	}
	snprintf(input, sizeof(input), "f.%s", p->secret);
	secret_v = req_param(r, input);
	/* A new URL takes a new secret: the stored one never goes elsewhere. */
	rebind = strcmp(url, db_get(nc, 0, "url")) != 0;
	if (rebind && (secret_v == NULL || *secret_v == '\0')) {
		render_set(r->hdf, "NcForm.Errors.Secret", "Enter this again: the URL "
		    "changed, and a stored secret is never sent to a new destination.");
		json_decref(s);
		if (nc_fill_one(r, nc) == -1)
			return -1;
		return http_page(r, 422, "named-credential.cs");
	}
	if (p->setting != NULL) {
		snprintf(input, sizeof(input), "f.%s", p->setting);
		json_object_set_new(s, p->setting, json_string(req_param(r, input)));
	}
	settings = json_dumps(s, JSON_COMPACT);
	json_decref(s);
	params[0] = db_get(nc, 0, "id"), params[1] = url;
	params[2] = desc != NULL ? desc : db_get(nc, 0, "description"), params[3] = settings;
	if (db_begin(&r->app->db) == -1) {
		free(settings);
		return -1;
	}
	res = db_exec_named(&r->app->db, "nc_update", "UPDATE named_credentials SET url = $2,"
	    " description = $3, settings = $4::jsonb, updated_at = now() WHERE id = $1",
	    4, params);
	free(settings);
	if (res == NULL || (secret_v != NULL && *secret_v != '\0' &&
	    secret_nc_put(&r->actor, strtoll(db_get(nc, 0, "id"), NULL, 10), p->secret,
	    secret_v) == -1) || (expires != NULL &&
	    secret_nc_set_expiry(&r->actor, strtoll(db_get(nc, 0, "id"), NULL, 10), p->secret,
	    *expires != '\0' ? expires : NULL) == -1) || audit_add(&r->actor, "named_credential",
	    strtoll(db_get(nc, 0, "id"), NULL, 10), db_get(nc, 0, "name"),
	    "named_credential_edit", "success", NULL) == -1 || db_commit(&r->app->db) == -1) {
		db_clear(res);
		db_rollback(&r->app->db);
		return -1;
	}
	db_clear(res);
	http_flash_next(r, "success", "Named credential saved.");
	snprintf(loc, sizeof(loc), "/named-credentials/%s", db_get(nc, 0, "id"));
	http_redirect(r, loc);
	return 0;
}

static int
nc_delete(struct req *r, PGresult *nc)
{
	const char	*params[1] = { db_get(nc, 0, "id") };
	PGresult	*res;
	int		 in_use;

	if (db_begin(&r->app->db) == -1)
		return -1;
	if (audit_add(&r->actor, "named_credential", strtoll(params[0], NULL, 10),
	    db_get(nc, 0, "name"), "named_credential_delete", "success", NULL) == -1) {
		db_rollback(&r->app->db);
		return -1;
	}
	res = db_exec_named(&r->app->db, "nc_delete", "DELETE FROM named_credentials"
	    " WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM connections WHERE"
	    " named_credential_id = $1)", 1, params);
	in_use = res == NULL ? db_failed_with(&r->app->db, "23503") :
	    strcmp(PQcmdTuples(res), "1") != 0;
	if (res == NULL && !in_use) {
		db_rollback(&r->app->db);
		return -1;
	}
	db_clear(res);
	if (in_use) {
		db_rollback(&r->app->db);
		http_flash(r, "error", "Nothing was deleted: connections use this named "
		    "credential.");
		if (nc_fill_one(r, nc) == -1)
			return -1;
		return http_page(r, 409, "named-credential.cs");
	}
	if (db_commit(&r->app->db) == -1)
		return -1;
	http_flash_next(r, "success", "Named credential deleted, with its secret.");
	http_redirect(r, "/named-credentials");
	return 0;
}

int
page_named_credential_post(struct req *r)
{
	PGresult	*nc = nc_load(r);
	const char	*action = req_param(r, "action");
	int		 rc;

	if (nc == NULL)
		return 0;
	if (action != NULL && strcmp(action, "save") == 0)
		rc = nc_save(r, nc);
	else if (action != NULL && strcmp(action, "delete") == 0)
		rc = nc_delete(r, nc);
	else {
		http_error(r, 400, NULL);
		rc = 0;
	}
	db_clear(nc);
	return rc;
}
