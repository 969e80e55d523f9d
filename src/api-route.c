/*
 * api-route.c — the JSON API's route table and its dispatcher: the one
 * place where method, token, declared query and body are checked before a
 * resource's handler runs (api.c has the checks, api-connections.c and
 * api-flows.c the handlers), so that neither side calls the other back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"
#include "api.h"

enum api_method {
	API_GET,
	API_HEAD,
	API_POST,
	API_PUT,
	API_DELETE,
	API_PATCH,
	API_OTHER,
};

/* Each method names the token scopes that let it run (any one of them,
 * APITOKEN_* bits); a method without any is refused to every token. */
struct api_route {
	struct route	 rt;		/* pattern (access log), declared query */
	api_fn		 get;		/* also HEAD */
	api_fn		 post;
	api_fn		 put;
	api_fn		 del;
	api_fn		 patch;
	unsigned	 get_scope, post_scope, put_scope, del_scope, patch_scope;
};

#define READ		APITOKEN_CONNECTIONS_READ
#define FLOWS		APITOKEN_FLOWS_WRITE
#define TESTS		APITOKEN_TESTS_RUN
#define WRITE		APITOKEN_CONNECTIONS_WRITE

static const char *const api_q_none[] = { NULL };
static const char *const api_q_page[] = { "page", "per_page", NULL };
/* The connections list: the Integrations tab's filters, cursor or page. */
static const char *const api_q_connections[] = { "q", "connector", "status", "team",
    "unused", "sort", "limit", "cursor", "page", "per_page", NULL };
static const char *const api_q_cursor[] = { "limit", "cursor", NULL };

static const struct api_route api_routes[] = {
	{ .rt = { .pattern = "/api/v1/connections", .params = api_q_connections,
	    .multi = api_q_none },
	    .get = api_connections_list, .get_scope = READ,
	    .post = api_connections_create, .post_scope = WRITE },
	{ .rt = { .pattern = "/api/v1/connections/{id}", .params = api_q_none,
	    .multi = api_q_none }, .get = api_connections_get, .get_scope = READ,
	    .put = api_connections_update, .put_scope = WRITE,
	    .patch = api_connections_update, .patch_scope = WRITE,
	    .del = api_connections_delete, .del_scope = WRITE },
	{ .rt = { .pattern = "/api/v1/connections/{id}/tests", .params = api_q_cursor,
	    .multi = api_q_none }, .get = api_connections_tests, .get_scope = READ },
	{ .rt = { .pattern = "/api/v1/connections/{id}/versions", .params = api_q_cursor,
	    .multi = api_q_none }, .get = api_connections_versions, .get_scope = READ },
	{ .rt = { .pattern = "/api/v1/connections/{id}/shares", .params = api_q_none,
	    .multi = api_q_none }, .post = api_connections_share, .post_scope = WRITE },
	{ .rt = { .pattern = "/api/v1/connections/{id}/shares/{key}", .params = api_q_none,
	    .multi = api_q_none }, .del = api_connections_unshare, .del_scope = WRITE },
	{ .rt = { .pattern = "/api/v1/connections/{id}/transfer", .params = api_q_none,
	    .multi = api_q_none }, .post = api_connections_transfer, .post_scope = WRITE },
	{ .rt = { .pattern = "/api/v1/connections/{id}/test", .params = api_q_none,
	    .multi = api_q_none }, .post = api_connections_test, .post_scope = TESTS },
	{ .rt = { .pattern = "/api/v1/connections/{id}/replace", .params = api_q_none,
	    .multi = api_q_none }, .post = api_connections_replace, .post_scope = FLOWS },
	{ .rt = { .pattern = "/api/v1/connections/{id}/credentials", .params = api_q_none,
	    .multi = api_q_none }, .post = api_connections_credentials,
	    .post_scope = APITOKEN_CONNECTIONS_USE },
	{ .rt = { .pattern = "/api/v1/connectors/{key}", .params = api_q_none,
	    .multi = api_q_none }, .get = api_connectors_get, .get_scope = READ },
	{ .rt = { .pattern = "/api/v1/flows", .params = api_q_page, .multi = api_q_none },
	    .get = api_flows_list, .get_scope = READ | FLOWS,
	    .post = api_flows_create, .post_scope = FLOWS },
	{ .rt = { .pattern = "/api/v1/flows/{id}", .params = api_q_none, .multi = api_q_none },
	    .get = api_flows_get, .get_scope = READ | FLOWS,
	    .put = api_flows_replace, .put_scope = FLOWS,
	    .del = api_flows_delete, .del_scope = FLOWS },
};

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
	if (strcmp(m, "PATCH") == 0)
		return API_PATCH;
	return API_OTHER;
}

static const struct api_route *
api_match(struct req *r)
{
	size_t	 i;

	for (i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		r->arg_id = 0;
		if (route_path_match(api_routes[i].rt.pattern, r->path, &r->arg_id, &r->arg_key))
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
	case API_PATCH:
		return ar->patch;
	default:
		return NULL;
	}
}

static unsigned
api_scope(const struct api_route *ar, enum api_method m)
{
	switch (m) {
	case API_GET:
	case API_HEAD:
		return ar->get_scope;
	case API_POST:
		return ar->post_scope;
	case API_PUT:
		return ar->put_scope;
	case API_DELETE:
		return ar->del_scope;
	case API_PATCH:
		return ar->patch_scope;
	default:
		return 0;
	}
}

/* 403 naming the scopes that would do (RFC 6750 §3.1): 1 when refused. */
static int
api_scope_refused(struct req *r, unsigned need)
{
	struct buf	 names, h;

	if ((r->api_scopes & need) != 0)
		return 0;
	buf_init(&names);
	buf_init(&h);
	apitoken_scopes_text(need, " ", &names);
	buf_printf(&h, "Bearer realm=\"tether\", error=\"insufficient_scope\","
	    " scope=\"%s\"", names.data != NULL ? names.data : "");
	http_header(r, "WWW-Authenticate", h.data);
	r->log_note = "token lacks the scope";
	if (need == 0)
		api_error(r, 403, "insufficient_scope", "No API token may do this.");
	else
		api_error(r, 403, "insufficient_scope", "This API token may not do this:"
		    " it needs the scope %s.", names.data);
	buf_free(&names);
	buf_free(&h);
	return 1;
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
	if (ar->patch != NULL)
		buf_printf(b, "%sPATCH", b->len > 0 ? ", " : "");
}

/*
 * The token's user becomes r->sess, so that conn_get and audit_add work as
 * on the pages. 0 signed in; 1 refused (401 made); -1 database failure.
 */

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
	if (api_scope_refused(r, api_scope(ar, m)))
		goto out;
	if (api_query(r) != 0)
		goto out;
	if ((m == API_POST || m == API_PUT || m == API_PATCH) && api_body(r, &body) != 0)
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
