/*
 * conn.c — a connection as one user sees it: loaded with their permission
 * in one query (nothing they may not see is ever loaded), put into HDF
 * for the connection pages, and its secrets sealed into the vault.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ClearSilver.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

/*
 * The user's level: 3 for admins; otherwise the best of their role in the
 * owner team and, for each team the connection is shared with, the share's
 * level capped by their role there (a viewer of a team stays a viewer).
 */
static const char conn_sql[] =
    "SELECT c.id, c.owner_team_id, t.name AS team, c.name, c.description, c.connector,"
    " c.auth_protocol, c.api_type, c.execution_context, c.status,"
    " to_char(c.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS tested,"
    " c.last_test_result, c.last_test_message, c.settings::text AS settings, c.version,"
    " to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created_at,"
    " to_char(c.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS updated_at,"
    " COALESCE(cu.email, '') AS created_by, COALESCE(uu.email, '') AS updated_by,"
    " (SELECT count(*) FROM flow_connections fc WHERE fc.connection_id = c.id) AS flows,"
    " COALESCE(c.granted_scopes, '') AS granted_scopes,"
    " ($3::boolean OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_id ="
    " c.owner_team_id AND m.user_id = $2 AND m.role = 'manager')) AS owner_manager,"
    " COALESCE(c.named_credential_id, 0) AS nc_id, COALESCE(c.uplink_id, 0) AS uplink_id,"
    " COALESCE((SELECT u.name FROM uplinks u WHERE u.id = c.uplink_id), '') AS uplink,"
    " COALESCE((SELECT n.name FROM named_credentials n WHERE n.id = c.named_credential_id),"
    " '') AS nc_name,"
    " (c.token_expires_at IS NOT NULL AND c.token_expires_at < now() + interval '60 seconds')"
    " AS token_expiring,"
    " CASE WHEN $3::boolean THEN 3 ELSE GREATEST("
    "  COALESCE((SELECT CASE m.role WHEN 'manager' THEN 3 WHEN 'member' THEN 2 ELSE 1 END"
    "   FROM team_members m WHERE m.team_id = c.owner_team_id AND m.user_id = $2), 0),"
    "  COALESCE((SELECT max(LEAST(CASE sh.permission WHEN 'manage' THEN 3 ELSE 2 END,"
    "   CASE m.role WHEN 'manager' THEN 3 WHEN 'member' THEN 2 ELSE 1 END))"
    "   FROM connection_shares sh JOIN team_members m ON m.team_id = sh.team_id"
    "   WHERE sh.connection_id = c.id AND m.user_id = $2), 0)) END AS perm"
    " FROM connections c JOIN teams t ON t.id = c.owner_team_id"
    " LEFT JOIN users cu ON cu.id = c.created_by LEFT JOIN users uu ON uu.id = c.updated_by"
    " WHERE c.id = $1";

struct conn *
conn_get(struct req *r, int64_t id, int *dberr)
{
	char		 cid[24], uid[24];
	const char	*params[3] = { cid, uid, r->sess->is_admin ? "t" : "f" };
	PGresult	*res;
	struct conn	*c = NULL;

	*dberr = 0;
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	if ((res = db_exec_named(&r->app->db, "conn_get", conn_sql, 3, params)) == NULL) {
		*dberr = 1;
		return NULL;
	}
	if (db_rows(res) == 1 && atoi(db_get(res, 0, "perm")) > PERM_NONE) {
		c = xcalloc(1, sizeof(*c));
		c->id = id;
		c->owner_team_id = strtoll(db_get(res, 0, "owner_team_id"), NULL, 10);
		c->owner_team = xstrdup(db_get(res, 0, "team"));
		c->name = xstrdup(db_get(res, 0, "name"));
		c->description = xstrdup(db_get(res, 0, "description"));
		c->connector = xstrdup(db_get(res, 0, "connector"));
		c->protocol = xstrdup(db_get(res, 0, "auth_protocol"));
		c->api_type = xstrdup(db_get(res, 0, "api_type"));
		c->context = xstrdup(db_get(res, 0, "execution_context"));
		c->status = xstrdup(db_get(res, 0, "status"));
		c->last_tested_at = xstrdup(db_get(res, 0, "tested"));
		c->last_test_result = xstrdup(db_get(res, 0, "last_test_result"));
		c->last_test_message = xstrdup(db_get(res, 0, "last_test_message"));
		c->settings = xstrdup(db_get(res, 0, "settings"));
		c->created_at = xstrdup(db_get(res, 0, "created_at"));
		c->created_by = xstrdup(db_get(res, 0, "created_by"));
		c->updated_at = xstrdup(db_get(res, 0, "updated_at"));
		c->updated_by = xstrdup(db_get(res, 0, "updated_by"));
		c->version = atoi(db_get(res, 0, "version"));
		c->granted_scopes = xstrdup(db_get(res, 0, "granted_scopes"));
		c->named_credential_id = strtoll(db_get(res, 0, "nc_id"), NULL, 10);
		c->uplink_id = strtoll(db_get(res, 0, "uplink_id"), NULL, 10);
		c->uplink = xstrdup(db_get(res, 0, "uplink"));
		c->named_credential = xstrdup(db_get(res, 0, "nc_name"));
		c->token_expiring = strcmp(db_get(res, 0, "token_expiring"), "t") == 0;
		c->flow_count = atoi(db_get(res, 0, "flows"));
		c->perm = (enum perm)atoi(db_get(res, 0, "perm"));
		c->owner_manager = strcmp(db_get(res, 0, "owner_manager"), "t") == 0;
	}
	db_clear(res);
	return c;
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	free(c->owner_team);
	free(c->name);
	free(c->description);
	free(c->connector);
	free(c->protocol);
	free(c->api_type);
	free(c->context);
	free(c->status);
	free(c->last_tested_at);
	free(c->last_test_result);
	free(c->last_test_message);
	free(c->settings);
	free(c->created_at);
	free(c->created_by);
	free(c->updated_at);
	free(c->updated_by);
	free(c->granted_scopes);
	free(c->named_credential);
	free(c->uplink);
	free(c);
}

const char *
conn_status_label(const char *status)
{
	if (strcmp(status, "ok") == 0)
		return "Connected";
	if (strcmp(status, "failing") == 0)
		return "Failing";
	if (strcmp(status, "needs_reconnect") == 0)
		return "Needs reconnect";
	return "Not tested yet";
}

void
conn_fill(struct req *r, const struct conn *c, const char *tab)
{
	const struct catalog	*cat = &r->app->catalog;
	HDF			*n = render_node(r->hdf, "Conn");
	HDF			*def = catalog_get(cat, c->connector);
	const char		*kind = connector_protocol_kind(cat, c->connector, c->protocol);
	int			 oauth = strncmp(kind, "oauth2_code", 11) == 0;

	render_set_int(n, "Id", c->id);
	render_set(n, "Name", c->name);
	render_set(n, "Description", c->description);
	render_set(n, "Connector", c->connector);
	render_set(n, "ConnectorTitle", catalog_title(cat, c->connector));
	render_set(n, "Protocol", c->protocol);
	render_set(n, "ProtocolLabel", catalog_protocol_label(cat, c->connector, c->protocol));
	render_set(n, "ProtocolKind", kind);
	render_set(n, "ApiType", c->api_type);
	render_set(n, "ApiTypeLabel", def != NULL && *c->api_type != '\0' ?
	    connector_api_type_label(cat, c->connector, c->api_type) : "");
	render_set(n, "Context", c->context);
	render_set(n, "ContextLabel", strcmp(c->context, "per_user") == 0 ?
	    "Each user's own account" : "System account (shared credentials)");
	render_set(n, "Status", c->status);
	render_set(n, "StatusLabel", conn_status_label(c->status));
	render_set(n, "LastTestedAt", c->last_tested_at);
	render_set(n, "LastTestResult", c->last_test_result);
	render_set(n, "LastTestMessage", c->last_test_message);
	render_set(n, "OwnerTeam", c->owner_team);
	render_set_int(n, "OwnerTeamId", c->owner_team_id);
	render_set_int(n, "Version", c->version);
	render_set(n, "CreatedAt", c->created_at);
	render_set(n, "CreatedBy", c->created_by);
	render_set(n, "UpdatedAt", c->updated_at);
	render_set(n, "UpdatedBy", c->updated_by);
	render_set_int(n, "FlowCount", c->flow_count);
	render_set(n, "Tab", tab);
	render_set_int(n, "NamedCredentialId", c->named_credential_id);
	render_set(n, "Uplink", c->uplink);
	render_set(n, "NamedCredential", c->named_credential);

	n = render_node(r->hdf, "Can");
	render_set(n, "Test", c->perm >= PERM_USE ? "1" : "0");
	render_set(n, "Edit", c->perm >= PERM_MANAGE ? "1" : "0");
	render_set(n, "Delete", c->owner_manager ? "1" : "0");
	render_set(n, "Share", c->owner_manager ? "1" : "0");
	render_set(n, "Reconnect", c->perm >= PERM_MANAGE && oauth ? "1" : "0");
	hdf_set_value(r->hdf, "Page.Title", c->name);
}

int
conn_vault_load_key(struct req *r, int version)
{
	char		 v[16];
	const char	*params[1] = { v };
	PGresult	*res;
	unsigned char	*wrapped;
	size_t		 len;
	int		 rc = -1;

	if (vault_has_key(&r->app->vault, version))
		return 0;
	snprintf(v, sizeof(v), "%d", version);
	res = db_exec_named(&r->app->db, "vault_key_get", "SELECT encode(wrapped_key,"
	    " 'hex') AS k FROM vault_keys WHERE version = $1", 1, params);
	if (res != NULL && db_rows(res) == 1 &&
	    (wrapped = app_unhex(db_get(res, 0, "k"), &len)) != NULL) {
		rc = vault_key_add_wrapped(&r->app->vault, version, wrapped, len);
		free(wrapped);
	}
	db_clear(res);
	return rc;
}

/* Secrets are written rarely: one small query each time is cheaper than
 * a window in which a stale worker seals with a retired key. */
void
conn_vault_current(struct req *r)
{
	struct app	*app = r->app;
	PGresult	*res;
	int		 newest;

	res = db_exec_named(&app->db, "vault_newest", "SELECT max(version) AS v"
	    " FROM vault_keys", 0, NULL);
	if (res == NULL)
		return;
	newest = atoi(db_get(res, 0, "v"));
	db_clear(res);
	/* Loading the newest key makes it the active one (vault.c). */
	if (newest > app->vault.active && conn_vault_load_key(r, newest) == 0)
		app->vault.active = newest;
}

void
conn_secret_ad_field(const struct req *r, const char *field, char *out, size_t outlen)
{
	if (r->secret_user > 0)
		snprintf(out, outlen, "u%lld:%s", (long long)r->secret_user, field);
	else
		snprintf(out, outlen, "%s", field);
}

int
conn_secret_put(struct req *r, int64_t id, const char *field, const char *value)
{
	unsigned char	 nonce[VAULT_NONCE_BYTES], *ct = NULL;
	size_t		 ctlen;
	int		 version;
	char		 cid[24], ver[16], uid[24], owner[24], ad[128], *nonce_hex, *ct_hex;
	const char	*params[6];
	PGresult	*res;

	conn_secret_ad_field(r, field, ad, sizeof(ad));
	conn_vault_current(r);
	if (vault_seal(&r->app->vault, id, ad, value, strlen(value), &version, nonce,
	    &ct, &ctlen) == -1) {
		log_error(r, "connection %lld: cannot seal field %s", (long long)id, field);
		return -1;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(ver, sizeof(ver), "%d", version);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(owner, sizeof(owner), "%lld", (long long)r->secret_user);
	nonce_hex = xmalloc(sizeof(nonce) * 2 + 1);
	sodium_bin2hex(nonce_hex, sizeof(nonce) * 2 + 1, nonce, sizeof(nonce));
	ct_hex = xmalloc(ctlen * 2 + 1);
	sodium_bin2hex(ct_hex, ctlen * 2 + 1, ct, ctlen);
	free(ct);
	params[0] = cid, params[1] = field, params[2] = ver;
	/* user 0 is tetherctl's system session: no user to name. */
	params[3] = nonce_hex, params[4] = ct_hex;
	params[5] = r->sess->user_id > 0 ? uid : NULL;
	if (r->secret_user > 0) {
		params[5] = owner;	/* the user whose own secret this is */
		res = db_exec_named(&r->app->db, "user_secret_put",
		    "INSERT INTO user_connection_secrets (connection_id, field, key_version,"
		    " nonce, ciphertext, user_id) VALUES ($1, $2, $3, decode($4, 'hex'),"
		    " decode($5, 'hex'), $6) ON CONFLICT (connection_id, user_id, field) DO UPDATE"
		    " SET key_version = EXCLUDED.key_version, nonce = EXCLUDED.nonce,"
		    " ciphertext = EXCLUDED.ciphertext, updated_at = now()", 6, params);
	} else
		res = db_exec_named(&r->app->db, "secret_put",
		    "INSERT INTO connection_secrets (connection_id, field, key_version, nonce,"
		    " ciphertext, updated_by) VALUES ($1, $2, $3, decode($4, 'hex'),"
		    " decode($5, 'hex'), $6) ON CONFLICT (connection_id, field) DO UPDATE SET"
		    " key_version = EXCLUDED.key_version, nonce = EXCLUDED.nonce,"
		    " ciphertext = EXCLUDED.ciphertext, updated_at = now(),"
		    " updated_by = EXCLUDED.updated_by", 6, params);
	free(nonce_hex);
	free(ct_hex);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

char *
conn_stored_json(struct req *r, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	char		*out;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	res = db_exec_named(&r->app->db, "secrets_stored",
	    "SELECT COALESCE(json_object_agg(field, to_char(updated_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') || ' UTC'), '{}')::text AS j"
	    " FROM connection_secrets WHERE connection_id = $1", 1, params);
	if (res == NULL)
		return NULL;
	out = xstrdup(db_get(res, 0, "j"));
	db_clear(res);
	return out;
}

int
conn_load_or_fail(struct req *r, enum perm need, struct conn **out)
{
	int	 dberr;

	*out = conn_get(r, r->arg_id, &dberr);
	if (dberr) {
		http_error(r, 503, NULL);
		return 1;
	}
	/* Not visible and not there look the same; visible but not allowed is 403. */
	if (*out == NULL) {
		http_error(r, 404, NULL);
		return 1;
	}
	if ((*out)->perm < need) {
		conn_free(*out);
		*out = NULL;
		http_error(r, 403, "Your role does not allow this on this connection.");
		return 1;
	}
	return 0;
}

static const struct {
	const char	*key;
	const char	*order;
} flow_sorts[] = {
	{ "name", "lower(f.name), f.id" },
	{ "-name", "lower(f.name) DESC, f.id DESC" },
	{ "version", "f.version, f.id" },
	{ "-version", "f.version DESC, f.id DESC" },
	{ "status", "f.status, lower(f.name)" },
	{ "-status", "f.status DESC, lower(f.name)" },
	{ "owner", "lower(f.owner), lower(f.name)" },
	{ "-owner", "lower(f.owner) DESC, lower(f.name)" },
};

int
conn_fill_flows(struct req *r, int64_t id, const char *prefix, const char *sort)
{
	char		 cid[24], sql[512], name[32];
	const char	*params[1] = { cid };
	PGresult	*res;
	size_t		 s = 0, k;
	int		 i;

	for (k = 0; sort != NULL && k < sizeof(flow_sorts) / sizeof(flow_sorts[0]); k++)
		if (strcmp(flow_sorts[k].key, sort) == 0)
			s = k;
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(sql, sizeof(sql), "SELECT f.id, f.name, f.version, f.status, f.owner,"
	    " f.progress_status FROM flows f JOIN flow_connections fc ON fc.flow_id = f.id"
	    " WHERE fc.connection_id = $1 ORDER BY %s LIMIT 500", flow_sorts[s].order);
	snprintf(name, sizeof(name), "conn_flows_%zu", s);
	if ((res = db_exec_named(&r->app->db, name, sql, 1, params)) == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		HDF	*n = render_node(r->hdf, "%s.%d", prefix, i);

		render_set(n, "Id", db_get(res, i, "id"));
		render_set(n, "Name", db_get(res, i, "name"));
		render_set(n, "Version", db_get(res, i, "version"));
		render_set(n, "Status", db_get(res, i, "status"));
		render_set(n, "Owner", db_get(res, i, "owner"));
		render_set(n, "ProgressStatus", db_get(res, i, "progress_status"));
	}
	hdf_set_value(r->hdf, "FlowSort.Key", flow_sorts[s].key);
	for (k = 0; k < sizeof(flow_sorts) / sizeof(flow_sorts[0]); k += 2) {
		char	 node[32], q[48];
		/* A header link sorts ascending, or descending when already ascending. */
		int	 flip = s == k;

		snprintf(node, sizeof(node), "FlowSort.%c%s.Query",
		    flow_sorts[k].key[0] - 32, flow_sorts[k].key + 1);
		snprintf(q, sizeof(q), "?sort=%s", flow_sorts[flip ? k + 1 : k].key);
		hdf_set_value(r->hdf, node, q);
	}
	db_clear(res);
	return 0;
}

int
conn_secret_get(struct req *r, int64_t id, const char *field, char **out)
{
	char		 cid[24], owner[24], ad[128];
	const char	*params[3] = { cid, field, owner };
	PGresult	*res;
	unsigned char	*nonce = NULL, *ct = NULL;
	size_t		 nlen, ctlen, plen;
	int		 version, rc = -1;

	*out = NULL;
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(owner, sizeof(owner), "%lld", (long long)r->secret_user);
	conn_secret_ad_field(r, field, ad, sizeof(ad));
	res = r->secret_user > 0 ? db_exec_named(&r->app->db, "user_secret_get",
	    "SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex')"
	    " AS ct FROM user_connection_secrets WHERE connection_id = $1 AND field = $2"
	    " AND user_id = $3", 3, params) : db_exec_named(&r->app->db, "secret_get",
	    "SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex')"
	    " AS ct FROM connection_secrets WHERE connection_id = $1 AND field = $2"
	    " AND $3::bigint = 0", 3, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 1;
	}
	version = atoi(db_get(res, 0, "key_version"));
	nonce = app_unhex(db_get(res, 0, "nonce"), &nlen);
	ct = app_unhex(db_get(res, 0, "ct"), &ctlen);
	if (nonce != NULL && ct != NULL && nlen == VAULT_NONCE_BYTES &&
	    vault_unseal(&r->app->vault, id, ad, version, nonce, ct, ctlen, out,
	    &plen) == 0)
		rc = 0;
	else
		log_error(r, "connection %lld: secret %s does not decrypt", (long long)id,
		    field);
	free(nonce);
	free(ct);
	db_clear(res);
	return rc;
}
