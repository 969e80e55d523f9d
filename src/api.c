/*
 * api.c — the JSON API under /api/v1 for the automation engine and
 * scripts: connections (list, one, test) and the flows registry (list,
 * get, create, replace, delete). Tokens only (Authorization: Bearer, looked
 * up by their hash in api_tokens), never cookies, so there is no CSRF to
 * check; the token's user acts with the permissions the pages give them
 * (conn_get), and every change to a flow is audited in its transaction.
 *
 * Inputs: Authorization; GET page, per_page on the two lists; on POST and
 * PUT a JSON object (Content-Type: application/json, at most
 * http.body_max bytes). Flow object: name, version, status, owner,
 * description, progress_status, connections (ids); no other key.
 * Statuses: 200, 201 (flow created, with Location), 204 (flow deleted),
 * 400 (malformed, unknown key, bad value), 401 (no, bad, revoked or expired
 * token; WWW-Authenticate: Bearer), 403 (visible but the role does not
 * allow it), 404 (no such endpoint, or an object that is missing or not
 * visible: identical), 405 (with Allow), 409 (a connection deleted while
 * it was being tested), 413, 415, 429 (too many tests), 503 (database; or
 * "busy" with Retry-After when a connection test waited too long for
 * another test's OAuth token refresh).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"

#define API_JSON		"application/json; charset=utf-8"
#define API_PER_PAGE		50
#define API_PER_PAGE_MAX	200
#define API_PAGE_MAX		100000
#define API_DRAIN_MAX		(4 * 1024 * 1024)

enum api_method {
	API_GET,
	API_HEAD,
	API_POST,
	API_PUT,
	API_DELETE,
	API_OTHER,
};

typedef int	(*api_fn)(struct req *, json_t *);

struct api_route {
	struct route	 rt;		/* pattern (access log), declared query */
	api_fn		 get;		/* also HEAD */
	api_fn		 post;
	api_fn		 put;
	api_fn		 del;
};

static void	api_error_field(struct req *, int, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 5, 6)));
static int	api_fault(struct api_fault *, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	api_connections(struct req *, json_t *);
static int	api_connection(struct req *, json_t *);
static int	api_connection_test(struct req *, json_t *);
static int	api_flows(struct req *, json_t *);
static int	api_flow_create(struct req *, json_t *);
static int	api_flow(struct req *, json_t *);
static int	api_flow_replace(struct req *, json_t *);
static int	api_flow_delete(struct req *, json_t *);

static const char *const q_none[] = { NULL };
static const char *const q_page[] = { "page", "per_page", NULL };

static const struct api_route api_routes[] = {
	{ .rt = { .pattern = "/api/v1/connections", .params = q_page, .multi = q_none },
	    .get = api_connections },
	{ .rt = { .pattern = "/api/v1/connections/{id}", .params = q_none, .multi = q_none },
	    .get = api_connection },
	{ .rt = { .pattern = "/api/v1/connections/{id}/test", .params = q_none,
	    .multi = q_none }, .post = api_connection_test },
	{ .rt = { .pattern = "/api/v1/flows", .params = q_page, .multi = q_none },
	    .get = api_flows, .post = api_flow_create },
	{ .rt = { .pattern = "/api/v1/flows/{id}", .params = q_none, .multi = q_none },
	    .get = api_flow, .put = api_flow_replace, .del = api_flow_delete },
};

/* ISO 8601 in UTC, NULL stays NULL. */
#define API_TS(col)							\
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Connections the user $N sees (not an admin): their teams' and shared. */
#define API_VISIBLE(col, uid)						\
	col " IN (SELECT o.id FROM connections o JOIN team_members m"	\
	" ON m.team_id = o.owner_team_id WHERE m.user_id = " uid	\
	" UNION ALL SELECT sh.connection_id FROM connection_shares sh"	\
	" JOIN team_members tm ON tm.team_id = sh.team_id"		\
	" WHERE tm.user_id = " uid ")"

/* The user's level on connection c (user $2, admin $3), as conn_get has it. */
#define API_PERM							\
	"CASE WHEN $3::boolean THEN 3 ELSE GREATEST("			\
	" COALESCE((SELECT CASE m.role WHEN 'manager' THEN 3"		\
	"  WHEN 'member' THEN 2 ELSE 1 END FROM team_members m"		\
	"  WHERE m.team_id = c.owner_team_id AND m.user_id = $2), 0),"	\
	" COALESCE((SELECT max(LEAST(CASE sh.permission WHEN 'manage'"	\
	"  THEN 3 ELSE 2 END, CASE m.role WHEN 'manager' THEN 3"	\
	"  WHEN 'member' THEN 2 ELSE 1 END)) FROM connection_shares sh"	\
	"  JOIN team_members m ON m.team_id = sh.team_id"		\
	"  WHERE sh.connection_id = c.id AND m.user_id = $2), 0)) END"

static const char api_token_sql[] =
    "WITH t AS ("
    " SELECT a.id, a.user_id, a.last_used_at, u.email, u.name, u.is_admin"
    " FROM api_tokens a JOIN users u ON u.id = a.user_id"
    " WHERE a.token_hash = $1::bytea AND a.revoked_at IS NULL"
    "  AND (a.expires_at IS NULL OR a.expires_at > now()) AND NOT u.disabled),"
    " touch AS (UPDATE api_tokens x SET last_used_at = now() FROM t"
    "  WHERE x.id = t.id AND (t.last_used_at IS NULL"
    "  OR t.last_used_at < now() - interval '1 minute'))"
    " SELECT user_id, email, name, is_admin FROM t";

#define API_CONN_COLS							\
	"SELECT c.id, c.name, c.connector, c.auth_protocol, c.api_type,"	\
	" c.execution_context, c.status, " API_TS("c.last_tested_at")	\
	" AS tested, c.last_test_result, c.owner_team_id, t.name AS team,"	\
	" (SELECT count(*) FROM flow_connections fc"			\
	" WHERE fc.connection_id = c.id) AS flows"

static const char conn_count_all[] = "SELECT count(*) AS n FROM connections c";
static const char conn_count_vis[] =
    "SELECT count(*) AS n FROM connections c WHERE " API_VISIBLE("c.id", "$1");
static const char conn_page_all[] = API_CONN_COLS
    " FROM (SELECT c.* FROM connections c ORDER BY lower(c.name), c.id"
    " LIMIT $1 OFFSET $2) c JOIN teams t ON t.id = c.owner_team_id"
    " ORDER BY lower(c.name), c.id";
static const char conn_page_vis[] = API_CONN_COLS
    " FROM (SELECT c.* FROM connections c WHERE " API_VISIBLE("c.id", "$1")
    " ORDER BY lower(c.name), c.id LIMIT $2 OFFSET $3) c"
    " JOIN teams t ON t.id = c.owner_team_id ORDER BY lower(c.name), c.id";

/*
 * Flows a user sees: all for admins; otherwise those using a connection
 * they see, and those using none (nothing of a team's to hide, and the
 * engine must be able to read back a draft it registered bare).
 */
#define API_FLOW_VISIBLE						\
	"(NOT EXISTS (SELECT 1 FROM flow_connections v WHERE v.flow_id = f.id)"	\
	" OR EXISTS (SELECT 1 FROM flow_connections v WHERE v.flow_id = f.id"	\
	" AND " API_VISIBLE("v.connection_id", "$1") "))"

#define API_FLOW_COLS							\
	"SELECT f.id, f.name, f.version, f.status, f.owner, f.description,"	\
	" f.progress_status, " API_TS("f.created_at") " AS created_at, "	\
	API_TS("f.updated_at") " AS updated_at"

static const char flow_count_all[] = "SELECT count(*) AS n FROM flows f";
static const char flow_count_vis[] =
    "SELECT count(*) AS n FROM flows f WHERE " API_FLOW_VISIBLE;
static const char flow_page_all[] = API_FLOW_COLS ","
    " (SELECT COALESCE(json_agg(fc.connection_id ORDER BY fc.connection_id), '[]')"
    " FROM flow_connections fc WHERE fc.flow_id = f.id)::text AS conns"
    " FROM flows f ORDER BY lower(f.name), f.id LIMIT $1 OFFSET $2";
static const char flow_page_vis[] = API_FLOW_COLS ","
    " (SELECT COALESCE(json_agg(fc.connection_id ORDER BY fc.connection_id), '[]')"
    " FROM flow_connections fc WHERE fc.flow_id = f.id"
    " AND " API_VISIBLE("fc.connection_id", "$1") ")::text AS conns"
    " FROM flows f WHERE " API_FLOW_VISIBLE
    " ORDER BY lower(f.name), f.id LIMIT $2 OFFSET $3";

/* The statements of one paged listing: all rows (admins) or the visible ones. */
struct api_paged {
	const char	*count_all, *page_all, *count_vis, *page_vis;
	const char	*names[4];	/* their prepared names, same order */
};

static const struct api_paged conn_paged = {
	conn_count_all, conn_page_all, conn_count_vis, conn_page_vis,
	{ "api_conn_count_all", "api_conn_page_all", "api_conn_count_vis", "api_conn_page_vis" },
};
static const struct api_paged flow_paged = {
	flow_count_all, flow_page_all, flow_count_vis, flow_page_vis,
	{ "api_flow_count_all", "api_flow_page_all", "api_flow_count_vis", "api_flow_page_vis" },
};

/* Run a paged listing's count and page; -1 when either failed. */
static int
api_page_fetch(struct req *r, const struct api_paged *q, long long page,
    long long per_page, PGresult **count, PGresult **rows)
{
	char		 uid[24], limit[24], offset[24];
	const char	*params[3];

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(limit, sizeof(limit), "%lld", per_page);
	snprintf(offset, sizeof(offset), "%lld", (page - 1) * per_page);
	if (r->sess->is_admin) {
		params[0] = limit, params[1] = offset;
		*count = db_exec_named(&r->app->db, q->names[0], q->count_all, 0, NULL);
		*rows = db_exec_named(&r->app->db, q->names[1], q->page_all, 2, params);
	} else {
		params[0] = uid, params[1] = limit, params[2] = offset;
		*count = db_exec_named(&r->app->db, q->names[2], q->count_vis, 1, params);
		*rows = db_exec_named(&r->app->db, q->names[3], q->page_vis, 3, params);
	}
	return *count != NULL && *rows != NULL ? 0 : -1;
}

static const char flow_get_sql[] = API_FLOW_COLS " FROM flows f WHERE f.id = $1";
static const char flow_lock_sql[] = API_FLOW_COLS " FROM flows f WHERE f.id = $1"
    " FOR UPDATE";
/* A flow's connections with the user's level on each ($2 user, $3 admin). */
static const char flow_conns_sql[] =
    "SELECT c.id, " API_PERM " AS perm FROM flow_connections fc"
    " JOIN connections c ON c.id = fc.connection_id WHERE fc.flow_id = $1"
    " ORDER BY c.id";
/* The user's level on each listed connection, 0 when there is none. */
static const char conns_check_sql[] =
    "SELECT x.id, CASE WHEN c.id IS NULL THEN 0 ELSE " API_PERM " END AS perm"
    " FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n)"
    " LEFT JOIN connections c ON c.id = x.id ORDER BY x.n";

/* ------------------------------------------------------------ responses */

static void
api_reply(struct req *r, int status, json_t *j)
{
	char	*s = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	r->status = status;
	r->content_type = API_JSON;
	r->out.len = 0;
	if (s == NULL) {
		r->status = 500;
		buf_puts(&r->out, "{\"error\":\"internal\","
		    "\"message\":\"An unexpected error occurred.\"}\n");
	} else {
		buf_puts(&r->out, s);
		buf_puts(&r->out, "\n");
	}
	free(s);
	json_decref(j);
}

/* {"error": code, "message": ...}; `field` (may be NULL) names a key. */
static void
api_error_field(struct req *r, int status, const char *code, const char *field,
    const char *fmt, ...)
{
	char	 msg[512];
	json_t	*j, *m, *f;
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A message cut inside a character is not a JSON string: say less. */
	if ((m = json_string(msg)) == NULL)
		m = json_string("The request cannot be processed.");
	j = json_object();
	json_object_set_new(j, "error", json_string(code));
	json_object_set_new(j, "message", m);
	if (field != NULL && (f = json_string(field)) != NULL)
		json_object_set_new(j, "field", f);
	api_reply(r, status, j);
}

#define api_error(r, status, code, ...)					\
	api_error_field(r, status, code, NULL, __VA_ARGS__)

/* Fill *f with a 400 naming `field` (may be NULL); returns 1. */
static int
api_fault(struct api_fault *f, const char *code, const char *field,
    const char *fmt, ...)
{
	va_list	 ap;

	f->code = code;
	f->has_field = field != NULL;
	snprintf(f->field, sizeof(f->field), "%s", field != NULL ? field : "");
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return 1;
}

/* Answer the 400 a body parser described. */
static void
api_fault_reply(struct req *r, const struct api_fault *f)
{
	if (f->note != NULL)
		r->log_note = f->note;
	api_error_field(r, 400, f->code, f->has_field ? f->field : NULL, "%s",
	    f->message);
}

static void
api_unavailable(struct req *r)
{
	http_header(r, "Retry-After", HTTP_RETRY_AFTER);
	api_error(r, 503, "unavailable",
	    "The database is not reachable right now. Try again shortly.");
}

static void
api_unauthorized(struct req *r, int invalid)
{
	r->log_note = invalid ? "bad token" : "no token";
	http_header(r, "WWW-Authenticate", invalid ?
	    "Bearer realm=\"tether\", error=\"invalid_token\"" : "Bearer realm=\"tether\"");
	if (invalid)
		api_error(r, 401, "unauthorized",
		    "The API token is not valid, has expired or was revoked.");
	else
		api_error(r, 401, "unauthorized",
		    "Send an API token: Authorization: Bearer TOKEN.");
}

static json_t *
api_text(PGresult *res, int row, const char *col)
{
	if (db_isnull(res, row, col))
		return json_null();
	return json_string(db_get(res, row, col));
}

static json_t *
api_int(PGresult *res, int row, const char *col)
{
	return json_integer(strtoll(db_get(res, row, col), NULL, 10));
}

/* Answer a paged listing: {key: list, page, per_page, total}; takes list. */
static void
api_reply_page(struct req *r, const char *key, json_t *list, long long page,
    long long per_page, PGresult *count)
{
	json_t	*j = json_object();

	json_object_set_new(j, key, list);
	json_object_set_new(j, "page", json_integer(page));
	json_object_set_new(j, "per_page", json_integer(per_page));
	json_object_set_new(j, "total", api_int(count, 0, "n"));
	api_reply(r, 200, j);
}

/* At most outlen - 1 bytes of UTF-8 `s`, not cutting a character. */
static void
api_clip(const char *s, char *out, size_t outlen)
{
	size_t	 n = strlen(s);

	if (n >= outlen) {
		n = outlen - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(out, s, n);
	out[n] = '\0';
}

/* "{1,2,3}": a bigint[] parameter. */
static void
api_id_array(struct buf *b, const long long *ids, size_t n)
{
	size_t	 i;

	buf_puts(b, "{");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i > 0 ? "," : "", ids[i]);
	buf_puts(b, "}");
}

/* ------------------------------------------------------ request parsing */

static enum api_method
api_method(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return API_GET;
	if (strcmp(m, "HEAD") == 0)
		return API_HEAD;
	if (strcmp(m, "POST") == 0)
		return API_POST;
	if (strcmp(m, "PUT") == 0)
		return API_PUT;
	if (strcmp(m, "DELETE") == 0)
		return API_DELETE;
	return API_OTHER;
}

static const struct api_route *
api_match(struct req *r)
{
	size_t	 i;

	for (i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		r->arg_id = 0;
		if (route_path_match(api_routes[i].rt.pattern, r->path, &r->arg_id, NULL))
			return &api_routes[i];
	}
	r->arg_id = 0;
	return NULL;
}

static api_fn
api_handler(const struct api_route *ar, enum api_method m)
{
	switch (m) {
	case API_GET:
	case API_HEAD:
		return ar->get;
	case API_POST:
		return ar->post;
	case API_PUT:
		return ar->put;
	case API_DELETE:
		return ar->del;
	default:
		return NULL;
	}
}

static void
api_allow(const struct api_route *ar, struct buf *b)
{
	if (ar->get != NULL)
		buf_puts(b, "GET, HEAD");
	if (ar->post != NULL)
		buf_printf(b, "%sPOST", b->len > 0 ? ", " : "");
	if (ar->put != NULL)
		buf_printf(b, "%sPUT", b->len > 0 ? ", " : "");
	if (ar->del != NULL)
		buf_printf(b, "%sDELETE", b->len > 0 ? ", " : "");
}

/*
 * The token's user becomes r->sess, so that conn_get and audit_add work as
 * on the pages. 0 signed in; 1 refused (401 made); -1 database failure.
 */
static int
api_auth(struct req *r)
{
	const char	*h = req_env(r, "HTTP_AUTHORIZATION");
	const char	*token;
	char		 hash[68];
	const char	*params[1] = { hash };
	PGresult	*res;
	struct session	*s;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		api_unauthorized(r, 0);
		return 1;
	}
	for (token = h + 7; *token == ' '; token++)
		continue;
	if (!auth_token_shape_ok(token)) {
		api_unauthorized(r, 1);
		return 1;
	}
	auth_token_hash_hex(token, hash);
	if ((res = db_exec_named(&r->app->db, "api_token_get", api_token_sql, 1,
	    params)) == NULL)
		return -1;
	if (db_rows(res) != 1) {
		db_clear(res);
		api_unauthorized(r, 1);
		return 1;
	}
	s = xcalloc(1, sizeof(*s));
	s->user_id = strtoll(db_get(res, 0, "user_id"), NULL, 10);
	s->email = xstrdup(db_get(res, 0, "email"));
	s->name = xstrdup(db_get(res, 0, "name"));
	s->is_admin = strcmp(db_get(res, 0, "is_admin"), "t") == 0;
	r->sess = s;
	session_actor(r);
	db_clear(res);
	return 0;
}

/* The query string: declared parameters only, none repeated. 0 or 1 (400 made). */
static int
api_query(struct req *r)
{
	const char	*qs = req_env(r, "QUERY_STRING");
	enum form_err	 fe;
	size_t		 i, count;

	if (qs != NULL && *qs != '\0') {
		fe = form_parse_urlencoded(&r->in, qs, strlen(qs), r->app->cfg.fields_max);
		if (fe != FORM_OK) {
			r->log_note = form_strerror(fe);
			api_error(r, 400, "bad_request", "The query string is malformed.");
			return 1;
		}
	}
	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;

		if (!route_declares(r->route, name)) {
			r->log_note = "undeclared field";
			api_error_field(r, 400, "unknown_parameter", name,
			    "Unknown query parameter \"%s\".", name);
			return 1;
		}
		(void)fields_get(&r->in, name, &count);
		if (count > 1) {
			r->log_note = "repeated field";
			api_error_field(r, 400, "bad_request", name,
			    "The query parameter \"%s\" is repeated.", name);
			return 1;
		}
	}
	return 0;
}

/* application/json, with no charset or UTF-8. */
static int
api_is_json(const char *ct)
{
	static const char	 json[] = "application/json";
	size_t			 n = sizeof(json) - 1;
	const char		*cs;

	if (ct == NULL || strncasecmp(ct, json, n) != 0)
		return 0;
	ct += n;
	if (*ct != '\0' && *ct != ';' && *ct != ' ')
		return 0;
	for (cs = ct; *cs != '\0'; cs++) {
		if (strncasecmp(cs, "charset=", 8) != 0)
			continue;
		cs += 8;
		if (*cs == '"')
			cs++;
		return strncasecmp(cs, "utf-8", 5) == 0 &&
		    (cs[5] == '\0' || cs[5] == ';' || cs[5] == ' ' || cs[5] == '"');
	}
	return 1;
}

/* A JSON object body, or none. 0 with *out (NULL: no body); 1 when refused. */
static int
api_body(struct req *r, json_t **out)
{
	const char	*cl = req_env(r, "CONTENT_LENGTH");
	struct buf	 raw;
	struct api_fault fault;
	int		 st, rc = 1;

	*out = NULL;
	if (cl == NULL || *cl == '\0' || strcmp(cl, "0") == 0)
		return 0;
	if (!api_is_json(req_env(r, "CONTENT_TYPE"))) {
		r->log_note = "content type";
		api_error(r, 415, "unsupported_media_type",
		    "Send the body as application/json.");
		return 1;
	}
	buf_init(&raw);
	if ((st = req_read_raw(r, &raw)) != 0) {
		r->log_note = st == 413 ? "body too large" : "bad body";
		if (st == 413)
			api_error(r, 413, "payload_too_large",
			    "The body is larger than %zu bytes.", r->app->cfg.body_max);
		else
			api_error(r, 400, "bad_request", "The body could not be read.");
		goto out;
	}
	if (raw.len == 0) {
		rc = 0;
		goto out;
	}
	if (api_json_parse(raw.data, raw.len, out, &fault) != 0) {
		api_fault_reply(r, &fault);
		goto out;
	}
	rc = 0;
out:
	buf_free(&raw);
	return rc;
}

int
api_json_parse(const char *data, size_t len, json_t **out, struct api_fault *fault)
{
	json_error_t	 jerr;
	json_t		*j;

	*out = NULL;
	memset(fault, 0, sizeof(*fault));
	if (!utf8_valid(data, len)) {
		fault->note = "bad utf-8";
		return api_fault(fault, "invalid_json", NULL,
		    "The body is not valid UTF-8.");
	}
	if ((j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		fault->note = "bad json";
		return api_fault(fault, "invalid_json", NULL,
		    "The body is not valid JSON: %s (line %d, column %d).", jerr.text,
		    jerr.line, jerr.column);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return api_fault(fault, "invalid_json", NULL,
		    "The body must be a JSON object.");
	}
	*out = j;
	return 0;
}

/* page and per_page; 0, or 1 when refused (400 made). */
static int
api_paging(struct req *r, long long *page, long long *per_page)
{
	const char	*v;

	*page = 1;
	*per_page = API_PER_PAGE;
	if ((v = req_param(r, "page")) != NULL &&
	    valid_int(v, 1, API_PAGE_MAX, page) != NULL) {
		api_error_field(r, 400, "invalid_parameter", "page",
		    "\"page\" must be an integer from 1 to %d.", API_PAGE_MAX);
		return 1;
	}
	if ((v = req_param(r, "per_page")) != NULL &&
	    valid_int(v, 1, API_PER_PAGE_MAX, per_page) != NULL) {
		api_error_field(r, 400, "invalid_parameter", "per_page",
		    "\"per_page\" must be an integer from 1 to %d.", API_PER_PAGE_MAX);
		return 1;
	}
	return 0;
}

/*
 * Read what is left of the request body and drop it. Answering early (401,
 * 413, 415, ...) and closing while nginx still writes the body makes nginx
 * log a broken pipe and answer 502 instead. Bounded: nginx itself refuses
 * bodies over client_max_body_size (1 MiB).
 */
static void
api_drain(struct req *r)
{
	char	 scratch[8192];
	size_t	 total = 0;
	int	 n;

	if (r->fr == NULL)
		return;
	while (total < API_DRAIN_MAX &&
	    (n = FCGX_GetStr(scratch, (int)sizeof(scratch), r->fr->in)) > 0)
		total += (size_t)n;
}

void
api_dispatch(struct req *r)
{
	const struct api_route	*ar;
	enum api_method		 m = api_method(r->method_name);
	json_t			*body = NULL;
	api_fn			 fn;
	struct buf		 allow;
	int			 rc;

	r->content_type = API_JSON;
	/* The pattern is logged whatever the answer; a token comes first. */
	if ((ar = api_match(r)) != NULL)
		r->route = &ar->rt;
	if ((rc = api_auth(r)) != 0) {
		if (rc == -1)
			api_unavailable(r);
		goto out;
	}
	if (ar == NULL) {
		api_error(r, 404, "not_found", "There is no such API endpoint.");
		goto out;
	}
	if ((fn = api_handler(ar, m)) == NULL) {
		buf_init(&allow);
		api_allow(ar, &allow);
		http_header(r, "Allow", allow.data);
		buf_free(&allow);
		api_error(r, 405, "method_not_allowed",
		    "This endpoint does not accept that method.");
		goto out;
	}
	if (api_query(r) != 0)
		goto out;
	if ((m == API_POST || m == API_PUT) && api_body(r, &body) != 0)
		goto out;
	if (fn(r, body) == -1) {
		db_rollback(&r->app->db);
		if (db_unavailable(&r->app->db))
			api_unavailable(r);
		else
			api_error(r, 500, "internal", "An unexpected error occurred.");
	}
out:
	json_decref(body);
	api_drain(r);
	session_end(r);
}

/* ---------------------------------------------------------- connections */

static json_t *
api_conn_row(PGresult *res, int i)
{
	json_t	*j = json_object(), *team = json_object();

	json_object_set_new(j, "id", api_int(res, i, "id"));
	json_object_set_new(j, "name", api_text(res, i, "name"));
	json_object_set_new(j, "connector", api_text(res, i, "connector"));
	json_object_set_new(j, "auth_protocol", api_text(res, i, "auth_protocol"));
	json_object_set_new(j, "api_type", api_text(res, i, "api_type"));
	json_object_set_new(j, "execution_context", api_text(res, i, "execution_context"));
	json_object_set_new(j, "status", api_text(res, i, "status"));
	json_object_set_new(j, "last_tested_at", api_text(res, i, "tested"));
	json_object_set_new(j, "last_test_result", api_text(res, i, "last_test_result"));
	json_object_set_new(team, "id", api_int(res, i, "owner_team_id"));
	json_object_set_new(team, "name", api_text(res, i, "team"));
	json_object_set_new(j, "owner_team", team);
	json_object_set_new(j, "flow_count", api_int(res, i, "flows"));
	return j;
}

/* GET /api/v1/connections: what the Integrations tab would list, by name. */
static int
api_connections(struct req *r, json_t *body)
{
	long long	 page, per_page;
	PGresult	*count = NULL, *rows = NULL;
	json_t		*list;
	int		 i, rc = -1;

	(void)body;
	if (api_paging(r, &page, &per_page) != 0)
		return 0;
	if (api_page_fetch(r, &conn_paged, page, per_page, &count, &rows) == -1)
		goto out;
	list = json_array();
	for (i = 0; i < db_rows(rows); i++)
		json_array_append_new(list, api_conn_row(rows, i));
	api_reply_page(r, "connections", list, page, per_page, count);
	rc = 0;
out:
	db_clear(count);
	db_clear(rows);
	return rc;
}

/* conn_get's "YYYY-MM-DD HH:MM:SS" (UTC) as ISO 8601; "" is null. */
static json_t *
api_conn_time(const char *s)
{
	char	 iso[32];

	if (*s == '\0' || strlen(s) != 19)
		return json_null();
	snprintf(iso, sizeof(iso), "%.10sT%.8sZ", s, s + 11);
	return json_string(iso);
}

/* GET /api/v1/connections/{id}: the Details tab; secrets by name only. */
static int
api_connection(struct req *r, json_t *body)
{
	struct conn	*c;
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*secrets = NULL, *flows = NULL;
	json_t		*j, *team, *settings, *list;
	int		 dberr, i, rc = -1;

	(void)body;
	if ((c = conn_get(&r->actor, r->arg_id, &dberr)) == NULL) {
		if (dberr)
			return -1;
		api_error(r, 404, "not_found", "Connection %lld not found.",
		    (long long)r->arg_id);
		return 0;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	/* Names and dates only: the sealed values are not even read. */
	secrets = db_exec_named(&r->app->db, "api_conn_secrets",
	    "SELECT field, " API_TS("updated_at") " AS updated_at"
	    " FROM connection_secrets WHERE connection_id = $1 ORDER BY field", 1, params);
	flows = db_exec_named(&r->app->db, "api_conn_flows",
	    "SELECT f.id, f.name, f.version, f.status FROM flows f"
	    " JOIN flow_connections fc ON fc.flow_id = f.id WHERE fc.connection_id = $1"
	    " ORDER BY lower(f.name), f.id", 1, params);
	if (secrets == NULL || flows == NULL)
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
	json_object_set_new(j, "last_tested_at", api_conn_time(c->last_tested_at));
	json_object_set_new(j, "last_test_result", *c->last_test_result != '\0' ?
	    json_string(c->last_test_result) : json_null());
	team = json_object();
	json_object_set_new(team, "id", json_integer(c->owner_team_id));
	json_object_set_new(team, "name", json_string(c->owner_team));
	json_object_set_new(j, "owner_team", team);
	if ((settings = json_loads(c->settings, 0, NULL)) == NULL || !json_is_object(settings)) {
		json_decref(settings);
		settings = json_object();
	}
	json_object_set_new(j, "settings", settings);
	list = json_array();
	for (i = 0; i < db_rows(secrets); i++) {
		json_t	*s = json_object();

		json_object_set_new(s, "field", api_text(secrets, i, "field"));
		json_object_set_new(s, "updated_at", api_text(secrets, i, "updated_at"));
		json_array_append_new(list, s);
	}
	json_object_set_new(j, "secrets", list);
	list = json_array();
	for (i = 0; i < db_rows(flows); i++) {
		json_t	*f = json_object();

		json_object_set_new(f, "id", api_int(flows, i, "id"));
		json_object_set_new(f, "name", api_text(flows, i, "name"));
		json_object_set_new(f, "version", api_int(flows, i, "version"));
		json_object_set_new(f, "status", api_text(flows, i, "status"));
		json_array_append_new(list, f);
	}
	json_object_set_new(j, "flows", list);
	json_object_set_new(j, "version", json_integer(c->version));
	api_reply(r, 200, j);
	rc = 0;
out:
	db_clear(secrets);
	db_clear(flows);
	conn_free(c);
	return rc;
}

/*
 * POST /api/v1/connections/{id}/test: test now, as the engine does when a
 * flow is opened or a connection selected. Body (optional):
 * {"trigger": "flow_open" | "api" | "schedule"}; default "api".
 */
static int
api_connection_test(struct req *r, json_t *body)
{
	struct conn		*c;
	struct probe_outcome	 o;
	struct api_fault	 fault;
	const char		*trigger;
	char			 message[200];
	json_t			*j;
	int			 dberr, rc = 0;

	if ((c = conn_get(&r->actor, r->arg_id, &dberr)) == NULL) {
		if (dberr)
			return -1;
		api_error(r, 404, "not_found", "Connection %lld not found.",
		    (long long)r->arg_id);
		return 0;
	}
	if (c->perm < PERM_USE) {
		api_error(r, 403, "forbidden",
		    "Your role does not allow testing this connection.");
		goto out;
	}
	if (api_trigger_parse(body, &trigger, &fault) != 0) {
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
api_trigger_parse(json_t *body, const char **trigger, struct api_fault *fault)
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

/* ---------------------------------------------------------------- flows */

/* A single line of 0..max characters (min 1 when `required`). */
static const char *
api_line(const char *s, size_t max, int required)
{
	if (*s == '\0')
		return required ? "Enter a value." : NULL;
	return valid_name(s, max);
}

/*
 * Read and check a flow object: every key known, name, version and status
 * present. 0 with *f filled, or 1 with *fault naming the key.
 */
int
api_flow_parse(json_t *body, struct flow_in *f, struct api_fault *fault)
{
	const char	*key, *why = NULL;
	char		 name[72];
	json_t		*v, *c;
	size_t		 i, k;

	memset(f, 0, sizeof(*f));
	memset(fault, 0, sizeof(*fault));
	f->owner = f->description = f->progress = "";
	if (body == NULL) {
		return api_fault(fault, "invalid_json", NULL,
		    "Send the flow as a JSON object.");
	}
	json_object_foreach(body, key, v) {
		const char	**text = NULL;
		size_t		  max = 0;
		int		  required = 0;

		if (strcmp(key, "name") == 0)
			text = &f->name, max = 200, required = 1;
		else if (strcmp(key, "owner") == 0)
			text = &f->owner, max = 200;
		else if (strcmp(key, "progress_status") == 0)
			text = &f->progress, max = 100;
		else if (strcmp(key, "description") == 0) {
			if (!json_is_string(v))
				goto not_string;
			f->description = json_string_value(v);
			if ((why = valid_text(f->description, 0, 2000)) != NULL)
				goto invalid;
			continue;
		} else if (strcmp(key, "status") == 0) {
			if (!json_is_string(v) ||
			    (strcmp(json_string_value(v), "active") != 0 &&
			    strcmp(json_string_value(v), "inactive") != 0 &&
			    strcmp(json_string_value(v), "draft") != 0)) {
				return api_fault(fault, "invalid_field", key, "\"status\" must be"
				    " \"active\", \"inactive\" or \"draft\".");
			}
			f->status = json_string_value(v);
			continue;
		} else if (strcmp(key, "version") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > FLOW_VERSION_MAX) {
				return api_fault(fault, "invalid_field", key, "\"version\" must"
				    " be an integer from 1 to %d.", FLOW_VERSION_MAX);
			}
			f->version = json_integer_value(v);
			continue;
		} else if (strcmp(key, "connections") == 0) {
			if (!json_is_array(v)) {
				return api_fault(fault, "invalid_field", key,
				    "\"connections\" must be an array of connection ids.");
			}
			if (json_array_size(v) > FLOW_CONNS_MAX) {
				return api_fault(fault, "invalid_field", key,
				    "\"connections\": a flow uses at most %d connections.",
				    FLOW_CONNS_MAX);
			}
			json_array_foreach(v, i, c) {
				if (!json_is_integer(c) || json_integer_value(c) < 1) {
					return api_fault(fault, "invalid_field", key,
					    "\"connections\" must be an array of connection ids.");
				}
				for (k = 0; k < i; k++)
					if (f->conns[k] == json_integer_value(c)) {
						return api_fault(fault, "invalid_field", key,
						    "\"connections\": connection %lld is listed"
						    " twice.",
						    (long long)json_integer_value(c));
					}
				f->conns[i] = json_integer_value(c);
			}
			f->nconns = json_array_size(v);
			continue;
		} else {
			api_clip(key, name, sizeof(name));
			return api_fault(fault, "unknown_key", name, "Unknown key \"%s\".",
			    name);
		}
		if (!json_is_string(v))
			goto not_string;
		*text = json_string_value(v);
		if ((why = api_line(*text, max, required)) != NULL)
			goto invalid;
		continue;
not_string:
		return api_fault(fault, "invalid_field", key, "\"%s\" must be a string.",
		    key);
invalid:
		return api_fault(fault, "invalid_field", key, "\"%s\": %s", key, why);
	}
	key = f->name == NULL ? "name" : f->version == 0 ? "version" :
	    f->status == NULL ? "status" : NULL;
	if (key != NULL) {
		return api_fault(fault, "missing_key", key, "The key \"%s\" is required.", key);
	}
	return 0;
}

/*
 * The user's level on every listed connection: 0 when at least PERM_USE on
 * each; otherwise 404 (missing or invisible: identical) or 403 with *bad
 * set to the first such id; -1 on a database failure.
 */
static int
api_flow_conns_check(struct req *r, const struct flow_in *f, long long *bad)
{
	struct buf	 ids;
	char		 uid[24];
	const char	*params[3];
	PGresult	*res;
	int		 i, perm, rc = 0;

	if (f->nconns == 0)
		return 0;
	buf_init(&ids);
	api_id_array(&ids, f->conns, f->nconns);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	params[0] = ids.data, params[1] = uid, params[2] = r->sess->is_admin ? "t" : "f";
	res = db_exec_named(&r->app->db, "api_conns_check", conns_check_sql, 3, params);
	buf_free(&ids);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res) && rc == 0; i++) {
		perm = atoi(db_get(res, i, "perm"));
		if (perm >= PERM_USE)
			continue;
		*bad = strtoll(db_get(res, i, "id"), NULL, 10);
		rc = perm == PERM_NONE ? 404 : 403;
	}
	db_clear(res);
	return rc;
}

/*
 * Load flow {id} for the token's user, with its connections and the user's
 * level on each: 0 with *flow and *conns; 1 when the flow is missing or not
 * visible (404 made); -1 on a database failure. `lock` takes the row.
 */
static int
api_flow_load(struct req *r, int64_t id, int lock, PGresult **flow, PGresult **conns)
{
	char		 fid[24], uid[24];
	const char	*params[3] = { fid, uid, r->sess->is_admin ? "t" : "f" };
	int		 i, visible;

	*flow = *conns = NULL;
	snprintf(fid, sizeof(fid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	if ((*flow = db_exec_named(&r->app->db, lock ? "api_flow_lock" : "api_flow_get",
	    lock ? flow_lock_sql : flow_get_sql, 1, params)) == NULL)
		return -1;
	if ((*conns = db_exec_named(&r->app->db, "api_flow_conns", flow_conns_sql, 3,
	    params)) == NULL) {
		db_clear(*flow);
		*flow = NULL;
		return -1;
	}
	visible = db_rows(*flow) == 1 && (r->sess->is_admin || db_rows(*conns) == 0);
	for (i = 0; !visible && db_rows(*flow) == 1 && i < db_rows(*conns); i++)
		if (atoi(db_get(*conns, i, "perm")) >= PERM_VIEW)
			visible = 1;
	if (!visible) {
		db_clear(*flow);
		db_clear(*conns);
		*flow = *conns = NULL;
		api_error(r, 404, "not_found", "Flow %lld not found.", (long long)id);
		return 1;
	}
	return 0;
}

/* 1 when the user may change the flow: PERM_USE on each of its connections. */
static int
api_flow_may_change(struct req *r, PGresult *conns)
{
	int	 i;

	if (r->sess->is_admin)
		return 1;
	for (i = 0; i < db_rows(conns); i++)
		if (atoi(db_get(conns, i, "perm")) < PERM_USE)
			return 0;
	return 1;
}

static json_t *
api_flow_json(PGresult *flow, json_t *conns)
{
	json_t	*j = json_object();

	json_object_set_new(j, "id", api_int(flow, 0, "id"));
	json_object_set_new(j, "name", api_text(flow, 0, "name"));
	json_object_set_new(j, "version", api_int(flow, 0, "version"));
	json_object_set_new(j, "status", api_text(flow, 0, "status"));
	json_object_set_new(j, "owner", api_text(flow, 0, "owner"));
	json_object_set_new(j, "description", api_text(flow, 0, "description"));
	json_object_set_new(j, "progress_status", api_text(flow, 0, "progress_status"));
	json_object_set_new(j, "connections", conns);
	json_object_set_new(j, "created_at", api_text(flow, 0, "created_at"));
	json_object_set_new(j, "updated_at", api_text(flow, 0, "updated_at"));
	return j;
}

/* Answer with flow {id} as the user sees it (connections: the visible ones). */
static int
api_flow_show(struct req *r, int64_t id, int status)
{
	PGresult	*flow, *conns;
	json_t		*ids;
	char		 loc[64];
	int		 i, rc;

	if ((rc = api_flow_load(r, id, 0, &flow, &conns)) != 0)
		return rc == 1 ? 0 : -1;
	ids = json_array();
	for (i = 0; i < db_rows(conns); i++)
		if (atoi(db_get(conns, i, "perm")) >= PERM_VIEW)
			json_array_append_new(ids, api_int(conns, i, "id"));
	if (status == 201) {
		snprintf(loc, sizeof(loc), "/api/v1/flows/%lld", (long long)id);
		http_header(r, "Location", loc);
	}
	api_reply(r, status, api_flow_json(flow, ids));
	db_clear(flow);
	db_clear(conns);
	return 0;
}

/* GET /api/v1/flows */
static int
api_flows(struct req *r, json_t *body)
{
	long long	 page, per_page;
	PGresult	*count = NULL, *rows = NULL;
	json_t		*list, *conns;
	int		 i, rc = -1;

	(void)body;
	if (api_paging(r, &page, &per_page) != 0)
		return 0;
	if (api_page_fetch(r, &flow_paged, page, per_page, &count, &rows) == -1)
		goto out;
	list = json_array();
	for (i = 0; i < db_rows(rows); i++) {
		json_t	*f = json_object();

		if ((conns = json_loads(db_get(rows, i, "conns"), 0, NULL)) == NULL)
			conns = json_array();
		json_object_set_new(f, "id", api_int(rows, i, "id"));
		json_object_set_new(f, "name", api_text(rows, i, "name"));
		json_object_set_new(f, "version", api_int(rows, i, "version"));
		json_object_set_new(f, "status", api_text(rows, i, "status"));
		json_object_set_new(f, "owner", api_text(rows, i, "owner"));
		json_object_set_new(f, "description", api_text(rows, i, "description"));
		json_object_set_new(f, "progress_status", api_text(rows, i, "progress_status"));
		json_object_set_new(f, "connections", conns);
		json_object_set_new(f, "created_at", api_text(rows, i, "created_at"));
		json_object_set_new(f, "updated_at", api_text(rows, i, "updated_at"));
		json_array_append_new(list, f);
	}
	api_reply_page(r, "flows", list, page, per_page, count);
	rc = 0;
out:
	db_clear(count);
	db_clear(rows);
	return rc;
}

/* GET /api/v1/flows/{id} */
static int
api_flow(struct req *r, json_t *body)
{
	(void)body;
	return api_flow_show(r, r->arg_id, 200);
}

/* The flow's connection ids as a JSON array (audit details). */
static json_t *
api_ids_json(const long long *ids, size_t n)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_integer(ids[i]));
	return a;
}

/* Audit a change (in the caller's transaction) or a refusal (after it). */
static int
api_flow_audit(struct req *r, int64_t id, const char *label, const char *action,
    const char *outcome, json_t *details)
{
	char	*d = json_dumps(details, JSON_COMPACT);
	int	 rc;

	rc = audit_add(&r->actor, "flow", id, label, action, outcome, d);
	free(d);
	json_decref(details);
	return rc;
}

/* Refused for a listed connection: roll back, audit, answer 404 or 403. */
static void
api_flow_conn_refused(struct req *r, int64_t id, const char *label, const char *action,
    int status, long long bad)
{
	json_t	*d = json_object();

	db_rollback(&r->app->db);
	json_object_set_new(d, "reason", json_string(status == 404 ?
	    "connection not found" : "connection not allowed"));
	json_object_set_new(d, "connection", json_integer(bad));
	(void)api_flow_audit(r, id, label, action, "denied", d);
	if (status == 404)
		api_error_field(r, 404, "connection_not_found", "connections",
		    "Connection %lld not found.", bad);
	else
		api_error_field(r, 403, "forbidden", "connections",
		    "Your role does not allow using connection %lld in a flow.", bad);
}

/* Link the flow to exactly the listed connections. -1 on failure. */
static int
api_flow_link(struct req *r, const char *fid, const struct flow_in *f)
{
	struct buf	 ids;
	const char	*params[2];
	PGresult	*res;
	int		 rc = -1;

	buf_init(&ids);
	api_id_array(&ids, f->conns, f->nconns);
	params[0] = fid, params[1] = ids.data;
	res = db_exec_named(&r->app->db, "api_flow_unlink",
	    "DELETE FROM flow_connections WHERE flow_id = $1"
	    " AND connection_id <> ALL ($2::bigint[])", 2, params);
	if (res == NULL)
		goto out;
	db_clear(res);
	res = db_exec_named(&r->app->db, "api_flow_link",
	    "INSERT INTO flow_connections (flow_id, connection_id)"
	    " SELECT $1, x FROM unnest($2::bigint[]) AS x ON CONFLICT DO NOTHING",
	    2, params);
	if (res == NULL)
		goto out;
	db_clear(res);
	rc = 0;
out:
	buf_free(&ids);
	return rc;
}

/* A connection deleted between the check and the link: a refusal, not a 503. */
static int
api_flow_link_failed(struct req *r)
{
	if (!db_failed_with(&r->app->db, "23503"))
		return -1;
	db_rollback(&r->app->db);
	api_error_field(r, 404, "connection_not_found", "connections",
	    "A listed connection was not found.");
	return 0;
}

/* POST /api/v1/flows */
static int
api_flow_create(struct req *r, json_t *body)
{
	struct flow_in	 f;
	struct api_fault fault;
	char		 ver[24], fid[24];
	const char	*params[6];
	PGresult	*res;
	long long	 bad = 0;
	int64_t		 id;
	int		 st;

	if (api_flow_parse(body, &f, &fault) != 0) {
		api_fault_reply(r, &fault);
		return 0;
	}
	if (db_begin(&r->app->db) == -1)
		return -1;
	if ((st = api_flow_conns_check(r, &f, &bad)) != 0) {
		if (st == -1)
			return -1;
		api_flow_conn_refused(r, 0, f.name, "flow_create", st, bad);
		return 0;
	}
	snprintf(ver, sizeof(ver), "%lld", f.version);
	params[0] = f.name, params[1] = ver, params[2] = f.status;
	params[3] = f.owner, params[4] = f.description, params[5] = f.progress;
	if ((res = db_exec_named(&r->app->db, "api_flow_insert",
	    "INSERT INTO flows (name, version, status, owner, description, progress_status)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, params)) == NULL)
		return -1;
	id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	snprintf(fid, sizeof(fid), "%lld", (long long)id);
	if (f.nconns > 0 && api_flow_link(r, fid, &f) == -1)
		return api_flow_link_failed(r);
	body = json_object();
	json_object_set_new(body, "connections", api_ids_json(f.conns, f.nconns));
	if (api_flow_audit(r, id, f.name, "flow_create", "success", body) == -1 ||
	    db_commit(&r->app->db) == -1)
		return -1;
	return api_flow_show(r, id, 201);
}

static int
api_ll_cmp(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Names of the fields a replacement changes, for the audit trail. */
static json_t *
api_flow_changes(PGresult *old, PGresult *conns, const struct flow_in *f)
{
	json_t		*changed = json_array();
	long long	 sorted[FLOW_CONNS_MAX];
	char		 ver[24];
	int		 i, same;

	snprintf(ver, sizeof(ver), "%lld", f->version);
#define CHANGED(col, value) do {					\
	if (strcmp(db_get(old, 0, col), value) != 0)			\
		json_array_append_new(changed, json_string(col));	\
} while (0)
	CHANGED("name", f->name);
	CHANGED("version", ver);
	CHANGED("status", f->status);
	CHANGED("owner", f->owner);
	CHANGED("description", f->description);
	CHANGED("progress_status", f->progress);
#undef CHANGED
	memcpy(sorted, f->conns, f->nconns * sizeof(sorted[0]));
	qsort(sorted, f->nconns, sizeof(sorted[0]), api_ll_cmp);
	same = (size_t)db_rows(conns) == f->nconns;
	for (i = 0; same && i < db_rows(conns); i++)	/* conns: ordered by id */
		same = strtoll(db_get(conns, i, "id"), NULL, 10) == sorted[i];
	if (!same)
		json_array_append_new(changed, json_string("connections"));
	return changed;
}

/* PUT /api/v1/flows/{id}: replace the flow and its set of connections. */
static int
api_flow_replace(struct req *r, json_t *body)
{
	struct flow_in	 f;
	struct api_fault fault;
	char		 fid[24], ver[24];
	const char	*params[7];
	PGresult	*flow = NULL, *conns = NULL, *res;
	json_t		*d;
	long long	 bad = 0;
	int		 st, rc = -1;

	if (api_flow_parse(body, &f, &fault) != 0) {
		api_fault_reply(r, &fault);
		return 0;
	}
	if (db_begin(&r->app->db) == -1)
		return -1;
	if ((st = api_flow_load(r, r->arg_id, 1, &flow, &conns)) != 0) {
		db_rollback(&r->app->db);
		return st == 1 ? 0 : -1;
	}
	if (!api_flow_may_change(r, conns)) {
		db_rollback(&r->app->db);
		d = json_object();
		json_object_set_new(d, "reason", json_string("connection not allowed"));
		(void)api_flow_audit(r, r->arg_id, db_get(flow, 0, "name"), "flow_update",
		    "denied", d);
		api_error(r, 403, "forbidden", "Your role does not allow changing this flow.");
		rc = 0;
		goto out;
	}
	if ((st = api_flow_conns_check(r, &f, &bad)) != 0) {
		if (st != -1) {
			api_flow_conn_refused(r, r->arg_id, db_get(flow, 0, "name"),
			    "flow_update", st, bad);
			rc = 0;
		}
		goto out;
	}
	snprintf(fid, sizeof(fid), "%lld", (long long)r->arg_id);
	snprintf(ver, sizeof(ver), "%lld", f.version);
	params[0] = fid, params[1] = f.name, params[2] = ver, params[3] = f.status;
	params[4] = f.owner, params[5] = f.description, params[6] = f.progress;
	if ((res = db_exec_named(&r->app->db, "api_flow_update",
	    "UPDATE flows SET name = $2, version = $3, status = $4, owner = $5,"
	    " description = $6, progress_status = $7, updated_at = now() WHERE id = $1",
	    7, params)) == NULL)
		goto out;
	db_clear(res);
	if (api_flow_link(r, fid, &f) == -1) {
		rc = api_flow_link_failed(r);
		goto out;
	}
	d = json_object();
	json_object_set_new(d, "fields", api_flow_changes(flow, conns, &f));
	json_object_set_new(d, "connections", api_ids_json(f.conns, f.nconns));
	if (api_flow_audit(r, r->arg_id, f.name, "flow_update", "success", d) == -1 ||
	    db_commit(&r->app->db) == -1)
		goto out;
	rc = api_flow_show(r, r->arg_id, 200);
out:
	db_clear(flow);
	db_clear(conns);
	return rc;
}

/* DELETE /api/v1/flows/{id}: its flow_connections go with it (CASCADE). */
static int
api_flow_delete(struct req *r, json_t *body)
{
	char		 fid[24];
	const char	*params[1] = { fid };
	PGresult	*flow = NULL, *conns = NULL, *res;
	json_t		*d, *ids;
	int		 i, st, rc = -1;

	(void)body;
	if (db_begin(&r->app->db) == -1)
		return -1;
	if ((st = api_flow_load(r, r->arg_id, 1, &flow, &conns)) != 0) {
		db_rollback(&r->app->db);
		return st == 1 ? 0 : -1;
	}
	d = json_object();
	if (!api_flow_may_change(r, conns)) {
		db_rollback(&r->app->db);
		json_object_set_new(d, "reason", json_string("connection not allowed"));
		(void)api_flow_audit(r, r->arg_id, db_get(flow, 0, "name"), "flow_delete",
		    "denied", d);
		api_error(r, 403, "forbidden", "Your role does not allow deleting this flow.");
		rc = 0;
		goto out;
	}
	snprintf(fid, sizeof(fid), "%lld", (long long)r->arg_id);
	if ((res = db_exec_named(&r->app->db, "api_flow_delete",
	    "DELETE FROM flows WHERE id = $1", 1, params)) == NULL) {
		json_decref(d);
		goto out;
	}
	db_clear(res);
	ids = json_array();
	for (i = 0; i < db_rows(conns); i++)
		json_array_append_new(ids, api_int(conns, i, "id"));
	json_object_set_new(d, "connections", ids);
	if (api_flow_audit(r, r->arg_id, db_get(flow, 0, "name"), "flow_delete",
	    "success", d) == -1 || db_commit(&r->app->db) == -1)
		goto out;
	r->status = 204;
	r->out.len = 0;
	rc = 0;
out:
	db_clear(flow);
	db_clear(conns);
	return rc;
}
