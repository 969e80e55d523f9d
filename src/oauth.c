/*
 * oauth.c — OAuth 2.0 for connections. Connect/Reconnect sends the browser
 * to the provider with PKCE (S256) and a single-use state bound to the
 * session, the user and the connection, expiring in minutes; the redirect
 * URI comes from the configuration, never from request headers. The
 * callback exchanges the code once, at the token URL saved with the state
 * (no redirect followed), stores the tokens encrypted and tests.
 * Inputs: POST /connections/{id}/reconnect csrf; GET /oauth/callback state,
 * code, error, error_description (and what providers add).
 * Statuses: 303, 400 (bad or used state), 403, 404, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define STATE_MINUTES	10

struct oauthctx {
	json_t		*settings;
};

static const char *
oauth_setting(void *arg, const char *field)
{
	return json_string_value(json_object_get(((struct oauthctx *)arg)->settings, field));
}

static int
oauth_expand(struct req *r, const char *tmpl, json_t *settings, struct buf *out)
{
	struct oauthctx	 ctx = { settings };
	char		 err[256];

	if (tmpl == NULL || catalog_expand(tmpl, oauth_setting, &ctx, out, err,
	    sizeof(err)) == -1) {
		log_error(r, "oauth: %s", tmpl == NULL ? "no endpoint" : err);
		return -1;
	}
	return 0;
}

static const char *
oauth_value(HDF *oauth, const char *key, const char *api_type)
{
	return catalog_value(oauth, key, api_type);
}

int
oauth_token_call(struct req *r, const struct conn *c, HDF *proto, json_t *settings,
    const char *client_secret, const char *grant, const char *extra,
    const char *token_url, struct probe_outcome *o)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*id_field = oauth_value(oauth, "client_id_field", c->api_type);
	const char	*scopes_field = oauth_value(oauth, "scopes_field", c->api_type);
	const char	*auth = oauth_value(oauth, "client_auth", c->api_type);
	const char	*client_id, *scopes, *access, *refresh, *granted;
	struct probe_http p;
	struct buf	 url, body;
	json_t		*j;
	char		 cid[24], ttl[24];
	const char	*params[3];
	PGresult	*res;
	int		 basic = auth == NULL || strcmp(auth, "basic") == 0;

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
	else if (oauth_expand(r, oauth_value(oauth, "token_url", c->api_type), settings,
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
	    connector_word_in(hdf_get_value(hdf_get_obj(hdf_get_obj(proto, "Fields"),
	    oauth_value(oauth, "base", c->api_type) != NULL ? oauth_value(oauth, "base",
	    c->api_type) : "url"), "scheme", "https"), "http");
	probe_http(r->app, &p, o);
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
	access = json_string_value(json_object_get(j, "access_token"));
	refresh = json_string_value(json_object_get(j, "refresh_token"));
	granted = json_string_value(json_object_get(j, "scope"));
	if (access == NULL) {
		o->result = PROBE_PROTOCOL;
		json_decref(j);
		return 0;
	}
	if (conn_secret_put(r, c->id, "access_token", access) == -1 ||
	    (refresh != NULL && conn_secret_put(r, c->id, "refresh_token", refresh) == -1)) {
		json_decref(j);
		return -1;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(ttl, sizeof(ttl), "%lld", json_is_integer(json_object_get(j, "expires_in")) ?
	    (long long)json_integer_value(json_object_get(j, "expires_in")) : 0LL);
	params[0] = cid, params[1] = ttl, params[2] = granted;
	res = db_exec_named(&r->app->db, "token_meta",
	    "UPDATE connections SET token_expires_at = CASE WHEN $2::int > 0 THEN now() +"
	    " make_interval(secs => $2::int) END, granted_scopes = COALESCE($3,"
	    " granted_scopes) WHERE id = $1", 3, params);
	json_decref(j);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/* base64url(sha256(verifier)): the S256 code challenge. */
static void
oauth_challenge(const char *verifier, char *out, size_t outlen)
{
	unsigned char	 d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)verifier, strlen(verifier));
	sodium_bin2base64(out, outlen, d, sizeof(d), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
oauth_redirect_uri(struct req *r, struct buf *out)
{
	const char	*base = r->app->cfg.base_url;
	size_t		 n = strlen(base);

	buf_append(out, base, n > 0 && base[n - 1] == '/' ? n - 1 : n);
	buf_puts(out, "/oauth/callback");
}

/* "a=b c={field}" -> "&a=b&c=value" */
static int
oauth_extra_params(struct req *r, const char *params, json_t *settings, struct buf *out)
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
		if (oauth_expand(r, eq + 1, settings, &v) == 0) {
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

static int
oauth_authorize_url(struct req *r, const struct conn *c, HDF *proto, json_t *settings,
    const char *state, const char *challenge, struct buf *out)
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
	if (client_id == NULL || oauth_expand(r, oauth_value(oauth, "authorize_url",
	    c->api_type), settings, out) == -1)
		return -1;
	buf_init(&redirect);
	oauth_redirect_uri(r, &redirect);
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
	oauth_extra_params(r, oauth_value(oauth, "authorize_params", c->api_type), settings,
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
oauth_lock(struct req *r, int64_t conn_id)
{
	struct db	*db = &r->app->db;
	char		 key[64], wait[16], stmt[16], usual[16];
	const char	*params[2];
	PGresult	*res;
	int		 busy;

	snprintf(key, sizeof(key), "tether.oauth_refresh:%lld:%lld", (long long)conn_id,
	    (long long)r->secret_user);
	snprintf(wait, sizeof(wait), "%d", r->app->cfg.outbound_timeout_ms + LOCK_MARGIN_MS);
	snprintf(stmt, sizeof(stmt), "%d", r->app->cfg.outbound_timeout_ms +
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
	db_expect_wait(db, r->app->cfg.outbound_timeout_ms + 2 * LOCK_MARGIN_MS);
	if ((res = db_exec_named(db, "oauth_lock", "SELECT pg_advisory_xact_lock("
	    "hashtextextended($1, 0))", 1, params)) == NULL) {
		/* 55P03: lock_timeout. */
		busy = db_failed_with(db, "55P03");
		db_rollback(db);
		if (busy)
			log_error(r, "connection %lld: the OAuth refresh lock was not free in %s ms",
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
oauth_unlock(struct req *r, int commit)
{
	if (commit)
		return db_commit(&r->app->db);
	db_rollback(&r->app->db);
	return 0;
}

char *
oauth_authorize_origin(struct req *r, const struct conn *c)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	json_t		*settings;
	struct buf	 url;
	char		*origin = NULL;
	const char	*p;
	size_t		 n;

	if (proto == NULL || strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0)
		return NULL;
	settings = json_loads(c->settings, 0, NULL);
	buf_init(&url);
	if (settings != NULL && oauth_expand(r, oauth_value(hdf_get_obj(proto, "OAuth"),
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
page_connection_reconnect_post(struct req *r)
{
	struct conn	*c;
	HDF		*proto;
	json_t		*settings = NULL;
	char		 state[64], verifier[64], challenge[64], hash[68], cid[24], uid[24];
	char		 sid[24], ver[16], minutes[8], *nonce_hex = NULL, *ct_hex = NULL;
	unsigned char	 nonce[VAULT_NONCE_BYTES], *ct = NULL;
	size_t		 ctlen;
	int		 version, rc = -1;
	struct buf	 url, token_url, redirect;
	const char	*params[9];
	PGresult	*res;

	if (conn_load_or_fail(r, PERM_USE, &c))
		return 0;
	/* Shared connections: managers reconnect. Per user: everyone their own. */
	if (strcmp(c->context, "per_user") != 0 && c->perm < PERM_MANAGE) {
		conn_free(c);
		http_error(r, 403, "Only managers of this connection can reconnect it.");
		return 0;
	}
	buf_init(&url);
	buf_init(&token_url);
	buf_init(&redirect);
	proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	if (proto == NULL || strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0) {
		http_error(r, 404, "This connection does not use OAuth 2.0 authorization "
		    "code, so there is nothing to reconnect.");
		rc = 0;
		goto out;
	}
	settings = json_loads(c->settings, 0, NULL);
	auth_random_token(state, sizeof(state), 32);
	auth_random_token(verifier, sizeof(verifier), 32);
	oauth_challenge(verifier, challenge, sizeof(challenge));
	if (settings == NULL || oauth_authorize_url(r, c, proto, settings, state, challenge,
	    &url) == -1 || oauth_expand(r, oauth_value(hdf_get_obj(proto, "OAuth"),
	    "token_url", c->api_type), settings, &token_url) == -1) {
		http_flash_next(r, "error", "The connection's OAuth settings are incomplete; "
		    "edit it first.");
		snprintf(cid, sizeof(cid), "/connections/%lld", (long long)c->id);
		http_redirect(r, cid);
		rc = 0;
		goto out;
	}
	/* The verifier is a secret too: sealed, bound to the connection. */
	conn_vault_current(r);
	if (vault_seal(&r->app->vault, c->id, "oauth_verifier", verifier, strlen(verifier),
	    &version, nonce, &ct, &ctlen) == -1)
		goto out;
	nonce_hex = app_hex(nonce, sizeof(nonce));
	ct_hex = app_hex(ct, ctlen);
	oauth_redirect_uri(r, &redirect);
	auth_token_hash_hex(state, hash);
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(sid, sizeof(sid), "%lld", (long long)r->sess->id);
	snprintf(ver, sizeof(ver), "%d", version);
	snprintf(minutes, sizeof(minutes), "%d", STATE_MINUTES);
	params[0] = hash, params[1] = sid, params[2] = uid, params[3] = cid;
	params[4] = ver, params[5] = nonce_hex, params[6] = ct_hex;
	params[7] = token_url.data, params[8] = redirect.data;
	res = db_exec_named(&r->app->db, "oauth_state_add",
	    "INSERT INTO oauth_states (state_hash, session_id, user_id, connection_id,"
	    " key_version, verifier_nonce, verifier_ciphertext, token_url, redirect_uri,"
	    " expires_at) VALUES ($1::bytea, $2, $3, $4, $5, decode($6, 'hex'),"
	    " decode($7, 'hex'), $8, $9, now() + interval '10 minutes')", 9, params);
	if (res == NULL)
		goto out;
	db_clear(res);
	audit_add(r, "connection", c->id, c->name, "connection_reconnect_start", "success",
	    NULL);
	/* Not http_redirect: this one leaves for the provider. */
	r->status = 303;
	http_header(r, "Location", url.data);
	rc = 0;
out:
	sodium_memzero(verifier, sizeof(verifier));
	sodium_memzero(state, sizeof(state));
	free(ct);
	free(nonce_hex);
	free(ct_hex);
	json_decref(settings);
	buf_free(&url);
	buf_free(&token_url);
	buf_free(&redirect);
	conn_free(c);
	return rc;
}

/* Errors the provider may report, as sentences (never its own text). */
static const char *
oauth_error_sentence(const char *error)
{
	if (strcmp(error, "access_denied") == 0)
		return "The provider reports that access was denied. Nothing changed.";
	if (strcmp(error, "invalid_scope") == 0)
		return "The provider refused the requested scopes. Check the scopes and "
		    "try again.";
	if (strcmp(error, "unauthorized_client") == 0 || strcmp(error, "invalid_client") == 0)
		return "The provider does not accept this client id for this kind of sign-in.";
	if (strcmp(error, "temporarily_unavailable") == 0 ||
	    strcmp(error, "server_error") == 0)
		return "The provider had a problem. Try again later.";
	return "The provider reported an error. Nothing changed.";
}

int
page_oauth_callback(struct req *r)
{
	const char	*state = req_param(r, "state"), *code = req_param(r, "code");
	const char	*error = req_param(r, "error");
	char		 hash[68], sid[24], loc[48], message[200], *verifier = NULL;
	char		*client_secret = NULL;
	const char	*params[2] = { hash, sid };
	PGresult	*st = NULL;
	struct conn	*c = NULL;
	struct probe_outcome o;
	struct buf	 extra;
	json_t		*settings = NULL;
	HDF		*proto;
	int64_t		 id;
	int		 dberr, rc = -1, ok;

	probe_outcome_init(&o);
	buf_init(&extra);
	if (state == NULL || strlen(state) > 100) {
		http_error(r, 400, "This sign-in link is incomplete. Start again with "
		    "Reconnect on the connection's page.");
		rc = 0;
		goto out;
	}
	auth_token_hash_hex(state, hash);
	snprintf(sid, sizeof(sid), "%lld", (long long)r->sess->id);
	/* Single use: the state is spent by the same statement that reads it. */
	st = db_exec_named(&r->app->db, "oauth_state_take",
	    "UPDATE oauth_states SET used_at = now() WHERE state_hash = $1::bytea"
	    " AND session_id = $2 AND used_at IS NULL AND expires_at > now()"
	    " RETURNING connection_id, key_version, encode(verifier_nonce, 'hex') AS nonce,"
	    " encode(verifier_ciphertext, 'hex') AS ct, token_url, redirect_uri", 2, params);
	if (st == NULL)
		goto out;
	if (db_rows(st) != 1) {
		r->log_note = "bad oauth state";
		http_error(r, 400, "This sign-in link has expired or was already used. "
		    "Start again with Reconnect.");
		rc = 0;
		goto out;
	}
	id = strtoll(db_get(st, 0, "connection_id"), NULL, 10);
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)id);
	if ((c = conn_get(r, id, &dberr)) == NULL || c->perm < (strcmp(c->context,
	    "per_user") == 0 ? PERM_USE : PERM_MANAGE)) {
		http_error(r, dberr ? 503 : 404, NULL);
		rc = 0;
		goto out;
	}
	if (error != NULL) {
		snprintf(message, sizeof(message), "%s", oauth_error_sentence(error));
		audit_add(r, "connection", c->id, c->name, "connection_reconnect", "failure",
		    "{\"reason\":\"provider error\"}");
		http_flash_next(r, "error", message);
		http_redirect(r, loc);
		rc = 0;
		goto out;
	}
	if (code == NULL || *code == '\0' || strlen(code) > 2048) {
		http_error(r, 400, "The provider sent no authorization code. Start again "
		    "with Reconnect.");
		rc = 0;
		goto out;
	}
	{
		unsigned char	*nonce, *ct;
		size_t		 nlen, ctlen, vlen;

		nonce = app_unhex(db_get(st, 0, "nonce"), &nlen);
		ct = app_unhex(db_get(st, 0, "ct"), &ctlen);
		if (nonce == NULL || ct == NULL || nlen != VAULT_NONCE_BYTES ||
		    vault_unseal(&r->app->vault, id, "oauth_verifier",
		    atoi(db_get(st, 0, "key_version")), nonce, ct, ctlen, &verifier,
		    &vlen) == -1) {
			free(nonce);
			free(ct);
			goto out;
		}
		free(nonce);
		free(ct);
	}
	proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	settings = json_loads(c->settings, 0, NULL);
	{
		const char	*sf = oauth_value(hdf_get_obj(proto, "OAuth"),
				    "client_secret_field", c->api_type);

		if (conn_secret_get(r, c->id, sf != NULL ? sf : "client_secret",
		    &client_secret) == -1)
			goto out;
	}
	buf_puts(&extra, "&code=");
	buf_url_encode(&extra, code);
	buf_puts(&extra, "&redirect_uri=");
	buf_url_encode(&extra, db_get(st, 0, "redirect_uri"));
	buf_puts(&extra, "&code_verifier=");
	buf_url_encode(&extra, verifier);
	/* The client secret is the connection's; the tokens are the user's own
	 * when the connection runs as each user. */
	if (strcmp(c->context, "per_user") == 0)
		r->secret_user = r->sess->user_id;
	/* Stored under the refresh lock: a refresh in flight finishes first
	 * instead of overwriting these tokens, one waiting then uses them. */
	if ((rc = oauth_lock(r, c->id)) == 0) {
		rc = oauth_token_call(r, c, proto, settings, client_secret,
		    "authorization_code", extra.data, db_get(st, 0, "token_url"), &o);
		if (oauth_unlock(r, rc == 0) == -1)
			rc = -1;
	} else if (rc == 1) {
		o.result = PROBE_BUSY;
		rc = 0;
	}
	r->secret_user = 0;
	if (rc == -1)
		goto out;
	rc = -1;
	if (o.result != PROBE_OK) {
		probe_result_sentence(o.result, o.http_status, message, sizeof(message));
		audit_add(r, "connection", c->id, c->name, "connection_reconnect", "failure",
		    NULL);
		http_flash_next(r, "error", message);
	} else {
		char	 result[200], text[300];

		audit_add(r, "connection", c->id, c->name, "connection_reconnect", "success",
		    NULL);
		if (tester_run_id(r, c->id, "reconnect", result, sizeof(result), &ok) == -1)
			snprintf(result, sizeof(result), "It could not be tested.");
		snprintf(text, sizeof(text), "Reconnected. Test: %s", result);
		http_flash_next(r, ok ? "success" : "error", text);
	}
	http_redirect(r, loc);
	rc = 0;
out:
	if (verifier != NULL) {
		sodium_memzero(verifier, strlen(verifier));
		free(verifier);
	}
	if (client_secret != NULL) {
		sodium_memzero(client_secret, strlen(client_secret));
		free(client_secret);
	}
	sodium_memzero(extra.data, extra.len);
	buf_free(&extra);
	probe_outcome_free(&o);
	json_decref(settings);
	db_clear(st);
	conn_free(c);
	return rc;
}
