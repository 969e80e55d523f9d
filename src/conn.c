/*
 * conn.c — a connection as one actor sees it: loaded with their permission
 * in one query (nothing they may not see is ever loaded). Its secrets are
 * secret.c's, its pages' view connpage.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "tether.h"

/*
 * The user's level: 3 for admins; otherwise the best of their role in the
 * owner team and, for each team the connection is shared with, the share's
 * level capped by their role there (a viewer of a team stays a viewer).
 * $1 the connection, $2 the user, $3 whether they are an admin; c the
 * connection, s the user's own state of a per-user one.
 */
#define CONN_PERM							\
    " CASE WHEN $3::boolean THEN 3 ELSE GREATEST("			\
    "  COALESCE((SELECT CASE m.role WHEN 'manager' THEN 3 WHEN 'member' THEN 2 ELSE 1 END" \
    "   FROM team_members m WHERE m.team_id = c.owner_team_id AND m.user_id = $2), 0)," \
    "  COALESCE((SELECT max(LEAST(CASE sh.permission WHEN 'manage' THEN 3 ELSE 2 END," \
    "   CASE m.role WHEN 'manager' THEN 3 WHEN 'member' THEN 2 ELSE 1 END))" \
    "   FROM connection_shares sh JOIN team_members m ON m.team_id = sh.team_id" \
    "   WHERE sh.connection_id = c.id AND m.user_id = $2), 0)) END AS perm"
#define CONN_OWNER_MANAGER						\
    " ($3::boolean OR EXISTS (SELECT 1 FROM team_members m WHERE m.team_id =" \
    " c.owner_team_id AND m.user_id = $2 AND m.role = 'manager')) AS owner_manager"
/* A per-user connection's tokens are the actor's own. */
#define CONN_TOKEN_EXPIRING						\
    " COALESCE(CASE WHEN c.execution_context = 'per_user' THEN s.token_expires_at" \
    "  ELSE c.token_expires_at END < now() + interval '60 seconds', false) AS token_expiring"
#define CONN_OWN_STATE							\
    " LEFT JOIN user_connection_states s ON c.execution_context = 'per_user'" \
    " AND s.connection_id = c.id AND s.user_id = $2"

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
    CONN_OWNER_MANAGER ","
    " COALESCE(c.named_credential_id, 0) AS nc_id, COALESCE(c.uplink_id, 0) AS uplink_id,"
    " COALESCE(c.oauth_client_id, 0) AS oauth_client_id,"
    /* Whose tokens (sql/021): the actor's own for a per-user connection. */
    " CASE WHEN c.execution_context = 'per_user' THEN s.identity_account"
    "  ELSE c.identity_account END AS identity_account,"
    " CASE WHEN c.execution_context = 'per_user' THEN s.identity_tenant"
    "  ELSE c.identity_tenant END AS identity_tenant,"
    " COALESCE((SELECT u.name FROM uplinks u WHERE u.id = c.uplink_id), '') AS uplink,"
    " COALESCE((SELECT n.name FROM named_credentials n WHERE n.id = c.named_credential_id),"
    " '') AS nc_name,"
    CONN_TOKEN_EXPIRING ","
    /* Health: the failure run, the earliest expiry and the scheduled check. */
    " to_char(c.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS failing_since,"
    " c.consecutive_failures, c.check_interval, to_char(x.d, 'YYYY-MM-DD') AS expires_on,"
    " x.d - current_date AS expires_in,"
    /* A per-user connection: the actor's own state (two primary-key lookups). */
    " EXISTS (SELECT 1 FROM user_connection_secrets us WHERE us.connection_id = c.id"
    " AND us.user_id = $2) AS own_stored, COALESCE(s.status, '') AS own_status,"
    " to_char(s.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS own_tested,"
    " COALESCE(s.last_test_result, '') AS own_result,"
    " COALESCE(s.last_test_message, '') AS own_message,"
    " to_char(s.failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS own_failing_since,"
    " COALESCE(s.consecutive_failures, 0) AS own_failures,"
    " to_char(y.d, 'YYYY-MM-DD') AS own_expires_on, y.d - current_date AS own_expires_in,"
    CONN_PERM
    " FROM connections c JOIN teams t ON t.id = c.owner_team_id"
    " LEFT JOIN users cu ON cu.id = c.created_by LEFT JOIN users uu ON uu.id = c.updated_by"
    CONN_OWN_STATE
    " CROSS JOIN LATERAL (SELECT LEAST(c.secrets_expire_on,"
    " (c.refresh_token_expires_at AT TIME ZONE 'UTC')::date) AS d) x"
    /* The actor's own: their secrets' and refresh token's expiry too. */
    " CROSS JOIN LATERAL (SELECT LEAST(x.d, (SELECT min(us.expires_on)"
    " FROM user_connection_secrets us WHERE us.connection_id = c.id AND us.user_id = $2),"
    " (s.refresh_token_expires_at AT TIME ZONE 'UTC')::date) AS d) y"
    " WHERE c.id = $1";

/*
 * A kept tab's check (page-connection.c): of the connection, what decides
 * whether the actor sees it and what the kept page's header needs, and the
 * stamp that moves with everything else its tabs show, its own row
 * included (sql/035). Everything else conn_sql shows that is not in the
 * stamp is here (the level, owner-manager flag, token expiry, today) or in
 * the session's (the teams' names: list_teams_version).
 */
static const char conn_probe_sql[] =
    "SELECT c.id, c.connector, c.auth_protocol, c.api_type, c.execution_context,"
    " c.settings::text AS settings, COALESCE(c.uplink_id, 0) AS uplink_id,"
    " COALESCE(c.oauth_client_id, 0) AS oauth_client_id, current_date AS today,"
    CONN_PERM "," CONN_OWNER_MANAGER "," CONN_TOKEN_EXPIRING ","
    " (SELECT cs.v FROM connection_stamps cs WHERE cs.connection_id = c.id) AS stamp,"
    /* Details counts the engine's reads of the last 30 days: the oldest
     * of them moves when it ages out. */
    " (SELECT min(cu.at) FROM credential_uses cu WHERE cu.connection_id = c.id"
    "  AND cu.outcome = 'issued' AND cu.at > now() - interval '30 days') AS uses_from"
    " FROM connections c" CONN_OWN_STATE " WHERE c.id = $1";

/* The actor's own state of a per-user connection, as a status key. */
static void
conn_own_read(struct conn *c, PGresult *res)
{
	const char	*st = db_get(res, 0, "own_status");

	c->own_stored = strcmp(db_get(res, 0, "own_stored"), "t") == 0;
	/* Stored but not tested yet counts as connected: saving tested it,
	 * or the provider's sign-in did. */
	c->own_status = xstrdup(!c->own_stored ? "not_connected" :
	    *st == '\0' || strcmp(st, "not_tested") == 0 ? "ok" : st);
	c->own_tested_at = xstrdup(db_get(res, 0, "own_tested"));
	c->own_result = xstrdup(db_get(res, 0, "own_result"));
	c->own_message = xstrdup(db_get(res, 0, "own_message"));
	c->own_failing_since = xstrdup(db_get(res, 0, "own_failing_since"));
	c->own_failures = atoi(db_get(res, 0, "own_failures"));
	/* What expires for them: the shared secrets, their own, their token. */
	free(c->expires_on);
	c->expires_on = xstrdup(db_get(res, 0, "own_expires_on"));
	c->expires_in = atoi(db_get(res, 0, "own_expires_in"));
}

/* The columns conn_sql and conn_probe_sql share (conn_probe_take's). */
static struct conn *
conn_read_probe(PGresult *res, int64_t id)
{
	struct conn	*c = xcalloc(1, sizeof(*c));

	c->id = id;
	c->connector = xstrdup(db_get(res, 0, "connector"));
	c->protocol = xstrdup(db_get(res, 0, "auth_protocol"));
	c->api_type = xstrdup(db_get(res, 0, "api_type"));
	c->context = xstrdup(db_get(res, 0, "execution_context"));
	c->settings = xstrdup(db_get(res, 0, "settings"));
	c->uplink_id = strtoll(db_get(res, 0, "uplink_id"), NULL, 10);
	c->oauth_client_id = strtoll(db_get(res, 0, "oauth_client_id"), NULL, 10);
	c->perm = (enum perm)atoi(db_get(res, 0, "perm"));
	c->owner_manager = strcmp(db_get(res, 0, "owner_manager"), "t") == 0;
	c->token_expiring = strcmp(db_get(res, 0, "token_expiring"), "t") == 0;
	return c;
}

/* The connection in res (conn_sql's), if the actor may see it. */
static struct conn *
conn_read(PGresult *res, int64_t id)
{
	struct conn	*c = NULL;

	if (db_rows(res) == 1 && atoi(db_get(res, 0, "perm")) > PERM_NONE) {
		c = conn_read_probe(res, id);
		c->owner_team_id = strtoll(db_get(res, 0, "owner_team_id"), NULL, 10);
		c->owner_team = xstrdup(db_get(res, 0, "team"));
		c->name = xstrdup(db_get(res, 0, "name"));
		c->description = xstrdup(db_get(res, 0, "description"));
		c->status = xstrdup(db_get(res, 0, "status"));
		c->last_tested_at = xstrdup(db_get(res, 0, "tested"));
		c->last_test_result = xstrdup(db_get(res, 0, "last_test_result"));
		c->last_test_message = xstrdup(db_get(res, 0, "last_test_message"));
		c->created_at = xstrdup(db_get(res, 0, "created_at"));
		c->created_by = xstrdup(db_get(res, 0, "created_by"));
		c->updated_at = xstrdup(db_get(res, 0, "updated_at"));
		c->updated_by = xstrdup(db_get(res, 0, "updated_by"));
		c->version = atoi(db_get(res, 0, "version"));
		c->granted_scopes = xstrdup(db_get(res, 0, "granted_scopes"));
		c->named_credential_id = strtoll(db_get(res, 0, "nc_id"), NULL, 10);
		c->identity.account = db_isnull(res, 0, "identity_account") ? NULL :
		    xstrdup(db_get(res, 0, "identity_account"));
		c->identity.tenant = db_isnull(res, 0, "identity_tenant") ? NULL :
		    xstrdup(db_get(res, 0, "identity_tenant"));
		c->uplink = xstrdup(db_get(res, 0, "uplink"));
		c->named_credential = xstrdup(db_get(res, 0, "nc_name"));
		c->flow_count = atoi(db_get(res, 0, "flows"));
		c->failing_since = xstrdup(db_get(res, 0, "failing_since"));
		c->consecutive_failures = atoi(db_get(res, 0, "consecutive_failures"));
		c->check_interval = xstrdup(db_get(res, 0, "check_interval"));
		c->expires_on = xstrdup(db_get(res, 0, "expires_on"));
		c->expires_in = atoi(db_get(res, 0, "expires_in"));
		if (strcmp(c->context, "per_user") == 0)
			conn_own_read(c, res);
	}
	return c;
}

struct conn *
conn_get(const struct actor *a, int64_t id, int *dberr)
{
	struct db_batch	 b;
	struct conn	*c;
	int		 at;

	db_batch_init(&b);
	at = conn_get_queue(a, id, &b);
	if (db_batch_run(&a->app->db, &b) == -1) {
		db_batch_free(&b);
		*dberr = 1;
		return NULL;
	}
	c = conn_get_take(&b, at, id, dberr);
	db_batch_free(&b);
	return c;
}

static int
conn_queue(const struct actor *a, int64_t id, struct db_batch *b, const char *name,
    const char *sql)
{
	char		 cid[24], uid[24];
	const char	*params[3] = { cid, uid, a->is_admin ? "t" : "f" };

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	return db_batch_add(b, name, sql, 3, params);
}

int
conn_get_queue(const struct actor *a, int64_t id, struct db_batch *b)
{
	return conn_queue(a, id, b, "conn_get", conn_sql);
}

int
conn_probe_queue(const struct actor *a, int64_t id, struct db_batch *b)
{
	return conn_queue(a, id, b, "conn_probe", conn_probe_sql);
}

struct conn *
conn_probe_take(struct db_batch *b, int at, int64_t id)
{
	PGresult	*res = db_batch_take(b, at);
	struct conn	*c;

	if (res == NULL || db_rows(res) != 1 || atoi(db_get(res, 0, "perm")) <= PERM_NONE) {
		db_clear(res);
		return NULL;
	}
	c = conn_read_probe(res, id);
	db_clear(res);
	return c;
}

struct conn *
conn_get_take(struct db_batch *b, int at, int64_t id, int *dberr)
{
	PGresult	*res;
	struct conn	*c;

	*dberr = 0;
	if ((res = db_batch_take(b, at)) == NULL) {
		*dberr = 1;
		return NULL;
	}
	c = conn_read(res, id);
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
	oauth_identity_free(&c->identity);
	free(c->named_credential);
	free(c->uplink);
	free(c->failing_since);
	free(c->check_interval);
	free(c->expires_on);
	free(c->own_status);
	free(c->own_tested_at);
	free(c->own_result);
	free(c->own_message);
	free(c->own_failing_since);
	free(c);
}

/*
 * Change the connection mode (uplink_id 0: Direct) inside the caller's
 * transaction, before its new version is saved: the version records the
 * mode of the row (sql/017_version_uplink.sql). Which uplinks exist and
 * whether the secrets were entered again is the caller's to check. 0 or -1.
 */
int
conn_set_uplink(const struct actor *a, int64_t id, int64_t uplink_id)
{
	char		 cid[24], uid[24];
	const char	*params[2] = { cid, uplink_id != 0 ? uid : NULL };
	PGresult	*res;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)uplink_id);
	if ((res = db_exec_named(&a->app->db, "conn_set_uplink", "UPDATE connections"
	    " SET uplink_id = $2::bigint WHERE id = $1", 2, params)) == NULL)
		return -1;
	db_clear(res);
	return 0;
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
	if (strcmp(status, "not_testable") == 0)
		return "Not testable";
	if (strcmp(status, "not_connected") == 0)
		return "Not connected";
	return "Not tested yet";
}

const char *
conn_status_seen(const struct conn *c)
{
	return c->own_status != NULL ? c->own_status : c->status;
}
