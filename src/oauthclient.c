/*
 * oauthclient.c — reusable OAuth 2.0 clients (sql/023): one registration at
 * a provider (client ID, sealed secret, auth method, URLs where the
 * connector lets them vary, allowed scopes), owned by a team and shared
 * like connections, used by any number of connections of its connector and
 * protocol. Token calls read it afresh each time (oauthclient_for_conn), so
 * a rotated secret applies from the next call. Every change is checked
 * against the actor and audited; the secret is never read back to a page.
 * Also the connection form's drafts while its user is away at a client.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define DRAFT_MAX	65536

/* Which clients the actor may use ($3 'use') or manage ($3 'manage'):
 * admins all; managers of the owner team; for use, members of the owner
 * team or of a team it is shared with; for manage, managers of a team it
 * is shared with for manage. $1 user, $2 admin. OC_MAY_MANAGE_SUB: may
 * manage, of o2 (a list's column). */
#define OC_MAY_MANAGE_SUB \
	" ($2::boolean OR o2.owner_team_id IN (SELECT team_id FROM team_members" \
	"  WHERE user_id = $1 AND role = 'manager') OR o2.id IN (SELECT" \
	"  s.oauth_client_id FROM oauth_client_shares s JOIN team_members m ON" \
	"  m.team_id = s.team_id AND m.user_id = $1 AND m.role = 'manager'" \
	"  WHERE s.permission = 'manage'))"
#define OC_MAY \
	" ($2::boolean OR o.owner_team_id IN (SELECT team_id FROM team_members" \
	"  WHERE user_id = $1 AND (role = 'manager' OR $3 = 'use'))" \
	"  OR o.id IN (SELECT s.oauth_client_id FROM oauth_client_shares s JOIN" \
	"  team_members m ON m.team_id = s.team_id AND m.user_id = $1 WHERE" \
	"  ($3 = 'use' OR (s.permission = 'manage' AND m.role = 'manager'))))"

int
oauthclient_may(const struct actor *a, int64_t id, int manage)
{
	char		 uid[24], oid[24];
	const char	*params[4] = { uid, a->is_admin ? "t" : "f", manage ? "manage" : "use",
			    oid };
	PGresult	*res;
	int		 rc;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, "oc_may", "SELECT count(*) AS n FROM oauth_clients o"
	    " WHERE o.id = $4 AND" OC_MAY, 4, params);
	if (res == NULL)
		return -1;
	rc = strcmp(db_get(res, 0, "n"), "0") != 0;
	db_clear(res);
	return rc;
}

PGresult *
oauthclient_list(const struct actor *a, const char *connector, const char *protocol)
{
	char		 uid[24];
	const char	*params[5] = { uid, a->is_admin ? "t" : "f", "use", connector, protocol };

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	return db_exec_named(&a->app->db, "oc_list", "SELECT o.id, o.name, o.connector,"
	    " o.protocol, o.client_id, o.auth_method, t.name AS team,"
	    " (SELECT count(*) FROM connections c WHERE c.oauth_client_id = o.id) AS uses,"
	    " (SELECT count(*) FROM oauth_clients o2 WHERE o2.id = o.id AND"
	    OC_MAY_MANAGE_SUB ") AS manage"
	    " FROM oauth_clients o JOIN teams t ON t.id = o.owner_team_id WHERE" OC_MAY
	    " AND ($4::text IS NULL OR (o.connector = $4 AND o.protocol = $5))"
	    " ORDER BY lower(o.name), o.id", 5, params);
}

PGresult *
oauthclient_get(const struct actor *a, int64_t id)
{
	char		 uid[24], oid[24];
	const char	*params[4] = { uid, a->is_admin ? "t" : "f", "use", oid };

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	return db_exec_named(&a->app->db, "oc_get", "SELECT o.id, o.name, o.connector,"
	    " o.protocol, o.client_id, o.auth_method, o.token_url, o.authorize_url, o.scopes,"
	    " o.owner_team_id, t.name AS team, to_char(o.updated_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') || ' UTC' AS at, COALESCE((SELECT to_char(s.updated_at"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' FROM oauth_client_secrets s"
	    " WHERE s.oauth_client_id = o.id), '') AS secret_at,"
	    " (SELECT count(*) FROM oauth_clients o2 WHERE o2.id = o.id AND"
	    OC_MAY_MANAGE_SUB ") AS manage"
	    " FROM oauth_clients o JOIN teams t ON t.id = o.owner_team_id"
	    " WHERE o.id = $4 AND" OC_MAY, 4, params);
}

PGresult *
oauthclient_uses(const struct actor *a, int64_t id)
{
	char		 oid[24];
	const char	*params[1] = { oid };

	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	return db_exec_named(&a->app->db, "oc_uses", "SELECT id, name, connector FROM"
	    " connections WHERE oauth_client_id = $1 ORDER BY lower(name), id", 1, params);
}

PGresult *
oauthclient_shares(const struct actor *a, int64_t id)
{
	char		 oid[24];
	const char	*params[1] = { oid };

	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	return db_exec_named(&a->app->db, "oc_shares", "SELECT s.team_id, t.name,"
	    " s.permission FROM oauth_client_shares s JOIN teams t ON t.id = s.team_id"
	    " WHERE s.oauth_client_id = $1 ORDER BY lower(t.name)", 1, params);
}

/* The client's secret: sealed for -id and a field no named credential has. */
static const struct secret_place oauthclient_place = {
	"oauth client",
	"oc_secret_put",
	"INSERT INTO oauth_client_secrets (oauth_client_id, field, key_version, nonce,"
	" ciphertext) VALUES ($1, $2, $3, decode($4, 'hex'), decode($5, 'hex'))"
	" ON CONFLICT (oauth_client_id, field) DO UPDATE SET key_version ="
	" EXCLUDED.key_version, nonce = EXCLUDED.nonce, ciphertext = EXCLUDED.ciphertext,"
	" updated_at = now()",
	"oc_secret_get",
	"SELECT key_version, encode(nonce, 'hex') AS nonce, encode(ciphertext, 'hex') AS ct"
	" FROM oauth_client_secrets WHERE oauth_client_id = $1 AND field = $2",
};

int
oauthclient_secret_put(const struct actor *a, int64_t id, const char *value)
{
	return secret_place_put(a, &oauthclient_place, id, OAUTHCLIENT_SECRET_FIELD, value);
}

int
oauthclient_for_conn(const struct actor *a, int64_t conn_id, int with_secret,
    struct oauthclient *oc)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;

	memset(oc, 0, sizeof(*oc));
	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	res = db_exec_named(&a->app->db, "oc_for_conn", "SELECT o.id, o.client_id,"
	    " o.auth_method, o.token_url, o.authorize_url FROM connections c JOIN"
	    " oauth_clients o ON o.id = c.oauth_client_id WHERE c.id = $1", 1, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) != 1) {
		db_clear(res);
		return 0;
	}
	oc->id = strtoll(db_get(res, 0, "id"), NULL, 10);
	oc->client_id = xstrdup(db_get(res, 0, "client_id"));
	oc->post = strcmp(db_get(res, 0, "auth_method"), "client_secret_post") == 0;
	oc->token_url = xstrdup(db_get(res, 0, "token_url"));
	oc->authorize_url = xstrdup(db_get(res, 0, "authorize_url"));
	db_clear(res);
	if (with_secret && secret_place_get(a, &oauthclient_place, oc->id,
	    OAUTHCLIENT_SECRET_FIELD, &oc->secret) == -1) {
		oauthclient_free(oc);
		return -1;
	}
	return 1;
}

void
oauthclient_free(struct oauthclient *oc)
{
	free(oc->client_id);
	free(oc->token_url);
	free(oc->authorize_url);
	secret_free(oc->secret);
	memset(oc, 0, sizeof(*oc));
}

/* {"connector":…,"fields":[…]} for the audit entry: names, never values. */
static char *
oauthclient_details(const struct oauthclient_in *in, int secret)
{
	struct buf	 d;

	buf_init(&d);
	buf_printf(&d, "{\"connector\":\"%s\",\"protocol\":\"%s\",\"auth_method\":\"%s\","
	    "\"secret_changed\":%s}", in->connector, in->protocol, in->auth_method,
	    secret ? "true" : "false");
	return d.data;
}

long long
oauthclient_create(const struct actor *a, const struct oauthclient_in *in)
{
	char		 uid[24], *details;
	const char	*params[11];
	PGresult	*res;
	long long	 id;
	int		 rc;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	params[0] = in->team, params[1] = in->name, params[2] = in->connector;
	params[3] = in->protocol, params[4] = in->client_id, params[5] = in->auth_method;
	params[6] = in->token_url, params[7] = in->authorize_url, params[8] = in->scopes;
	params[9] = a->user_id > 0 ? uid : NULL, params[10] = a->is_admin ? "t" : "f";
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* Only into a team the actor manages (or any, for admins). */
	res = db_exec_named(&a->app->db, "oc_insert", "INSERT INTO oauth_clients"
	    " (owner_team_id, name, connector, protocol, client_id, auth_method, token_url,"
	    " authorize_url, scopes, created_by, updated_by) SELECT t.id, $2, $3, $4, $5, $6,"
	    " $7, $8, $9, $10, $10 FROM teams t WHERE t.id = $1::bigint AND ($11::boolean OR"
	    " t.id IN (SELECT team_id FROM team_members WHERE user_id = $10 AND role ="
	    " 'manager')) ON CONFLICT DO NOTHING RETURNING id", 11, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		db_rollback(&a->app->db);
		return res == NULL ? -1 : 0;
	}
	id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	details = oauthclient_details(in, 1);
	rc = oauthclient_secret_put(a, id, in->secret) == -1 || audit_add(a, "oauth_client",
	    id, in->name, "oauth_client_create", "success", details) == -1 ||
	    db_commit(&a->app->db) == -1;
	free(details);
	if (rc) {
		db_rollback(&a->app->db);
		return -1;
	}
	return id;
}

int
oauthclient_update(const struct actor *a, int64_t id, const struct oauthclient_in *in)
{
	char		 oid[24], uid[24], *details;
	const char	*params[7];
	PGresult	*res;
	int		 secret = in->secret != NULL && *in->secret != '\0', rc;

	if (oauthclient_may(a, id, 1) != 1)
		return -1;
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	params[0] = oid, params[1] = in->client_id, params[2] = in->auth_method;
	params[3] = in->token_url, params[4] = in->authorize_url, params[5] = in->scopes;
	params[6] = a->user_id > 0 ? uid : NULL;
	if (db_begin(&a->app->db) == -1)
		return -1;
	res = db_exec_named(&a->app->db, "oc_update", "UPDATE oauth_clients SET client_id = $2,"
	    " auth_method = $3, token_url = $4, authorize_url = $5, scopes = $6,"
	    " updated_by = $7, updated_at = now() WHERE id = $1", 7, params);
	if (res == NULL) {
		db_rollback(&a->app->db);
		return -1;
	}
	db_clear(res);
	details = oauthclient_details(in, secret);
	rc = (secret && oauthclient_secret_put(a, id, in->secret) == -1) ||
	    audit_add(a, "oauth_client", id, in->name, "oauth_client_update", "success",
	    details) == -1 || db_commit(&a->app->db) == -1;
	free(details);
	if (rc) {
		db_rollback(&a->app->db);
		return -1;
	}
	return 0;
}

int
oauthclient_delete(const struct actor *a, int64_t id, const char *name)
{
	char		 oid[24];
	const char	*params[1] = { oid };
	PGresult	*res;
	int		 n;

	if (oauthclient_may(a, id, 1) != 1)
		return -1;
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* Locks the client's row, so no connection takes it up meanwhile. */
	res = db_exec_named(&a->app->db, "oc_lock", "SELECT (SELECT count(*) FROM connections"
	    " WHERE oauth_client_id = $1) AS n FROM oauth_clients WHERE id = $1 FOR UPDATE",
	    1, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		db_rollback(&a->app->db);
		return -1;
	}
	n = atoi(db_get(res, 0, "n"));
	db_clear(res);
	if (n > 0) {
		db_rollback(&a->app->db);
		return 1;
	}
	res = db_exec_named(&a->app->db, "oc_delete", "DELETE FROM oauth_clients WHERE id = $1",
	    1, params);
	if (res == NULL || audit_add(a, "oauth_client", id, name, "oauth_client_delete",
	    "success", NULL) == -1 || db_commit(&a->app->db) == -1) {
		db_clear(res);
		db_rollback(&a->app->db);
		return -1;
	}
	db_clear(res);
	return 0;
}

int
oauthclient_share(const struct actor *a, int64_t id, const char *name, const char *team,
    const char *permission)
{
	char		 oid[24], uid[24];
	const char	*params[4] = { oid, team, permission, uid };
	PGresult	*res;
	struct buf	 d;
	int		 rc;

	if (oauthclient_may(a, id, 1) != 1)
		return -1;
	snprintf(oid, sizeof(oid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	if (db_begin(&a->app->db) == -1)
		return -1;
	res = permission != NULL ? db_exec_named(&a->app->db, "oc_share",
	    "INSERT INTO oauth_client_shares (oauth_client_id, team_id, permission, created_by)"
	    " SELECT $1, t.id, $3, NULLIF($4::bigint, 0) FROM teams t JOIN oauth_clients o ON"
	    " o.id = $1 WHERE t.id = $2::bigint AND t.id <> o.owner_team_id"
	    " ON CONFLICT (oauth_client_id, team_id) DO UPDATE SET permission = $3", 4, params) :
	    db_exec_named(&a->app->db, "oc_unshare", "DELETE FROM oauth_client_shares WHERE"
	    " oauth_client_id = $1 AND team_id = $2::bigint", 2, params);
	if (res == NULL) {
		db_rollback(&a->app->db);
		return -1;
	}
	db_clear(res);
	buf_init(&d);
	buf_printf(&d, "{\"team_id\":%lld,\"permission\":\"%s\"}", strtoll(team, NULL, 10),
	    permission != NULL ? permission : "none");
	rc = audit_add(a, "oauth_client", id, name, permission != NULL ? "oauth_client_share" :
	    "oauth_client_unshare", "success", d.data) == -1 || db_commit(&a->app->db) == -1;
	buf_free(&d);
	if (rc) {
		db_rollback(&a->app->db);
		return -1;
	}
	return 0;
}

int
oauthclient_draft_put(const struct actor *a, const char *form, char *token, size_t len)
{
	char		 uid[24];
	const char	*params[3] = { token, uid, form };
	PGresult	*res;

	if (strlen(form) > DRAFT_MAX)
		return -1;
	auth_random_token(token, len, ONCE_BYTES);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "oc_draft_sweep", "DELETE FROM oauth_client_drafts"
	    " WHERE created_at < now() - interval '1 day'", 0, NULL);
	db_clear(res);
	res = db_exec_named(&a->app->db, "oc_draft_put", "INSERT INTO oauth_client_drafts"
	    " (token, user_id, form) VALUES ($1, $2, $3)", 3, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

char *
oauthclient_draft_get(const struct actor *a, const char *token)
{
	char		 uid[24], *form = NULL;
	const char	*params[2] = { token, uid };
	PGresult	*res;

	if (!once_shape_ok(token))
		return NULL;
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "oc_draft_get", "SELECT form FROM oauth_client_drafts"
	    " WHERE token = $1 AND user_id = $2 AND created_at > now() - interval '1 day'",
	    2, params);
	if (res != NULL && db_rows(res) == 1)
		form = xstrdup(db_get(res, 0, "form"));
	db_clear(res);
	return form;
}
