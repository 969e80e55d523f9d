/*
 * page-connection.c — one connection's tabs: Details (settings, which
 * secrets are stored and when — never their values — status, last test,
 * version history), Related (the flows using it) and History (tests).
 * Inputs: {id}; Related: GET sort. Statuses: 200, 404 (missing or not
 * visible, identical), 503.
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
details_settings(struct req *r, const struct conn *c, const char *stored_json,
    const char *expiry_json)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	HDF		*f;
	json_t		*settings = json_loads(c->settings, 0, NULL);
	json_t		*stored = json_loads(stored_json != NULL ? stored_json : "{}", 0, NULL);
	json_t		*expiry = json_loads(expiry_json != NULL ? expiry_json : "{}", 0, NULL);
	int		 ns = 0, nx = 0;

	for (f = hdf_obj_child(hdf_get_obj(proto, "Fields")); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f);
		HDF		*n;
		json_t		*v;

		if (!connector_field_applies(f, c->api_type))
			continue;
		if (strcmp(hdf_get_value(f, "type", "text"), "secret") == 0) {
			json_t	*at = json_object_get(stored, key);

			n = render_node(r->hdf, "Secrets.%d", nx++);
			render_set(n, "Label", hdf_get_value(f, "label", key));
			render_set(n, "Stored", at != NULL ? "1" : "0");
			render_set(n, "ChangedAt", at != NULL ? json_string_value(at) : "");
			render_set(n, "ExpiresOn", json_string_value(json_object_get(expiry, key)));
			/* A per-user connection's: each user's own, the viewer's stored or not. */
			render_set(n, "OwnStored", c->own_stored ? "1" : "0");
			continue;
		}
		if (json_object_get(settings, key) == NULL)
			continue;
		n = render_node(r->hdf, "Settings.%d", ns++);
		render_set(n, "Label", hdf_get_value(f, "label", key));
		render_set(n, "Type", hdf_get_value(f, "type", "text"));
		v = json_object_get(settings, key);
		if (json_is_boolean(v))		/* a checkbox: the template says Yes or No */
			render_set(n, "Value", json_is_true(v) ? "1" : "0");
		else if (json_is_integer(v))
			render_set_int(n, "Value", (long long)json_integer_value(v));
		else
			render_set(n, "Value", json_string_value(v));
		render_set(n, "Section", hdf_get_value(f, "section", "connection"));
	}
	json_decref(settings);
	json_decref(stored);
	json_decref(expiry);
}

/* A change of connection mode: "Connection mode: Direct → Uplinked via
 * Plant-Net" (an uplink's name as its version recorded it). */
static void
details_mode_change(struct buf *b, const char *from, const char *to)
{
	char	 x[160], y[160];

	connpage_mode(x, sizeof(x), from);
	connpage_mode(y, sizeof(y), to);
	buf_printf(b, "%sConnection mode: %s \xe2\x86\x92 %s", b->len > 0 ? ", " : "", x, y);
}

/* Conn.OAuthClientId|OAuthClient: the saved OAuth client the connection
 * uses (its name when the viewer may use it too). */
static int
details_oauth_client(struct req *r, const struct conn *c)
{
	struct oauthclient	 oc;
	PGresult		*res;
	int			 rc;

	if (c->oauth_client_id == 0)	/* as conn_get read it: no query for most */
		return 0;
	if ((rc = oauthclient_for_conn(&r->actor, c->id, 0, &oc)) != 1)
		return rc;
	render_set_int(r->hdf, "Conn.OAuthClientId", oc.id);
	if ((res = oauthclient_get(&r->actor, oc.id)) != NULL && db_rows(res) == 1)
		render_set(r->hdf, "Conn.OAuthClient", db_get(res, 0, "name"));
	db_clear(res);
	oauthclient_free(&oc);
	return 0;
}

/* The Details reads, each "$1" the connection and, where it has one, "$2"
 * the signed-in user. They go with conn_get in one round trip, before the
 * connection is read: whether it is per-user (its charts and status
 * history are then the user's own) is decided in SQL. */
#define PER_USER_1 "EXISTS (SELECT 1 FROM connections k WHERE k.id = $1" \
	" AND k.execution_context = 'per_user')"
static const char SQL_VERSIONS[] =
    "SELECT v.version, to_char(v.changed_at AT TIME ZONE 'UTC',"
    " 'YYYY-MM-DD HH24:MI') || ' UTC' AS at, COALESCE(u.email, '') AS who,"
    " array_to_string(v.changed_fields, ',') AS fields, v.uplink,"
    " COALESCE(lag(v.uplink) OVER (ORDER BY v.version), '') AS uplink_before"
    " FROM connection_versions v LEFT JOIN users u ON u.id = v.changed_by"
    " WHERE v.connection_id = $1 ORDER BY v.version DESC LIMIT 50";
/* A per-user connection's chart is the signed-in user's own tests. */
static const char SQL_TIMELINE[] =
    "SELECT * FROM (SELECT tested_at, result, COALESCE(latency_ms, 0) AS ms,"
    " to_char(tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS at"
    " FROM connection_tests WHERE connection_id = $1"
    " AND (user_id = $2::bigint OR NOT " PER_USER_1 ") ORDER BY tested_at DESC"
    " LIMIT 30) t ORDER BY tested_at";
static const char SQL_PEOPLE[] =
    "WITH p AS (SELECT DISTINCT m.user_id FROM team_members m"
    " WHERE " PER_USER_1 " AND m.role <> 'viewer' AND (m.team_id = (SELECT owner_team_id FROM connections"
    " WHERE id = $1) OR m.team_id IN (SELECT team_id FROM connection_shares"
    " WHERE connection_id = $1))),"
    " st AS (SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM user_connection_secrets us"
    " WHERE us.connection_id = $1 AND us.user_id = p.user_id) THEN 'not_connected'"
    " ELSE COALESCE(s.status, 'ok') END AS st FROM p LEFT JOIN user_connection_states s"
    " ON s.connection_id = $1 AND s.user_id = p.user_id)"
    " SELECT count(*) AS users, count(*) FILTER (WHERE st IN ('ok', 'not_tested')) AS ok,"
    " count(*) FILTER (WHERE st = 'needs_reconnect') AS reconnect,"
    " count(*) FILTER (WHERE st = 'failing') AS failing,"
    " count(*) FILTER (WHERE st = 'not_connected') AS missing FROM st";
static const char SQL_STATUS_CHANGES[] =
    "SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS at,"
    " from_status, to_status, reason, trigger, consecutive_failures"
    " FROM connection_status_changes WHERE connection_id = $1"
    " AND user_id IS NOT DISTINCT FROM (SELECT CASE WHEN " PER_USER_1 " THEN $2::bigint END)"
    " ORDER BY at DESC, id DESC LIMIT 20";
static const char SQL_ENGINE_USE[] =
    "SELECT to_char(max(u.at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS last,"
    " count(*) AS reads FROM credential_uses u WHERE u.connection_id = $1"
    " AND u.outcome = 'issued' AND u.at > now() - interval '30 days'";
static const char SQL_ENGINE_FLOWS[] =
    "SELECT f.id, f.name FROM flows f WHERE f.id IN (SELECT u.flow_id FROM"
    " credential_uses u WHERE u.connection_id = $1 AND u.outcome = 'issued'"
    " AND u.at > now() - interval '30 days') ORDER BY lower(f.name) LIMIT 5";

static void
details_versions_fill(struct req *r, const struct conn *c, PGresult *res)
{
	int	 i;

	for (i = 0; i < db_rows(res); i++) {
		HDF		*n = render_node(r->hdf, "Versions.%d", i);
		struct connform	 cf;
		struct buf	 labels;
		char		*fields = xstrdup(db_get(res, i, "fields")), *p, *dot, *save = NULL;

		/* Show labels, not keys: the definition knows them. */
		connform_init(&cf, connector_protocol(&r->app->catalog, c->connector,
		    c->protocol), c->api_type, 0, NULL, NULL);
		buf_init(&labels);
		for (p = strtok_r(fields, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
			/* A secret's expiry date is recorded as "KEY.expires_on". */
			if ((dot = strchr(p, '.')) != NULL)
				*dot = '\0';
			if (strcmp(p, "uplink") == 0) {
				details_mode_change(&labels, db_get(res, i, "uplink_before"),
				    db_get(res, i, "uplink"));
				continue;
			}
			buf_printf(&labels, "%s%s%s", labels.len > 0 ? ", " : "",
			    strcmp(p, "name") == 0 ? "Name" : strcmp(p, "description") == 0 ?
			    "Description" : strcmp(p, "check_interval") == 0 ? "Scheduled check" :
			    connform_label(&cf, p), dot != NULL ? " expiry date" : "");
		}
		render_set(n, "Version", db_get(res, i, "version"));
		render_set(n, "ChangedAt", db_get(res, i, "at"));
		render_set(n, "ChangedBy", db_get(res, i, "who"));
		render_set(n, "Fields", labels.data);
		buf_free(&labels);
		free(fields);
		connform_free(&cf);
	}
}

static int
details_versions(struct req *r, const struct conn *c)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	if ((res = db_exec_named(&r->app->db, "conn_versions", SQL_VERSIONS, 1, params)) == NULL)
		return -1;
	details_versions_fill(r, c, res);
	db_clear(res);
	return 0;
}

#define TIMELINE_BARS	30
#define TIMELINE_W	600
#define TIMELINE_H	60

/* The last tests as SVG geometry (oldest left): height is latency, the
 * class is the result; the template draws rects, nothing else. */
static void
details_timeline_fill(struct req *r, PGresult *res)
{
	long		 max = 1, ms;
	int		 i, n, bar = TIMELINE_W / TIMELINE_BARS;

	n = db_rows(res);
	for (i = 0; i < n; i++)
		if ((ms = atol(db_get(res, i, "ms"))) > max)
			max = ms;
	for (i = 0; i < n; i++) {
		HDF		*b = render_node(r->hdf, "Timeline.Bars.%d", i);
		const char	*result = db_get(res, i, "result");
		long		 h;

		ms = atol(db_get(res, i, "ms"));
		/* Failures stand full height: they matter more than their latency. */
		h = strcmp(result, "ok") == 0 ? 4 + ms * (TIMELINE_H - 8) / max : TIMELINE_H - 4;
		render_set_int(b, "X", (long long)i * bar + 1);
		render_set_int(b, "Y", TIMELINE_H - h);
		render_set_int(b, "Width", bar - 2);
		render_set_int(b, "Height", h);
		render_set(b, "Result", strcmp(result, "ok") == 0 ? "ok" : "fail");
		/* The bar's tooltip, written by the template: its time, outcome, ms. */
		render_set(b, "At", db_get(res, i, "at"));
		render_set(b, "Outcome", result);
		render_set_int(b, "Ms", ms);
	}
	render_set(r->hdf, "Timeline.Width", "600");
	render_set(r->hdf, "Timeline.Height", "60");
	render_set_int(render_node(r->hdf, "Timeline"), "MaxMs", max);
	render_set_int(render_node(r->hdf, "Timeline"), "Count", n);
}

/* Per-user connections: the signed-in user's own state (conn.c read it
 * with the connection), never anyone else's. */
static void
details_user_state(struct req *r, const struct conn *c)
{
	const char	*kind = connector_protocol_kind(&r->app->catalog, c->connector,
			    c->protocol);
	HDF		*n = render_node(r->hdf, "UserState");

	render_set(n, "Status", strcmp(c->own_status, "ok") == 0 ? "connected" : c->own_status);
	render_set(n, "Label", conn_status_label(c->own_status));
	render_set(n, "LastTestedAt", *c->own_tested_at != '\0' ?
	    c->own_tested_at : "");
	render_set(n, "Message", c->own_message);
	/* OAuth: Connect through the provider; otherwise their own credentials. */
	render_set(n, "Oauth", strcmp(kind, "oauth2_code") == 0 ? "1" : "0");
	render_set(n, "NeedsSecrets", strcmp(kind, "oauth2_code") != 0 &&
	    strcmp(kind, "none") != 0 && strcmp(kind, "user") != 0 ? "1" : "0");
	render_set(r->hdf, "Can.Connect", c->perm >= PERM_USE ? "1" : "0");
}

/*
 * A manager's view of a per-user connection: how many of the people who may
 * use it (members and managers of the owner team and of the teams it is
 * shared with; viewers cannot connect, admins count only as members) are
 * connected, need to reconnect, are failing or have not connected yet.
 */
static void
details_people_fill(struct req *r, PGresult *res)
{
	HDF	*n = render_node(r->hdf, "People");

	render_set(n, "Users", db_get(res, 0, "users"));
	render_set(n, "Connected", db_get(res, 0, "ok"));
	render_set(n, "NeedsReconnect", db_get(res, 0, "reconnect"));
	render_set(n, "Failing", db_get(res, 0, "failing"));
	render_set(n, "NotConnected", db_get(res, 0, "missing"));
}

/* Status changes, newest first, bounded; a per-user connection's are the
 * signed-in user's own. */
static void
details_status_history_fill(struct req *r, PGresult *res)
{
	int	 i;

	for (i = 0; i < db_rows(res); i++) {
		HDF	*n = render_node(r->hdf, "StatusChanges.%d", i);

		render_set(n, "At", db_get(res, i, "at"));
		render_set(n, "From", db_get(res, i, "from_status"));
		render_set(n, "FromLabel", conn_status_label(db_get(res, i, "from_status")));
		render_set(n, "To", db_get(res, i, "to_status"));
		render_set(n, "ToLabel", conn_status_label(db_get(res, i, "to_status")));
		render_set(n, "Reason", db_get(res, i, "reason"));
		render_set(n, "Trigger", db_get(res, i, "trigger"));
		render_set(n, "Failures", db_get(res, i, "consecutive_failures"));
	}
}

/*
 * Issue 13 §6: whose tokens these are (the viewer's own for a per-user
 * connection), the scopes asked for that the provider did not grant, and
 * whether the viewer may "Connect a different account" (admins).
 */
static int
details_identity(struct req *r, const struct conn *c)
{
	HDF			*proto = connector_protocol(&r->app->catalog, c->connector,
				    c->protocol);
	HDF			*n = render_node(r->hdf, "Identity");
	const char		*label;
	const struct oauth_identity *id = &c->identity;	/* as conn_get read it */
	struct buf		 missing;
	int			 per_user = strcmp(c->context, "per_user") == 0;
	HDF			*test = proto != NULL ? hdf_get_obj(proto, "Test") : NULL;
	/* Issue 16 §1: a test whose answer says who (AWS STS) has one too. */
	int			 from_test = test != NULL &&
				    catalog_value(test, "identity_account", c->api_type) != NULL;

	if (proto == NULL || c->named_credential_id != 0 || (!from_test &&
	    strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0))
		return 0;
	label = catalog_value(from_test ? test : hdf_get_obj(proto, "OAuth"),
	    "identity_tenant_label", c->api_type);
	render_set(n, "Account", id->account);
	if (id->tenant != NULL && (id->account == NULL || strcmp(id->tenant, id->account) != 0))
		render_set(n, "Tenant", id->tenant);
	render_set(n, "TenantLabel", label != NULL ? label : "account");
	if (from_test)
		return 0;
	buf_init(&missing);
	oauth_scopes_missing(c, proto, c->granted_scopes, &missing);
	render_set(n, "MissingScopes", missing.len > 0 ? missing.data : NULL);
	buf_free(&missing);
	render_set(n, "CanConnectOther", r->actor.is_admin && !connpage_never_connected(r, c) &&
	    (per_user ? c->perm >= PERM_USE : c->perm >= PERM_MANAGE) ? "1" : "0");
	render_set(n, "CanDisconnect", per_user && c->own_status != NULL &&
	    strcmp(c->own_status, "not_connected") != 0 ? "1" : "0");
	return 0;
}

/* When the engine last read the credentials, for which flows (the last 30
 * days), and how often: credential_uses (sql/025). */
static void
details_engine_use_fill(struct req *r, PGresult *use, PGresult *flows)
{
	if (!db_isnull(use, 0, "last")) {
		render_set(r->hdf, "Engine.LastUsed", db_get(use, 0, "last"));
		render_set(r->hdf, "Engine.Reads", db_get(use, 0, "reads"));
	}
	render_rows(r->hdf, "Engine.Flows", flows, (const char *const[]){
	    "Id", "id", "Name", "name", NULL });
}

/* Indexes of the Details reads in their batch (conn_get's and the rest,
 * run together when the page is written). */
struct details_reads {
	int	 conn, secrets, versions, timeline, people, changes, use, flows;
};

/* Queue the reads of Details that a kept copy spares: they run only when
 * the page is written (one round trip for them all, db_batch). */
static void
details_queue(const struct actor *who, int64_t id, struct db_batch *b, struct details_reads *q)
{
	char		 cid[24], uid[24];
	const char	*params[2] = { cid, uid };

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)who->user_id);
	q->secrets = secret_conn_json_queue(b, id);
	q->versions = db_batch_add(b, "conn_versions", SQL_VERSIONS, 1, params);
	q->timeline = db_batch_add(b, "details_timeline", SQL_TIMELINE, 2, params);
	/* Only a per-user connection has people (none else: an empty read). */
	q->people = db_batch_add(b, "details_people", SQL_PEOPLE, 1, params);
	q->changes = db_batch_add(b, "details_status_changes", SQL_STATUS_CHANGES, 2, params);
	q->use = db_batch_add(b, "details_engine_use", SQL_ENGINE_USE, 1, params);
	q->flows = db_batch_add(b, "details_engine_flows", SQL_ENGINE_FLOWS, 1, params);
}

/* Details' and Related's: the probe that says whether a kept tab is still
 * the page (conn_probe_queue), sent with the session check. */
void
page_connection_prefetch(struct req *r, const struct actor *who, struct prefetch *pre)
{
	pre->at[0] = conn_probe_queue(who, r->arg_id, &pre->b);
}

static int
tab_keepable(struct req *r)
{
	return r->app->list_cache != NULL && hdf_get_value(r->hdf, "Flash.Message", NULL) == NULL;
}

/* Details reads more than its batch for a saved OAuth client (its name,
 * its authorize URL) and an uplink (its addresses): those are written
 * every time. */
static int
details_keepable(struct req *r, const struct conn *c)
{
	return tab_keepable(r) && c->oauth_client_id == 0 && c->uplink_id == 0;
}

/* Reconnect's form leads to the provider: the CSP must allow that origin,
 * on a kept copy too (a header, not in the copy). */
static void
tab_form_action(struct req *r, const struct conn *c)
{
	free(r->csp_form_action);
	r->csp_form_action = NULL;
	if (c->perm >= PERM_MANAGE || (c->perm >= PERM_USE &&
	    strcmp(c->context, "per_user") == 0))
		r->csp_form_action = oauth_authorize_origin(&r->actor, c);
}

/*
 * A tab is kept by print (listcache.c): the probe's row (the actor's level
 * and flags, the connection's stamp, which moves with its own row and
 * everything else the tabs show, sql/035; today's date), the teams' stamp
 * (their names) and the manager flag the header shows. The worker's
 * settings and catalog are fixed for its life. Nothing kept while a
 * message (flash) is shown.
 *
 * Answers the tab from its kept copy when the probe sent with the session
 * check (else run here) reads as when the copy was written: 1 answered, 0
 * not (the page is to be written, and kept under `print`), -1 the database
 * failed.
 */
static int
tab_kept(struct req *r, const char *view, int details, struct buf *print)
{
	struct prefetch	 own, *pre = r->pre;
	struct conn	*probe;
	char		 manager = (char)r->sess->is_manager;
	int		 kept = 0;

	db_batch_init(&own.b);
	if (pre != NULL)
		r->log_note = "read with the session check";
	else {
		page_connection_prefetch(r, &r->actor, &own);
		if (db_batch_run(&r->app->db, &own.b) == -1) {
			db_batch_free(&own.b);
			return -1;	/* 503 or 500, as the database failed (route.c) */
		}
		pre = &own;
	}
	buf_append(print, &manager, 1);
	buf_append(print, &r->sess->teams_version, sizeof(r->sess->teams_version));
	db_batch_print(&pre->b, print);
	probe = conn_probe_take(&pre->b, pre->at[0], r->arg_id);
	if (probe != NULL && (details ? details_keepable(r, probe) : tab_keepable(r))) {
		tab_form_action(r, probe);
		kept = list_cache_serve(r, view, print->data, print->len);
	}
	conn_free(probe);
	db_batch_free(&own.b);
	return kept;
}

int
page_connection(struct req *r)
{
	struct conn		*c = NULL;
	struct db_batch		 b;
	struct details_reads	 q;
	struct buf		 print;
	char			*stored = NULL, *expiry = NULL, view[40];
	int			 rc = -1;

	snprintf(view, sizeof(view), "details/%lld", (long long)r->arg_id);
	buf_init(&print);
	db_batch_init(&b);
	if ((rc = tab_kept(r, view, 1, &print)) != 0)
		goto out;	/* answered, or -1: 503 or 500 (route.c) */
	/* Written afresh: the connection and its other reads, in one round
	 * trip after the probe (a change between them moves the stamp past
	 * the print). */
	q.conn = conn_get_queue(&r->actor, r->arg_id, &b);
	details_queue(&r->actor, r->arg_id, &b, &q);
	if (db_batch_run(&r->app->db, &b) == -1) {
		rc = -1;	/* 503 or 500 (route.c) */
		goto out;
	}
	if (connpage_take(r, PERM_VIEW, &c, &b, q.conn)) {
		rc = 0;
		goto out;
	}
	rc = -1;
	tab_form_action(r, c);
	connpage_fill(r, c, "details");
	/* Where its calls come from: its uplink's addresses, or Tether's. */
	uplinks_egress_fill(r, c->uplink_id, c->uplink);
	render_set(r->hdf, "Conn.GrantedScopes", c->granted_scopes);
	stored = secret_conn_json_take(&b, q.secrets);
	expiry = secret_conn_json_take(&b, q.secrets + 1);
	details_versions_fill(r, c, b.item[q.versions].res);
	details_settings(r, c, stored, expiry);
	if (details_oauth_client(r, c) == -1)
		goto out;
	if (c->own_status != NULL) {
		details_user_state(r, c);
		if (c->perm >= PERM_MANAGE)
			details_people_fill(r, b.item[q.people].res);
	}
	details_timeline_fill(r, b.item[q.timeline].res);
	details_status_history_fill(r, b.item[q.changes].res);
	if (details_identity(r, c) == -1)
		goto out;
	details_engine_use_fill(r, b.item[q.use].res, b.item[q.flows].res);
	render_set_int(r->hdf, "Health.CheckIntervalMinutes", r->app->cfg.check_interval_min);
	render_set_int(r->hdf, "Health.HorizonDays", r->app->cfg.expiry_horizon_days);
	if ((rc = http_page(r, 200, "connection.cs")) == 0 && details_keepable(r, c))
		list_cache_keep(r, view, -1, print.data, print.len);
out:
	buf_free(&print);
	db_batch_free(&b);
	free(stored);
	free(expiry);
	conn_free(c);
	return rc == 1 ? 0 : rc;
}

int
page_connection_related(struct req *r)
{
	struct conn	*c = NULL;
	struct buf	 print;
	const char	*sort = req_param(r, "sort");
	char		 view[80];
	int		 rc;

	/* The flows move the stamp; the sort is in the view. */
	snprintf(view, sizeof(view), "related/%lld?%.40s", (long long)r->arg_id,
	    sort != NULL ? sort : "");
	buf_init(&print);
	if ((rc = tab_kept(r, view, 0, &print)) != 0)
		goto out;	/* answered, or -1: 503 or 500 (route.c) */
	if (connpage_load(r, PERM_VIEW, &c))
		goto out;
	tab_form_action(r, c);
	connpage_fill(r, c, "related");
	if ((rc = connpage_fill_flows(r, c->id, "Flows", sort)) == 0 &&
	    (rc = http_page(r, 200, "connection-related.cs")) == 0 && tab_keepable(r))
		list_cache_keep(r, view, -1, print.data, print.len);
out:
	buf_free(&print);
	conn_free(c);
	return rc == 1 ? 0 : rc;
}

int
page_connection_history(struct req *r)
{
	struct conn	*c;
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 rc = -1;

	if (connpage_load(r, PERM_VIEW, &c))
		return 0;
	connpage_fill(r, c, "history");
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	res = db_exec_named(&r->app->db, "conn_tests",
	    "SELECT to_char(t.tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC'"
	    " AS at, t.trigger, t.result, t.http_status, t.latency_ms, t.message,"
	    " COALESCE(u.email, '') AS who FROM connection_tests t"
	    " LEFT JOIN users u ON u.id = t.triggered_by WHERE t.connection_id = $1"
	    " ORDER BY t.tested_at DESC, t.id DESC LIMIT 100", 1, params);
	if (res == NULL)
		goto out;
	render_rows(r->hdf, "Tests", res, (const char *const[]){
	    "At", "at", "Trigger", "trigger", "Result", "result",
	    "HttpStatus", "http_status", "LatencyMs", "latency_ms", "Message", "message",
	    "By", "who", NULL });
	db_clear(res);
	/* Versions, each earlier one with Revert for managers. */
	if (details_versions(r, c) == -1)
		goto out;
	render_set(r->hdf, "Can.Revert", c->perm >= PERM_MANAGE ? "1" : "0");
	rc = http_page(r, 200, "connection-history.cs");
out:
	conn_free(c);
	return rc;
}
