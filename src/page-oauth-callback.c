/*
 * page-oauth-callback.c — where providers send the browser back after
 * Connect/Reconnect: takes the single-use state (page-connection-reconnect.c
 * made it), exchanges the code once at the token URL saved with the state (no
 * redirect followed), stores the tokens encrypted under the refresh lock and
 * tests the connection.
 * Inputs: GET state, code, error, error_description (and what providers add).
 * Statuses: 303, 400 (bad or used state), 403, 404, 503. Referrer-Policy:
 * no-referrer (the URL carries the code).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

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
	int64_t		 id, owner;
	int		 dberr, rc = -1;

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
	if ((c = conn_get(&r->actor, id, &dberr)) == NULL || c->perm < (strcmp(c->context,
	    "per_user") == 0 ? PERM_USE : PERM_MANAGE)) {
		http_error(r, dberr ? 503 : 404, NULL);
		rc = 0;
		goto out;
	}
	if (error != NULL) {
		snprintf(message, sizeof(message), "%s", oauth_error_sentence(error));
		audit_add(&r->actor, "connection", c->id, c->name, "connection_reconnect", "failure",
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
		const char	*sf = catalog_value(hdf_get_obj(proto, "OAuth"),
				    "client_secret_field", c->api_type);

		if (secret_conn_get(&r->actor, c->id, 0, sf != NULL ? sf : "client_secret",
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
	owner = strcmp(c->context, "per_user") == 0 ? r->actor.user_id : 0;
	/* Stored under the refresh lock: a refresh in flight finishes first
	 * instead of overwriting these tokens, one waiting then uses them. */
	if ((rc = oauth_lock(&r->actor, c->id, owner)) == 0) {
		rc = oauth_token_call(&r->actor, c, owner, proto, settings, client_secret,
		    "authorization_code", extra.data, db_get(st, 0, "token_url"), &o);
		if (oauth_unlock(&r->actor, rc == 0) == -1)
			rc = -1;
	} else if (rc == 1) {
		o.result = PROBE_BUSY;
		rc = 0;
	}
	if (rc == -1)
		goto out;
	rc = -1;
	if (o.result != PROBE_OK) {
		probe_result_sentence(o.result, o.http_status, message, sizeof(message));
		audit_add(&r->actor, "connection", c->id, c->name, "connection_reconnect", "failure",
		    NULL);
		http_flash_next(r, "error", message);
		http_redirect(r, loc);
		rc = 0;
		goto out;
	}
	audit_add(&r->actor, "connection", c->id, c->name, "connection_reconnect", "success",
	    NULL);
	rc = connpage_test_and_show(r, c->id, "reconnect", "Reconnected.");
out:
	secret_free(verifier);
	secret_free(client_secret);
	sodium_memzero(extra.data, extra.len);
	buf_free(&extra);
	probe_outcome_free(&o);
	json_decref(settings);
	db_clear(st);
	conn_free(c);
	return rc;
}
