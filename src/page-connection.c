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
details_settings(struct req *r, const struct conn *c, const char *stored_json)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	HDF		*f;
	json_t		*settings = json_loads(c->settings, 0, NULL);
	json_t		*stored = json_loads(stored_json != NULL ? stored_json : "{}", 0, NULL);
	int		 ns = 0, nx = 0;

	for (f = hdf_obj_child(hdf_get_obj(proto, "Fields")); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f);
		HDF		*n;

		if (!connector_field_applies(f, c->api_type))
			continue;
		if (strcmp(hdf_get_value(f, "type", "text"), "secret") == 0) {
			json_t	*at = json_object_get(stored, key);

			n = render_node(r->hdf, "Secrets.%d", nx++);
			render_set(n, "Label", hdf_get_value(f, "label", key));
			render_set(n, "Stored", at != NULL ? "1" : "0");
			render_set(n, "ChangedAt", at != NULL ? json_string_value(at) : "");
			continue;
		}
		if (json_object_get(settings, key) == NULL)
			continue;
		n = render_node(r->hdf, "Settings.%d", ns++);
		render_set(n, "Label", hdf_get_value(f, "label", key));
		render_set(n, "Value", json_string_value(json_object_get(settings, key)));
		render_set(n, "Section", hdf_get_value(f, "section", "connection"));
	}
	json_decref(settings);
	json_decref(stored);
}

static int
details_versions(struct req *r, const struct conn *c)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 i;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	res = db_exec_named(&r->app->db, "conn_versions",
	    "SELECT v.version, to_char(v.changed_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') || ' UTC' AS at, COALESCE(u.email, '') AS who,"
	    " array_to_string(v.changed_fields, ',') AS fields"
	    " FROM connection_versions v LEFT JOIN users u ON u.id = v.changed_by"
	    " WHERE v.connection_id = $1 ORDER BY v.version DESC LIMIT 50", 1, params);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		HDF		*n = render_node(r->hdf, "Versions.%d", i);
		struct connform	 cf;
		struct buf	 labels;
		char		*fields = xstrdup(db_get(res, i, "fields")), *p, *save = NULL;

		/* Show labels, not keys: the definition knows them. */
		connform_init(&cf, connector_protocol(&r->app->catalog, c->connector,
		    c->protocol), c->api_type, 0, NULL, NULL);
		buf_init(&labels);
		for (p = strtok_r(fields, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
			buf_printf(&labels, "%s%s", labels.len > 0 ? ", " : "",
			    strcmp(p, "name") == 0 ? "Name" : strcmp(p, "description") == 0 ?
			    "Description" : connform_label(&cf, p));
		render_set(n, "Version", db_get(res, i, "version"));
		render_set(n, "ChangedAt", db_get(res, i, "at"));
		render_set(n, "ChangedBy", db_get(res, i, "who"));
		render_set(n, "Fields", labels.data);
		buf_free(&labels);
		free(fields);
		connform_free(&cf);
	}
	db_clear(res);
	return 0;
}

#define TIMELINE_BARS	30
#define TIMELINE_W	600
#define TIMELINE_H	60

/* The last tests as SVG geometry (oldest left): height is latency, the
 * class is the result; the template draws rects, nothing else. */
static int
details_timeline(struct req *r, const struct conn *c)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	long		 max = 1, ms;
	int		 i, n, bar = TIMELINE_W / TIMELINE_BARS;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	res = db_exec_named(&r->app->db, "timeline",
	    "SELECT * FROM (SELECT tested_at, result, COALESCE(latency_ms, 0) AS ms,"
	    " to_char(tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS at"
	    " FROM connection_tests WHERE connection_id = $1 ORDER BY tested_at DESC"
	    " LIMIT 30) t ORDER BY tested_at", 1, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	for (i = 0; i < n; i++)
		if ((ms = atol(db_get(res, i, "ms"))) > max)
			max = ms;
	for (i = 0; i < n; i++) {
		HDF		*b = render_node(r->hdf, "Timeline.Bars.%d", i);
		const char	*result = db_get(res, i, "result");
		long		 h;
		char		 title[160];

		ms = atol(db_get(res, i, "ms"));
		/* Failures stand full height: they matter more than their latency. */
		h = strcmp(result, "ok") == 0 ? 4 + ms * (TIMELINE_H - 8) / max : TIMELINE_H - 4;
		render_set_int(b, "X", (long long)i * bar + 1);
		render_set_int(b, "Y", TIMELINE_H - h);
		render_set_int(b, "Width", bar - 2);
		render_set_int(b, "Height", h);
		render_set(b, "Result", strcmp(result, "ok") == 0 ? "ok" : "fail");
		snprintf(title, sizeof(title), "%s: %s, %ld ms", db_get(res, i, "at"), result, ms);
		render_set(b, "Title", title);
	}
	render_set(r->hdf, "Timeline.Width", "600");
	render_set(r->hdf, "Timeline.Height", "60");
	render_set_int(render_node(r->hdf, "Timeline"), "MaxMs", max);
	render_set_int(render_node(r->hdf, "Timeline"), "Count", n);
	db_clear(res);
	return 0;
}

/* Per-user connections: the signed-in user's own state, never anyone else's. */
static int
details_user_state(struct req *r, const struct conn *c)
{
	char		 cid[24], uid[24];
	const char	*params[2] = { cid, uid };
	const char	*kind = connector_protocol_kind(&r->app->catalog, c->connector,
			    c->protocol);
	PGresult	*res;
	HDF		*n = render_node(r->hdf, "UserState");
	int		 stored;
	const char	*result;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	res = db_exec_named(&r->app->db, "user_state",
	    "SELECT (SELECT count(*) FROM user_connection_secrets WHERE connection_id = $1"
	    " AND user_id = $2) AS stored, t.result, t.message, to_char(t.tested_at AT TIME"
	    " ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS at FROM (SELECT 1) one"
	    " LEFT JOIN LATERAL (SELECT result, message, tested_at FROM connection_tests"
	    " WHERE connection_id = $1 AND user_id = $2 ORDER BY tested_at DESC LIMIT 1) t"
	    " ON true", 2, params);
	if (res == NULL)
		return -1;
	stored = atoi(db_get(res, 0, "stored"));
	result = db_get(res, 0, "result");
	render_set(n, "Status", stored == 0 ? "not_connected" :
	    strcmp(result, "needs_reconnect") == 0 ? "needs_reconnect" :
	    strcmp(result, "ok") == 0 || *result == '\0' ? "connected" : "failing");
	render_set(n, "Label", stored == 0 ? "Not connected" :
	    strcmp(result, "needs_reconnect") == 0 ? "Needs reconnect" :
	    strcmp(result, "ok") == 0 || *result == '\0' ? "Connected" : "Failing");
	render_set(n, "LastTestedAt", db_get(res, 0, "at"));
	render_set(n, "Message", db_get(res, 0, "message"));
	/* OAuth: Connect through the provider; otherwise their own credentials. */
	render_set(n, "Oauth", strcmp(kind, "oauth2_code") == 0 ? "1" : "0");
	render_set(n, "NeedsSecrets", strcmp(kind, "oauth2_code") != 0 &&
	    strcmp(kind, "none") != 0 && strcmp(kind, "user") != 0 ? "1" : "0");
	db_clear(res);
	render_set(r->hdf, "Can.Connect", c->perm >= PERM_USE ? "1" : "0");
	return 0;
}

int
page_connection(struct req *r)
{
	struct conn	*c;
	char		*stored = NULL;
	int		 rc = -1;

	if (connpage_load(r, PERM_VIEW, &c))
		return 0;
	connpage_fill(r, c, "details");
	/* Reconnect's form leads to the provider: the CSP must allow that origin. */
	if (c->perm >= PERM_MANAGE || (c->perm >= PERM_USE &&
	    strcmp(c->context, "per_user") == 0))
		r->csp_form_action = oauth_authorize_origin(&r->actor, c);
	render_set(r->hdf, "Conn.GrantedScopes", c->granted_scopes);
	if ((stored = secret_conn_stored_json(r->app, c->id)) == NULL || details_versions(r, c) == -1)
		goto out;
	details_settings(r, c, stored);
	if (strcmp(c->context, "per_user") == 0 && details_user_state(r, c) == -1)
		goto out;
	if (details_timeline(r, c) == -1)
		goto out;
	rc = http_page(r, 200, "connection.cs");
out:
	free(stored);
	conn_free(c);
	return rc;
}

int
page_connection_related(struct req *r)
{
	struct conn	*c;
	int		 rc = -1;

	if (connpage_load(r, PERM_VIEW, &c))
		return 0;
	connpage_fill(r, c, "related");
	if (connpage_fill_flows(r, c->id, "Flows", req_param(r, "sort")) == 0)
		rc = http_page(r, 200, "connection-related.cs");
	conn_free(c);
	return rc;
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
	rc = http_page(r, 200, "connection-history.cs");
out:
	conn_free(c);
	return rc;
}
