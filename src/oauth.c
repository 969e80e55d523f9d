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

/* Store a token endpoint's answer as `owner`'s tokens, with their expiry and
 * the granted scopes; o->result PROTOCOL when it has no access token. */
static int
oauth_store(const struct actor *a, const struct conn *c, int64_t owner, json_t *j,
    struct probe_outcome *o)
{
	const char	*access = json_string_value(json_object_get(j, "access_token"));
	const char	*refresh = json_string_value(json_object_get(j, "refresh_token"));
	const char	*granted = json_string_value(json_object_get(j, "scope"));
	char		 cid[24], ttl[24];
	const char	*params[3];
	PGresult	*res;

	if (access == NULL) {
		o->result = PROBE_PROTOCOL;
		return 0;
	}
	if (secret_conn_put(a, c->id, owner, "access_token", access) == -1 ||
	    (refresh != NULL && secret_conn_put(a, c->id, owner, "refresh_token",
	    refresh) == -1))
		return -1;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(ttl, sizeof(ttl), "%lld", json_is_integer(json_object_get(j, "expires_in")) ?
	    (long long)json_integer_value(json_object_get(j, "expires_in")) : 0LL);
	params[0] = cid, params[1] = ttl, params[2] = granted;
	res = db_exec_named(&a->app->db, "token_meta",
	    "UPDATE connections SET token_expires_at = CASE WHEN $2::int > 0 THEN now() +"
	    " make_interval(secs => $2::int) END, granted_scopes = COALESCE($3,"
	    " granted_scopes) WHERE id = $1", 3, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

int
oauth_token_call(const struct actor *a, const struct conn *c, int64_t owner, HDF *proto,
    json_t *settings, const char *client_secret, const char *grant, const char *extra,
    const char *token_url, struct probe_outcome *o)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*id_field = oauth_value(oauth, "client_id_field", c->api_type);
	const char	*scopes_field = oauth_value(oauth, "scopes_field", c->api_type);
	const char	*auth = oauth_value(oauth, "client_auth", c->api_type);
	const char	*client_id, *scopes;
	struct probe_http p;
	struct buf	 url, body;
	json_t		*j;
	int		 rc, basic = auth == NULL || strcmp(auth, "basic") == 0;

	memset(&p, 0, sizeof(p));
	client_id = json_string_value(json_object_get(settings, id_field != NULL ?
	    id_field : "client_id"));
	scopes = scopes_field != NULL ? json_string_value(json_object_get(settings,
	    scopes_field)) : NULL;
	if (scopes == NULL || *scopes == '\0')
		scopes = oauth_value(oauth, "scopes", c->api_type);
	if (client_id == NULL || client_secret == NULL) {
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
	if (!basic) {
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

	j = json_loadb(o->body.data != NULL ? o->body.data : "", o->body.len, 0, NULL);
	if (o->result != PROBE_OK) {
		const char	*error = json_string_value(json_object_get(j, "error"));

		if (o->http_status == 400 || o->http_status == 401)
			o->result = error != NULL && strcmp(error, "invalid_grant") == 0 ?
			    PROBE_NEEDS_RECONNECT : PROBE_BAD_CREDENTIALS;
		json_decref(j);
		return 0;
	}
	rc = oauth_store(a, c, owner, j, o);
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

	if (scopes == NULL || *scopes == '\0')
		scopes = oauth_value(oauth, "scopes", c->api_type);
	if (client_id == NULL || oauth_expand(a, oauth_value(oauth, "authorize_url",
	    c->api_type), settings, out) == -1)
		return -1;
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
	if (settings != NULL && oauth_expand(a, oauth_value(hdf_get_obj(proto, "OAuth"),
	    "authorize_url", c->api_type), settings, &url) == 0 &&
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
	return oauth_expand(a, oauth_value(hdf_get_obj(proto, "OAuth"), "token_url",
	    c->api_type), settings, out);
}
