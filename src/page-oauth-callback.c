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
#include "web.h"

/* Errors the provider may report, as sentences (never its own text). */
static const char *
oauth_error_sentence(const char *error, int first)
{
	if (strcmp(error, "access_denied") == 0)
		return first ? "The provider reports that access was denied. The connection "
		    "is saved but not connected yet: use Connect to try again." :
		    "The provider reports that access was denied. Nothing changed.";
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

/* Spend the state (single use: the statement that reads it spends it) into
 * *st: 0, or 1 with the answer made, or -1. */
static int
callback_take_state(struct req *r, PGresult **st)
{
	const char	*state = req_param(r, "state");
	char		 hash[68], sid[24];
	const char	*params[2] = { hash, sid };

	if (state == NULL || strlen(state) > 100) {
		http_error(r, 400, "This sign-in link is incomplete. Start again from "
		    "the connection's page.");
		return 1;
	}
	auth_token_hash_hex(state, hash);
	snprintf(sid, sizeof(sid), "%lld", (long long)r->sess->id);
	*st = db_exec_named(&r->app->db, "oauth_state_take",
	    "UPDATE oauth_states SET used_at = now() WHERE state_hash = $1::bytea"
	    " AND session_id = $2 AND used_at IS NULL AND expires_at > now()"
	    " RETURNING connection_id, key_version, encode(verifier_nonce, 'hex') AS nonce,"
	    " encode(verifier_ciphertext, 'hex') AS ct, token_url, redirect_uri, other_account",
	    2, params);
	if (*st == NULL)
		return -1;
	if (db_rows(*st) != 1) {
		r->log_note = "bad oauth state";
		http_error(r, 400, "This sign-in link has expired or was already used. "
		    "Start again from the connection's page.");
		return 1;
	}
	return 0;
}

/* Whose tokens came back (issue 13 §6), against whose the connection had. */
enum callback_who {
	WHO_SAME,		/* the same tenant, the first connect, or not declared */
	WHO_OTHER,		/* another tenant: refused */
	WHO_UNKNOWN,		/* a tenant was stored, the new one not readable: refused */
};

struct callback_ids {
	struct oauth_identity	 was;	/* stored before */
	struct oauth_identity	 now;	/* read from the new tokens */
	enum callback_who	 who;
};

/*
 * In the refresh lock's transaction, with the new tokens stored there: read
 * whose they are and compare with the stored identity; store the new one
 * unless refused (the caller then rolls the tokens back). `other`: the
 * admin chose "Connect a different account". 0 or -1.
 */
static int
callback_identity(struct req *r, const struct conn *c, int64_t owner, HDF *proto,
    int other, const struct probe_outcome *o, struct callback_ids *ids)
{
	int	 read;

	ids->who = WHO_SAME;
	if (!oauth_identity_declared(proto))
		return 0;
	if (oauth_identity_get(&r->actor, c->id, owner, &ids->was) == -1)
		return -1;
	read = oauth_identity_read(&r->actor, c, proto, o->body.data, o->body.len, &ids->now);
	if (ids->was.tenant != NULL && !other) {
		if (read != 0)
			ids->who = WHO_UNKNOWN;
		else if (strcmp(ids->was.tenant, ids->now.tenant) != 0)
			ids->who = WHO_OTHER;
	}
	if (ids->who != WHO_SAME || (ids->now.account == NULL && ids->now.tenant == NULL))
		return 0;
	return oauth_identity_store(&r->actor, c->id, owner, &ids->now);
}

/* Tokens issued for another account and not kept: revoked at once, best
 * effort (an error here changes nothing for the connection). */
static void
callback_revoke_unkept(struct req *r, const struct conn *c, const struct probe_outcome *o)
{
	json_t		*j = json_loadb(o->body.data != NULL ? o->body.data : "", o->body.len,
			    0, NULL);
	const char	*refresh = json_string_value(json_object_get(j, "refresh_token"));
	const char	*access = json_string_value(json_object_get(j, "access_token"));
	char		 cls[48];

	if (refresh != NULL || access != NULL)
		revoke_token(&r->actor, c, refresh != NULL ? refresh : access,
		    refresh != NULL ? "refresh_token" : "access_token", cls, sizeof(cls));
	json_decref(j);
}

/*
 * Exchange the code for tokens, stored as `owner`'s (the connection's, or
 * for a per-user connection the user's own) under the refresh lock: a
 * refresh in flight finishes first instead of overwriting these tokens, and
 * one waiting then uses them. o->result says how it went; 0 or -1.
 */
static int
callback_exchange(struct req *r, const struct conn *c, PGresult *st, const char *code,
    struct probe_outcome *o, struct callback_ids *ids)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	const char	*sf = catalog_value(hdf_get_obj(proto, "OAuth"), "client_secret_field",
			    c->api_type);
	int64_t		 owner = strcmp(c->context, "per_user") == 0 ? r->actor.user_id : 0;
	json_t		*settings = json_loads(c->settings, 0, NULL);
	char		*verifier = NULL, *client_secret = NULL;
	struct buf	 extra;
	int		 rc = -1;

	buf_init(&extra);
	if (secret_unseal_row(r->app, st, 0, c->id, "oauth_verifier", &verifier) == -1 ||
	    secret_conn_get(&r->actor, c->id, 0, sf != NULL ? sf : "client_secret",
	    &client_secret) == -1)
		goto out;
	buf_puts(&extra, "&code=");
	buf_url_encode(&extra, code);
	buf_puts(&extra, "&redirect_uri=");
	buf_url_encode(&extra, db_get(st, 0, "redirect_uri"));
	buf_puts(&extra, "&code_verifier=");
	buf_url_encode(&extra, verifier);
	if ((rc = oauth_lock(&r->actor, c->id, owner)) == 0) {
		rc = oauth_token_call(&r->actor, c, owner, proto, settings, client_secret,
		    "authorization_code", extra.data, db_get(st, 0, "token_url"), o);
		if (rc == 0 && o->result == PROBE_OK)
			rc = callback_identity(r, c, owner, proto, strcmp(db_get(st, 0,
			    "other_account"), "t") == 0, o, ids);
		/* Another account's tokens are rolled back: the old ones stay. */
		if (oauth_unlock(&r->actor, rc == 0 && ids->who == WHO_SAME) == -1)
			rc = -1;
		if (rc == 0 && ids->who != WHO_SAME)
			callback_revoke_unkept(r, c, o);
	} else if (rc == 1) {
		o->result = PROBE_BUSY;
		rc = 0;
	}
out:
	secret_free(verifier);
	secret_free(client_secret);
	sodium_memzero(extra.data, extra.len);
	buf_free(&extra);
	json_decref(settings);
	return rc;
}

/* s clipped to at most n bytes, at a UTF-8 boundary, "…" when cut. */
static void
callback_clip(char *out, size_t outlen, const char *s, size_t n)
{
	size_t	 len = strlen(s != NULL ? s : "");

	if (len <= n) {
		snprintf(out, outlen, "%s", s != NULL ? s : "");
		return;
	}
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(out, outlen, "%.*s\u2026", (int)n, s);
}

/* Refused: another tenant's (or an unknown) account; the old tokens stay. */
static void
callback_refused(struct req *r, const struct conn *c, const struct callback_ids *ids,
    int first, const char *loc)
{
	HDF		*proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	const char	*label = catalog_value(hdf_get_obj(proto, "OAuth"),
			    "identity_tenant_label", c->api_type);
	const char	*title = catalog_title(&r->app->catalog, c->connector);
	char		 was[48], now[48], acct[48], msg[400];
	json_t		*d;
	char		*details;

	if (label == NULL)
		label = "account";
	callback_clip(was, sizeof(was), ids->was.tenant, 40);
	callback_clip(now, sizeof(now), ids->now.tenant, 40);
	callback_clip(acct, sizeof(acct), ids->now.account, 40);
	if (ids->who == WHO_OTHER)
		snprintf(msg, sizeof(msg), "Nothing changed: you signed in to another %s %s "
		    "(%s) as %s; this connection uses %s %s. Sign in with an account of that "
		    "%s, or ask an admin to Connect a different account.", title, label, now,
		    acct, label, was, label);
	else
		snprintf(msg, sizeof(msg), "Nothing changed: Tether could not confirm which "
		    "%s %s you signed in to, and this connection uses %s %s. Try again later.",
		    title, label, label, was);
	d = json_pack("{s:s}", "reason", ids->who == WHO_OTHER ? "different account" :
	    "account not confirmed");
	if (ids->now.tenant != NULL)
		json_object_set_new(d, "tenant", json_string(ids->now.tenant));
	if (ids->now.account != NULL)
		json_object_set_new(d, "account", json_string(ids->now.account));
	details = json_dumps(d, JSON_COMPACT);
	audit_add(&r->actor, "connection", c->id, c->name, first ? "connection_connect" :
	    "connection_reconnect", "denied", details);
	free(details);
	json_decref(d);
	http_flash_next(r, "error", msg);
	http_redirect(r, loc);
}

/* The audit entry of a connect or reconnect that went through. */
static void
callback_audit(struct req *r, const struct conn *c, const struct callback_ids *ids,
    int first, int other)
{
	json_t	*d;
	char	*details;

	if (!other) {
		audit_add(&r->actor, "connection", c->id, c->name, first ?
		    "connection_connect" : "connection_reconnect", "success", NULL);
		return;
	}
	d = json_object();
	if (ids->was.account != NULL)
		json_object_set_new(d, "from_account", json_string(ids->was.account));
	if (ids->was.tenant != NULL)
		json_object_set_new(d, "from_tenant", json_string(ids->was.tenant));
	if (ids->now.account != NULL)
		json_object_set_new(d, "account", json_string(ids->now.account));
	if (ids->now.tenant != NULL)
		json_object_set_new(d, "tenant", json_string(ids->now.tenant));
	details = json_dumps(d, JSON_COMPACT);
	audit_add(&r->actor, "connection", c->id, c->name, "connection_connect_other_account",
	    "success", details);
	free(details);
	json_decref(d);
}

int
page_oauth_callback(struct req *r)
{
	const char	*code = req_param(r, "code"), *error = req_param(r, "error");
	char		 loc[48], message[200];
	PGresult	*st = NULL;
	struct conn	*c = NULL;
	struct probe_outcome o;
	struct callback_ids ids;
	int64_t		 id;
	int		 dberr, rc, first, other;

	probe_outcome_init(&o);
	memset(&ids, 0, sizeof(ids));
	if ((rc = callback_take_state(r, &st)) != 0) {
		rc = rc == 1 ? 0 : -1;
		goto out;
	}
	id = strtoll(db_get(st, 0, "connection_id"), NULL, 10);
	snprintf(loc, sizeof(loc), "/connections/%lld", (long long)id);
	rc = 0;
	if ((c = conn_get(&r->actor, id, &dberr)) == NULL || c->perm < (strcmp(c->context,
	    "per_user") == 0 ? PERM_USE : PERM_MANAGE)) {
		http_error(r, dberr ? 503 : 404, NULL);
		goto out;
	}
	/* The first consent (no tokens yet) is Connect, later ones Reconnect. */
	first = connpage_first_connect(r, c);
	if (error != NULL) {
		audit_add(&r->actor, "connection", c->id, c->name, first ?
		    "connection_connect" : "connection_reconnect", "failure",
		    "{\"reason\":\"provider error\"}");
		http_flash_next(r, "error", oauth_error_sentence(error, first));
		http_redirect(r, loc);
	} else if (code == NULL || *code == '\0' || strlen(code) > 2048)
		http_error(r, 400, "The provider sent no authorization code. Start again "
		    "from the connection's page.");
	else if (callback_exchange(r, c, st, code, &o, &ids) == -1)
		rc = -1;
	else if (o.result != PROBE_OK) {
		probe_result_sentence(o.result, o.http_status, message, sizeof(message));
		audit_add(&r->actor, "connection", c->id, c->name, first ?
		    "connection_connect" : "connection_reconnect", "failure", NULL);
		http_flash_next(r, "error", message);
		http_redirect(r, loc);
	} else if (ids.who != WHO_SAME)
		callback_refused(r, c, &ids, first, loc);
	else {
		other = strcmp(db_get(st, 0, "other_account"), "t") == 0;
		callback_audit(r, c, &ids, first, other);
		rc = connpage_test_and_show(r, c->id, "reconnect", other ?
		    "Connected to a different account." : first ? "Connected." :
		    "Reconnected.");
	}
out:
	oauth_identity_free(&ids.was);
	oauth_identity_free(&ids.now);
	probe_outcome_free(&o);
	db_clear(st);
	conn_free(c);
	return rc;
}
