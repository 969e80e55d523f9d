/*
 * page-api-tokens.c — /api-tokens: each user's API tokens (and, for
 * administrators, the service accounts and their tokens): make one (shown
 * once, on the answer to the POST that made it), see when each was last
 * used, revoke. apitoken.c decides who may do what.
 * Inputs: /api-tokens POST csrf, action=create, name, scopes (repeated),
 * expires (30|90|365|0), client_range, for (a user id: the signed-in user
 * or a service account); action=service, name (administrators).
 * /api-tokens/{id} POST csrf, action=revoke.
 * Statuses: 200, 201, 303, 400, 404, 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

/* The lifetimes the form offers, in days (0: does not expire). */
static const int token_lifetimes[] = { 30, 90, 365, 0 };

/* The tokens the user manages (theirs; an administrator's also those of
 * service accounts), the service accounts, the scopes (`checked` ticked). */
static int
tokens_fill(struct req *r, unsigned checked)
{
	char		 uid[24], admin[2];
	const char	*params[2] = { uid, admin };
	PGresult	*res;
	HDF		*n;
	size_t		 i;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->actor.user_id);
	snprintf(admin, sizeof(admin), "%d", r->actor.is_admin ? 1 : 0);
	res = db_exec_named(&r->app->db, "api_tokens_mine",
	    "SELECT a.id, a.name, array_to_string(a.scopes, ', ') AS scopes,"
	    " COALESCE(a.client_range::text, '') AS client_range,"
	    " to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created,"
	    " COALESCE(to_char(a.last_used_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '')"
	    "  AS used,"
	    " COALESCE(to_char(a.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '')"
	    "  AS expires,"
	    " CASE WHEN a.revoked_at IS NOT NULL THEN 'revoked'"
	    "  WHEN a.expires_at <= now() THEN 'expired' ELSE 'active' END AS state,"
	    " CASE WHEN u.id = $1 THEN '' ELSE COALESCE(NULLIF(u.name, ''), u.email) END"
	    "  AS holder"
	    " FROM api_tokens a JOIN users u ON u.id = a.user_id"
	    " WHERE a.user_id = $1 OR ($2 = '1' AND u.is_service)"
	    " ORDER BY a.revoked_at IS NOT NULL, u.id <> $1, a.id DESC", 2, params);
	if (res == NULL)
		return -1;
	render_rows(r->hdf, "Tokens", res, (const char *const[]){
	    "Id", "id", "Name", "name", "Scopes", "scopes", "ClientRange", "client_range",
	    "Created", "created", "Used", "used", "Expires", "expires", "State", "state",
	    "Holder", "holder", NULL });
	db_clear(res);
	if (r->actor.is_admin) {
		if ((res = db_exec_named(&r->app->db, "api_service_accounts",
		    "SELECT u.id, u.name, u.email,"
		    " (SELECT count(*) FROM api_tokens a WHERE a.user_id = u.id"
		    "  AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > now()))"
		    "  AS live,"
		    " COALESCE((SELECT string_agg(t.name || ' (' || m.role || ')', ', '"
		    "  ORDER BY lower(t.name)) FROM team_members m JOIN teams t ON t.id = m.team_id"
		    "  WHERE m.user_id = u.id), '') AS teams"
		    " FROM users u WHERE u.is_service AND NOT u.disabled ORDER BY lower(u.name)",
		    0, NULL)) == NULL)
			return -1;
		render_rows(r->hdf, "ServiceAccounts", res, (const char *const[]){
		    "Id", "id", "Name", "name", "Email", "email", "Live", "live",
		    "Teams", "teams", NULL });
		db_clear(res);
	}
	for (i = 0; apitoken_scope_names[i] != NULL; i++) {
		n = render_node(r->hdf, "ScopeNames.%zu", i);
		render_set(n, "Name", apitoken_scope_names[i]);
		if (checked & (1u << i))
			render_set(n, "Checked", "1");
	}
	render_set(r->hdf, "ApiBase", r->app->cfg.base_url);
	render_set(r->hdf, "Page.Title", "API tokens");
	return 0;
}

int
page_api_tokens(struct req *r)
{
	/* A fresh form: the scopes tokens always had; 90 days. */
	render_set(r->hdf, "TokenForm.Expires", "90");
	if (tokens_fill(r, APITOKEN_SCOPES_DEFAULT) == -1)
		return -1;
	return http_page(r, 200, "api-tokens.cs");
}

/* One message at a field of a form ("TokenForm" or "ServiceForm"). */
static void
tokens_mark(struct req *r, const char *form, const char *field, const char *message)
{
	char	 node[64];

	snprintf(node, sizeof(node), "%s.Errors.%s", form, field);
	render_set(r->hdf, node, message);
}

/* The form again with what was sent, every message at its field. */
static int
tokens_refuse(struct req *r, unsigned scopes)
{
	render_set(r->hdf, "TokenForm.Name", req_text(r, "name"));
	render_set(r->hdf, "TokenForm.ClientRange", req_text(r, "client_range"));
	render_set(r->hdf, "TokenForm.Expires", req_text(r, "expires"));
	render_set(r->hdf, "TokenForm.For", req_text(r, "for"));
	if (tokens_fill(r, scopes) == -1)
		return -1;
	return http_page(r, 422, "api-tokens.cs");
}

static int
tokens_create(struct req *r)
{
	struct apitoken_spec spec = { NULL, 0, -1, NULL };
	const char	*name = req_text(r, "name"), *range = req_text(r, "client_range");
	const char	*expires = req_text(r, "expires"), *holder = req_text(r, "for"), *why;
	char		 token[APITOKEN_CHARS + 1], idbuf[24];
	long long	 who = r->actor.user_id, days;
	unsigned	 one;
	int64_t		 id;
	size_t		 i;
	int		 bad = 0, rc;

	if ((why = valid_name(name, APITOKEN_NAME_MAX)) != NULL) {
		tokens_mark(r, "TokenForm", "Name", *name == '\0' ?
		    "Name the token after what uses it, such as \"Flow engine\"." : why);
		bad = 1;
	}
	for (i = 0; i < r->in.n; i++) {
		if (strcmp(r->in.v[i].name, "scopes") != 0)
			continue;
		if (apitoken_scopes_parse(r->in.v[i].value, &one) != NULL ||
		    strchr(r->in.v[i].value, ',') != NULL) {
			http_error(r, 400, NULL);	/* not a value the form offers */
			return 0;
		}
		spec.scopes |= one;
	}
	if (spec.scopes == 0) {
		tokens_mark(r, "TokenForm", "Scopes", "Choose at least one scope.");
		bad = 1;
	}
	if (valid_int(expires, 0, APITOKEN_DAYS_MAX, &days) == NULL)
		for (i = 0; i < sizeof(token_lifetimes) / sizeof(token_lifetimes[0]); i++)
			if (token_lifetimes[i] == days)
				spec.expires_days = (int)days;
	if (spec.expires_days == -1) {
		tokens_mark(r, "TokenForm", "Expires", "Choose how long the token lasts.");
		bad = 1;
	}
	if (*range != '\0' && (why = apitoken_range_valid(range)) != NULL) {
		tokens_mark(r, "TokenForm", "ClientRange", why);
		bad = 1;
	}
	if (*holder != '\0' && valid_int(holder, 1, INT64_MAX / 2, &who) != NULL) {
		http_error(r, 400, NULL);
		return 0;
	}
	if (bad)
		return tokens_refuse(r, spec.scopes);
	spec.name = name;
	spec.client_range = range;
	if ((rc = apitoken_create(&r->actor, who, &spec, token, &id)) == -1)
		return -1;
	if (rc == 1) {
		tokens_mark(r, "TokenForm", "For",
		    "You can make tokens for yourself and, as an administrator, for service"
		    " accounts only.");
		return tokens_refuse(r, spec.scopes);
	}
	/* The one time the token is shown: this no-store answer, never a URL
	 * or a flash cookie. */
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	render_set(r->hdf, "Created.Id", idbuf);
	render_set(r->hdf, "Created.Name", name);
	render_set(r->hdf, "Created.Token", token);
	sodium_memzero(token, sizeof(token));
	render_set(r->hdf, "TokenForm.Expires", "90");
	if (tokens_fill(r, APITOKEN_SCOPES_DEFAULT) == -1)
		return -1;
	return http_page(r, 201, "api-tokens.cs");
}

static int
tokens_service_add(struct req *r)
{
	const char	*name = req_text(r, "name"), *why;
	int64_t		 id;

	if (!r->actor.is_admin) {
		http_error(r, 403, NULL);
		return 0;
	}
	if ((why = valid_name(name, 200)) != NULL) {
		tokens_mark(r, "ServiceForm", "Name", *name == '\0' ?
		    "Name the service account after the system that uses it." : why);
		render_set(r->hdf, "ServiceForm.Name", name);
		render_set(r->hdf, "TokenForm.Expires", "90");
		if (tokens_fill(r, APITOKEN_SCOPES_DEFAULT) == -1)
			return -1;
		return http_page(r, 422, "api-tokens.cs");
	}
	if (apitoken_service_account_add(&r->actor, name, &id) == -1)
		return -1;
	http_flash_next(r, "success", "Service account added. Add it to teams on the Teams"
	    " page, then make a token for it here.");
	http_redirect(r, "/api-tokens");
	return 0;
}

int
page_api_tokens_post(struct req *r)
{
	const char	*action = req_text(r, "action");

	if (strcmp(action, "create") == 0)
		return tokens_create(r);
	if (strcmp(action, "service") == 0)
		return tokens_service_add(r);
	http_error(r, 400, NULL);
	return 0;
}

int
page_api_token_post(struct req *r)
{
	int	 rc;

	if (strcmp(req_text(r, "action"), "revoke") != 0) {
		http_error(r, 400, NULL);
		return 0;
	}
	if ((rc = apitoken_revoke(&r->actor, r->arg_id)) == -1)
		return -1;
	if (rc == 1) {
		http_error(r, 404, NULL);
		return 0;
	}
	http_flash_next(r, "success", rc == 2 ? "That token was already revoked." :
	    "Token revoked: it no longer works.");
	http_redirect(r, "/api-tokens");
	return 0;
}
