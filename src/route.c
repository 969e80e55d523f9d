/*
 * route.c — the route table: every path pattern with its methods, the
 * fields it declares and whether it needs a session; and the dispatcher,
 * the one place where fields, session, permission and CSRF are checked
 * before any page runs. It owns the request's session.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

static const char *const p_none[] = { NULL };
static const char *const p_csrf[] = { "csrf", NULL };
static const char *const p_login_post[] = { "csrf", "email", "password", "next", NULL };
static const char *const p_index[] = { "q", "connector", "status", "team", "unused", "sort",
	"page", "after", "before", NULL };
static const char *const p_catalog[] = { "q", "category", NULL };	/* issue 16 §3 */
static const char *const p_sort[] = { "sort", NULL };
static const char *const p_new[] = { "connector", "protocol", "api_type",
	"draft", "oauth_client", NULL };
static const char *const p_create[] = { "csrf", "name", "description", "team", "context",
	"connector", "protocol", "api_type", "named_credential", "uplink",
	"shown", "change", "once",
	"client_source", "oauth_client", "client_action", NULL };
/* OAuth clients (page-oauth-clients.c, page-oauth-client.c) */
static const char *const p_ocs[] = { "csrf", "name", "team", "kind", "client_id",
	"client_secret", "auth_method", "token_url", "authorize_url", "scopes", "draft", NULL };
static const char *const p_oc[] = { "csrf", "action", "draft", "client_id",
	"client_secret", "auth_method", "token_url", "authorize_url", "scopes", "team",
	"permission", NULL };
static const char *const p_ncs[] = { "csrf", "name", "description", "team", "url",
	"protocol", NULL };
static const char *const p_nc[] = { "csrf", "action", "description", "url", "expires_on",
	NULL };
static const char *const p_edit[] = { "confirm", "csrf", "name", "description",
	"version", "check_interval", "save_anyway", "once",
	"uplink",	/* the connection mode (page-connection-edit.c) */
	"run",	/* GET: a save's run that came back unsaved (page-connection-edit.c) */
	"client_source", "oauth_client", "client_action", "draft", NULL };
static const char *const p_test[] = { "csrf", "once", NULL };
static const char *const p_testing[] = { "run", NULL };
static const char *const p_revert[] = { "csrf", "version", "current", "once", NULL };
static const char *const p_delete[] = { "csrf", "confirm", NULL };
static const char *const p_replace[] = { "csrf", "to", "flow", NULL };
static const char *const m_replace[] = { "flow", NULL };
static const char *const p_teams[] = { "csrf", "action", "name", NULL };
static const char *const p_team[] = { "csrf", "action", "email", "role", NULL };
static const char *const p_users[] = { "csrf", "action", "email", "name", "password", NULL };
static const char *const p_sharing[] = { "csrf", "action", "team", "permission", NULL };
static const char *const p_webhooks[] = { "csrf", "action", "url", "events", "team",
	NULL };
static const char *const m_webhooks[] = { "events", NULL };
static const char *const p_webhook[] = { "csrf", "action", NULL };
static const char *const p_api_tokens[] = { "csrf", "action", "name", "scopes", "expires",
	"client_range", "for", NULL };
static const char *const m_api_tokens[] = { "scopes", NULL };
static const char *const p_api_token[] = { "csrf", "action", NULL };
static const char *const p_uplinks[] = { "csrf", "action", "name", "proxy_url", "allow",
	"egress", "probe", NULL };
static const char *const p_audit[] = { "connection", "actor", "action", "outcome", "from",
	"to", "page", "format", "conn", NULL };
/* What providers send back to a redirect URI. */
static const char *const p_callback[] = { "state", "code", "error", "error_description",
	"error_uri", "scope", "iss", "session_state", "authuser", "prompt", "hd", NULL };

static const struct route routes[] = {
	{ "/", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "integrations",
	    page_index, NULL, p_index, p_none, NULL },
	{ "/login", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_PRE_CSRF, "login",
	    page_login, page_login_post, p_login_post, p_none, NULL },
	{ "/logout", METHOD_POST, ROUTE_SESSION, "login",
	    NULL, page_logout_post, p_csrf, p_none, NULL },
	{ "/connectors", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "connectors",
	    page_connectors, NULL, p_catalog, p_none, NULL },
	{ "/connectors/{key}", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "connectors",
	    page_connector, NULL, p_none, p_none, NULL },
	{ "/connections/new", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "integrations",
	    page_connection_new, NULL, p_new, p_none, NULL },
	{ "/connections", METHOD_POST, ROUTE_SESSION | ROUTE_FORM_ANY, "integrations",
	    NULL, page_connection_create, p_create, p_none, NULL },
	{ "/connections/{id}", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "integrations",
	    page_connection, NULL, p_none, p_none, page_connection_prefetch },
	{ "/connections/{id}/related", METHOD_GET | METHOD_HEAD, ROUTE_SESSION,
	    "integrations", page_connection_related, NULL, p_sort, p_none,
	    page_connection_prefetch },
	{ "/connections/{id}/history", METHOD_GET | METHOD_HEAD, ROUTE_SESSION,
	    "integrations", page_connection_history, NULL, p_none, p_none, NULL },
	{ "/connections/{id}/edit", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_FORM_ANY, "integrations",
	    page_connection_edit, page_connection_edit_post, p_edit, p_none, NULL },
	{ "/connections/{id}/delete", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "integrations", page_connection_delete, page_connection_delete_post,
	    p_delete, p_none, NULL },
	{ "/connections/{id}/replace", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "integrations", page_connection_replace, page_connection_replace_post,
	    p_replace, m_replace, NULL },
	{ "/connections/{id}/revert", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "integrations", page_connection_revert, page_connection_revert_post,
	    p_revert, p_none, NULL },
	{ "/connections/{id}/testing", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "integrations",
	    page_connection_testing, NULL, p_testing, p_none, NULL },
	{ "/connections/{id}/test", METHOD_POST, ROUTE_SESSION, "integrations",
	    NULL, page_connection_test_post, p_test, p_none, NULL },
	/* Their URLs (the Location of one, the request of the other) carry the
	 * state and code: never sent on as a Referer. */
	{ "/connections/{id}/reconnect", METHOD_POST, ROUTE_SESSION | ROUTE_NO_REFERRER,
	    "integrations", NULL, page_connection_reconnect_post, p_csrf, p_none, NULL },
	/* Issue 13 §5 §6: an admin's "Connect a different account"; a user's
	 * "Disconnect my account" (revoked at the provider). */
	{ "/connections/{id}/connect-other", METHOD_POST, ROUTE_SESSION | ROUTE_NO_REFERRER,
	    "integrations", NULL, page_connection_connect_other_post, p_csrf, p_none, NULL },
	{ "/connections/{id}/disconnect", METHOD_POST, ROUTE_SESSION,
	    "integrations", NULL, page_connection_disconnect_post, p_csrf, p_none, NULL },
	{ "/oauth/callback", METHOD_GET | METHOD_HEAD, ROUTE_SESSION | ROUTE_NO_REFERRER,
	    "integrations", page_oauth_callback, NULL, p_callback, p_none, NULL },
	{ "/connections/{id}/sharing", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "integrations", page_connection_sharing, page_connection_sharing_post,
	    p_sharing, p_none, NULL },
	{ "/audit", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "audit",
	    page_audit, NULL, p_audit, p_none, NULL },
	{ "/teams", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION | ROUTE_ADMIN,
	    "teams", page_teams, page_teams_post, p_teams, p_none, NULL },
	{ "/teams/{id}", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION | ROUTE_ADMIN,
	    "teams", page_team, page_team_post, p_team, p_none, NULL },
	{ "/users", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION | ROUTE_ADMIN,
	    "users", page_users, page_users_post, p_users, p_none, NULL },
	{ "/named-credentials", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_FORM_ANY, "named-credentials", page_named_credentials,
	    page_named_credentials_post, p_ncs, p_none, NULL },
	{ "/named-credentials/{id}", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_FORM_ANY, "named-credentials", page_named_credential,
	    page_named_credential_post, p_nc, p_none, NULL },
	{ "/oauth-clients", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "oauth-clients", page_oauth_clients, page_oauth_clients_post, p_ocs, p_none, NULL },
	{ "/oauth-clients/{id}", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION,
	    "oauth-clients", page_oauth_client, page_oauth_client_post, p_oc, p_none, NULL },
	{ "/connections/{id}/credentials", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_FORM_ANY, "integrations", page_connection_credentials,
	    page_connection_credentials_post, p_csrf, p_none, NULL },
	{ "/webhooks", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION | ROUTE_ADMIN,
	    "webhooks", page_webhooks, page_webhooks_post, p_webhooks, m_webhooks, NULL },
	{ "/webhooks/{id}", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION | ROUTE_ADMIN,
	    "webhooks", page_webhook, page_webhook_post, p_webhook, p_none, NULL },
	{ "/api-tokens", METHOD_GET | METHOD_HEAD | METHOD_POST, ROUTE_SESSION, "api-tokens",
	    page_api_tokens, page_api_tokens_post, p_api_tokens, m_api_tokens, NULL },
	{ "/api-tokens/{id}", METHOD_POST, ROUTE_SESSION, "api-tokens",
	    NULL, page_api_token_post, p_api_token, p_none, NULL },
	{ "/uplinks", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_ADMIN | ROUTE_ADMIN_403, "uplinks",
	    page_uplinks, page_uplinks_post, p_uplinks, p_none, NULL },
	{ "/uplinks/{id}", METHOD_GET | METHOD_HEAD | METHOD_POST,
	    ROUTE_SESSION | ROUTE_ADMIN | ROUTE_ADMIN_403, "uplinks",
	    page_uplink, page_uplink_post, p_uplinks, p_none, NULL },
	{ "/flows/{id}", METHOD_GET | METHOD_HEAD, ROUTE_SESSION, "integrations",
	    page_flow, NULL, p_none, p_none, NULL },
};

/* Match one segment; {id} is a positive decimal, {key} a catalog-style key
 * (kept in *key when key is not NULL). */
static int
route_segment(const char *pat, size_t plen, const char *seg, size_t slen, int64_t *id,
    char **key)
{
	size_t	 i;

	if (plen == 4 && strncmp(pat, "{id}", 4) == 0) {
		long long	 v = 0;

		if (slen == 0 || slen > 15 || seg[0] == '0')
			return 0;
		for (i = 0; i < slen; i++) {
			if (seg[i] < '0' || seg[i] > '9')
				return 0;
			v = v * 10 + (seg[i] - '0');
		}
		*id = v;
		return 1;
	}
	if (plen == 5 && strncmp(pat, "{key}", 5) == 0) {
		if (key == NULL || slen == 0 || slen > 40)
			return 0;
		for (i = 0; i < slen; i++)
			if (!((seg[i] >= 'a' && seg[i] <= 'z') ||
			    (seg[i] >= '0' && seg[i] <= '9') || seg[i] == '-'))
				return 0;
		free(*key);
		*key = xstrndup(seg, slen);
		return 1;
	}
	return plen == slen && strncmp(pat, seg, slen) == 0;
}

int
route_path_match(const char *pattern, const char *path, int64_t *id, char **key)
{
	const char	*p = pattern, *s = path;

	for (;;) {
		size_t	 plen, slen;

		if (*p != *s)		/* both at '/' or both at the end */
			return 0;
		if (*p == '\0')
			return 1;
		p++, s++;
		plen = strcspn(p, "/");
		slen = strcspn(s, "/");
		if (!route_segment(p, plen, s, slen, id, key))
			return 0;
		p += plen, s += slen;
	}
}

int
route_match(struct req *r)
{
	size_t	 i;
	int	 found = 0;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		r->arg_id = 0;
		if (!route_path_match(routes[i].pattern, r->path, &r->arg_id, &r->arg_key))
			continue;
		r->route = &routes[i];
		found = 1;
		if (routes[i].methods & r->method)
			return 0;
	}
	return found ? 405 : 404;
}

int
route_declares(const struct route *rt, const char *name)
{
	const char *const	*p;

	if ((rt->flags & ROUTE_FORM_ANY) && strncmp(name, "f.", 2) == 0)
		return 1;
	for (p = rt->params; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

int
route_allows_repeat(const struct route *rt, const char *name)
{
	const char *const	*p;

	for (p = rt->multi; *p != NULL; p++)
		if (strcmp(*p, name) == 0)
			return 1;
	return 0;
}

/* The header's user and its sign-out token: read by pages and by error
 * pages alike (http_error keeps them). */
static void
route_fill_user(struct req *r)
{
	if (r->sess == NULL)
		return;
	r->layout_csrf = session_csrf_token(r);
	r->layout_user = 1;
}

/* What every page's layout reads: user, CSRF token, section, flash (set in
 * the HDF when the page is written: req_fill_layout). */
static void
route_fill_common(struct req *r)
{
	r->layout_section = r->route->section;
	r->layout_csrf = session_csrf_token(r);
	/* A fresh one-time token for the forms that must not run twice. */
	if (r->sess != NULL)
		once_new(r->once, sizeof(r->once));
	http_flash_take(r);
}

static void
route_to_login(struct req *r)
{
	struct buf	 loc;

	buf_init(&loc);
	buf_puts(&loc, "/login");
	if (r->method != METHOD_POST && strcmp(r->path, "/") != 0) {
		buf_puts(&loc, "?next=");
		buf_url_encode(&loc, r->path);
	}
	http_redirect(r, loc.data);
	buf_free(&loc);
}

/* Every field must be declared by the route; only declared-repeatable ones repeat. */
static int
route_check_fields(struct req *r)
{
	size_t	 i, count;

	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;

		if (!route_declares(r->route, name)) {
			r->log_note = "undeclared field";
			return 400;
		}
		(void)fields_get(&r->in, name, &count);
		if (count > 1 && !route_allows_repeat(r->route, name)) {
			r->log_note = "repeated field";
			return 400;
		}
	}
	return 0;
}

/* The route and its checked fields, then session, role and CSRF, then the page. */
static void
route_run(struct req *r)
{
	const struct route	*rt;
	page_fn			 fn;
	int			 status;

	if ((status = route_match(r)) != 0 || (status = req_read_fields(r)) != 0 ||
	    (status = route_check_fields(r)) != 0) {
		/* No such page: a signed-in user still gets the navigation. */
		if (status == 404 && r->method != METHOD_POST && session_load(r) == 0)
			route_fill_user(r);
		http_error(r, status, NULL);
		return;
	}
	rt = r->route;
	if (session_load(r) == -1) {
		http_error(r, 503, NULL);
		return;
	}
	route_fill_user(r);
	if ((rt->flags & ROUTE_SESSION) && r->sess == NULL) {
		route_to_login(r);
		return;
	}
	if ((rt->flags & ROUTE_ADMIN) && !r->sess->is_admin) {
		http_error(r, (rt->flags & ROUTE_ADMIN_403) ? 403 : 404, NULL);
		return;
	}
	if (r->method == METHOD_POST && !session_csrf_ok(r)) {
		r->log_note = "csrf";
		http_error(r, 403, NULL);
		return;
	}
	route_fill_common(r);
	fn = r->method == METHOD_POST ? rt->post : rt->get;
	if (fn(r) == -1 && r->status < 400) {
		db_rollback(&r->app->db);
		/* The database went away, stalled or timed out: say so, not
		 * "internal error". */
		http_error(r, db_unavailable(&r->app->db) ? 503 : 500, NULL);
	}
}

void
route_dispatch(struct req *r)
{
	route_run(r);
	session_end(r);
}
