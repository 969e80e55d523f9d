/*
 * api-connections.c — the JSON API's connections: the list (what the
 * Integrations tab shows, with its filters: connlist.c), one connection (the
 * Details tab; secrets by name only), its test and version history and a
 * test run now, as the user the token belongs to (conn_get's visibility and
 * permissions).
 *
 *   GET  /api/v1/connections		q, connector, status, team, unused, sort;
 *					limit, cursor (or page, per_page)
 *   GET  /api/v1/connections/{id}		with ETag: "<version>"
 *   GET  /api/v1/connections/{id}/tests	limit, cursor
 *   GET  /api/v1/connections/{id}/versions	limit, cursor
 *   POST /api/v1/connections/{id}/test	{"trigger": "flow_open"|"api"|"schedule"}
 *   POST /api/v1/connections/{id}/replace	{"replacement_id", "flow_ids", "dry_run"}
 *
 * Statuses: 200; 400 (a filter, paging, a cursor, the body); 403 (test:
 * the role does not allow it); 404 (missing or not visible: identical); 409 (deleted while being
 * tested); 429 (too many tests); 503 ("busy", Retry-After: another test
 * holds the OAuth refresh lock).
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
#include "api.h"

#define API_CONNECTIONS_COLS							\
	"SELECT c.id, c.name, c.connector, c.auth_protocol, c.api_type,"	\
	" c.execution_context, c.status, " API_TS("c.last_tested_at")	\
	" AS tested, c.last_test_result, c.owner_team_id, t.name AS team,"	\
	" (SELECT count(*) FROM flow_connections fc"			\
	" WHERE fc.connection_id = c.id) AS flows"

static json_t *
api_connections_row(PGresult *res, int i)
{
	json_t	*j = json_object(), *team = json_object();

	api_fields(j, res, i, (const char *const[]){ "id", "#id", "name", "name",
	    "connector", "connector", "auth_protocol", "auth_protocol", "api_type", "api_type",
	    "execution_context", "execution_context", "status", "status",
	    "last_tested_at", "tested", "last_test_result", "last_test_result", NULL });
	api_fields(team, res, i, (const char *const[]){ "id", "#owner_team_id",
	    "name", "team", NULL });
	json_object_set_new(j, "owner_team", team);
	json_object_set_new(j, "flow_count", api_int(res, i, "flows"));
	return j;
}

/* ------------------------------------------------------------ the list */

#define API_LIMIT_MAX	200
#define API_LIMIT	50

/* The filters the Integrations tab takes (connlist.c), by the same names. */
static const char *const api_connections_filters[] = { "q", "connector", "status", "team",
    "unused", "sort" };

/*
 * The list's filters, and its paging: a keyset cursor (limit, cursor) or,
 * for older clients, page and per_page, also when neither is given
 * (*offset set to 1). 0, or 1 with
 * the 400 made.
 */
static int
api_connections_view(struct req *r, struct connlist *cl, long long *limit,
    long long *page, int *offset)
{
	const char	*why, *v, *cursor = req_param(r, "cursor");
	size_t		 i;

	connlist_init(cl, &r->actor);
	for (i = 0; i < sizeof(api_connections_filters) / sizeof(api_connections_filters[0]);
	    i++) {
		if ((why = connlist_set(cl, &r->app->catalog, api_connections_filters[i],
		    req_param(r, api_connections_filters[i]))) != NULL) {
			api_error_field(r, 400, "invalid_parameter", api_connections_filters[i],
			    "%s", why);
			return 1;
		}
	}
	/* Without limit or cursor as well: older clients read page and total. */
	*offset = req_param(r, "page") != NULL || req_param(r, "per_page") != NULL ||
	    (cursor == NULL && req_param(r, "limit") == NULL);
	if (*offset) {
		if (cursor != NULL || req_param(r, "limit") != NULL) {
			api_error_field(r, 400, "invalid_parameter",
			    req_param(r, "page") != NULL ? "page" : "per_page",
			    "Page either with limit and cursor or with page and per_page.");
			return 1;
		}
		return api_paging(r, page, limit);
	}
	*limit = API_LIMIT;
	if ((v = req_param(r, "limit")) != NULL &&
	    valid_int(v, 1, API_LIMIT_MAX, limit) != NULL) {
		api_error_field(r, 400, "invalid_parameter", "limit",
		    "\"limit\" must be an integer from 1 to %d.", API_LIMIT_MAX);
		return 1;
	}
	if (cursor != NULL && (why = connlist_cursor_read(cl, r->app->flash_key, cursor)) != NULL) {
		r->log_note = "bad cursor";
		api_error_field(r, 400, "invalid_parameter", "cursor", "%s", why);
		return 1;
	}
	return 0;
}

/* The view's rows: limit (+1 with a cursor: is there more?) from offset. */
static PGresult *
api_connections_rows(struct req *r, const struct connlist *cl, long long limit,
    long long offset, int by_offset)
{
	struct buf	 sql;
	const char	*params[12];
	char		 lim[24], off[24], take[24], name[64];
	int		 n;
	PGresult	*res;

	buf_init(&sql);
	buf_puts(&sql, API_CONNECTIONS_COLS ", lower(c.name) AS k_name, to_char(c.last_tested_at"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS k_tested"
	    " FROM (SELECT c.*");
	snprintf(take, sizeof(take), "%lld", by_offset ? offset + limit : limit + 1);
	n = connlist_from_top(cl, &sql, params, take, NULL, 0);
	snprintf(lim, sizeof(lim), "%lld", by_offset ? limit : limit + 1);
	params[n++] = lim;
	buf_printf(&sql, " ORDER BY %s LIMIT $%d", connlist_order(cl), n);
	if (by_offset) {
		snprintf(off, sizeof(off), "%lld", offset);
		params[n++] = off;
		buf_printf(&sql, " OFFSET $%d", n);
	}
	buf_printf(&sql, ") c JOIN teams t ON t.id = c.owner_team_id ORDER BY %s",
	    connlist_order(cl));
	snprintf(name, sizeof(name), "api_connlist_%u_%d_%d", cl->mask, cl->sort, by_offset);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	return res;
}

static PGresult *
api_connections_count(struct req *r, const struct connlist *cl)
{
	struct buf	 sql;
	const char	*params[12];
	char		 name[64];
	int		 n;
	PGresult	*res;

	buf_init(&sql);
	/* Exact (the API promises a total): from the kept counts where the
	 * filters allow, else over the view's rows. */
	if ((n = connlist_count_kept(cl, &sql, params)) < 0) {
		buf_puts(&sql, "SELECT count(*) AS n");
		n = connlist_from(cl, &sql, params);
	}
	snprintf(name, sizeof(name), "api_conncount_%u", cl->mask);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	return res;
}

/* The cursor after row i. */
static json_t *
api_connections_next(struct req *r, const struct connlist *cl, PGresult *rows, int i)
{
	struct buf	 b;
	json_t		*j;
	const char	*k = cl->sort < 2 ? "k_name" : "k_tested";

	buf_init(&b);
	connlist_cursor(cl, r->app->flash_key, db_get(rows, i, "id"),
	    db_isnull(rows, i, k) ? NULL : db_get(rows, i, k), &b);
	j = json_string(b.data);
	buf_free(&b);
	return j;
}

/*
 * GET /api/v1/connections: what the Integrations tab lists, with its
 * filters and sorts: {"connections": […], "next_cursor": "…" | null};
 * paged by offset (page, per_page, or no paging parameter at all, as
 * before cursors), also "page", "per_page" and "total".
 */
int
api_connections_list(struct req *r, json_t *body)
{
	struct connlist	 cl;
	long long	 limit, page = 1;
	PGresult	*rows = NULL, *count = NULL;
	json_t		*j, *list;
	int		 by_offset, i, shown, rc = -1;

	(void)body;
	if (api_connections_view(r, &cl, &limit, &page, &by_offset) != 0)
		return 0;
	if ((rows = api_connections_rows(r, &cl, limit, (page - 1) * limit, by_offset)) == NULL ||
	    (by_offset && (count = api_connections_count(r, &cl)) == NULL))
		goto out;
	shown = db_rows(rows) > limit ? (int)limit : db_rows(rows);
	list = json_array();
	for (i = 0; i < shown; i++)
		json_array_append_new(list, api_connections_row(rows, i));
	j = json_object();
	json_object_set_new(j, "connections", list);
	if (by_offset) {
		json_object_set_new(j, "page", json_integer(page));
		json_object_set_new(j, "per_page", json_integer(limit));
		json_object_set_new(j, "total", api_int(count, 0, "n"));
	}
	json_object_set_new(j, "next_cursor", shown > 0 && (by_offset ?
	    page * limit < strtoll(db_get(count, 0, "n"), NULL, 10) : db_rows(rows) > limit) ?
	    api_connections_next(r, &cl, rows, shown - 1) : json_null());
	api_reply(r, 200, j);
	rc = 0;
out:
	db_clear(rows);
	db_clear(count);
	return rc;
}

/* Connection {id} as the user sees it; NULL with *rc 0 (404 made) or -1. */
struct conn *
api_connections_load(struct req *r, int *rc)
{
	struct conn	*c;
	int		 dberr;

	if ((c = conn_get(&r->actor, r->arg_id, &dberr)) != NULL)
		return c;
	*rc = dberr ? -1 : 0;
	if (!dberr)
		api_error(r, 404, "not_found", "Connection %lld not found.",
		    (long long)r->arg_id);
	return NULL;
}

/* A stored secret: its field and when it changed, never a value. */
static json_t *
api_connections_secret(PGresult *res, int i)
{
	json_t	*s = json_object();

	api_fields(s, res, i, (const char *const[]){ "field", "field",
	    "updated_at", "updated_at", NULL });
	return s;
}

/* A flow using the connection. */
static json_t *
api_connections_flow(PGresult *res, int i)
{
	json_t	*f = json_object();

	api_fields(f, res, i, (const char *const[]){ "id", "#id", "name", "name",
	    "version", "#version", "status", "status", NULL });
	return f;
}

/* The flows using connection id, as GET shows them; NULL on failure. */
json_t *
api_connections_flows(struct req *r, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*flows;
	json_t		*j;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	flows = db_exec_named(&r->app->db, "api_connections_flows",
	    "SELECT f.id, f.name, f.version, f.status FROM flows f"
	    " JOIN flow_connections fc ON fc.flow_id = f.id WHERE fc.connection_id = $1"
	    " ORDER BY lower(f.name), f.id", 1, params);
	if (flows == NULL)
		return NULL;
	j = api_rows(flows, api_connections_flow);
	db_clear(flows);
	return j;
}

/* conn_get's "YYYY-MM-DD HH:MM:SS" (UTC) as ISO 8601; "" is null. */
static json_t *
api_connections_time(const char *s)
{
	char	 iso[32];

	if (*s == '\0' || strlen(s) != 19)
		return json_null();
	snprintf(iso, sizeof(iso), "%.10sT%.8sZ", s, s + 11);
	return json_string(iso);
}

/* "YYYY-MM-DD HH:MI" (UTC) as ISO 8601, or null. */
static json_t *
api_connections_minute(const char *s)
{
	char	 iso[32];

	if (strlen(s) != 16)
		return json_null();
	snprintf(iso, sizeof(iso), "%.10sT%.5s:00Z", s, s + 11);
	return json_string(iso);
}

/* What the Details tab says of health: the failure run, the earliest
 * expiry, the scheduled check and, for a per-user connection, the token's
 * user's own state. */
static void
api_connections_health(json_t *j, const struct conn *c)
{
	json_t	*own;

	json_object_set_new(j, "failing_since", api_connections_minute(c->failing_since));
	json_object_set_new(j, "consecutive_failures", json_integer(c->consecutive_failures));
	json_object_set_new(j, "expires_on", *c->expires_on != '\0' ?
	    json_string(c->expires_on) : json_null());
	json_object_set_new(j, "check_interval", json_string(c->check_interval));
	if (c->own_status == NULL)
		return;
	own = json_object();
	json_object_set_new(own, "status", json_string(c->own_status));
	json_object_set_new(own, "label", json_string(conn_status_label(c->own_status)));
	json_object_set_new(own, "last_tested_at", api_connections_time(c->own_tested_at));
	json_object_set_new(own, "last_test_result", *c->own_result != '\0' ?
	    json_string(c->own_result) : json_null());
	json_object_set_new(own, "failing_since", api_connections_minute(c->own_failing_since));
	json_object_set_new(own, "consecutive_failures", json_integer(c->own_failures));
	json_object_set_new(j, "own_state", own);
}

/* Where calls come from (issue 13 §2): {"addresses": [...], "configured",
 * "uplink": its name or null}; an Uplinked connection's are its uplink's,
 * any other's outbound.egress_addresses. NULL on a database failure. */
static json_t *
api_connections_egress(struct req *r, int64_t uplink_id, const char *uplink)
{
	json_t		*j = json_object(), *a = json_array();
	char		*list = NULL;
	const char	*p;
	size_t		 len;
	int		 rc = 0;

	if (uplink_id > 0 && (rc = uplink_egress(r->app, uplink_id, &list)) == -1) {
		json_decref(j);
		json_decref(a);
		return NULL;
	}
	p = uplink_id > 0 ? (list != NULL ? list : "") : r->app->cfg.outbound_egress;
	for (; *p != '\0'; p += len) {
		p += strspn(p, ", \t");
		if ((len = strcspn(p, ", \t")) > 0)
			json_array_append_new(a, json_stringn(p, len));
	}
	free(list);
	json_object_set_new(j, "configured", json_boolean(json_array_size(a) > 0));
	json_object_set_new(j, "addresses", a);
	json_object_set_new(j, "uplink", uplink_id > 0 ? json_string(uplink) : json_null());
	if (json_array_size(a) == 0)
		json_object_set_new(j, "how_to_set", json_string(uplink_id > 0 ?
		    "An administrator adds the uplink's egress addresses on /uplinks." :
		    "An administrator sets outbound.egress_addresses in tether.conf "
		    "(comma-separated addresses or ranges)."));
	return j;
}

/* GET /api/v1/connectors/{key}: a connector, its protocols (which reach
 * customers' networks) and Tether's outbound addresses. */
int
api_connectors_get(struct req *r, json_t *body)
{
	HDF	*def = catalog_get(&r->app->catalog, r->arg_key), *p;
	json_t	*j, *protos, *pj, *egress;

	(void)body;
	if (def == NULL) {
		api_error(r, 404, "not_found", "No such connector.");
		return 0;
	}
	if ((egress = api_connections_egress(r, 0, NULL)) == NULL)
		return -1;
	j = json_object();
	json_object_set_new(j, "key", json_string(r->arg_key));
	json_object_set_new(j, "title", json_string(hdf_get_value(def, "title", "")));
	json_object_set_new(j, "category", json_string(hdf_get_value(def, "category", "")));
	protos = json_array();
	for (p = hdf_obj_child(hdf_get_obj(def, "Protocols")); p != NULL; p = hdf_obj_next(p)) {
		pj = json_object();
		json_object_set_new(pj, "key", json_string(hdf_obj_name(p)));
		json_object_set_new(pj, "label", json_string(hdf_get_value(p, "label", "")));
		json_object_set_new(pj, "kind", json_string(hdf_get_value(p, "kind", "")));
		json_object_set_new(pj, "on_premises",
		    json_boolean(hdf_get_int_value(p, "onpremises", 0) == 1));
		json_array_append_new(protos, pj);
	}
	json_object_set_new(j, "protocols", protos);
	json_object_set_new(j, "egress", egress);
	api_reply(r, 200, j);
	return 0;
}

/* GET /api/v1/connections/{id}: the Details tab; secrets by name only. */
int
api_connections_get(struct req *r, json_t *body)
{
	struct conn		*c;
	char			 cid[24];
	const char		*params[1] = { cid };
	PGresult		*secrets = NULL;
	json_t			*j, *team, *settings, *egress, *flows = NULL;
	struct oauthclient	 oc;
	char			 etag[24];
	int			 rc, uses;

	(void)body;
	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	rc = -1;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	/* Names and dates only: the sealed values are not even read. */
	secrets = db_exec_named(&r->app->db, "api_connections_secrets",
	    "SELECT field, " API_TS("updated_at") " AS updated_at"
	    " FROM connection_secrets WHERE connection_id = $1 ORDER BY field", 1, params);
	if (secrets == NULL || (flows = api_connections_flows(r, c->id)) == NULL)
		goto out;

	j = json_object();
	json_object_set_new(j, "id", json_integer(c->id));
	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "description", json_string(c->description));
	json_object_set_new(j, "connector", json_string(c->connector));
	json_object_set_new(j, "auth_protocol", json_string(c->protocol));
	json_object_set_new(j, "api_type", json_string(c->api_type));
	json_object_set_new(j, "execution_context", json_string(c->context));
	json_object_set_new(j, "status", json_string(c->status));
	json_object_set_new(j, "status_label", json_string(conn_status_label(c->status)));
	json_object_set_new(j, "last_tested_at", api_connections_time(c->last_tested_at));
	json_object_set_new(j, "last_test_result", *c->last_test_result != '\0' ?
	    json_string(c->last_test_result) : json_null());
	api_connections_health(j, c);
	team = json_object();
	json_object_set_new(team, "id", json_integer(c->owner_team_id));
	json_object_set_new(team, "name", json_string(c->owner_team));
	json_object_set_new(j, "owner_team", team);
	if ((settings = json_loads(c->settings, 0, NULL)) == NULL || !json_is_object(settings)) {
		json_decref(settings);
		settings = json_object();
	}
	json_object_set_new(j, "settings", settings);
	json_object_set_new(j, "secrets", api_rows(secrets, api_connections_secret));
	json_object_set_new(j, "flows", flows);
	flows = NULL;
	json_object_set_new(j, "version", json_integer(c->version));
	/* The saved OAuth client it uses (its id only), as PATCH takes it. */
	if ((uses = oauthclient_for_conn(&r->actor, c->id, 0, &oc)) == -1) {
		oauthclient_free(&oc);
		json_decref(j);
		goto out;
	}
	json_object_set_new(j, "oauth_client_id", uses == 1 ? json_integer(oc.id) : json_null());
	oauthclient_free(&oc);
	json_object_set_new(j, "uplink", c->uplink_id > 0 ? json_string(c->uplink) : json_null());
	if ((egress = api_connections_egress(r, c->uplink_id, c->uplink)) == NULL) {
		json_decref(j);
		goto out;
	}
	json_object_set_new(j, "egress", egress);
	/* The version as an ETag: PATCH and PUT take it back in If-Match. */
	snprintf(etag, sizeof(etag), "\"%d\"", c->version);
	http_header(r, "ETag", etag);
	api_reply(r, 200, j);
	rc = 0;
out:
	db_clear(secrets);
	json_decref(flows);
	conn_free(c);
	return rc;
}

/*
 * POST /api/v1/connections/{id}/test: test now, as the engine does when a
 * flow is opened or a connection selected. Body (optional):
 * {"trigger": "flow_open" | "api" | "schedule"}; default "api".
 */
int
api_connections_test(struct req *r, json_t *body)
{
	struct conn		*c;
	struct probe_outcome	 o;
	struct api_fault	 fault;
	const char		*trigger;
	char			 message[200];
	json_t			*j;
	int			 rc;

	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	rc = 0;
	if (c->perm < PERM_USE) {
		api_error(r, 403, "forbidden",
		    "Your role does not allow testing this connection.");
		goto out;
	}
	if (api_connections_trigger_parse(body, &trigger, &fault) != 0) {
		api_fault_reply(r, &fault);
		goto out;
	}
	if (tester_rate_limited(&r->actor)) {
		api_error(r, 429, "rate_limited", "Too many tests in the last minute.");
		goto out;
	}
	probe_outcome_init(&o);
	switch (tester_run(&r->actor, c, trigger, &o, message, sizeof(message))) {
	case -1:
		probe_outcome_free(&o);
		rc = -1;
		goto out;
	case TESTER_GONE:
		probe_outcome_free(&o);
		api_error(r, 409, "deleted", TESTER_GONE_MESSAGE);
		goto out;
	case TESTER_BUSY:
		/* Not tested: another test holds the OAuth refresh lock. */
		probe_outcome_free(&o);
		http_header(r, "Retry-After", HTTP_RETRY_AFTER);
		api_error(r, 503, "busy", "%s", message);
		goto out;
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:I}", "result", probe_result_key(o.result),
	    "status", o.result == PROBE_OK ? "ok" : o.result == PROBE_NEEDS_RECONNECT ?
	    "needs_reconnect" : "failing", "message", message,
	    "http_status", (json_int_t)o.http_status, "latency_ms", (json_int_t)o.latency_ms);
	probe_outcome_free(&o);
	api_reply(r, 200, j);
out:
	conn_free(c);
	return rc;
}

int
api_connections_trigger_parse(json_t *body, const char **trigger, struct api_fault *fault)
{
	const char	*key;
	char		 name[72];
	json_t		*v;

	*trigger = "api";
	memset(fault, 0, sizeof(*fault));
	if (body == NULL)
		return 0;
	json_object_foreach(body, key, v) {
		const char	*t = json_string_value(v);

		if (strcmp(key, "trigger") == 0 && t != NULL &&
		    (strcmp(t, "flow_open") == 0 || strcmp(t, "api") == 0 ||
		    strcmp(t, "schedule") == 0)) {
			*trigger = strcmp(t, "flow_open") == 0 ? "flow_open" :
			    strcmp(t, "api") == 0 ? "api" : "schedule";
			continue;
		}
		api_clip(key, name, sizeof(name));
		return api_fault(fault, strcmp(key, "trigger") == 0 ? "invalid" :
		    "unknown_key", name, strcmp(key, "trigger") == 0 ?
		    "\"trigger\" is flow_open, api or schedule." :
		    "Unknown key \"%s\".", name);
	}
	return 0;
}

/* ------------------------------------------------- replace across flows */

/* The body of a replace: {"replacement_id": N, "flow_ids": [N, …] (optional:
 * every flow the user may change), "dry_run": bool (optional)}; every key
 * known, ids positive and listed once. */
int
api_connections_replace_parse(json_t *body, struct replace_in *in, struct replace_pick *picks,
    struct api_fault *fault)
{
	const char	*key;
	char		 name[72];
	json_t		*v, *id;
	size_t		 i, k;

	memset(fault, 0, sizeof(*fault));
	if (body == NULL || json_object_get(body, "replacement_id") == NULL)
		return api_fault(fault, "missing_key", "replacement_id",
		    "The key \"replacement_id\" is required.");
	json_object_foreach(body, key, v) {
		if (strcmp(key, "replacement_id") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1)
				return api_fault(fault, "invalid_field", key,
				    "\"replacement_id\" must be a connection id.");
			in->to = json_integer_value(v);
		} else if (strcmp(key, "dry_run") == 0) {
			if (!json_is_boolean(v))
				return api_fault(fault, "invalid_field", key,
				    "\"dry_run\" must be true or false.");
			in->dry_run = json_is_true(v);
		} else if (strcmp(key, "flow_ids") == 0) {
			if (!json_is_array(v) || json_array_size(v) > REPLACE_FLOWS_MAX)
				return api_fault(fault, "invalid_field", key, "\"flow_ids\" must be"
				    " an array of at most %d flow ids.", REPLACE_FLOWS_MAX);
			json_array_foreach(v, i, id) {
				if (!json_is_integer(id) || json_integer_value(id) < 1)
					return api_fault(fault, "invalid_field", key,
					    "\"flow_ids\" must be an array of flow ids.");
				for (k = 0; k < i; k++)
					if (picks[k].flow == json_integer_value(id))
						return api_fault(fault, "invalid_field", key,
						    "\"flow_ids\": flow %lld is listed twice.",
						    (long long)json_integer_value(id));
				picks[i].flow = json_integer_value(id);
				picks[i].stamp[0] = '\0';
			}
			in->picks = picks;
			in->npicks = json_array_size(v);
		} else {
			api_clip(key, name, sizeof(name));
			return api_fault(fault, "unknown_key", name, "Unknown key \"%s\".", name);
		}
	}
	return 0;
}

/* A flow of the preview. */
static json_t *
api_connections_replace_flow(PGresult *res, int i)
{
	json_t	*f = json_object();

	api_fields(f, res, i, (const char *const[]){ "id", "#id", "name", "name",
	    "version", "#version", "status", "status", "owner", "owner",
	    "updated_at", "updated_at", NULL });
	json_object_set_new(f, "may_change", json_boolean(strcmp(db_get(res, i, "may_change"),
	    "t") == 0));
	json_object_set_new(f, "chosen", json_boolean(strcmp(db_get(res, i, "chosen"),
	    "t") == 0));
	return f;
}

/* The answer's status and error code for a refusal. */
static void
api_connections_replace_refused(struct req *r, int rc, const struct replace_result *res)
{
	static const struct {
		int		 rc, status;
		const char	*code, *field;
	} map[] = {
		{ REPLACE_NOT_FOUND, 404, "not_found", NULL },
		{ REPLACE_FORBIDDEN, 403, "forbidden", NULL },
		{ REPLACE_TO_NOT_FOUND, 404, "connection_not_found", "replacement_id" },
		{ REPLACE_TO_FORBIDDEN, 403, "forbidden", "replacement_id" },
		{ REPLACE_SAME, 422, "incompatible", "replacement_id" },
		{ REPLACE_INCOMPATIBLE, 422, "incompatible", "replacement_id" },
		{ REPLACE_NO_FLOWS, 422, "no_flows", "flow_ids" },
		{ REPLACE_FLOW_NOT_USING, 422, "flow_not_using", "flow_ids" },
		{ REPLACE_FLOW_FORBIDDEN, 403, "forbidden", "flow_ids" },
		{ REPLACE_CONFLICT, 409, "conflict", "flow_ids" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]) - 1 && map[i].rc != rc; i++)
		continue;
	api_error_field(r, map[i].status, map[i].code, map[i].field, "%s", res->why);
}

/*
 * POST /api/v1/connections/{id}/replace: put another connection in this
 * one's place in its flows (replace.c, as the page does). A dry run answers
 * the preview and changes nothing. Statuses: 200, 400 (body), 403, 404,
 * 409 (a chosen flow changed meanwhile: nothing changed), 422.
 */
int
api_connections_replace(struct req *r, json_t *body)
{
	struct replace_pick	*picks;
	struct replace_result	 res;
	struct replace_in	 in;
	struct api_fault	 fault;
	json_t			*j, *to, *warnings;
	int			 rc, passed;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	in.from = r->arg_id;
	picks = xcalloc(REPLACE_FLOWS_MAX, sizeof(*picks));
	if (api_connections_replace_parse(body, &in, picks, &fault) != 0) {
		api_fault_reply(r, &fault);
		rc = 0;
		goto out;
	}
	if ((rc = replace_run(&r->actor, &in, &res)) == -1)
		goto out;
	if (rc != REPLACE_DONE) {
		api_connections_replace_refused(r, rc, &res);
		rc = 0;
		goto out;
	}
	passed = strcmp(res.to->last_test_result, "ok") == 0;
	j = json_object();
	json_object_set_new(j, "dry_run", json_boolean(in.dry_run));
	json_object_set_new(j, "connection_id", json_integer(in.from));
	to = json_object();
	json_object_set_new(to, "id", json_integer(res.to->id));
	json_object_set_new(to, "name", json_string(res.to->name));
	json_object_set_new(to, "status", json_string(res.to->status));
	json_object_set_new(to, "last_test_passed", json_boolean(passed));
	json_object_set_new(to, "last_tested_at", api_connections_time(res.to->last_tested_at));
	json_object_set_new(j, "replacement", to);
	warnings = json_array();
	if (!passed)
		json_array_append_new(warnings, json_string("The replacement's last test did"
		    " not pass: flows moved to it may fail."));
	json_object_set_new(j, "warnings", warnings);
	if (in.dry_run)
		json_object_set_new(j, "flows", api_rows(res.flows, api_connections_replace_flow));
	else {
		json_object_set_new(j, "replaced", json_integer(res.moved));
		json_object_set_new(j, "remaining", json_integer(res.remaining));
	}
	api_reply(r, 200, j);
	rc = 0;
out:
	free(picks);
	replace_result_free(&res);
	return rc;
}

/* ------------------------------------------------ history: tests, versions */

/*
 * A history's cursor: base64url of "KIND.KEY" (tests: "t.STAMP.ID", the
 * last row's tested_at and id; versions: "v.N"). Not signed: it only moves
 * within one connection the user may see; every part is checked and passed
 * as a parameter. 0, or 1 with the 400 made.
 */
static int
api_history_cursor(struct req *r, char kind, char *stamp, size_t stamplen, char *id,
    size_t idlen)
{
	const char	*c = req_param(r, "cursor"), *dot;
	char		 p[128];
	size_t		 len;

	if (c == NULL)
		return 0;
	if (strlen(c) > 160 || sodium_base642bin((unsigned char *)p, sizeof(p) - 1, c,
	    strlen(c), NULL, &len, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
		goto bad;
	p[len] = '\0';
	if (memchr(p, '\0', len) != NULL || len < 3 || p[0] != kind || p[1] != '.')
		goto bad;
	if (kind == 't') {
		/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" then "." and the id. */
		if ((dot = strrchr(p + 2, '.')) == NULL || (size_t)(dot - (p + 2)) != 27 ||
		    (size_t)(dot - (p + 2)) >= stamplen || valid_int(dot + 1, 1, INT64_MAX, NULL) != NULL)
			goto bad;
		snprintf(stamp, stamplen, "%.*s", 27, p + 2);
		if (strspn(stamp, "0123456789-T:.Z") != 27 || stamp[10] != 'T' || stamp[26] != 'Z')
			goto bad;
		snprintf(id, idlen, "%.20s", dot + 1);
	} else {
		if (valid_int(p + 2, 1, INT32_MAX, NULL) != NULL)
			goto bad;
		snprintf(id, idlen, "%.20s", p + 2);
	}
	return 0;
bad:
	r->log_note = "bad cursor";
	api_error_field(r, 400, "invalid_parameter", "cursor",
	    "The cursor is not one this API gave.");
	return 1;
}

static json_t *
api_history_next(const char *plain)
{
	char	 b64[256];

	sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)plain, strlen(plain),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return json_string(b64);
}

/* Answer {key: [row(res, i) for the first limit rows], "next_cursor"}: the
 * cursor ("KIND.KEY", base64url) after the last row shown when res holds
 * one row more than limit; next(res, i, buf, len) writes its plain text. */
static void
api_history_reply(struct req *r, PGresult *res, long long limit, const char *key,
    json_t *(*row)(PGresult *, int), void (*next)(PGresult *, int, char *, size_t))
{
	char	 plain[96];
	json_t	*j = json_object(), *list = json_array();
	int	 i, shown = db_rows(res) > limit ? (int)limit : db_rows(res);

	for (i = 0; i < shown; i++)
		json_array_append_new(list, row(res, i));
	json_object_set_new(j, key, list);
	if (db_rows(res) > limit) {
		next(res, shown - 1, plain, sizeof(plain));
		json_object_set_new(j, "next_cursor", api_history_next(plain));
	} else
		json_object_set_new(j, "next_cursor", json_null());
	api_reply(r, 200, j);
}

static void
api_history_test_next(PGresult *res, int i, char *buf, size_t len)
{
	snprintf(buf, len, "t.%s.%s", db_get(res, i, "k"), db_get(res, i, "id"));
}

static void
api_history_version_next(PGresult *res, int i, char *buf, size_t len)
{
	snprintf(buf, len, "v.%s", db_get(res, i, "version"));
}

/* limit (1..200, default 50): 0, or 1 with the 400 made. */
static int
api_history_limit(struct req *r, long long *limit, char *buf, size_t len)
{
	const char	*v = req_param(r, "limit");

	*limit = API_LIMIT;
	if (v != NULL && valid_int(v, 1, API_LIMIT_MAX, limit) != NULL) {
		api_error_field(r, 400, "invalid_parameter", "limit",
		    "\"limit\" must be an integer from 1 to %d.", API_LIMIT_MAX);
		return 1;
	}
	snprintf(buf, len, "%lld", *limit + 1);
	return 0;
}

static json_t *
api_history_test(PGresult *res, int i)
{
	json_t	*t = json_object();

	api_fields(t, res, i, (const char *const[]){ "tested_at", "at", "trigger", "trigger",
	    "result", "result", "message", "message", "by", "who", NULL });
	json_object_set_new(t, "http_status", db_isnull(res, i, "http_status") ? json_null() :
	    api_int(res, i, "http_status"));
	json_object_set_new(t, "latency_ms", db_isnull(res, i, "latency_ms") ? json_null() :
	    api_int(res, i, "latency_ms"));
	json_object_set_new(t, "user_id", db_isnull(res, i, "user_id") ? json_null() :
	    api_int(res, i, "user_id"));
	return t;
}

/*
 * GET /api/v1/connections/{id}/tests: the test history, newest first, as
 * the History tab shows it: {"tests": […], "next_cursor"}. Query: limit,
 * cursor. Statuses: 200, 400, 404.
 */
int
api_connections_tests(struct req *r, json_t *body)
{
	struct conn	*c;
	char		 cid[24], lim[24], stamp[32] = "", id[24] = "";
	const char	*params[4] = { cid, lim, stamp, id };
	long long	 limit;
	PGresult	*res;
	int		 rc;

	(void)body;
	if (api_history_limit(r, &limit, lim, sizeof(lim)) ||
	    api_history_cursor(r, 't', stamp, sizeof(stamp), id, sizeof(id)))
		return 0;
	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	conn_free(c);
	res = db_exec_named(&r->app->db, *id == '\0' ? "api_tests_first" : "api_tests_after",
	    *id == '\0' ?
	    "SELECT t.id, " API_TS("t.tested_at") " AS at, to_char(t.tested_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS k, t.trigger, t.result,"
	    " t.http_status, t.latency_ms, t.message, t.user_id, u.email AS who"
	    " FROM connection_tests t LEFT JOIN users u ON u.id = t.triggered_by"
	    " WHERE t.connection_id = $1 ORDER BY t.tested_at DESC, t.id DESC LIMIT $2" :
	    "SELECT t.id, " API_TS("t.tested_at") " AS at, to_char(t.tested_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS k, t.trigger, t.result,"
	    " t.http_status, t.latency_ms, t.message, t.user_id, u.email AS who"
	    " FROM connection_tests t LEFT JOIN users u ON u.id = t.triggered_by"
	    " WHERE t.connection_id = $1 AND (t.tested_at, t.id) < ($3::timestamptz, $4::bigint)"
	    " ORDER BY t.tested_at DESC, t.id DESC LIMIT $2", *id == '\0' ? 2 : 4, params);
	if (res == NULL)
		return -1;
	api_history_reply(r, res, limit, "tests", api_history_test, api_history_test_next);
	db_clear(res);
	return 0;
}

static json_t *
api_history_version(PGresult *res, int i)
{
	json_t	*v = json_object(), *fields, *f;

	api_fields(v, res, i, (const char *const[]){ "version", "#version",
	    "changed_at", "at", "changed_by", "who", NULL });
	/* Names of the fields that changed: settings keys, secrets by name,
	 * "KEY.expires_on"; never a value. */
	if ((fields = json_loads(db_get(res, i, "fields"), 0, NULL)) == NULL ||
	    !json_is_array(fields)) {
		json_decref(fields);
		fields = json_array();
	}
	json_object_set_new(v, "changed_fields", fields);
	f = json_object();
	json_object_set_new(f, "uplink", *db_get(res, i, "uplink") != '\0' ?
	    api_text(res, i, "uplink") : json_null());
	json_object_set_new(v, "connection_mode", f);
	return v;
}

/*
 * GET /api/v1/connections/{id}/versions: saved versions, newest first:
 * number, when, by whom, the names of the fields that changed (never a
 * value) and the connection mode then: {"versions": […], "next_cursor"}.
 * Query: limit, cursor. Statuses: 200, 400, 404.
 */
int
api_connections_versions(struct req *r, json_t *body)
{
	struct conn	*c;
	char		 cid[24], lim[24], stamp[8], before[24] = "";
	const char	*params[3] = { cid, lim, before };
	long long	 limit;
	PGresult	*res;
	int		 rc;

	(void)body;
	if (api_history_limit(r, &limit, lim, sizeof(lim)) ||
	    api_history_cursor(r, 'v', stamp, sizeof(stamp), before, sizeof(before)))
		return 0;
	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	conn_free(c);
	if (*before == '\0')
		snprintf(before, sizeof(before), "%d", INT32_MAX);
	res = db_exec_named(&r->app->db, "api_versions",
	    "SELECT v.version, " API_TS("v.changed_at") " AS at, u.email AS who,"
	    " array_to_json(v.changed_fields)::text AS fields, v.uplink"
	    " FROM connection_versions v LEFT JOIN users u ON u.id = v.changed_by"
	    " WHERE v.connection_id = $1 AND v.version < $3::int"
	    " ORDER BY v.version DESC LIMIT $2", 3, params);
	if (res == NULL)
		return -1;
	api_history_reply(r, res, limit, "versions", api_history_version,
	    api_history_version_next);
	db_clear(res);
	return 0;
}
