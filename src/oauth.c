/*
 * oauth.c — OAuth 2.0 tokens for connections, below the tester and the
 * Reconnect pages: the token endpoint call (any grant) and the storing of
 * its answer, the refresh lock, and the authorization URL with PKCE (S256).
 * The redirect URI comes from the configuration, never from request headers.
 * The pages are page-connection-reconnect.c and page-oauth-callback.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

struct oauthctx {
	json_t		*settings;
};

static const char *
oauth_setting(void *arg, const char *field)
{
	return json_string_value(json_object_get(((struct oauthctx *)arg)->settings, field));
}

static int
oauth_expand(const struct actor *a, const char *tmpl, json_t *settings, struct buf *out)
{
	struct oauthctx	 ctx = { settings };
	char		 err[256];

	if (tmpl == NULL || catalog_expand(tmpl, oauth_setting, &ctx, out, err,
	    sizeof(err)) == -1) {
		log_error(a->request_id, "oauth: %s", tmpl == NULL ? "no endpoint" : err);
		return -1;
	}
	return 0;
}

static const char *
oauth_value(HDF *oauth, const char *key, const char *api_type)
{
	return catalog_value(oauth, key, api_type);
}

#define DAY_S		86400L
#define NEXT_MIN_S	30L

/* 1 when the connector says its provider revokes idle refresh tokens
 * (OAuth.refresh_daily): refreshed at least once a day, used or not. */
static int
oauth_refresh_daily(HDF *proto)
{
	return hdf_get_int_value(hdf_get_obj(proto, "OAuth"), "refresh_daily", 0) == 1;
}

/*
 * When `owner`'s tokens of connection `cid` are next to be refreshed, in
 * seconds from now: refresh_ahead_seconds before the access token expires
 * (half its remaining life when that is shorter), and for a daily connector
 * a day after the last store, whichever comes first; at most a day, at
 * least NEXT_MIN_S. 0 when there is nothing to refresh: no refresh token,
 * or no expiry known and not daily; -1 on a database error.
 */
static long
oauth_refresh_next(const struct actor *a, int64_t cid, int64_t owner, int daily)
{
	char		 id[24], own[24], ahead[16];
	const char	*params[4] = { id, own, ahead, daily ? "t" : "f" };
	PGresult	*res;
	long		 secs = 0;

	snprintf(id, sizeof(id), "%lld", (long long)cid);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	snprintf(ahead, sizeof(ahead), "%d", a->app->cfg.refresh_ahead_s);
	res = db_exec_named(&a->app->db, "oauth_refresh_next",
	    "WITH e AS (SELECT CASE WHEN $2::bigint = 0 THEN (SELECT token_expires_at"
	    "  FROM connections WHERE id = $1) ELSE (SELECT token_expires_at FROM"
	    "  user_connection_states WHERE connection_id = $1 AND user_id = $2) END AS at),"
	    " s AS (SELECT max(updated_at) FILTER (WHERE field = 'access_token') AS stored,"
	    "  bool_or(field = 'refresh_token') AS refreshable FROM (SELECT field, updated_at"
	    "  FROM connection_secrets WHERE connection_id = $1 AND $2::bigint = 0 UNION ALL"
	    "  SELECT field, updated_at FROM user_connection_secrets WHERE connection_id = $1"
	    "  AND user_id = $2) x)"
	    " SELECT CASE WHEN s.refreshable AND (e.at IS NOT NULL OR $4::boolean) THEN"
	    "  extract(epoch FROM LEAST(GREATEST(e.at - make_interval(secs => $3::int),"
	    "  now() + (e.at - now()) / 2), CASE WHEN $4::boolean THEN COALESCE(s.stored,"
	    "  now()) + interval '1 day' END) - now())::bigint END AS secs FROM e, s",
	    4, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 1 && *db_get(res, 0, "secs") != '\0') {
		secs = strtol(db_get(res, 0, "secs"), NULL, 10);
		secs = secs < NEXT_MIN_S ? NEXT_MIN_S : secs > DAY_S ? DAY_S : secs;
	}
	db_clear(res);
	return secs;
}

/* Put `owner`'s refresh job of connection `cid` at its next time, or take
 * it away when nothing is left to refresh (`force_none`: the grant was
 * refused; a reconnect stores tokens and sets it again). A job a worker
 * holds keeps its time, which that worker sets when done; one waiting out a
 * failure's backoff (last_error) starts again from the new tokens. */
static int
oauth_refresh_schedule(const struct actor *a, int64_t cid, int64_t owner, int daily,
    int force_none)
{
	char		 id[24], own[24], secs[24];
	const char	*params[3] = { id, own, secs };
	PGresult	*res;
	long		 next;

	if ((next = force_none ? 0 : oauth_refresh_next(a, cid, owner, daily)) == -1)
		return -1;
	snprintf(id, sizeof(id), "%lld", (long long)cid);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	snprintf(secs, sizeof(secs), "%ld", next);
	res = next == 0 ? db_exec_named(&a->app->db, "oauth_refresh_unschedule",
	    "DELETE FROM jobs WHERE kind = 'refresh' AND connection_id = $1"
	    " AND COALESCE(user_id, 0) = $2 AND $3::bigint = 0",
	    3, params) : db_exec_named(&a->app->db, "oauth_refresh_schedule",
	    "INSERT INTO jobs (kind, connection_id, user_id, run_at) VALUES ('refresh', $1,"
	    " NULLIF($2::bigint, 0), now() + make_interval(secs => $3::bigint))"
	    " ON CONFLICT (kind, COALESCE(connection_id, 0), COALESCE(user_id, 0))"
	    " DO UPDATE SET run_at = EXCLUDED.run_at, attempts = 0, last_error = NULL,"
	    " locked_by = NULL, locked_at = NULL"
	    " WHERE jobs.locked_by IS NULL OR jobs.last_error IS NOT NULL", 3, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/*
 * OAuth.token_keep: members of the token answer kept with the token and
 * handed out with it (Salesforce's instance_url), sealed like it. A value is
 * an https URL of at most 2048 bytes, or it is not kept.
 */
static int
oauth_keep(const struct actor *a, const struct conn *c, int64_t owner, HDF *proto,
    json_t *j)
{
	const char	*keep = oauth_value(hdf_get_obj(proto, "OAuth"), "token_keep",
			    c->api_type), *v;
	char		 w[64];

	while (str_word_next(&keep, w, sizeof(w))) {
		v = json_string_value(json_object_get(j, w));
		if (v == NULL || strncmp(v, "https://", 8) != 0 || valid_url(v, 0) != NULL)
			continue;
		if (secret_conn_put(a, c->id, owner, w, v) == -1)
			return -1;
	}
	return 0;
}

/*
 * Store a token endpoint's answer as `owner`'s tokens, with their expiry
 * (the access token's and, when the provider says it, the refresh token's:
 * the connection's for shared tokens, the user's own state for per-user
 * ones), the granted scopes, and the refresh job set from the new expiry;
 * all in one transaction (the caller's, e.g. the refresh lock's, else its
 * own), so that a rotated refresh token is never stored without its access
 * token. o->result PROTOCOL when the answer has no access token.
 */
static int
oauth_store(const struct actor *a, const struct conn *c, int64_t owner, HDF *proto,
    json_t *j, struct probe_outcome *o)
{
	const char	*access = json_string_value(json_object_get(j, "access_token"));
	const char	*refresh = json_string_value(json_object_get(j, "refresh_token"));
	const char	*granted = json_string_value(json_object_get(j, "scope"));
	json_t		*rttl_j = json_object_get(j, "refresh_token_expires_in");
	char		 cid[24], own[24], ttl[24], rttl[24];
	const char	*params[6];
	PGresult	*res;
	int		 own_tx = !a->app->db.in_tx;

	if (access == NULL) {
		o->result = PROBE_PROTOCOL;
		return 0;
	}
	if (own_tx && db_begin(&a->app->db) == -1)
		return -1;
	if (secret_conn_put(a, c->id, owner, "access_token", access) == -1 ||
	    (refresh != NULL && secret_conn_put(a, c->id, owner, "refresh_token",
	    refresh) == -1) || oauth_keep(a, c, owner, proto, j) == -1)
		goto fail;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	snprintf(ttl, sizeof(ttl), "%lld", json_is_integer(json_object_get(j, "expires_in")) ?
	    (long long)json_integer_value(json_object_get(j, "expires_in")) : 0LL);
	/* A new refresh token without its own expiry: the old one's is void. */
	snprintf(rttl, sizeof(rttl), "%lld", json_is_integer(rttl_j) &&
	    json_integer_value(rttl_j) > 0 ? (long long)json_integer_value(rttl_j) :
	    refresh != NULL ? -1LL : 0LL);
	params[0] = cid, params[1] = ttl, params[2] = granted, params[3] = rttl;
	params[4] = own;
	res = owner > 0 ? db_exec_named(&a->app->db, "token_meta_user",
	    "WITH g AS (UPDATE connections SET granted_scopes = COALESCE($3, granted_scopes)"
	    " WHERE id = $1) INSERT INTO user_connection_states AS s (connection_id, user_id,"
	    " token_expires_at,"
	    " refresh_token_expires_at) VALUES ($1, $5, CASE WHEN $2::int > 0 THEN now() +"
	    " make_interval(secs => $2::int) END, CASE WHEN $4::int > 0 THEN now() +"
	    " make_interval(secs => $4::int) END) ON CONFLICT (connection_id, user_id) DO UPDATE"
	    " SET token_expires_at = EXCLUDED.token_expires_at, refresh_token_expires_at ="
	    " CASE WHEN $4::int = 0 THEN s.refresh_token_expires_at ELSE"
	    " EXCLUDED.refresh_token_expires_at END",
	    5, params) :
	    db_exec_named(&a->app->db, "token_meta",
	    "UPDATE connections SET token_expires_at = CASE WHEN $2::int > 0 THEN now() +"
	    " make_interval(secs => $2::int) END, granted_scopes = COALESCE($3,"
	    " granted_scopes), refresh_token_expires_at = CASE WHEN $4::int > 0 THEN now() +"
	    " make_interval(secs => $4::int) WHEN $4::int < 0 THEN NULL ELSE"
	    " refresh_token_expires_at END WHERE id = $1 AND $5::bigint = 0", 5, params);
	if (res == NULL)
		goto fail;
	db_clear(res);
	if (strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") == 0 &&
	    oauth_refresh_schedule(a, c->id, owner, oauth_refresh_daily(proto), 0) == -1)
		goto fail;
	if (own_tx && db_commit(&a->app->db) == -1)
		goto fail;
	return 0;
fail:
	if (own_tx)
		db_rollback(&a->app->db);
	return -1;
}

/* The token endpoint call itself: 1 when it was made (o says how it went),
 * 0 when it could not be (o->result says why). */
static int
oauth_token_send(const struct actor *a, const struct conn *c, HDF *proto, HDF *oauth,
    json_t *settings, const char *client_id, const char *client_secret, int basic,
    const char *grant, const char *extra, const char *token_url, struct probe_outcome *o)
{
	const char	*assertion = oauth_value(oauth, "assertion", c->api_type);
	const char	*scopes_field = oauth_value(oauth, "scopes_field", c->api_type);
	const char	*scopes;
	struct probe_http p;
	struct buf	 url, body;

	memset(&p, 0, sizeof(p));
	scopes = scopes_field != NULL ? json_string_value(json_object_get(settings,
	    scopes_field)) : NULL;
	if (scopes == NULL || *scopes == '\0')
		scopes = oauth_value(oauth, "scopes", c->api_type);
	if (client_id == NULL || (client_secret == NULL && assertion == NULL)) {
		o->result = PROBE_CREDENTIALS_MISSING;
		return 0;
	}
	buf_init(&url);
	buf_init(&body);
	if (token_url != NULL)
		buf_puts(&url, token_url);
	else if (oauth_expand(a, oauth_value(oauth, "token_url", c->api_type), settings,
	    &url) == -1) {
		o->result = PROBE_UNSUPPORTED;
		buf_free(&url);
		return 0;
	}
	buf_puts(&body, "grant_type=");
	buf_url_encode(&body, grant);
	if (extra != NULL)
		buf_puts(&body, extra);
	if (strcmp(grant, "client_credentials") == 0 && scopes != NULL && *scopes != '\0') {
		buf_puts(&body, "&scope=");
		buf_url_encode(&body, scopes);
	}
	if (assertion != NULL) {
		/* The assertion in extra authenticates; a client assertion names
		 * its client, a grant assertion carries it as iss. */
		if (strcmp(assertion, "client_assertion") == 0) {
			buf_puts(&body, "&client_id=");
			buf_url_encode(&body, client_id);
		}
	} else if (!basic) {
		buf_puts(&body, "&client_id=");
		buf_url_encode(&body, client_id);
		buf_puts(&body, "&client_secret=");
		buf_url_encode(&body, client_secret);
	} else {
		p.user = client_id;
		p.password = client_secret;
	}
	p.method = "POST";
	p.url = url.data;
	p.body = body.data;
	p.expect = "200";
	p.allow_http = strncmp(url.data, "http://", 7) == 0 &&
	    str_word_in(hdf_get_value(hdf_get_obj(hdf_get_obj(proto, "Fields"),
	    oauth_value(oauth, "base", c->api_type) != NULL ? oauth_value(oauth, "base",
	    c->api_type) : "url"), "scheme", "https"), "http");
	probe_http(a->app, &p, o);
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&url);
	return 1;
}

int
oauth_token_call(const struct actor *a, const struct conn *c, int64_t owner, HDF *proto,
    json_t *settings, const char *client_secret, const char *grant, const char *extra,
    const char *token_url, struct probe_outcome *o)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*id_field = oauth_value(oauth, "client_id_field", c->api_type);
	const char	*auth = oauth_value(oauth, "client_auth", c->api_type);
	const char	*assertion = oauth_value(oauth, "assertion", c->api_type);
	const char	*client_id;
	struct oauthclient oc;
	json_t		*j;
	int		 rc, basic = auth == NULL || strcmp(auth, "basic") == 0;

	client_id = json_string_value(json_object_get(settings, id_field != NULL ?
	    id_field : "client_id"));
	/* A connection that uses a saved client: its ID, secret, method and
	 * token URL as they are now (a rotated secret applies at once). */
	memset(&oc, 0, sizeof(oc));
	if ((rc = assertion != NULL ? 0 : oauthclient_for_conn(a, c->id, 1, &oc)) == -1)
		return -1;
	if (rc == 1) {
		client_id = oc.client_id;
		client_secret = oc.secret;
		basic = !oc.post;
		if (token_url == NULL && *oc.token_url != '\0')
			token_url = oc.token_url;
	}
	rc = oauth_token_send(a, c, proto, oauth, settings, client_id, client_secret,
	    basic, grant, extra, token_url, o);
	oauthclient_free(&oc);
	if (rc != 1)
		return rc;
	j = json_loadb(o->body.data != NULL ? o->body.data : "", o->body.len, 0, NULL);
	if (o->result != PROBE_OK) {
		const char	*error = json_string_value(json_object_get(j, "error"));

		/* An assertion refused (invalid_grant, invalid_client): its key,
		 * client or user; nothing a reconnect would change. */
		if (o->http_status == 400 || o->http_status == 401)
			o->result = error != NULL && strcmp(error, "invalid_grant") == 0 &&
			    assertion == NULL ? PROBE_NEEDS_RECONNECT : PROBE_BAD_CREDENTIALS;
		json_decref(j);
		return 0;
	}
	rc = oauth_store(a, c, owner, proto, j, o);
	json_decref(j);
	return rc;
}

void
oauth_challenge(const char *verifier, char *out, size_t outlen)
{
	unsigned char	 d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)verifier, strlen(verifier));
	sodium_bin2base64(out, outlen, d, sizeof(d), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void
oauth_redirect_uri(const struct app *app, struct buf *out)
{
	const char	*base = app->cfg.base_url;
	size_t		 n = strlen(base);

	buf_append(out, base, n > 0 && base[n - 1] == '/' ? n - 1 : n);
	buf_puts(out, "/oauth/callback");
}

char *
oauth_redirect_uri_dup(const struct app *app)
{
	struct buf	 uri;

	buf_init(&uri);
	oauth_redirect_uri(app, &uri);
	return uri.data;
}

/* "a=b c={field}" -> "&a=b&c=value" */
static int
oauth_extra_params(const struct actor *a, const char *params, json_t *settings,
    struct buf *out)
{
	char	*copy, *tok, *save = NULL;
	int	 rc = 0;

	if (params == NULL)
		return 0;
	copy = xstrdup(params);
	for (tok = strtok_r(copy, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		char		*eq = strchr(tok, '=');
		struct buf	 v;

		if (eq == NULL)
			continue;
		*eq = '\0';
		buf_init(&v);
		/* A parameter whose field is empty is left out. */
		if (oauth_expand(a, eq + 1, settings, &v) == 0) {
			buf_puts(out, "&");
			buf_url_encode(out, tok);
			buf_puts(out, "=");
			buf_puts(out, v.data);
		}
		buf_free(&v);
	}
	free(copy);
	return rc;
}

int
oauth_authorize_url(const struct actor *a, const struct conn *c, HDF *proto,
    json_t *settings, const char *state, const char *challenge, struct buf *out)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*id_field = oauth_value(oauth, "client_id_field", c->api_type);
	const char	*scopes_field = oauth_value(oauth, "scopes_field", c->api_type);
	const char	*client_id = json_string_value(json_object_get(settings,
			    id_field != NULL ? id_field : "client_id"));
	const char	*scopes = scopes_field != NULL ? json_string_value(
			    json_object_get(settings, scopes_field)) : NULL;
	struct buf	 redirect;

	struct oauthclient oc;
	int		 uses;

	if (scopes == NULL || *scopes == '\0')
		scopes = oauth_value(oauth, "scopes", c->api_type);
	if ((uses = oauthclient_for_conn(a, c->id, 0, &oc)) == -1)
		return -1;
	if (uses == 1) {
		/* A saved client's ID, and its authorize URL when it has one. */
		client_id = oc.client_id;
		if (*oc.authorize_url != '\0')
			buf_puts(out, oc.authorize_url);
	}
	if (client_id == NULL || (out->len == 0 && oauth_expand(a, oauth_value(oauth,
	    "authorize_url", c->api_type), settings, out) == -1)) {
		oauthclient_free(&oc);
		return -1;
	}
	buf_init(&redirect);
	oauth_redirect_uri(a->app, &redirect);
	buf_puts(out, strchr(out->data, '?') != NULL ? "&" : "?");
	buf_puts(out, "response_type=code&client_id=");
	buf_url_encode(out, client_id);
	buf_puts(out, "&redirect_uri=");
	buf_url_encode(out, redirect.data);
	if (scopes != NULL && *scopes != '\0') {
		buf_puts(out, "&scope=");
		buf_url_encode(out, scopes);
	}
	buf_puts(out, "&state=");
	buf_puts(out, state);
	buf_puts(out, "&code_challenge=");
	buf_puts(out, challenge);
	buf_puts(out, "&code_challenge_method=S256");
	oauth_extra_params(a, oauth_value(oauth, "authorize_params", c->api_type), settings,
	    out);
	buf_free(&redirect);
	oauthclient_free(&oc);
	return 0;
}

/*
 * The refresh lock. "Is the token still due? refresh, store" runs once per
 * connection at a time (per connection and user for per-user tokens): a
 * transaction holding pg_advisory_xact_lock(hashtextextended(
 * 'tether.oauth_refresh:ID:USER', 0)) (USER 0 for shared tokens) across the
 * token endpoint call, so that a provider that rotates refresh tokens never
 * sees one twice. The holder is done within outbound.timeout_ms (curl's
 * total) and a few statements; a waiter gives up 2 s after that, with
 * lock_timeout (and statement_timeout above it for that one statement).
 */
#define LOCK_MARGIN_MS	2000

int
oauth_lock(const struct actor *a, int64_t conn_id, int64_t owner)
{
	struct db	*db = &a->app->db;
	char		 key[64], wait[16], stmt[16], usual[16];
	const char	*params[2];
	PGresult	*res;
	int		 busy;

	snprintf(key, sizeof(key), "tether.oauth_refresh:%lld:%lld", (long long)conn_id,
	    (long long)owner);
	snprintf(wait, sizeof(wait), "%d", a->app->cfg.outbound_timeout_ms + LOCK_MARGIN_MS);
	snprintf(stmt, sizeof(stmt), "%d", a->app->cfg.outbound_timeout_ms +
	    2 * LOCK_MARGIN_MS);
	snprintf(usual, sizeof(usual), "%d", db->statement_timeout_ms);
	if (db_begin(db) == -1)
		return -1;
	params[0] = wait, params[1] = stmt;
	if ((res = db_exec_named(db, "oauth_lock_wait", "SELECT set_config('lock_timeout',"
	    " $1, true), set_config('statement_timeout', $2, true)", 2, params)) == NULL)
		goto fail;
	db_clear(res);
	params[0] = key;
	db_expect_wait(db, a->app->cfg.outbound_timeout_ms + 2 * LOCK_MARGIN_MS);
	if ((res = db_exec_named(db, "oauth_lock", "SELECT pg_advisory_xact_lock("
	    "hashtextextended($1, 0))", 1, params)) == NULL) {
		/* 55P03: lock_timeout. */
		busy = db_failed_with(db, "55P03");
		db_rollback(db);
		if (busy)
			log_error(a->request_id, "connection %lld: the OAuth refresh lock was not "
			    "free in %s ms",
			    (long long)conn_id, wait);
		return busy ? 1 : -1;
	}
	db_clear(res);
	params[0] = usual;
	if ((res = db_exec_named(db, "oauth_lock_held", "SELECT set_config('lock_timeout',"
	    " '0', true), set_config('statement_timeout', $1, true)", 1, params)) == NULL)
		goto fail;
	db_clear(res);
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
oauth_unlock(const struct actor *a, int commit)
{
	if (commit)
		return db_commit(&a->app->db);
	db_rollback(&a->app->db);
	return 0;
}

/*
 * 1 when `owner`'s tokens are due for a refresh, 0 when not, -1 on a
 * database error: the stored access token expires within `ahead` seconds,
 * or (daily) it was stored more than a day minus `ahead` ago.
 */
static int
oauth_refresh_due(const struct actor *a, int64_t cid, int64_t owner, int ahead, int daily)
{
	char		 id[24], own[24], secs[16];
	const char	*params[4] = { id, own, secs, daily ? "t" : "f" };
	PGresult	*res;
	int		 rc;

	snprintf(id, sizeof(id), "%lld", (long long)cid);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	snprintf(secs, sizeof(secs), "%d", ahead);
	res = db_exec_named(&a->app->db, "oauth_refresh_due",
	    "SELECT COALESCE(CASE WHEN $2::bigint = 0 THEN (SELECT token_expires_at FROM"
	    " connections WHERE id = $1) ELSE (SELECT token_expires_at FROM"
	    " user_connection_states WHERE connection_id = $1 AND user_id = $2) END"
	    " < now() + make_interval(secs => $3::int), false) OR ($4::boolean AND"
	    " COALESCE((SELECT updated_at FROM connection_secrets WHERE connection_id = $1"
	    " AND field = 'access_token' AND $2::bigint = 0 UNION ALL SELECT updated_at FROM"
	    " user_connection_secrets WHERE connection_id = $1 AND user_id = $2 AND field ="
	    " 'access_token' LIMIT 1) < now() - interval '1 day' + make_interval(secs =>"
	    " $3::int), false)) AS due", 4, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		return -1;
	}
	rc = strcmp(db_get(res, 0, "due"), "t") == 0;
	db_clear(res);
	return rc;
}

/*
 * The one refresh path (tests, pages, tether-worker): under the refresh
 * lock, decide again once it is held, since the tokens the caller saw may
 * be stale by then. When the stored access token is no longer `used` (the
 * one the caller tried), someone else refreshed or reconnected meanwhile;
 * when the refresh was for an expiry the stored tokens no longer show, they
 * are new already. Either way the provider is not asked: a rotated refresh
 * token is single-use, and some providers revoke the whole grant when one is
 * presented twice. A refresh's answer is stored in the lock's transaction.
 * o->result: OK (refreshed or not needed; *refreshed says which), BUSY (the
 * lock was not free in time), NEEDS_RECONNECT (no refresh token: http_status
 * 0; invalid_grant: 400/401), or how the token call failed. 0, or -1 on a
 * database error.
 */
int
oauth_refresh(const struct actor *a, const struct conn *c, int64_t owner, const char *used,
    enum oauth_why why, struct probe_outcome *o, int *refreshed)
{
	HDF		*proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*sf = oauth_value(oauth, "client_secret_field", c->api_type);
	char		*access = NULL, *refresh = NULL, *client_secret = NULL;
	json_t		*settings = NULL;
	struct buf	 extra;
	int		 due = 1, rc = 0;

	*refreshed = 0;
	if (proto == NULL || strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0) {
		o->result = PROBE_UNSUPPORTED;
		return 0;
	}
	switch (oauth_lock(a, c->id, owner)) {
	case 0:
		break;
	case 1:
		o->result = PROBE_BUSY;
		return 0;
	default:
		return -1;
	}
	if (secret_conn_get(a, c->id, owner, "access_token", &access) == -1 ||
	    secret_conn_get(a, c->id, owner, "refresh_token", &refresh) == -1 ||
	    (why != OAUTH_REJECTED && (due = oauth_refresh_due(a, c->id, owner,
	    why == OAUTH_DUE ? a->app->cfg.refresh_ahead_s : OAUTH_EXPIRING_S,
	    why == OAUTH_DUE && oauth_refresh_daily(proto))) == -1))
		rc = -1;
	else if ((used != NULL && (access == NULL || strcmp(access, used) != 0)) || !due)
		o->result = PROBE_OK;
	else if (refresh == NULL)
		o->result = PROBE_NEEDS_RECONNECT;
	else if ((settings = json_loads(c->settings, 0, NULL)) == NULL ||
	    secret_conn_get(a, c->id, 0, sf != NULL ? sf : "client_secret",
	    &client_secret) == -1)
		rc = -1;
	else {
		buf_init(&extra);
		buf_puts(&extra, "&refresh_token=");
		buf_url_encode(&extra, refresh);
		rc = oauth_token_call(a, c, owner, proto, settings, client_secret,
		    "refresh_token", extra.data, NULL, o);
		*refreshed = rc == 0 && o->result == PROBE_OK;
		/* invalid_grant, whoever met it: no more refreshes until reconnected. */
		if (rc == 0 && o->result == PROBE_NEEDS_RECONNECT)
			rc = oauth_refresh_schedule(a, c->id, owner, 0, 1);
		sodium_memzero(extra.data, extra.len);
		buf_free(&extra);
	}
	secret_free(access);
	secret_free(refresh);
	secret_free(client_secret);
	json_decref(settings);
	if (oauth_unlock(a, rc == 0) == -1)
		rc = -1;
	return rc;
}

/* When the refresh job of `owner`'s tokens is next due: seconds, 0 for
 * never (nothing to refresh), -1 on a database error. */
long
oauth_refresh_next_s(const struct actor *a, const struct conn *c, int64_t owner)
{
	return oauth_refresh_next(a, c->id, owner, oauth_refresh_daily(
	    connector_protocol(&a->app->catalog, c->connector, c->protocol)));
}

char *
oauth_authorize_origin(const struct actor *a, const struct conn *c)
{
	HDF		*proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	json_t		*settings;
	struct buf	 url;
	char		*origin = NULL;
	const char	*p;
	size_t		 n;

	if (proto == NULL || strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0)
		return NULL;
	settings = json_loads(c->settings, 0, NULL);
	buf_init(&url);
	{
		struct oauthclient oc;

		/* A saved client's URL (none for most: no query then). */
		if (c->oauth_client_id != 0 && oauthclient_for_conn(a, c->id, 0, &oc) == 1) {
			if (*oc.authorize_url != '\0')
				buf_puts(&url, oc.authorize_url);
			oauthclient_free(&oc);
		}
	}
	if ((url.len > 0 || (settings != NULL && oauth_expand(a, oauth_value(hdf_get_obj(proto,
	    "OAuth"), "authorize_url", c->api_type), settings, &url) == 0)) &&
	    (p = strstr(url.data, "://")) != NULL) {
		n = (size_t)(p + 3 - url.data) + strcspn(p + 3, "/?#");
		/* Only characters an origin has; anything else stays out of a header. */
		if (strspn(url.data, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789:/.-[]") >= n)
			origin = xstrndup(url.data, n);
	}
	buf_free(&url);
	json_decref(settings);
	return origin;
}

int
oauth_token_url(const struct actor *a, const struct conn *c, HDF *proto, json_t *settings,
    struct buf *out)
{
	struct oauthclient oc;
	int		 uses;

	if ((uses = oauthclient_for_conn(a, c->id, 0, &oc)) == -1)
		return -1;
	if (uses == 1 && *oc.token_url != '\0') {
		buf_puts(out, oc.token_url);
		oauthclient_free(&oc);
		return 0;
	}
	oauthclient_free(&oc);
	return oauth_expand(a, oauth_value(hdf_get_obj(proto, "OAuth"), "token_url",
	    c->api_type), settings, out);
}

/* ------------------------------------ other endpoints: revocation, identity */

int
oauth_endpoint(const struct actor *a, const struct conn *c, HDF *proto, json_t *settings,
    const char *key, struct buf *out)
{
	const char	*tmpl = oauth_value(hdf_get_obj(proto, "OAuth"), key, c->api_type);

	/* Not declared: nothing to call, and nothing to log. */
	if (tmpl == NULL)
		return 1;
	return oauth_expand(a, tmpl, settings, out);
}

void
oauth_client_auth(int post, const char *client_id, const char *client_secret,
    struct buf *body, struct probe_http *p)
{
	if (post) {
		buf_puts(body, "&client_id=");
		buf_url_encode(body, client_id != NULL ? client_id : "");
		buf_puts(body, "&client_secret=");
		buf_url_encode(body, client_secret != NULL ? client_secret : "");
	} else {
		p->user = client_id;
		p->password = client_secret;
	}
}

int
oauth_endpoint_call(const struct actor *a, const struct conn *c, HDF *proto,
    struct probe_http *p, struct probe_outcome *o)
{
	const char	*base = oauth_value(hdf_get_obj(proto, "OAuth"), "base", c->api_type);

	/* http:// only where the field the endpoints are joined to allows it. */
	p->allow_http = strncmp(p->url, "http://", 7) == 0 &&
	    str_word_in(hdf_get_value(hdf_get_obj(hdf_get_obj(proto, "Fields"),
	    base != NULL ? base : "url"), "scheme", "https"), "http");
	return probe_http(a->app, p, o);
}
