/*
 * revoke.c — token revocation at the provider (RFC 7009) when a connection
 * with OAuth tokens is deleted or a user disconnects their own account:
 * the refresh token (which ends the grant), else the access token, posted
 * with the client's authentication to the connector's OAuth.revocation_url
 * through the outbound policy, best effort within oauth.revoke_timeout_ms.
 * What happened is returned for the audit entry (revoked, not supported,
 * failed with its class); never a token, in a log or anywhere else. The
 * stored tokens are the caller's to destroy, whatever happened here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

static const char *const revoke_keys[] = {
	[REVOKE_NOTHING] = "no tokens",
	[REVOKE_DONE] = "revoked",
	[REVOKE_UNSUPPORTED] = "not supported",
	[REVOKE_FAILED] = "failed",
};

const char *
revoke_result_key(enum revoke_result r)
{
	return revoke_keys[r];
}

/* POST token (with its hint) to the revocation endpoint with the client's
 * authentication, as the token calls make it (client_auth basic or post). */
static enum revoke_result
revoke_post(const struct actor *a, const struct conn *c, HDF *proto, json_t *settings,
    const char *client_id, const char *client_secret, int post, const char *token,
    const char *hint, char *cls, size_t clslen)
{
	struct probe_http	 p;
	struct probe_outcome	 o;
	struct buf		 url, body;
	enum revoke_result	 rr;
	int			 rc;

	buf_init(&url);
	if ((rc = oauth_endpoint(a, c, proto, settings, "revocation_url", &url)) != 0) {
		buf_free(&url);
		if (rc == 1)
			return REVOKE_UNSUPPORTED;
		snprintf(cls, clslen, "%s", "settings");
		return REVOKE_FAILED;
	}
	buf_init(&body);
	buf_puts(&body, "token=");
	buf_url_encode(&body, token);
	buf_puts(&body, "&token_type_hint=");
	buf_puts(&body, hint);
	memset(&p, 0, sizeof(p));
	oauth_client_auth(post, client_id, client_secret, &body, &p);
	p.method = "POST";
	p.url = url.data;
	p.body = body.data;
	p.expect = "200";
	p.timeout_ms = a->app->cfg.revoke_timeout_ms;
	probe_outcome_init(&o);
	rc = oauth_endpoint_call(a, c, proto, &p, &o);
	if (rc == 0 && o.result == PROBE_OK)
		rr = REVOKE_DONE;
	else {
		rr = REVOKE_FAILED;
		if (rc == -1)
			snprintf(cls, clslen, "%s", "error");
		else if (o.http_status > 0 && o.result != PROBE_REDIRECT)
			snprintf(cls, clslen, "http_%ld", o.http_status);
		else
			snprintf(cls, clslen, "%s", probe_result_key(o.result));
		log_error(a->request_id, "connection %lld: revocation at the provider failed: %s",
		    (long long)c->id, cls);
	}
	sodium_memzero(body.data, body.len);
	buf_free(&body);
	buf_free(&url);
	probe_outcome_free(&o);
	return rr;
}

static HDF *
revoke_proto(const struct actor *a, const struct conn *c)
{
	HDF	*proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	HDF	*oauth = hdf_get_obj(proto, "OAuth");

	return oauth != NULL && strcmp(hdf_get_value(proto, "kind", ""), "oauth2_code") == 0 ?
	    proto : NULL;
}

enum revoke_result
revoke_token(const struct actor *a, const struct conn *c, const char *token,
    const char *hint, char *cls, size_t clslen)
{
	HDF			*proto = revoke_proto(a, c), *oauth;
	const char		*sf, *idf, *auth;
	char			*client_secret = NULL;
	struct oauthclient	 oc;
	json_t			*settings;
	enum revoke_result	 rr;
	int			 uses = 0;

	*cls = '\0';
	if (proto == NULL || token == NULL)
		return REVOKE_NOTHING;
	oauth = hdf_get_obj(proto, "OAuth");
	sf = catalog_value(oauth, "client_secret_field", c->api_type);
	idf = catalog_value(oauth, "client_id_field", c->api_type);
	auth = catalog_value(oauth, "client_auth", c->api_type);
	memset(&oc, 0, sizeof(oc));
	/* The client the tokens were issued to: a saved one as it is now, or
	 * the connection's own ID and secret (as the token calls, oauth.c). */
	if ((settings = json_loads(c->settings, 0, NULL)) == NULL ||
	    (uses = oauthclient_for_conn(a, c->id, 1, &oc)) == -1 ||
	    (uses == 0 && secret_conn_get(a, c->id, 0, sf != NULL ? sf : "client_secret",
	    &client_secret) == -1)) {
		json_decref(settings);
		oauthclient_free(&oc);
		snprintf(cls, clslen, "%s", "error");
		return REVOKE_FAILED;
	}
	if (uses == 1)
		rr = revoke_post(a, c, proto, settings, oc.client_id, oc.secret, oc.post, token,
		    hint, cls, clslen);
	else
		rr = revoke_post(a, c, proto, settings, json_string_value(json_object_get(settings,
		    idf != NULL ? idf : "client_id")), client_secret, auth != NULL &&
		    strcmp(auth, "post") == 0, token, hint, cls, clslen);
	secret_free(client_secret);
	oauthclient_free(&oc);
	json_decref(settings);
	return rr;
}

int
revoke_owner(const struct actor *a, const struct conn *c, int64_t owner,
    enum revoke_result *rr, char *cls, size_t clslen)
{
	char	*refresh = NULL, *access = NULL;
	int	 rc = 0;

	*rr = REVOKE_NOTHING;
	*cls = '\0';
	if (revoke_proto(a, c) == NULL)
		return 0;
	if (secret_conn_get(a, c->id, owner, "refresh_token", &refresh) == -1 ||
	    (refresh == NULL && secret_conn_get(a, c->id, owner, "access_token",
	    &access) == -1))
		rc = -1;
	else if (refresh != NULL || access != NULL)
		*rr = revoke_token(a, c, refresh != NULL ? refresh : access,
		    refresh != NULL ? "refresh_token" : "access_token", cls, clslen);
	secret_free(refresh);
	secret_free(access);
	return rc;
}

int
revoke_connection(const struct actor *a, const struct conn *c, char **json)
{
	char			 cid[24], cls[48], first_cls[48] = "";
	const char		*params[1] = { cid };
	PGresult		*res;
	enum revoke_result	 rr, worst = REVOKE_NOTHING;
	int			 i, n, counts[4] = { 0 };
	json_t			*j;

	*json = NULL;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	/* The shared tokens (owner 0) and each user's own. */
	res = db_exec_named(&a->app->db, "revoke_owners",
	    "SELECT 0::bigint AS owner UNION SELECT DISTINCT user_id FROM"
	    " user_connection_secrets WHERE connection_id = $1 AND field IN"
	    " ('refresh_token', 'access_token') ORDER BY owner", 1, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	for (i = 0; i < n; i++) {
		if (revoke_owner(a, c, strtoll(db_get(res, i, "owner"), NULL, 10), &rr, cls,
		    sizeof(cls)) == -1) {
			rr = REVOKE_FAILED;
			snprintf(cls, sizeof(cls), "%s", "error");
		}
		counts[rr]++;
		/* Failed outranks not supported outranks revoked. */
		if (rr == REVOKE_FAILED && worst != REVOKE_FAILED)
			snprintf(first_cls, sizeof(first_cls), "%s", cls);
		if (rr != REVOKE_NOTHING && (worst == REVOKE_NOTHING || rr > worst))
			worst = rr;
	}
	db_clear(res);
	if (worst == REVOKE_NOTHING)
		return 0;
	j = json_pack("{s:s}", "revoke", revoke_result_key(worst));
	if (*first_cls != '\0')
		json_object_set_new(j, "revoke_class", json_string(first_cls));
	if (counts[REVOKE_DONE] + counts[REVOKE_FAILED] > 1 || (counts[REVOKE_DONE] > 0 &&
	    counts[REVOKE_FAILED] > 0)) {
		json_object_set_new(j, "revoked", json_integer(counts[REVOKE_DONE]));
		json_object_set_new(j, "failed", json_integer(counts[REVOKE_FAILED]));
	}
	*json = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return 0;
}
