/*
 * oauth-assertion.c — JWT assertions in place of a client secret (RFC 7523;
 * issue 16 §1), as a protocol's OAuth.assertion declares them:
 *
 *   jwt_bearer        the assertion is the grant (§2.1; Salesforce's JWT
 *                     bearer flow): iss the client ID, sub the user
 *                     (assertion_subject_field), aud assertion_audience
 *                     (the login host), exp in three minutes.
 *   client_assertion  client credentials authenticated by it (§2.2;
 *                     Microsoft's certificate credentials): header x5t and
 *                     x5t#S256 of the certificate (assertion_cert_field),
 *                     aud the token URL, iss = sub = the client ID, a
 *                     random jti, nbf = iat = now, exp in five minutes.
 *
 * The private key (assertion_key_field) is read from the vault by the
 * caller and goes into jwt.c's signer only; oauth.c sends the request.
 * A token that came without a lifetime is asked for again before a flow
 * gets it (oauth_assertion_unbounded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <sodium.h>

#include "tether.h"

#define ASSERTION_GRANT_S	180	/* Salesforce: at most 3 minutes */
#define ASSERTION_CLIENT_S	300	/* Microsoft: at most 10 minutes */

static const char *
assertion_setting(json_t *settings, HDF *oauth, const char *key, const char *api_type)
{
	const char	*field = catalog_value(oauth, key, api_type);

	return field != NULL ? json_string_value(json_object_get(settings, field)) : NULL;
}

/* A random UUID (version 4) as the assertion's jti: never used twice. */
static void
assertion_jti(char *out, size_t len)
{
	unsigned char	 r[16];

	randombytes_buf(r, sizeof(r));
	r[6] = (r[6] & 0x0f) | 0x40;
	r[8] = (r[8] & 0x3f) | 0x80;
	snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5], r[6],
	    r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

int
oauth_assertion(const struct actor *a, const struct conn *c, HDF *proto, json_t *settings,
    const char *key_pem, const char *cert_pem, const char **grant, struct buf *extra)
{
	HDF		*oauth = hdf_get_obj(proto, "OAuth");
	const char	*kind = catalog_value(oauth, "assertion", c->api_type);
	const char	*client_id = assertion_setting(settings, oauth, "client_id_field",
			    c->api_type);
	const char	*sub;
	struct buf	 aud, header, jwt;
	json_t		*claims = NULL;
	char		*cl = NULL, jti[40];
	time_t		 now = time(NULL);
	int		 rc = -1, client;

	if (kind == NULL)
		return 1;
	client = strcmp(kind, "client_assertion") == 0;
	buf_init(&aud);
	buf_init(&header);
	buf_init(&jwt);
	if (key_pem == NULL || client_id == NULL || *client_id == '\0')
		goto out;
	/* aud: the declared audience, else the token URL as it is called. */
	if ((rc = oauth_endpoint(a, c, proto, settings, "assertion_audience", &aud)) == 1)
		rc = oauth_token_url(a, c, proto, settings, &aud);
	if (rc == -1)
		goto out;
	rc = -1;
	if (client) {
		if (cert_pem == NULL || jwt_header_x5t(cert_pem, &header) == -1)
			goto out;
		assertion_jti(jti, sizeof(jti));
		claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "aud", aud.data,
		    "iss", client_id, "sub", client_id, "jti", jti, "nbf", (json_int_t)now,
		    "iat", (json_int_t)now, "exp", (json_int_t)now + ASSERTION_CLIENT_S);
	} else {
		sub = assertion_setting(settings, oauth, "assertion_subject_field",
		    c->api_type);
		if (sub == NULL || *sub == '\0')
			goto out;
		buf_puts(&header, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
		claims = json_pack("{s:s, s:s, s:s, s:I}", "iss", client_id, "sub", sub,
		    "aud", aud.data, "exp", (json_int_t)now + ASSERTION_GRANT_S);
	}
	if (claims == NULL || (cl = json_dumps(claims, JSON_COMPACT)) == NULL ||
	    jwt_sign(key_pem, header.data, cl, &jwt) == -1)
		goto out;
	if (client) {
		*grant = "client_credentials";
		buf_puts(extra, "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
		    "client-assertion-type%3Ajwt-bearer&client_assertion=");
	} else {
		*grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
		buf_puts(extra, "&assertion=");
	}
	buf_puts(extra, jwt.data);	/* base64url and dots: nothing to encode */
	rc = 0;
out:
	if (rc == -1)
		log_error(a->request_id, "connection %lld: no %s assertion (a value is "
		    "missing, or the key or certificate does not sign)", (long long)c->id,
		    kind);
	free(cl);
	json_decref(claims);
	buf_free(&aud);
	buf_free(&header);
	buf_free(&jwt);
	return rc;
}

/*
 * 1 when `owner`'s stored token of connection `cid` (0: the shared one)
 * came without a lifetime (Salesforce answers the JWT bearer flow without
 * expires_in; its session timeout is the org's), 0 when its expiry is
 * known, -1 on a database error. Such a token is asked for again, with a
 * new assertion, before a flow gets it: one that lapsed is never handed out.
 */
int
oauth_assertion_unbounded(const struct actor *a, int64_t cid, int64_t owner)
{
	char		 id[24], own[24];
	const char	*params[2] = { id, own };

	snprintf(id, sizeof(id), "%lld", (long long)cid);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	return db_count(&a->app->db, "SELECT (CASE WHEN $2::bigint = 0 THEN (SELECT"
	    " token_expires_at IS NULL FROM connections WHERE id = $1) ELSE (SELECT"
	    " token_expires_at IS NULL FROM user_connection_states WHERE connection_id = $1"
	    " AND user_id = $2) END IS NOT FALSE)::int AS n", 2, params);
}
