/*
 * page-connection-reconnect.c — Connect/Reconnect: sends the browser to the
 * provider with PKCE (S256) and a single-use state bound to the session, the
 * user and the connection, expiring in minutes (page-oauth-callback.c takes
 * it back). Shared connections are connected by their managers; a per-user
 * one by each user for their own account. A new OAuth connection's Create
 * leads here too (page_connection_connect_new): straight to the consent.
 * Inputs: {id}; POST csrf. Statuses: 303 (to the provider, or back with a
 * message), 403, 404 (not an OAuth connection), 503. Also "Connect a
 * different account" (page_connection_connect_other_post).
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

#define STATE_MINUTES	10

/*
 * Send the browser to the provider for connection c: a 303 there, or back
 * to the connection with a message; 0, or -1 on failure. After Create
 * (`created`, the message to show), a page that goes on at once by itself
 * (meta refresh, no script): the create form's CSP allows its POST to
 * redirect to Tether only (form-action), and its provider is not known
 * before it is filled in.
 */
static int
connect_start(struct req *r, const struct conn *c, const char *created, int other)
{
	HDF		*proto;
	json_t		*settings = NULL;
	char		 state[64], verifier[64], challenge[64], hash[68], cid[24], uid[24];
	char		 sid[24], ver[16], minutes[8], *nonce_hex = NULL, *ct_hex = NULL;
	int		 version, rc = -1;
	struct buf	 url, token_url, redirect;
	const char	*params[10];
	PGresult	*res;

	buf_init(&url);
	buf_init(&token_url);
	buf_init(&redirect);
	proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	if (proto == NULL || strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") != 0) {
		http_error(r, 404, "This connection does not use OAuth 2.0 authorization "
		    "code, so there is nothing to connect.");
		rc = 0;
		goto out;
	}
	settings = json_loads(c->settings, 0, NULL);
	auth_random_token(state, sizeof(state), 32);
	auth_random_token(verifier, sizeof(verifier), 32);
	oauth_challenge(verifier, challenge, sizeof(challenge));
	if (settings == NULL || oauth_authorize_url(&r->actor, c, proto, settings, state,
	    challenge, &url) == -1 || oauth_token_url(&r->actor, c, proto, settings,
	    &token_url) == -1) {
		http_flash_next(r, "error", "The connection's OAuth settings are incomplete; "
		    "edit it first.");
		snprintf(cid, sizeof(cid), "/connections/%lld", (long long)c->id);
		http_redirect(r, cid);
		rc = 0;
		goto out;
	}
	/* The verifier is a secret too: sealed, bound to the connection. */
	if (secret_seal_hex(r->app, c->id, "oauth_verifier", verifier, &version, &nonce_hex,
	    &ct_hex) == -1)
		goto out;
	oauth_redirect_uri(r->app, &redirect);
	auth_token_hash_hex(state, hash);
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(sid, sizeof(sid), "%lld", (long long)r->sess->id);
	snprintf(ver, sizeof(ver), "%d", version);
	snprintf(minutes, sizeof(minutes), "%d", STATE_MINUTES);
	params[0] = hash, params[1] = sid, params[2] = uid, params[3] = cid;
	params[4] = ver, params[5] = nonce_hex, params[6] = ct_hex;
	params[7] = token_url.data, params[8] = redirect.data;
	params[9] = other ? "t" : "f";
	res = db_exec_named(&r->app->db, "oauth_state_add",
	    "INSERT INTO oauth_states (state_hash, session_id, user_id, connection_id,"
	    " key_version, verifier_nonce, verifier_ciphertext, token_url, redirect_uri,"
	    " expires_at, other_account) VALUES ($1::bytea, $2, $3, $4, $5, decode($6, 'hex'),"
	    " decode($7, 'hex'), $8, $9, now() + interval '10 minutes', $10)", 10, params);
	if (res == NULL)
		goto out;
	db_clear(res);
	audit_add(&r->actor, "connection", c->id, c->name, other ?
	    "connection_connect_other_account_start" : connpage_first_connect(r, c) ?
	    "connection_connect_start" : "connection_reconnect_start", "success", NULL);
	if (created != NULL) {
		HDF	*n = render_node(r->hdf, "Connect");

		render_set_int(n, "Id", c->id);
		render_set(n, "Name", c->name);
		render_set(n, "Provider", catalog_title(&r->app->catalog, c->connector));
		render_set(n, "Url", url.data);
		render_set(r->hdf, "Page.Title", "Connect");
		http_flash(r, "success", created);
		rc = http_page(r, 200, "connection-connect.cs");
		goto out;
	}
	/* Not http_redirect: this one leaves for the provider. */
	r->status = 303;
	http_header(r, "Location", url.data);
	rc = 0;
out:
	sodium_memzero(verifier, sizeof(verifier));
	sodium_memzero(state, sizeof(state));
	free(nonce_hex);
	free(ct_hex);
	json_decref(settings);
	buf_free(&url);
	buf_free(&token_url);
	buf_free(&redirect);
	return rc;
}

/* Shared connections: managers connect. Per user: everyone their own.
 * `other`: "Connect a different account", admins only. */
static int
reconnect_post(struct req *r, int other)
{
	struct conn	*c;
	int		 rc = 0;

	if (connpage_load(r, PERM_USE, &c))
		return 0;
	if (strcmp(c->context, "per_user") != 0 && c->perm < PERM_MANAGE)
		http_error(r, 403, "Only managers of this connection can connect it.");
	else if (other && !r->actor.is_admin)
		http_error(r, 403, "Only admins can connect a different account.");
	else
		rc = connect_start(r, c, NULL, other);
	conn_free(c);
	return rc;
}

int
page_connection_reconnect_post(struct req *r)
{
	return reconnect_post(r, 0);
}

/*
 * "Connect a different account" (issue 13 §6): an admin's explicit choice,
 * audited, to sign in to another account, org or tenant than the one the
 * connection was made with; a plain Reconnect refuses that. Inputs: {id};
 * POST csrf. Statuses: 303, 403 (not an admin, or not allowed to connect),
 * 404, 503.
 */
int
page_connection_connect_other_post(struct req *r)
{
	return reconnect_post(r, 1);
}

int
page_connection_connect_new(struct req *r, int64_t id, const char *message)
{
	struct conn	*c;
	int		 dberr, rc;

	if ((c = conn_get(&r->actor, id, &dberr)) == NULL) {
		http_error(r, dberr ? 503 : 404, NULL);
		return 0;
	}
	rc = connect_start(r, c, message, 0);
	conn_free(c);
	return rc;
}
