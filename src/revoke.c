/*
 * revoke.c — token revocation at the provider (RFC 7009) when a connection
 * with OAuth tokens is deleted, a user disconnects their own account, or
 * an edit gives it a new destination (then held before the edit and sent
 * to the old destination after its commit: revoke_hold): the refresh
 * token (which ends the grant), else the access token, posted
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

/* The client the tokens of c were issued to, as it is now: a saved one, or
 * the connection's own ID and secret (as the token calls, oauth.c). Copies
 * into *id and *secret (secret_free both). 0 or -1. */
static int
revoke_client(const struct actor *a, const struct conn *c, HDF *proto, json_t *settings,
    char **id, char **secret, int *post)
{
	HDF			*oauth = hdf_get_obj(proto, "OAuth");
	const char		*sf, *idf, *auth, *v;
	struct oauthclient	 oc;
	int			 uses;

	*id = *secret = NULL;
	*post = 0;
	sf = catalog_value(oauth, "client_secret_field", c->api_type);
	idf = catalog_value(oauth, "client_id_field", c->api_type);
	auth = catalog_value(oauth, "client_auth", c->api_type);
	memset(&oc, 0, sizeof(oc));
	if ((uses = oauthclient_for_conn(a, c->id, 1, &oc)) == -1) {
		oauthclient_free(&oc);
		return -1;
	}
	if (uses == 1) {
		*id = xstrdup(oc.client_id);
		*secret = oc.secret != NULL ? xstrdup(oc.secret) : NULL;
		*post = oc.post;
		oauthclient_free(&oc);
		return 0;
	}
	oauthclient_free(&oc);
	if (secret_conn_get(a, c->id, 0, sf != NULL ? sf : "client_secret", secret) == -1)
		return -1;
	v = json_string_value(json_object_get(settings, idf != NULL ? idf : "client_id"));
	*id = v != NULL ? xstrdup(v) : NULL;
	*post = auth != NULL && strcmp(auth, "post") == 0;
	return 0;
}

enum revoke_result
revoke_token(const struct actor *a, const struct conn *c, const char *token,
    const char *hint, char *cls, size_t clslen)
{
	HDF			*proto = revoke_proto(a, c);
	char			*client_id = NULL, *client_secret = NULL;
	json_t			*settings;
	enum revoke_result	 rr;
	int			 post;

	*cls = '\0';
	if (proto == NULL || token == NULL)
		return REVOKE_NOTHING;
	if ((settings = json_loads(c->settings, 0, NULL)) == NULL ||
	    revoke_client(a, c, proto, settings, &client_id, &client_secret, &post) == -1) {
		json_decref(settings);
		snprintf(cls, clslen, "%s", "error");
		return REVOKE_FAILED;
	}
	rr = revoke_post(a, c, proto, settings, client_id, client_secret, post, token, hint,
	    cls, clslen);
	free(client_id);
	secret_free(client_secret);
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

/* What the owners' revocations came to, for one audit entry. */
struct revoke_tally {
	enum revoke_result	 worst;
	int			 counts[4];
	char			 first_cls[48];
};

static void
revoke_tally_add(struct revoke_tally *t, enum revoke_result rr, const char *cls)
{
	t->counts[rr]++;
	/* Failed outranks not supported outranks revoked. */
	if (rr == REVOKE_FAILED && t->worst != REVOKE_FAILED)
		snprintf(t->first_cls, sizeof(t->first_cls), "%s", cls);
	if (rr != REVOKE_NOTHING && (t->worst == REVOKE_NOTHING || rr > t->worst))
		t->worst = rr;
}

/* {"revoke":…,"revoke_class":…,"revoked":N,"failed":N}, malloc'd; NULL when
 * there was nothing to revoke. */
static char *
revoke_tally_json(const struct revoke_tally *t)
{
	json_t	*j;
	char	*out;

	if (t->worst == REVOKE_NOTHING)
		return NULL;
	j = json_pack("{s:s}", "revoke", revoke_result_key(t->worst));
	if (*t->first_cls != '\0')
		json_object_set_new(j, "revoke_class", json_string(t->first_cls));
	if (t->counts[REVOKE_DONE] + t->counts[REVOKE_FAILED] > 1 ||
	    (t->counts[REVOKE_DONE] > 0 && t->counts[REVOKE_FAILED] > 0)) {
		json_object_set_new(j, "revoked", json_integer(t->counts[REVOKE_DONE]));
		json_object_set_new(j, "failed", json_integer(t->counts[REVOKE_FAILED]));
	}
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

/* The owners of c with tokens: 0 (the shared ones) and each user with their own. */
static PGresult *
revoke_owners(const struct actor *a, const struct conn *c)
{
	char		 cid[24];
	const char	*params[1] = { cid };

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	return db_exec_named(&a->app->db, "revoke_owners",
	    "SELECT 0::bigint AS owner UNION SELECT DISTINCT user_id FROM"
	    " user_connection_secrets WHERE connection_id = $1 AND field IN"
	    " ('refresh_token', 'access_token') ORDER BY owner", 1, params);
}

int
revoke_connection(const struct actor *a, const struct conn *c, char **json)
{
	char			 cls[48];
	PGresult		*res;
	enum revoke_result	 rr;
	struct revoke_tally	 t;
	int			 i, n;

	*json = NULL;
	memset(&t, 0, sizeof(t));
	if ((res = revoke_owners(a, c)) == NULL)
		return -1;
	n = db_rows(res);
	for (i = 0; i < n; i++) {
		if (revoke_owner(a, c, strtoll(db_get(res, i, "owner"), NULL, 10), &rr, cls,
		    sizeof(cls)) == -1) {
			rr = REVOKE_FAILED;
			snprintf(cls, sizeof(cls), "%s", "error");
		}
		revoke_tally_add(&t, rr, cls);
	}
	db_clear(res);
	*json = revoke_tally_json(&t);
	return 0;
}

/* ------------------------------------------------- an edit's dropped tokens */

int
revoke_hold(const struct actor *a, const struct conn *c, struct revoke_held *h)
{
	HDF		*proto = revoke_proto(a, c);
	PGresult	*res;
	char		*refresh, *access;
	int64_t		 owner;
	int		 i, n;

	memset(h, 0, sizeof(*h));
	if (proto == NULL)
		return 0;
	if ((h->settings = json_loads(c->settings, 0, NULL)) == NULL ||
	    revoke_client(a, c, proto, h->settings, &h->client_id, &h->client_secret,
	    &h->post) == -1 || (res = revoke_owners(a, c)) == NULL)
		return -1;
	n = db_rows(res);
	h->token = xcalloc((size_t)n, sizeof(*h->token));
	h->refresh = xcalloc((size_t)n, sizeof(*h->refresh));
	for (i = 0; i < n; i++) {
		refresh = access = NULL;
		owner = strtoll(db_get(res, i, "owner"), NULL, 10);
		if (secret_conn_get(a, c->id, owner, "refresh_token", &refresh) == -1 ||
		    (refresh == NULL && secret_conn_get(a, c->id, owner, "access_token",
		    &access) == -1)) {
			secret_free(refresh);
			db_clear(res);
			return -1;
		}
		if (refresh == NULL && access == NULL)
			continue;
		h->refresh[h->n] = refresh != NULL;
		h->token[h->n++] = refresh != NULL ? refresh : access;
	}
	db_clear(res);
	return 0;
}

char *
revoke_held_send(const struct actor *a, const struct conn *c, const struct revoke_held *h)
{
	HDF			*proto = revoke_proto(a, c);
	char			 cls[48] = "";
	enum revoke_result	 rr;
	struct revoke_tally	 t;
	size_t			 i;

	memset(&t, 0, sizeof(t));
	for (i = 0; proto != NULL && i < h->n; i++) {
		rr = revoke_post(a, c, proto, h->settings, h->client_id, h->client_secret,
		    h->post, h->token[i], h->refresh[i] ? "refresh_token" : "access_token",
		    cls, sizeof(cls));
		revoke_tally_add(&t, rr, cls);
	}
	return revoke_tally_json(&t);
}

void
revoke_held_free(struct revoke_held *h)
{
	size_t	 i;

	for (i = 0; i < h->n; i++)
		secret_free(h->token[i]);
	free(h->token);
	free(h->refresh);
	free(h->client_id);
	secret_free(h->client_secret);
	json_decref(h->settings);
	memset(h, 0, sizeof(*h));
}
