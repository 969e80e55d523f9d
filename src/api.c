/*
 * api.c — the core of the JSON API under /api/v1 for the automation engine
 * and scripts: token auth, the query string and the JSON body, JSON answers
 * and paging. The route table and the dispatcher are api-route.c; the
 * resources are api-connections.c (list, one, test), api-connections-write.c
 * (create, update, delete, share, transfer) and api-flows.c (the flows
 * registry). Tokens only
 * (Authorization: Bearer, looked up by their hash in api_tokens), never
 * cookies, so there is no CSRF to check; the token's user acts with the
 * permissions the pages give them (r->actor).
 *
 * Inputs: Authorization; GET page, per_page on the two lists; on POST, PUT
 * and PATCH a JSON object (Content-Type: application/json, at most
 * http.body_max bytes).
 * Statuses: those of the resources; 400 (malformed, unknown parameter, bad
 * paging or body), 401 (no, bad, revoked or expired token;
 * WWW-Authenticate: Bearer), 404 (no such endpoint), 405 (with Allow), 413,
 * 415, 500, 503 (database, with Retry-After).
 */
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"
#include "api.h"

#define API_PER_PAGE		50
#define API_PER_PAGE_MAX	200
#define API_PAGE_MAX		100000
#define API_DRAIN_MAX		(4 * 1024 * 1024)

/* The token, if live; from_ok says whether it may be used from this
 * client address ($2, NULL when unknown). last_used_at moves at most once a
 * minute, and only for a use that is let in. */
static const char api_token_sql[] =
    "WITH t AS ("
    " SELECT a.id, a.user_id, a.last_used_at, u.email, u.name, u.is_admin,"
    "  array_to_string(a.scopes, ',') AS scopes,"
    "  a.client_range IS NULL OR COALESCE($2::inet <<= a.client_range, false) AS from_ok"
    " FROM api_tokens a JOIN users u ON u.id = a.user_id"
    " WHERE a.token_hash = $1::bytea AND a.revoked_at IS NULL"
    "  AND (a.expires_at IS NULL OR a.expires_at > now()) AND NOT u.disabled),"
    " touch AS (UPDATE api_tokens x SET last_used_at = now() FROM t"
    "  WHERE x.id = t.id AND t.from_ok AND (t.last_used_at IS NULL"
    "  OR t.last_used_at < now() - interval '1 minute'))"
    " SELECT id, user_id, email, name, is_admin, scopes, from_ok FROM t";

/* ------------------------------------------------------------ responses */

void
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
void
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

/* Fill *f with a 400 naming `field` (may be NULL); returns 1. */
int
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
void
api_fault_reply(struct req *r, const struct api_fault *f)
{
	if (f->note != NULL)
		r->log_note = f->note;
	api_error_field(r, 400, f->code, f->has_field ? f->field : NULL, "%s",
	    f->message);
}

void
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

json_t *
api_text(PGresult *res, int row, const char *col)
{
	if (db_isnull(res, row, col))
		return json_null();
	return json_string(db_get(res, row, col));
}

json_t *
api_int(PGresult *res, int row, const char *col)
{
	return json_integer(strtoll(db_get(res, row, col), NULL, 10));
}

void
api_fields(json_t *j, PGresult *res, int row, const char *const *map)
{
	int	 k;

	for (k = 0; map[k] != NULL && map[k + 1] != NULL; k += 2)
		json_object_set_new(j, map[k], map[k + 1][0] == '#' ?
		    api_int(res, row, map[k + 1] + 1) : api_text(res, row, map[k + 1]));
}

json_t *
api_rows(PGresult *res, json_t *(*row)(PGresult *, int))
{
	json_t	*list = json_array();
	int	 i;

	for (i = 0; i < db_rows(res); i++)
		json_array_append_new(list, row(res, i));
	return list;
}

/* At most outlen - 1 bytes of UTF-8 `s`, not cutting a character. */
void
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

/* ------------------------------------------------------ request parsing */

/* REMOTE_ADDR as PostgreSQL's inet will read it (nginx's, but checked). */
static int
api_client_inet(const char *addr)
{
	unsigned char	 buf[16];

	return addr != NULL && (inet_pton(AF_INET, addr, buf) == 1 ||
	    inet_pton(AF_INET6, addr, buf) == 1);
}

int
api_auth(struct req *r)
{
	const char	*h = req_env(r, "HTTP_AUTHORIZATION");
	const char	*token;
	char		 hash[68];
	const char	*params[2] = { hash, NULL };
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
	params[1] = api_client_inet(r->client_addr) ? r->client_addr : NULL;
	if ((res = db_exec_named(&r->app->db, "api_token_get", api_token_sql, 2,
	    params)) == NULL)
		return -1;
	if (db_rows(res) != 1) {
		db_clear(res);
		api_unauthorized(r, 1);
		return 1;
	}
	/* Outside its client range: as invalid as a wrong token to the caller. */
	if (strcmp(db_get(res, 0, "from_ok"), "t") != 0) {
		db_clear(res);
		api_unauthorized(r, 1);
		r->log_note = "token used outside its client range";
		return 1;
	}
	r->api_scopes = apitoken_scopes_from_pg(db_get(res, 0, "scopes"));
	r->api_token_id = strtoll(db_get(res, 0, "id"), NULL, 10);
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
int
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
int
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

/* ------------------------------------------------------------- paging */

/* page and per_page; 0, or 1 when refused (400 made). */
int
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

int
api_list(struct req *r, const struct api_paged *q, const char *key,
    json_t *(*row)(PGresult *, int))
{
	long long	 page, per_page;
	PGresult	*count = NULL, *rows = NULL;
	int		 rc = -1;

	if (api_paging(r, &page, &per_page) != 0)
		return 0;
	if (api_page_fetch(r, q, page, per_page, &count, &rows) == -1)
		goto out;
	api_reply_page(r, key, api_rows(rows, row), page, per_page, count);
	rc = 0;
out:
	db_clear(count);
	db_clear(rows);
	return rc;
}

/* ------------------------------------------------ what the dispatch ends with */

/*
 * Read what is left of the request body and drop it. Answering early (401,
 * 413, 415, ...) and closing while nginx still writes the body makes nginx
 * log a broken pipe and answer 502 instead. Bounded: nginx itself refuses
 * bodies over client_max_body_size (1 MiB).
 */
void
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
