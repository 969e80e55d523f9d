/*
 * oauth-identity.c — which account an OAuth connection's tokens belong to
 * (issue 13 §6), read as the connector declares it (OAuth.identity_from):
 * fields of the token endpoint's answer (token), claims of the id token it
 * returned (id_token), or one identity call with the new access token
 * (call, to OAuth.identity_url): identity_account names the account for
 * people, identity_tenant the org, tenant or domain a reconnect must match.
 * Also the scopes granted compared with those the connection asks for.
 * The callback (page-oauth-callback.c) reads and stores it; Details shows it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define IDENTITY_MAX	255

void
oauth_identity_free(struct oauth_identity *id)
{
	free(id->account);
	free(id->tenant);
	id->account = id->tenant = NULL;
}

int
oauth_identity_declared(HDF *proto)
{
	return hdf_get_value(hdf_get_obj(proto, "OAuth"), "identity_from", NULL) != NULL;
}

/* A claim as a bounded, printable string (numbers as digits), or NULL. */
static char *
identity_claim(json_t *obj, const char *name)
{
	json_t		*v;
	const char	*s;
	char		 num[32];
	size_t		 i, n;

	if (name == NULL || (v = json_object_get(obj, name)) == NULL)
		return NULL;
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return xstrdup(num);
	}
	if ((s = json_string_value(v)) == NULL || (n = strlen(s)) == 0 ||
	    n > IDENTITY_MAX || !utf8_valid(s, n))
		return NULL;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return NULL;
	return xstrdup(s);
}

/*
 * The payload of the id token in the token endpoint's answer. Its signature
 * is not checked: the token came straight from the token endpoint over TLS
 * with the provider's certificate verified, which OpenID Connect Core
 * (3.1.3.7) accepts in place of the signature for a confidential client;
 * it names the account, it grants nothing.
 */
static json_t *
identity_id_token(json_t *token)
{
	const char	*jwt = json_string_value(json_object_get(token, "id_token"));
	const char	*dot1, *dot2;
	unsigned char	*bin;
	size_t		 len, binlen;
	json_t		*j = NULL;

	if (jwt == NULL || (dot1 = strchr(jwt, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL || (len = dot2 - dot1 - 1) == 0 ||
	    len > 16384)
		return NULL;
	bin = xmalloc(len);
	if (sodium_base642bin(bin, len, dot1 + 1, len, NULL, &binlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0)
		j = json_loadb((const char *)bin, binlen, 0, NULL);
	free(bin);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* The identity call: GET identity_url with the new access token. */
static json_t *
identity_call(const struct actor *a, const struct conn *c, HDF *proto, json_t *token)
{
	const char		*access = json_string_value(json_object_get(token,
				    "access_token"));
	json_t			*settings, *j = NULL;
	struct probe_http	 p;
	struct probe_outcome	 o;
	struct buf		 url, header;

	if (access == NULL || (settings = json_loads(c->settings, 0, NULL)) == NULL)
		return NULL;
	buf_init(&url);
	buf_init(&header);
	probe_outcome_init(&o);
	if (oauth_endpoint(a, c, proto, settings, "identity_url", &url) == 0) {
		buf_puts(&header, "Authorization: Bearer ");
		buf_puts(&header, access);
		memset(&p, 0, sizeof(p));
		p.method = "GET";
		p.url = url.data;
		p.header = header.data;
		p.expect = "200";
		if (oauth_endpoint_call(a, c, proto, &p, &o) == 0 && o.result == PROBE_OK)
			j = json_loadb(o.body.data != NULL ? o.body.data : "", o.body.len, 0, NULL);
		else
			log_error(a->request_id, "connection %lld: the identity call failed: %s "
			    "(HTTP %ld)", (long long)c->id, probe_result_key(o.result),
			    o.http_status);
		sodium_memzero(header.data, header.len);
	}
	probe_outcome_free(&o);
	buf_free(&header);
	buf_free(&url);
	json_decref(settings);
	return j;
}

int
oauth_identity_read(const struct actor *a, const struct conn *c, HDF *proto,
    const char *token_body, size_t len, struct oauth_identity *id)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*from = catalog_value(oauth, "identity_from", c->api_type);
	const char	*tenant = catalog_value(oauth, "identity_tenant", c->api_type);
	json_t		*token, *claims = NULL;

	id->account = id->tenant = NULL;
	if (from == NULL)
		return -1;
	if ((token = json_loadb(token_body != NULL ? token_body : "", len, 0, NULL)) == NULL)
		return 1;
	if (strcmp(from, "token") == 0)
		claims = json_incref(token);
	else if (strcmp(from, "id_token") == 0)
		claims = identity_id_token(token);
	else if (strcmp(from, "call") == 0)
		claims = identity_call(a, c, proto, token);
	json_decref(token);
	if (claims == NULL)
		return 1;
	id->tenant = identity_claim(claims, tenant);
	id->account = identity_claim(claims, catalog_value(oauth, "identity_account",
	    c->api_type));
	json_decref(claims);
	if (id->account == NULL && id->tenant != NULL)
		id->account = xstrdup(id->tenant);
	return id->tenant != NULL ? 0 : 1;
}

int
oauth_identity_get(const struct actor *a, int64_t conn_id, int64_t owner,
    struct oauth_identity *id)
{
	char		 cid[24], own[24];
	const char	*params[2] = { cid, own };
	PGresult	*res;

	id->account = id->tenant = NULL;
	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	res = db_exec_named(&a->app->db, "identity_get",
	    "SELECT identity_account, identity_tenant FROM connections WHERE id = $1"
	    " AND $2::bigint = 0 UNION ALL SELECT identity_account, identity_tenant FROM"
	    " user_connection_states WHERE connection_id = $1 AND user_id = $2", 2, params);
	if (res == NULL)
		return -1;
	if (db_rows(res) == 1) {
		if (!PQgetisnull(res, 0, PQfnumber(res, "identity_account")))
			id->account = xstrdup(db_get(res, 0, "identity_account"));
		if (!PQgetisnull(res, 0, PQfnumber(res, "identity_tenant")))
			id->tenant = xstrdup(db_get(res, 0, "identity_tenant"));
	}
	db_clear(res);
	return 0;
}

int
oauth_identity_store(const struct actor *a, int64_t conn_id, int64_t owner,
    const struct oauth_identity *id)
{
	char		 cid[24], own[24];
	const char	*params[4] = { cid, own, id->account, id->tenant };
	PGresult	*res;

	snprintf(cid, sizeof(cid), "%lld", (long long)conn_id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	res = owner == 0 ? db_exec_named(&a->app->db, "identity_store",
	    "UPDATE connections SET identity_account = $3, identity_tenant = $4"
	    " WHERE id = $1 AND $2::bigint = 0", 4, params) :
	    db_exec_named(&a->app->db, "identity_store_user",
	    "INSERT INTO user_connection_states AS s (connection_id, user_id,"
	    " identity_account, identity_tenant) VALUES ($1, $2, $3, $4)"
	    " ON CONFLICT (connection_id, user_id) DO UPDATE SET identity_account ="
	    " EXCLUDED.identity_account, identity_tenant = EXCLUDED.identity_tenant",
	    4, params);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/* Is `want` among the space-separated `granted`? Providers may answer a
 * scope with its resource in front (Microsoft: https://graph.microsoft.com/
 * Mail.Send for Mail.Send). */
static int
scope_granted(const char *granted, const char *want, size_t wlen)
{
	const char	*p = granted;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n >= wlen && strncmp(p + n - wlen, want, wlen) == 0 &&
		    (n == wlen || p[n - wlen - 1] == '/'))
			return 1;
		p += n;
	}
	return 0;
}

void
oauth_scopes_missing(const struct conn *c, HDF *proto, const char *granted,
    struct buf *out)
{
	/* OpenID Connect scopes providers grant without saying so. */
	static const char *const implied[] = { "openid", "email", "profile",
	    "offline_access", NULL };
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*sf = catalog_value(oauth, "scopes_field", c->api_type);
	const char	*asked = NULL, *p;
	json_t		*settings;
	size_t		 n, i;

	if (granted == NULL || *granted == '\0' || oauth == NULL)
		return;
	settings = json_loads(c->settings, 0, NULL);
	if (sf != NULL)
		asked = json_string_value(json_object_get(settings, sf));
	if (asked == NULL || *asked == '\0')
		asked = catalog_value(oauth, "scopes", c->api_type);
	for (p = asked != NULL ? asked : ""; *p != '\0'; p += n) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			break;
		for (i = 0; implied[i] != NULL; i++)
			if (strlen(implied[i]) == n && strncmp(implied[i], p, n) == 0)
				break;
		if (implied[i] != NULL || scope_granted(granted, p, n))
			continue;
		if (out->len > 0)
			buf_puts(out, " ");
		buf_append(out, p, n);
	}
	json_decref(settings);
}
