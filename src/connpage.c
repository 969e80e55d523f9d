/*
 * connpage.c — what the connection pages share: load {id} as the signed-in
 * user may see it (or answer 404/403/503), and fill Conn.*, Can.* and the
 * using flows into HDF. The connection itself is conn.c's; this is its view.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* A per-user connection whose users bring credentials of their own (not
 * one that acts as the user with nothing to enter). */
static int
connpage_needs_own(struct req *r, const struct conn *c)
{
	const char	*kind = connector_protocol_kind(&r->app->catalog, c->connector,
			    c->protocol);

	return strcmp(kind, "none") != 0 && strcmp(kind, "user") != 0;
}

void
connpage_mode(char *buf, size_t len, const char *uplink)
{
	if (*uplink == '\0')
		snprintf(buf, len, "Direct");
	else
		snprintf(buf, len, "Uplinked via %s", uplink);
}

int
connpage_never_connected(struct req *r, const struct conn *c)
{
	return c->own_status == NULL && c->named_credential_id == 0 &&
	    strcmp(c->status, "not_tested") == 0 && strcmp(connector_protocol_kind(
	    &r->app->catalog, c->connector, c->protocol), "oauth2_code") == 0;
}

int
connpage_first_connect(struct req *r, const struct conn *c)
{
	return c->own_status != NULL ? strcmp(c->own_status, "not_connected") == 0 :
	    connpage_never_connected(r, c);
}

/*
 * The one status every tab shows: the connection's, or for a per-user
 * connection the signed-in user's own (Conn.WholeStatus keeps the
 * connection's: not_testable). The failure run and the expiry go with it.
 */
static void
connpage_fill_status(struct req *r, HDF *n, const struct conn *c)
{
	int		 own = c->own_status != NULL;
	char		 expiry[96];

	/* A per-user connection that acts as the user has nothing to connect. */
	if (own && !c->own_stored && !connpage_needs_own(r, c)) {
		render_set(n, "Status", "not_tested");
		render_set(n, "StatusLabel", "Acts as you");
	} else if (connpage_never_connected(r, c)) {
		/* Neither failing nor expired: nothing was authorised yet. */
		render_set(n, "Status", "not_connected");
		render_set(n, "StatusLabel", "Not connected yet");
	} else {
		render_set(n, "Status", conn_status_seen(c));
		render_set(n, "StatusLabel", conn_status_label(conn_status_seen(c)));
	}
	render_set(n, "WholeStatus", c->status);
	render_set(n, "LastTestedAt", own ? c->own_tested_at : c->last_tested_at);
	render_set(n, "LastTestResult", own ? c->own_result : c->last_test_result);
	render_set(n, "LastTestMessage", own ? c->own_message : c->last_test_message);
	render_set(n, "FailingSince", own ? c->own_failing_since : c->failing_since);
	render_set_int(n, "ConsecutiveFailures", own ? c->own_failures : c->consecutive_failures);
	render_set(n, "CheckInterval", c->check_interval);
	if (*c->expires_on == '\0')
		return;
	/* "Expires in N days (on DATE)" within the horizon, the date alone beyond. */
	if (c->expires_in < 0)
		snprintf(expiry, sizeof(expiry), "Expired on %s", c->expires_on);
	else if (c->expires_in == 0)
		snprintf(expiry, sizeof(expiry), "Expires today (on %s)", c->expires_on);
	else if (c->expires_in <= r->app->cfg.expiry_horizon_days)
		snprintf(expiry, sizeof(expiry), "Expires in %d day%s (on %s)", c->expires_in,
		    c->expires_in == 1 ? "" : "s", c->expires_on);
	else
		snprintf(expiry, sizeof(expiry), "Expires on %s", c->expires_on);
	render_set(n, "ExpiresOn", c->expires_on);
	render_set(n, "Expiry", expiry);
	render_set(n, "Expiring", c->expires_in <= r->app->cfg.expiry_horizon_days ? "1" : "0");
}

void
connpage_fill(struct req *r, const struct conn *c, const char *tab)
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
	connpage_fill_status(r, n, c);
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
	/* OAuth code: the redirect URI to register, on Details. */
	if (oauth && c->named_credential_id == 0) {
		char	*uri = oauth_redirect_uri_dup(r->app);

		render_set(n, "RedirectUri", uri);
		free(uri);
	}

	n = render_node(r->hdf, "Can");
	/* Nothing to test before the user connected their own account. */
	render_set(n, "Test", c->perm >= PERM_USE && (c->own_status == NULL ||
	    strcmp(c->own_status, "not_connected") != 0 || !connpage_needs_own(r, c)) &&
	    !connpage_never_connected(r, c) ? "1" : "0");
	render_set(n, "Edit", c->perm >= PERM_MANAGE ? "1" : "0");
	render_set(n, "Delete", c->owner_manager ? "1" : "0");
	render_set(n, "Share", c->owner_manager ? "1" : "0");
	/* A per-user connection's Connect / Reconnect is the user's own, on
	 * the Details tab: one call to action. */
	render_set(n, "Reconnect", c->perm >= PERM_MANAGE && oauth && c->own_status == NULL ?
	    "1" : "0");
	render_set(r->hdf, "Page.Title", c->name);
}

/* conn_get's answer for a page: 0, or the response made and 1. */
static int
connpage_check(struct req *r, enum perm need, struct conn **out, int dberr)
{
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

int
connpage_load(struct req *r, enum perm need, struct conn **out)
{
	int	 dberr;

	*out = conn_get(&r->actor, r->arg_id, &dberr);
	return connpage_check(r, need, out, dberr);
}

/* The connection conn_get_queue put at `at` of b, which has run: as
 * connpage_load. */
int
connpage_take(struct req *r, enum perm need, struct conn **out, struct db_batch *b, int at)
{
	int	 dberr;

	*out = conn_get_take(b, at, r->arg_id, &dberr);
	return connpage_check(r, need, out, dberr);
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
connpage_fill_flows(struct req *r, int64_t id, const char *prefix, const char *sort)
{
	struct db_batch	 b;
	PGresult	*res = NULL;
	int		 at;

	db_batch_init(&b);
	at = connpage_flows_queue(&b, id, sort);
	if (db_batch_run(&r->app->db, &b) == 0)
		res = db_batch_take(&b, at);
	db_batch_free(&b);
	if (res == NULL)
		return -1;
	connpage_flows_fill(r, prefix, sort, res);
	db_clear(res);
	return 0;
}

/* The flow sort `sort` names (the first, by name, when none). */
static size_t
connpage_flow_sort(const char *sort)
{
	size_t	 s = 0, k;

	for (k = 0; sort != NULL && k < sizeof(flow_sorts) / sizeof(flow_sorts[0]); k++)
		if (strcmp(flow_sorts[k].key, sort) == 0)
			s = k;
	return s;
}

int
connpage_flows_queue(struct db_batch *b, int64_t id, const char *sort)
{
	char		 cid[24], sql[512], name[32];
	const char	*params[1] = { cid };
	size_t		 s = connpage_flow_sort(sort);

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(sql, sizeof(sql), "SELECT f.id, f.name, f.version, f.status, f.owner,"
	    " f.progress_status FROM flows f JOIN flow_connections fc ON fc.flow_id = f.id"
	    " WHERE fc.connection_id = $1 ORDER BY %s LIMIT 500", flow_sorts[s].order);
	snprintf(name, sizeof(name), "conn_flows_%zu", s);
	return db_batch_add(b, name, sql, 1, params);
}

void
connpage_flows_fill(struct req *r, const char *prefix, const char *sort, PGresult *res)
{
	size_t	 s = connpage_flow_sort(sort), k;

	render_rows(r->hdf, prefix, res, (const char *const[]){ "Id", "id", "Name", "name",
	    "Version", "version", "Status", "status", "Owner", "owner",
	    "ProgressStatus", "progress_status", NULL });
	render_set(r->hdf, "FlowSort.Key", flow_sorts[s].key);
	for (k = 0; k < sizeof(flow_sorts) / sizeof(flow_sorts[0]); k += 2) {
		char	 node[32], q[48];
		/* A header link sorts ascending, or descending when already ascending. */
		int	 flip = s == k;

		snprintf(node, sizeof(node), "FlowSort.%c%s.Query",
		    flow_sorts[k].key[0] - 32, flow_sorts[k].key + 1);
		snprintf(q, sizeof(q), "?sort=%s", flow_sorts[flip ? k + 1 : k].key);
		render_set(r->hdf, node, q);
	}
}

int
connpage_test_and_show(struct req *r, int64_t id, const char *trigger, const char *done)
{
	char	 result[200], msg[600], loc[48];
	int	 ok = 0, t;

	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)id);
	if ((t = tester_run_id(&r->actor, id, trigger, result, sizeof(result), &ok)) == -1)
		snprintf(result, sizeof(result), "It could not be tested.");
	else if (t == TESTER_GONE) {
		snprintf(result, sizeof(result), "%s", TESTER_GONE_MESSAGE);
		snprintf(loc, sizeof(loc), "/");
	}
	snprintf(msg, sizeof(msg), "%s Test: %s", done, result);
	http_flash_next(r, ok ? "success" : "error", msg);
	http_redirect(r, loc);
	return 0;
}

/*
 * Save a new version of connection c inside the caller's transaction: the
 * row (name, description, settings, scheduled check) if it is still at
 * version `expect`, and its connection_versions entry with `fields` (a
 * text[] literal of the changed keys). The new version number; 0 when the
 * version moved on (stale: nothing written); -1 on failure.
 */
int
connpage_save_version(struct req *r, const struct conn *c, const char *expect,
    const char *name, const char *description, const char *settings,
    const char *check_interval, const char *fields)
{
	return connpage_save_version_as(&r->actor, c, expect, name, description,
	    settings, check_interval, fields);
}

/* The same by an actor: a save that goes on after the answer (Edit). */
int
connpage_save_version_as(const struct actor *a, const struct conn *c, const char *expect,
    const char *name, const char *description, const char *settings,
    const char *check_interval, const char *fields)
{
	char		 cid[24], uid[24];
	const char	*params[7] = { cid, expect, name, description, settings, uid,
	    check_interval };
	PGresult	*res, *v;
	int		 version;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "conn_update",
	    "UPDATE connections SET name = $3, description = $4, settings = $5::jsonb,"
	    " version = version + 1, updated_by = $6, updated_at = now(), check_interval = $7"
	    " WHERE id = $1 AND version = $2::int RETURNING version", 7, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 0) {
		db_clear(res);
		return 0;
	}
	version = atoi(db_get(res, 0, "version"));
	{
		const char	*vp[5] = { cid, db_get(res, 0, "version"), settings, fields, uid };

		v = db_exec_named(&a->app->db, "version_add",
		    "INSERT INTO connection_versions (connection_id, version, settings,"
		    " changed_fields, changed_by) VALUES ($1, $2, $3::jsonb, $4::text[], $5)",
		    5, vp);
	}
	db_clear(res);
	if (v == NULL)
		return -1;
	db_clear(v);
	{
		/* Only the last secret_versions_kept versions keep their secrets
		 * (this one's snapshot is taken at commit: sql/015_secret_versions.sql). */
		char		 upto[24];
		const char	*pp[2] = { cid, upto };

		snprintf(upto, sizeof(upto), "%d", version - a->app->cfg.secret_versions_kept);
		if ((v = db_exec_named(&a->app->db, "secret_snapshots_prune",
		    "DELETE FROM connection_secret_snapshots WHERE connection_id = $1"
		    " AND version <= $2::int", 2, pp)) == NULL)
			return -1;
		db_clear(v);
	}
	return version;
}
