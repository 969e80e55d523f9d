/*
 * tester.c — the one generic tester. The connector's definition says how
 * a connection is tested (an HTTP request with its credentials, an OAuth
 * token request, an SMTP handshake); this file reads the settings and the
 * decrypted secrets, runs the probe, and records the outcome as an audit
 * trail: a connection_tests row, the connection's status and Last Tested
 * Date, and the Progress Status of every flow using it, in one transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"

#define TESTS_PER_MINUTE	20
#define TEST_HEADERS_MAX	4	/* Test.headers: cdef.h's CDEF_HEADERS_MAX */

struct secrets {
	int	 n;
	char	*field[SECRET_FIELDS_MAX + 4];
	char	*value[SECRET_FIELDS_MAX + 4];
	int	 broken;	/* a stored secret does not decrypt */
	char	 broken_fields[256];	/* ",f1,f2," of those (tester_try) */
	int	 own;		/* rows of the user's own (per-user) */
};

struct testctx {
	char			*uplink_proxy;	/* Uplinked: its proxy URL */
	struct netpolicy	 uplink_policy;	/* and what it may reach */
	const struct actor	*a;
	int64_t			 owner;	/* whose secrets: 0 shared, else that user's own */
	const struct conn	*c;
	HDF			*proto;
	HDF			*test;
	json_t			*settings;
	struct secrets		 sec;
	char			 aws_sigv4[128];	/* "aws:amz:REGION:SERVICE" */
	struct buf		 cert, key;	/* mutual TLS: PEM as libcurl takes it */
	struct buf		 body;		/* jwt_bearer: the token request */
	char			 jwt_account[256];	/* its client_email */
	char			 jwt_project[128];	/* and project_id */
	char			 xhdr[TEST_HEADERS_MAX][TEST_HEADER_MAX + 2];	/* Test.headers, */
	const char		*xhdrs[TEST_HEADERS_MAX + 1];	/* as "Name: value" */
};

static void
secrets_free(struct secrets *s)
{
	int	 i;

	for (i = 0; i < s->n; i++) {
		secret_free(s->value[i]);
		free(s->field[i]);
	}
	s->n = 0;
}

static const char *
secret(const struct testctx *t, const char *field)
{
	int	 i;

	for (i = 0; field != NULL && i < t->sec.n; i++)
		if (strcmp(t->sec.field[i], field) == 0)
			return t->sec.value[i];
	return NULL;
}


/* Decrypt one set of stored secrets (shared, or a user's own) into t->sec;
 * a user's own come second and win over shared ones of the same name. */
static int
secrets_load_from(struct testctx *t, int64_t owner)
{
	char		 cid[24], own[24], ad[128];
	const char	*params[2] = { cid, own };
	PGresult	*res;
	int		 i;

	snprintf(cid, sizeof(cid), "%lld", (long long)t->c->id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	res = owner > 0 ? db_exec_named(&t->a->app->db, "user_secrets_load",
	    "SELECT field, key_version, encode(nonce, 'hex') AS nonce,"
	    " encode(ciphertext, 'hex') AS ct FROM user_connection_secrets"
	    " WHERE connection_id = $1 AND user_id = $2", 2, params) :
	    db_exec_named(&t->a->app->db, "secrets_load",
	    "SELECT field, key_version, encode(nonce, 'hex') AS nonce,"
	    " encode(ciphertext, 'hex') AS ct FROM connection_secrets"
	    " WHERE connection_id = $1 AND $2::bigint = 0", 2, params);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res) && t->sec.n < SECRET_FIELDS_MAX + 4; i++) {
		const char	*field = db_get(res, i, "field");
		char		*plain = NULL;
		int		 k;

		if (owner > 0)
			t->sec.own++;
		secret_ad_field(owner, field, ad, sizeof(ad));
		if (secret_unseal_row(t->a->app, res, i, t->c->id, ad, &plain) == -1) {
			/* Never a fallback: the credential must be entered again. */
			log_error(t->a->request_id, "connection %lld: secret %s does not decrypt",
			    (long long)t->c->id, field);
			t->sec.broken = 1;
			if (strlen(t->sec.broken_fields) + strlen(field) + 2 <
			    sizeof(t->sec.broken_fields))
				snprintf(t->sec.broken_fields + strlen(t->sec.broken_fields),
				    sizeof(t->sec.broken_fields) - strlen(t->sec.broken_fields),
				    "%s%s,", *t->sec.broken_fields == '\0' ? "," : "", field);
			else
				t->sec.broken = 2;	/* too many to name: stays broken */
			continue;
		}
		for (k = 0; k < t->sec.n; k++)
			if (strcmp(t->sec.field[k], field) == 0)
				break;
		if (k < t->sec.n)
			secret_free(t->sec.value[k]);
		else
			t->sec.field[t->sec.n++] = xstrdup(field);
		t->sec.value[k] = plain;
	}
	db_clear(res);
	return 0;
}

/* The secrets a test uses: shared ones, then the user's own (per-user). */
static int
secrets_load(struct testctx *t)
{
	if (secrets_load_from(t, 0) == -1)
		return -1;
	return t->owner > 0 ? secrets_load_from(t, t->owner) : 0;
}

static const char *
setting(const struct testctx *t, const char *key)
{
	return key != NULL ? json_string_value(json_object_get(t->settings, key)) : NULL;
}

/* Values for URL templates: settings only (a secret never enters a URL). */
static const char *
template_value(void *arg, const char *field)
{
	return setting(arg, field);
}

static const char *
test_value(const struct testctx *t, HDF *node, const char *key)
{
	return catalog_value(node, key, t->c->api_type);
}

static int
expand(const struct testctx *t, const char *tmpl, struct buf *out)
{
	char	 err[256];

	if (tmpl == NULL || catalog_expand(tmpl, template_value, (void *)t, out, err,
	    sizeof(err)) == -1) {
		log_error(t->a->request_id, "connection %lld: %s", (long long)t->c->id,
		    tmpl == NULL ? "no test URL" : err);
		return -1;
	}
	return 0;
}

/* 1 when the field the URL comes from also allows plain http. */
static int
test_allows_http(const struct testctx *t, const char *base)
{
	HDF	*f = base != NULL ? hdf_get_obj(hdf_get_obj(t->proto, "Fields"), base) : NULL;

	return f != NULL && str_word_in(hdf_get_value(f, "scheme", "https"), "http");
}

/* Client credentials: obtaining a token is the test. Where OAuth.assertion
 * is declared, a JWT signed with the stored private key (oauth-assertion.c)
 * stands for the client secret, or is the grant itself. */
static void
tester_client_credentials(struct testctx *t, struct probe_outcome *o)
{
	HDF		*oauth = hdf_get_obj(t->proto, "OAuth");
	const char	*sf = catalog_value(oauth, "client_secret_field", t->c->api_type);
	const char	*grant = "client_credentials";
	struct buf	 extra;
	int		 rc;

	buf_init(&extra);
	rc = oauth_assertion(t->a, t->c, t->proto, t->settings, secret(t,
	    catalog_value(oauth, "assertion_key_field", t->c->api_type)), secret(t,
	    catalog_value(oauth, "assertion_cert_field", t->c->api_type)), &grant, &extra);
	if (rc == -1)
		o->result = PROBE_CREDENTIALS_MISSING;
	else if (oauth_token_call(t->a, t->c, t->owner, t->proto, t->settings, rc == 1 ?
	    secret(t, sf != NULL ? sf : "client_secret") : NULL, grant, rc == 0 ?
	    extra.data : NULL, NULL, o) == -1)
		o->result = PROBE_PROTOCOL;
	sodium_memzero(extra.data, extra.len);
	buf_free(&extra);
}

/* Refresh through the one refresh path (oauth_refresh: the lock, decided
 * again once held). `rejected`: the API answered 401 to the token this test
 * used. */
static void
tester_refresh(struct testctx *t, struct probe_outcome *o, int rejected)
{
	int	 refreshed;

	if (oauth_refresh(t->a, t->c, t->owner, secret(t, "access_token"), rejected ?
	    OAUTH_REJECTED : OAUTH_EXPIRING, o, &refreshed) == -1)
		o->result = PROBE_PROTOCOL;
}

/* Replace the loaded secrets with what is stored now (after new tokens). */
static int
secrets_reload(struct testctx *t)
{
	secrets_free(&t->sec);
	return secrets_load(t);
}

/*
 * AWS Signature Version 4 (issue 16 §1): libcurl signs with the access key
 * ID and the secret access key for the region and service; the session
 * token of temporary credentials goes in X-Amz-Security-Token (signed with
 * the other headers). -1 when something is missing or malformed.
 */
static int
test_auth_aws(struct testctx *t, struct probe_http *p, struct buf *header)
{
	const char	*region = setting(t, test_value(t, t->test, "region_field"));
	const char	*service = test_value(t, t->test, "service");
	const char	*token = secret(t, test_value(t, t->test, "token_field"));
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789-";

	if (service == NULL)
		service = setting(t, test_value(t, t->test, "service_field"));
	p->user = setting(t, test_value(t, t->test, "access_key_field"));
	p->password = secret(t, test_value(t, t->test, "secret_field"));
	if (p->user == NULL || *p->user == '\0' || strchr(p->user, ':') != NULL ||
	    p->password == NULL || region == NULL || service == NULL ||
	    *region == '\0' || *service == '\0' || strspn(region, ok) != strlen(region) ||
	    strspn(service, ok) != strlen(service) ||
	    (token != NULL && strpbrk(token, "\r\n") != NULL))
		return -1;
	if ((size_t)snprintf(t->aws_sigv4, sizeof(t->aws_sigv4), "aws:amz:%s:%s", region,
	    service) >= sizeof(t->aws_sigv4))
		return -1;
	p->aws_sigv4 = t->aws_sigv4;
	if (token != NULL && *token != '\0')
		buf_printf(header, "X-Amz-Security-Token: %s", token);
	return 0;
}

/*
 * JWT bearer (RFC 7523; issue 16 §1): the service-account key's JSON gives
 * the RSA private key and client_email; the assertion (iss, scope, aud =
 * the declared token endpoint, never the key's own token_uri, iat, exp in
 * an hour, sub when a subject is set) is signed RS256 (jwt.c) and posted
 * as the token request. -1 when the key cannot sign.
 */
static int
test_auth_jwt(struct testctx *t, struct probe_http *p, const char *aud)
{
	json_t		*key = NULL, *claims = NULL;
	const char	*pk, *email, *project, *scope, *sub;
	char		*cl = NULL;
	time_t		 now = time(NULL);
	int		 rc = -1;

	if (secret(t, test_value(t, t->test, "jwt_key_field")) == NULL ||
	    (key = json_loads(secret(t, test_value(t, t->test, "jwt_key_field")), 0,
	    NULL)) == NULL)
		return -1;
	pk = json_string_value(json_object_get(key, "private_key"));
	email = json_string_value(json_object_get(key, "client_email"));
	project = json_string_value(json_object_get(key, "project_id"));
	scope = setting(t, test_value(t, t->test, "scopes_field"));
	sub = setting(t, test_value(t, t->test, "subject_field"));
	if (pk == NULL || email == NULL || *email == '\0' || strlen(email) >= sizeof(t->jwt_account))
		goto out;
	claims = json_pack("{s:s, s:s, s:s, s:I, s:I}", "iss", email, "scope",
	    scope != NULL ? scope : "", "aud", aud, "iat", (json_int_t)now,
	    "exp", (json_int_t)now + 3600);
	if (claims == NULL || (sub != NULL && *sub != '\0' &&
	    json_object_set_new(claims, "sub", json_string(sub)) == -1) ||
	    (cl = json_dumps(claims, JSON_COMPACT)) == NULL)
		goto out;
	buf_puts(&t->body, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
	    "&assertion=");
	if (jwt_rs256(pk, json_string_value(json_object_get(key, "private_key_id")), cl,
	    &t->body) == -1)
		goto out;
	snprintf(t->jwt_account, sizeof(t->jwt_account), "%s", email);
	snprintf(t->jwt_project, sizeof(t->jwt_project), "%s", project != NULL &&
	    strlen(project) < sizeof(t->jwt_project) ? project : "");
	p->body = t->body.data;
	p->content_type = "application/x-www-form-urlencoded";
	rc = 0;
out:
	free(cl);
	json_decref(claims);
	if (key != NULL) {
		/* The key's text lives in jansson's strings: wipe it. */
		json_t	*v = json_object_get(key, "private_key");

		if (json_string_value(v) != NULL)
			sodium_memzero((char *)json_string_value(v), json_string_length(v));
		json_decref(key);
	}
	return rc;
}

/* The authentication of the test request, by the Test's auth method. */
static int
test_auth(struct testctx *t, const char *auth, struct probe_http *p, struct buf *url,
    struct buf *header)
{
	const char	*sf = test_value(t, t->test, "secret_field"), *v;

	if (auth == NULL || strcmp(auth, "none") == 0)
		return 0;
	if (strcmp(auth, "basic") == 0 && (v = test_value(t, t->test, "password")) != NULL) {
		/* The secret is the user name, the password fixed (Freshdesk). */
		p->user = secret(t, sf);
		p->password = v;
		return p->user != NULL && strchr(p->user, ':') == NULL ? 0 : -1;
	}
	if (strcmp(auth, "basic") == 0) {
		p->user = setting(t, test_value(t, t->test, "user_field"));
		p->password = secret(t, sf);
		return p->user != NULL && p->password != NULL ? 0 : -1;
	}
	if (strcmp(auth, "aws_sigv4") == 0)
		return test_auth_aws(t, p, header);
	if (strcmp(auth, "jwt_bearer") == 0)
		return test_auth_jwt(t, p, url->data);
	if (strcmp(auth, "client_cert") == 0) {
		/* As PEM again (a password field drops line breaks). */
		if (pem_normalize(secret(t, test_value(t, t->test, "cert_field")),
		    &t->cert) == -1 || pem_normalize(secret(t, test_value(t, t->test,
		    "key_field")), &t->key) == -1)
			return -1;
		p->client_cert = t->cert.data;
		p->client_key = t->key.data;
		return 0;
	}
	if (strcmp(auth, "oauth2") == 0)
		sf = "access_token";
	if ((v = secret(t, sf)) == NULL)
		return -1;
	if (strcmp(auth, "query") == 0) {
		const char	*param = test_value(t, t->test, "param");

		if (param == NULL)
			param = setting(t, test_value(t, t->test, "param_field"));
		if (param == NULL)
			return -1;
		buf_puts(url, strchr(url->data, '?') != NULL ? "&" : "?");
		buf_url_encode(url, param);
		buf_puts(url, "=");
		buf_url_encode(url, v);
		/* A second one (Trello: key and token); the URL is never logged. */
		if ((param = test_value(t, t->test, "param2")) != NULL) {
			if ((v = secret(t, test_value(t, t->test, "secret2_field"))) == NULL)
				return -1;
			buf_puts(url, "&");
			buf_url_encode(url, param);
			buf_puts(url, "=");
			buf_url_encode(url, v);
		}
	} else if (strcmp(auth, "header") == 0) {
		const char	*name = test_value(t, t->test, "header");
		const char	*prefix = test_value(t, t->test, "prefix");

		if (name == NULL)
			name = setting(t, test_value(t, t->test, "header_field"));
		if (name == NULL || strpbrk(v, "\r\n") != NULL)
			return -1;
		/* A prefix ending in "=" takes the secret at once (PagerDuty). */
		buf_printf(header, "%s: %s%s%s", name, prefix != NULL ? prefix : "",
		    prefix != NULL && prefix[strlen(prefix) - 1] != '=' ? " " : "", v);
	} else if (strcmp(auth, "bearer") == 0 || strcmp(auth, "oauth2") == 0) {
		if (strpbrk(v, "\r\n") != NULL)
			return -1;
		buf_printf(header, "Authorization: Bearer %s", v);
	} else			/* never a secret sent in a way not declared */
		return -1;
	return 0;
}

/*
 * The Test's fixed parts beyond authentication (issue 16 gap): its extra
 * headers ("Name:value" words, checked at load: Notion-Version), as
 * "Name: value" lines in t (NULL when none), and a POST's body with its
 * content type (GraphQL). Neither holds a secret.
 */
static const char *const *
test_headers(struct testctx *t)
{
	const char	*h = test_value(t, t->test, "headers");
	char		 w[TEST_HEADER_MAX + 1];
	size_t		 name;
	int		 n = 0;

	/* The words as the loader split and checked them (cdef-check.c). */
	while (n < TEST_HEADERS_MAX && str_word_next(&h, w, sizeof(w))) {
		if (w[name = strcspn(w, ":")] == '\0')
			break;
		snprintf(t->xhdr[n], sizeof(t->xhdr[n]), "%.*s: %s", (int)name, w,
		    w + name + 1);
		t->xhdrs[n] = t->xhdr[n];
		n++;
	}
	t->xhdrs[n] = NULL;
	return n > 0 ? t->xhdrs : NULL;
}

static void
test_request(struct testctx *t, struct probe_http *p)
{
	p->headers = test_headers(t);
	/* Only a POST posts it: a body would turn another method into one. */
	if (p->body == NULL && p->method != NULL && strcmp(p->method, "POST") == 0 &&
	    (p->body = test_value(t, t->test, "body")) != NULL)
		p->content_type = test_value(t, t->test, "content_type");
}

static void
test_http(struct testctx *t, struct probe_outcome *o, int refreshed)
{
	const char	*yes;
	struct probe_http p;
	struct buf	 url, header;
	const char	*auth = test_value(t, t->test, "auth");
	const char	*expect_field = test_value(t, t->test, "expect_field");
	const char	*kind = hdf_get_value(t->proto, "kind", "");

	memset(&p, 0, sizeof(p));
	buf_init(&url);
	buf_init(&header);
	if (strcmp(kind, "oauth2_client") == 0 && !refreshed) {
		/* Obtaining a token is the test; the token then proves the API call. */
		tester_client_credentials(t, o);
		if (o->result != PROBE_OK || secrets_reload(t) == -1)
			goto out;
		probe_outcome_free(o);
		probe_outcome_init(o);
	} else if (strcmp(kind, "oauth2_code") == 0 && t->c->token_expiring && !refreshed) {
		/* Refresh before expiry rather than fail on it. */
		tester_refresh(t, o, 0);
		if (o->result != PROBE_OK || secrets_reload(t) == -1)
			goto out;
		probe_outcome_free(o);
		probe_outcome_init(o);
		refreshed = 1;
	}
	if (expand(t, test_value(t, t->test, "url"), &url) == -1) {
		o->result = PROBE_UNSUPPORTED;
		goto out;
	}
	if (test_auth(t, auth, &p, &url, &header) == -1) {
		o->result = auth != NULL && strcmp(auth, "oauth2") == 0 &&
		    strcmp(kind, "oauth2_code") == 0 ? PROBE_NEEDS_RECONNECT :
		    PROBE_CREDENTIALS_MISSING;
		goto out;
	}
	p.method = test_value(t, t->test, "method");
	p.url = url.data;
	p.header = header.len > 0 ? header.data : NULL;
	test_request(t, &p);
	p.expect = expect_field != NULL ? setting(t, expect_field) :
	    test_value(t, t->test, "expect");
	p.allow_http = test_allows_http(t, test_value(t, t->test, "base")) &&
	    p.client_cert == NULL;
	if (t->uplink_proxy != NULL) {
		p.proxy = t->uplink_proxy;
		p.policy = &t->uplink_policy;
	}
	probe_http(t->a->app, &p, o);
	/* An API that answers 200 to any token and says in its body whether it
	 * took it (Slack: "ok": false, "error": "invalid_auth"). */
	if (o->result == PROBE_OK && (yes = test_value(t, t->test, "expect_true")) != NULL &&
	    !answer_true(o->body.data, o->body.len, yes))
		o->result = PROBE_BAD_CREDENTIALS;
	/* The token endpoint refused the assertion (invalid_grant, an unknown
	 * or disabled key): the credentials. */
	if (auth != NULL && strcmp(auth, "jwt_bearer") == 0 && (o->http_status == 400 ||
	    o->http_status == 401))
		o->result = PROBE_BAD_CREDENTIALS;
	/* An expired access token: refresh once, then test again. */
	if (o->result == PROBE_BAD_CREDENTIALS && o->http_status == 401 && !refreshed &&
	    strcmp(kind, "oauth2_code") == 0) {
		probe_outcome_free(o);
		probe_outcome_init(o);
		tester_refresh(t, o, 1);
		if (o->result == PROBE_OK && secrets_reload(t) == 0) {
			probe_outcome_free(o);
			probe_outcome_init(o);
			test_http(t, o, 1);
		}
	}
out:
	sodium_memzero(url.data, url.len);
	sodium_memzero(header.data, header.len);
	buf_free(&url);
	buf_free(&header);
}

/* A connection on a named credential: its URL and authentication, the
 * connector's test path. */
static void
test_named_credential(struct testctx *t, struct probe_outcome *o)
{
	char		 nid[24], *secret_v = NULL;
	const char	*params[1] = { nid };
	const char	*path = test_value(t, t->test, "path"), *proto, *field;
	struct probe_http p;
	struct buf	 url, header;
	json_t		*settings;
	PGresult	*res;

	memset(&p, 0, sizeof(p));
	snprintf(nid, sizeof(nid), "%lld", (long long)t->c->named_credential_id);
	res = db_exec_named(&t->a->app->db, "nc_for_test", "SELECT url, auth_protocol,"
	    " settings::text AS settings FROM named_credentials WHERE id = $1", 1, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		o->result = PROBE_CREDENTIALS_MISSING;
		return;
	}
	proto = db_get(res, 0, "auth_protocol");
	field = strcmp(proto, "basic") == 0 ? "password" : strcmp(proto, "bearer") == 0 ?
	    "token" : strcmp(proto, "api_key_header") == 0 ? "api_key" : NULL;
	if (field == NULL || secret_nc_get(t->a, t->c->named_credential_id, field,
	    &secret_v) != 0) {
		o->result = field == NULL ? PROBE_UNSUPPORTED : PROBE_CREDENTIALS_MISSING;
		db_clear(res);
		return;
	}
	settings = json_loads(db_get(res, 0, "settings"), 0, NULL);
	buf_init(&url);
	buf_init(&header);
	buf_puts(&url, db_get(res, 0, "url"));
	if (url.len > 0 && url.data[url.len - 1] == '/' && path != NULL && *path == '/')
		url.data[--url.len] = '\0';
	buf_puts(&url, path != NULL ? path : "");
	if (strcmp(proto, "basic") == 0) {
		p.user = json_string_value(json_object_get(settings, "username"));
		p.password = secret_v;
	} else if (strcmp(proto, "bearer") == 0 && strpbrk(secret_v, "\r\n") == NULL)
		buf_printf(&header, "Authorization: Bearer %s", secret_v);
	else if (strpbrk(secret_v, "\r\n") == NULL)
		buf_printf(&header, "%s: %s", json_string_value(json_object_get(settings,
		    "header")) != NULL ? json_string_value(json_object_get(settings, "header")) :
		    "Authorization", secret_v);
	p.method = test_value(t, t->test, "method");
	p.url = url.data;
	p.header = header.len > 0 ? header.data : NULL;
	test_request(t, &p);
	p.expect = test_value(t, t->test, "expect");
	probe_http(t->a->app, &p, o);
	secret_free(secret_v);
	sodium_memzero(header.data, header.len);
	buf_free(&header);
	buf_free(&url);
	json_decref(settings);
	db_clear(res);
}

static void
test_smtp(struct testctx *t, struct probe_outcome *o)
{
	const char	*host = setting(t, test_value(t, t->test, "base"));
	const char	*port = setting(t, test_value(t, t->test, "port_field"));
	const char	*tls = setting(t, test_value(t, t->test, "tls_field"));
	const char	*auth = test_value(t, t->test, "auth");
	const char	*user = NULL, *password = NULL;

	if (auth != NULL && strcmp(auth, "basic") == 0) {
		user = setting(t, test_value(t, t->test, "user_field"));
		password = secret(t, test_value(t, t->test, "secret_field"));
		if (user != NULL && *user != '\0' && password == NULL) {
			o->result = PROBE_CREDENTIALS_MISSING;
			return;
		}
	}
	if (host == NULL) {
		o->result = PROBE_UNSUPPORTED;
		return;
	}
	probe_smtp(t->a->app, host, port != NULL ? atoi(port) : 587, tls, user, password, o);
}

/* A PostgreSQL connection (issue 16 §1): Direct only (libpq has no proxy). */
static void
test_postgresql(struct testctx *t, struct probe_outcome *o)
{
	struct probe_pg	 q;
	const char	*port = setting(t, test_value(t, t->test, "port_field"));

	if (t->uplink_proxy != NULL) {
		o->result = PROBE_UNSUPPORTED;
		return;
	}
	memset(&q, 0, sizeof(q));
	q.host = setting(t, test_value(t, t->test, "base"));
	q.port = port != NULL ? atoi(port) : 5432;
	q.database = setting(t, test_value(t, t->test, "database_field"));
	q.user = setting(t, test_value(t, t->test, "user_field"));
	q.sslmode = setting(t, test_value(t, t->test, "tls_field"));
	q.password = secret(t, test_value(t, t->test, "secret_field"));
	probe_postgres(t->a->app, &q, o);
}

/*
 * "Connected as" from the test's own answer where the Test declares it
 * (identity_account, identity_tenant: issue 16 §1, STS's Arn and Account):
 * stored when the test passes, cleared when the system refused the
 * credentials (they belong to no one it knows). Other outcomes say nothing
 * about whose they are and leave it.
 */
static int
tester_identity(struct testctx *t, const struct probe_outcome *o)
{
	const char		*acc = test_value(t, t->test, "identity_account");
	const char		*ten = test_value(t, t->test, "identity_tenant");
	struct oauth_identity	 id = { NULL, NULL };
	int			 rc;

	const char		*auth = test_value(t, t->test, "auth");
	int			 jwt = auth != NULL && strcmp(auth, "jwt_bearer") == 0;

	if ((acc == NULL && !jwt) || (o->result != PROBE_OK &&
	    o->result != PROBE_BAD_CREDENTIALS))
		return 0;
	if (o->result == PROBE_OK && jwt) {
		/* The service account the key belongs to, and its project. */
		id.account = *t->jwt_account != '\0' ? xstrdup(t->jwt_account) : NULL;
		id.tenant = *t->jwt_project != '\0' ? xstrdup(t->jwt_project) : NULL;
	} else if (o->result == PROBE_OK) {
		id.account = answer_value(o->body.data, o->body.len, acc);
		id.tenant = ten != NULL ? answer_value(o->body.data, o->body.len, ten) : NULL;
	}
	rc = oauth_identity_store(t->a, t->c->id, t->owner, &id);
	oauth_identity_free(&id);
	return rc;
}

/*
 * Mutual TLS, and the certificate an assertion names (OAuth.
 * assertion_cert_field): the stored certificate's notAfter is its secret's
 * expiry date, so the expiry reminders follow the certificate (issue 16 §1).
 */
static int
tester_cert_expiry(struct testctx *t)
{
	const char	*auth = test_value(t, t->test, "auth");
	const char	*field = auth != NULL && strcmp(auth, "client_cert") == 0 ?
			    test_value(t, t->test, "cert_field") : catalog_value(hdf_get_obj(
			    t->proto, "OAuth"), "assertion_cert_field", t->c->api_type);
	const char	*pem = secret(t, field);
	char		 date[16];

	if (field == NULL || pem == NULL || pem_cert_not_after(pem, date, sizeof(date)) == -1)
		return 0;
	if (t->owner > 0)
		return secret_user_set_expiry(t->a, t->c->id, t->owner, field, date) == -1 ? -1 : 0;
	return secret_conn_set_expiry(t->a, t->c->id, field, date) == -1 ? -1 : 0;
}

/* The status a test's outcome gives: what Tether cannot test is neutral. */
static const char *
outcome_status(enum probe_result r)
{
	return r == PROBE_OK ? "ok" : r == PROBE_NEEDS_RECONNECT ? "needs_reconnect" :
	    r == PROBE_UNSUPPORTED ? "not_testable" : "failing";
}

static int
status_failed(const char *status)
{
	return strcmp(status, "failing") == 0 || strcmp(status, "needs_reconnect") == 0;
}

/*
 * The notification a system connection's new status calls for, given what
 * was last notified (NULL for none). Once per transition: failing only after
 * health.notify_after_failures failures in a row (a flapping connection does
 * not notify every other test), needs reconnect at once (a person must act),
 * recovered only after a failure was notified. Not testable never notifies.
 */
static const char *
status_event(const struct app *app, const char *status, int failures, const char *notified)
{
	if (strcmp(status, "failing") == 0 && failures >= app->cfg.notify_after_failures &&
	    strcmp(notified, "failing") != 0)
		return EVENT_FAILING;
	if (strcmp(status, "needs_reconnect") == 0 && strcmp(notified, "needs_reconnect") != 0)
		return EVENT_NEEDS_RECONNECT;
	if (strcmp(status, "ok") == 0 && strcmp(notified, "ok") != 0)
		return EVENT_RECOVERED;
	return NULL;
}

/* Lock the state this test changes (the connection's, or the user's own)
 * and read the status before it; 0 when the connection is gone. */
static int
record_lock(const struct actor *a, int64_t owner, const char *const *params,
    char *before, size_t beforelen, char *notified, size_t notifiedlen)
{
	PGresult	*res;
	int		 n;

	if (owner > 0) {
		/* Held until commit: a delete waits for the record, or the record
		 * sees that the delete came first. */
		res = db_exec_named(&a->app->db, "test_conn_lock",
		    "SELECT 1 FROM connections WHERE id = $1 FOR KEY SHARE", 1, params);
		if (res == NULL)
			return -1;
		n = db_rows(res);
		db_clear(res);
		if (n == 0)
			return 0;
		if ((res = db_exec_named(&a->app->db, "test_user_state_add",
		    "INSERT INTO user_connection_states (connection_id, user_id)"
		    " VALUES ($1, $2) ON CONFLICT DO NOTHING", 2, params)) == NULL)
			return -1;
		db_clear(res);
		/* Per-user states never notify: "ok" stands for nothing told. */
		res = db_exec_named(&a->app->db, "test_user_state_lock",
		    "SELECT status, 'ok' AS notified_status FROM user_connection_states"
		    " WHERE connection_id = $1 AND user_id = $2 FOR UPDATE", 2, params);
	} else
		res = db_exec_named(&a->app->db, "test_system_lock",
		    "SELECT status, notified_status FROM connections WHERE id = $1"
		    " FOR NO KEY UPDATE", 1, params);
	if (res == NULL)
		return -1;
	if ((n = db_rows(res)) > 0) {
		snprintf(before, beforelen, "%s", db_get(res, 0, "status"));
		snprintf(notified, notifiedlen, "%s", db_get(res, 0, "notified_status"));
	}
	db_clear(res);
	return n > 0;
}

/* The event's own part: statuses before and after and the test. */
static char *
record_event_json(const char *before, const char *after, int failures, const char *test_id,
    const char *tested_at, const char *trigger, const struct probe_outcome *o,
    const char *message)
{
	json_t	*j = json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s,s:s,s:s},s:i}",
		    "status", "before", before, "after", after,
		    "test", "id", test_id, "result", probe_result_key(o->result),
		    "trigger", trigger, "at", tested_at, "message", message,
		    "consecutive_failures", failures);
	char	*s;

	if (j == NULL)
		return NULL;
	if (o->http_status > 0)
		json_object_set_new(json_object_get(j, "test"), "http_status",
		    json_integer(o->http_status));
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

/*
 * Status, Last Tested, the history row and the flows' progress, at once;
 * with a status change, its row in connection_status_changes and, when it
 * calls for one, the event that notifies it. A user's own test of a
 * per-user connection changes only that user's state. TESTER_GONE when the
 * connection was deleted while it was being tested: nothing is recorded
 * (its history went with it).
 */
static int
tester_record(const struct actor *a, int64_t owner, const struct conn *c,
    const char *trigger, const struct probe_outcome *o, const char *message)
{
	char		 cid[24], uid[24], own[24], hs[16], lat[16], fails[16];
	char		 before[32] = "not_tested", notified[32] = "ok", test_id[24];
	char		 tested_at[64], details[128], *extra = NULL;
	const char	*status = outcome_status(o->result), *event = NULL;
	const char	*params[10];
	PGresult	*res;
	int		 failures, n;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(own, sizeof(own), "%lld", (long long)owner);
	snprintf(hs, sizeof(hs), "%ld", o->http_status);
	snprintf(lat, sizeof(lat), "%ld", o->latency_ms);
	if (db_begin(&a->app->db) == -1)
		return -1;
	params[0] = cid, params[1] = own;
	if ((n = record_lock(a, owner, params, before, sizeof(before), notified,
	    sizeof(notified))) == -1)
		goto fail;
	if (n == 0) {
		db_rollback(&a->app->db);
		return TESTER_GONE;
	}
	params[0] = cid, params[1] = trigger, params[2] = a->user_id > 0 ? uid : NULL;
	params[3] = probe_result_key(o->result), params[4] = o->http_status > 0 ? hs : NULL;
	params[5] = lat, params[6] = message, params[7] = owner > 0 ? own : NULL;
	res = db_exec_named(&a->app->db, "test_insert",
	    "INSERT INTO connection_tests (connection_id, trigger, triggered_by, result,"
	    " http_status, latency_ms, message, user_id) VALUES ($1, $2, $3, $4, $5, $6, $7,"
	    " $8) RETURNING id, tested_at, to_char(tested_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS at", 8, params);
	if (res == NULL)
		goto fail;
	snprintf(test_id, sizeof(test_id), "%s", db_get(res, 0, "id"));
	snprintf(tested_at, sizeof(tested_at), "%s", db_get(res, 0, "at"));
	db_clear(res);
	/* Failures in a row count on from needs reconnect and failing alike;
	 * failing_since is when the run began. */
	params[0] = cid, params[1] = test_id, params[2] = status;
	params[3] = probe_result_key(o->result), params[4] = message, params[5] = own;
	res = owner > 0 ? db_exec_named(&a->app->db, "test_user_state",
	    "UPDATE user_connection_states s SET status = $3, last_tested_at = t.tested_at,"
	    " last_test_result = $4, last_test_message = $5, consecutive_failures = CASE WHEN"
	    " $3 IN ('failing', 'needs_reconnect') THEN s.consecutive_failures + 1 ELSE 0 END,"
	    " failing_since = CASE WHEN $3 IN ('failing', 'needs_reconnect') THEN"
	    " COALESCE(s.failing_since, t.tested_at) END FROM connection_tests t"
	    " WHERE t.id = $2 AND s.connection_id = $1 AND s.user_id = $6"
	    " RETURNING s.consecutive_failures", 6, params) :
	    db_exec_named(&a->app->db, "test_system_state",
	    "UPDATE connections c SET status = $3, last_tested_at = t.tested_at,"
	    " last_test_result = $4, last_test_message = $5, consecutive_failures = CASE WHEN"
	    " $3 IN ('failing', 'needs_reconnect') THEN c.consecutive_failures + 1 ELSE 0 END,"
	    " failing_since = CASE WHEN $3 IN ('failing', 'needs_reconnect') THEN"
	    " COALESCE(c.failing_since, t.tested_at) END FROM connection_tests t"
	    " WHERE t.id = $2 AND c.id = $1 AND $6::bigint = 0"
	    " RETURNING c.consecutive_failures", 6, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		goto fail;
	}
	failures = atoi(db_get(res, 0, "consecutive_failures"));
	db_clear(res);
	snprintf(fails, sizeof(fails), "%d", failures);
	if (strcmp(before, status) != 0) {
		params[0] = cid, params[1] = owner > 0 ? own : NULL, params[2] = before;
		params[3] = status, params[4] = message, params[5] = test_id;
		params[6] = trigger, params[7] = fails;
		if ((res = db_exec_named(&a->app->db, "test_status_change",
		    "INSERT INTO connection_status_changes (connection_id, user_id, from_status,"
		    " to_status, reason, test_id, trigger, consecutive_failures)"
		    " VALUES ($1, $2, $3, $4, left($5, 500), $6, $7, $8)", 8, params)) == NULL)
			goto fail;
		db_clear(res);
	}
	if (owner == 0) {
		/* The flows' Progress Status follows what a test could tell. */
		params[0] = cid, params[1] = status;
		if (strcmp(status, "not_testable") != 0 && (res = db_exec_named(&a->app->db,
		    "test_flows", "UPDATE flows SET progress_status = CASE WHEN $2 = 'ok'"
		    " THEN 'Ready' ELSE 'Blocked: connection ' || replace($2, '_', ' ') END,"
		    " updated_at = now() WHERE id IN (SELECT flow_id FROM flow_connections"
		    " WHERE connection_id = $1)", 2, params)) == NULL)
			goto fail;
		if (strcmp(status, "not_testable") != 0)
			db_clear(res);
		event = status_event(a->app, status, failures, notified);
	}
	if (event != NULL) {
		/* "Before" is what the receiver last heard when the failures it
		 * was not told of came first. */
		params[0] = cid, params[1] = status;
		if ((extra = record_event_json(status_failed(before) &&
		    !status_failed(notified) ? notified : before,
		    status, failures, test_id, tested_at, trigger, o, message)) == NULL ||
		    (res = db_exec_named(&a->app->db, "test_notified", "UPDATE connections"
		    " SET notified_status = $2 WHERE id = $1", 2, params)) == NULL)
			goto fail;
		db_clear(res);
		if (event_connection(a, event, c->id, extra) == -1)
			goto fail;
	}
	snprintf(details, sizeof(details), "{\"result\":\"%s\",\"trigger\":\"%s\"}",
	    probe_result_key(o->result), trigger);
	if (audit_add(a, "connection", c->id, c->name, "connection_test",
	    o->result == PROBE_OK ? "success" : "failure", details) == -1 ||
	    db_commit(&a->app->db) == -1)
		goto fail;
	free(extra);
	return 0;
fail:
	free(extra);
	db_rollback(&a->app->db);
	return -1;
}

int
tester_record_outcome(const struct actor *a, int64_t owner, const struct conn *c,
    const char *trigger, const struct probe_outcome *o)
{
	char	 message[256];

	probe_result_sentence(o->result, o->http_status, message, sizeof(message));
	return tester_record(a, owner, c, trigger, o, message);
}

/* An Uplinked connection's proxy and allowlist; Direct ones never use one. */
static int
tester_uplink(struct testctx *t)
{
	char		 uid[24], err[256];
	const char	*params[1] = { uid };
	PGresult	*res;
	int		 rc = -1;

	if (t->c->uplink_id == 0)
		return 0;
	snprintf(uid, sizeof(uid), "%lld", (long long)t->c->uplink_id);
	res = db_exec_named(&t->a->app->db, "uplink_get", "SELECT proxy_url, allow"
	    " FROM uplinks WHERE id = $1", 1, params);
	if (res != NULL && db_rows(res) == 1 && netpolicy_parse(&t->uplink_policy,
	    db_get(res, 0, "allow"), err, sizeof(err)) == 0) {
		t->uplink_proxy = xstrdup(db_get(res, 0, "proxy_url"));
		rc = 0;
	}
	db_clear(res);
	return rc;
}

/* What a test context holds: the secrets (wiped), settings, uplink. */
static void
testctx_free(struct testctx *t)
{
	sodium_memzero(t->cert.data, t->cert.len);
	sodium_memzero(t->key.data, t->key.len);
	sodium_memzero(t->body.data, t->body.len);
	buf_free(&t->cert);
	buf_free(&t->key);
	buf_free(&t->body);
	secrets_free(&t->sec);
	json_decref(t->settings);
	free(t->uplink_proxy);
	netpolicy_free(&t->uplink_policy);
}

int
tester_run(const struct actor *a, const struct conn *c, const char *trigger,
    struct probe_outcome *o, char *message, size_t messagelen)
{
	struct testctx	 t;
	const char	*kind;
	int		 per_user = strcmp(c->context, "per_user") == 0, rc = -1;

	memset(&t, 0, sizeof(t));
	buf_init(&t.cert);
	buf_init(&t.key);
	buf_init(&t.body);
	t.a = a;
	t.c = c;
	/* Per-user connections test with the actor's own credentials. */
	t.owner = per_user ? a->user_id : 0;
	t.proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	t.test = t.proto != NULL ? hdf_get_obj(t.proto, "Test") : NULL;
	t.settings = json_loads(c->settings, 0, NULL);
	kind = t.test != NULL ? catalog_value(t.test, "kind", c->api_type) : NULL;
	if (t.settings == NULL || kind == NULL || strcmp(kind, "none") == 0 ||
	    (per_user && t.owner <= 0))
		o->result = PROBE_UNSUPPORTED;
	else if (strcmp(hdf_get_value(t.proto, "kind", ""), "named_credential") == 0)
		test_named_credential(&t, o);
	else if (secrets_load(&t) == -1)
		goto out;
	else if (tester_uplink(&t) == -1)
		o->result = PROBE_POLICY;
	else if (t.sec.broken)
		o->result = PROBE_CREDENTIALS_MISSING;
	else if (per_user && t.sec.own == 0)
		o->result = PROBE_NOT_CONNECTED;
	else if (strcmp(kind, "smtp") == 0)
		test_smtp(&t, o);
	else if (strcmp(kind, "postgresql") == 0)
		test_postgresql(&t, o);
	else
		test_http(&t, o, 0);
	probe_result_sentence(o->result, o->http_status, message, messagelen);
	/* Not tested (another test is refreshing, or the user has not connected
	 * their own account yet): nothing to record. */
	rc = o->result == PROBE_BUSY ? TESTER_BUSY : o->result == PROBE_NOT_CONNECTED ? 0 :
	    tester_record(a, t.owner, c, trigger, o, message);
	if (rc == 0 && t.test != NULL && tester_identity(&t, o) == -1)
		rc = -1;
	if (rc == 0 && t.test != NULL && tester_cert_expiry(&t) == -1)
		rc = -1;
out:
	testctx_free(&t);
	return rc;
}

/*
 * Test a candidate before it is saved (Edit's test before save): c carries
 * the new settings; the secrets are the stored shared ones (none when
 * rebind: a new destination gets only what was typed) overlaid by the n
 * typed ones. Nothing is recorded, nothing stored. Only connections whose
 * test has no side effect are tried: not per-user, not OAuth (a test may
 * refresh and store tokens), not a named credential's; the others give
 * PROBE_UNSUPPORTED. 0 tested (o->result), -1 on failure.
 */
int
tester_try(const struct actor *a, const struct conn *c, char *const *field,
    char *const *value, int n, int rebind, struct probe_outcome *o)
{
	struct testctx	 t;
	const char	*kind, *pkind, *p;
	int		 i, k, rc = -1;

	memset(&t, 0, sizeof(t));
	buf_init(&t.cert);
	buf_init(&t.key);
	buf_init(&t.body);
	t.a = a;
	t.c = c;
	t.proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	t.test = t.proto != NULL ? hdf_get_obj(t.proto, "Test") : NULL;
	t.settings = json_loads(c->settings, 0, NULL);
	kind = t.test != NULL ? catalog_value(t.test, "kind", c->api_type) : NULL;
	pkind = t.proto != NULL ? hdf_get_value(t.proto, "kind", "") : "";
	if (t.settings == NULL || kind == NULL || strcmp(kind, "none") == 0 ||
	    strcmp(c->context, "per_user") == 0 || strncmp(pkind, "oauth2", 6) == 0 ||
	    strcmp(pkind, "named_credential") == 0) {
		o->result = PROBE_UNSUPPORTED;
		rc = 0;
		goto out;
	}
	if (!rebind && secrets_load_from(&t, 0) == -1)
		goto out;
	if (t.sec.broken == 1) {
		/* A secret that does not decrypt is repaired by typing it again. */
		t.sec.broken = 0;
		for (p = t.sec.broken_fields + 1; *p != '\0' && !t.sec.broken; p = strchr(p, ',') + 1) {
			size_t	 len = strcspn(p, ",");

			t.sec.broken = 1;
			for (i = 0; i < n; i++)
				if (strlen(field[i]) == len && strncmp(field[i], p, len) == 0)
					t.sec.broken = 0;
		}
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < t.sec.n; k++)
			if (strcmp(t.sec.field[k], field[i]) == 0)
				break;
		if (k == t.sec.n && t.sec.n >= SECRET_FIELDS_MAX + 4)
			break;
		if (k < t.sec.n)
			secret_free(t.sec.value[k]);
		else
			t.sec.field[t.sec.n++] = xstrdup(field[i]);
		t.sec.value[k] = xstrdup(value[i]);
	}
	if (tester_uplink(&t) == -1)
		o->result = PROBE_POLICY;
	else if (t.sec.broken)
		o->result = PROBE_CREDENTIALS_MISSING;
	else if (strcmp(kind, "smtp") == 0)
		test_smtp(&t, o);
	else if (strcmp(kind, "postgresql") == 0)
		test_postgresql(&t, o);
	else
		test_http(&t, o, 0);
	rc = 0;
out:
	testctx_free(&t);
	return rc;
}

int
tester_rate_limited(const struct actor *a)
{
	char		 uid[24];
	const char	*params[1] = { uid };
	PGresult	*res;
	int		 n;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "tests_recent", "SELECT count(*) AS n"
	    " FROM connection_tests WHERE triggered_by = $1"
	    " AND tested_at > now() - interval '1 minute'", 1, params);
	if (res == NULL)
		return 0;
	n = atoi(db_get(res, 0, "n"));
	db_clear(res);
	return n >= TESTS_PER_MINUTE;
}

int
tester_run_id(const struct actor *a, int64_t id, const char *trigger, char *message,
    size_t messagelen, int *ok)
{
	struct conn		*c;
	struct probe_outcome	 o;
	int			 dberr, rc;

	*ok = 0;
	if ((c = conn_get(a, id, &dberr)) == NULL)
		return dberr ? -1 : TESTER_GONE;
	probe_outcome_init(&o);
	rc = tester_run(a, c, trigger, &o, message, messagelen);
	*ok = o.result == PROBE_OK;
	probe_outcome_free(&o);
	conn_free(c);
	return rc;
}

/* ------------------------------------------------- credentials for a flow */

/* Put a secret into the answer; the JSON copy is wiped by the caller's
 * credentials_json_free (json_string copies it). */
static void
cred_put(json_t *j, const char *key, const char *v)
{
	json_object_set_new(j, key, json_string(v != NULL ? v : ""));
}

/* A named credential's address and authentication, as its test uses them. */
static enum probe_result
cred_named(struct testctx *t, json_t *j)
{
	char		 nid[24], *v = NULL;
	const char	*params[1] = { nid }, *proto, *field;
	json_t		*settings;
	PGresult	*res;
	enum probe_result r = PROBE_OK;

	snprintf(nid, sizeof(nid), "%lld", (long long)t->c->named_credential_id);
	res = db_exec_named(&t->a->app->db, "nc_for_credentials", "SELECT url, auth_protocol,"
	    " settings::text AS settings FROM named_credentials WHERE id = $1", 1, params);
	if (res == NULL || db_rows(res) != 1) {
		db_clear(res);
		return PROBE_CREDENTIALS_MISSING;
	}
	proto = db_get(res, 0, "auth_protocol");
	field = strcmp(proto, "basic") == 0 ? "password" : strcmp(proto, "bearer") == 0 ?
	    "token" : strcmp(proto, "api_key_header") == 0 ? "api_key" : NULL;
	if (field == NULL || secret_nc_get(t->a, t->c->named_credential_id, field, &v) != 0) {
		db_clear(res);
		return field == NULL ? PROBE_UNSUPPORTED : PROBE_CREDENTIALS_MISSING;
	}
	settings = json_loads(db_get(res, 0, "settings"), 0, NULL);
	cred_put(j, "base_url", db_get(res, 0, "url"));
	if (strcmp(proto, "basic") == 0) {
		cred_put(j, "type", "basic");
		cred_put(j, "username", json_string_value(json_object_get(settings, "username")));
		cred_put(j, "password", v);
	} else if (strcmp(proto, "bearer") == 0) {
		cred_put(j, "type", "bearer");
		cred_put(j, "token", v);
	} else {
		const char	*h = json_string_value(json_object_get(settings, "header"));

		cred_put(j, "type", "api_key");
		cred_put(j, "in", "header");
		cred_put(j, "name", h != NULL ? h : "Authorization");
		cred_put(j, "value", v);
	}
	secret_free(v);
	json_decref(settings);
	db_clear(res);
	return r;
}

/*
 * The kinds of issue 16 §1, each in a shape of its own: aws_sigv4 (key,
 * secret, session token, region, service), client_cert (base URL, PEM
 * certificate and key), jwt_bearer (the key JSON, scopes, subject, token
 * URL) and postgresql (host, port, database, sslmode, user, password).
 */
static enum probe_result
cred_kind(struct testctx *t, json_t *j, const char *auth, const char *tkind,
    const char *base)
{
	const char	*v;

	if (tkind != NULL && strcmp(tkind, "postgresql") == 0) {
		cred_put(j, "type", "postgresql");
		cred_put(j, "host", base);
		cred_put(j, "port", setting(t, test_value(t, t->test, "port_field")));
		cred_put(j, "database", setting(t, test_value(t, t->test, "database_field")));
		cred_put(j, "sslmode", setting(t, test_value(t, t->test, "tls_field")));
		cred_put(j, "username", setting(t, test_value(t, t->test, "user_field")));
		v = secret(t, test_value(t, t->test, "secret_field"));
		cred_put(j, "password", v);
	} else if (strcmp(auth, "aws_sigv4") == 0) {
		cred_put(j, "type", "aws_sigv4");
		cred_put(j, "access_key_id", setting(t, test_value(t, t->test, "access_key_field")));
		v = secret(t, test_value(t, t->test, "secret_field"));
		cred_put(j, "secret_access_key", v);
		cred_put(j, "session_token", secret(t, test_value(t, t->test, "token_field")));
		cred_put(j, "region", setting(t, test_value(t, t->test, "region_field")));
		/* The service flows sign for: the connection's, else the test's. */
		cred_put(j, "service", setting(t, "service") != NULL ? setting(t, "service") :
		    test_value(t, t->test, "service"));
	} else if (strcmp(auth, "client_cert") == 0) {
		cred_put(j, "type", "client_cert");
		cred_put(j, "base_url", base);
		if (pem_normalize(secret(t, test_value(t, t->test, "cert_field")), &t->cert) == -1 ||
		    pem_normalize(secret(t, test_value(t, t->test, "key_field")), &t->key) == -1)
			return PROBE_CREDENTIALS_MISSING;
		cred_put(j, "certificate", t->cert.data);
		v = t->key.data;
		cred_put(j, "private_key", v);
	} else {
		struct buf	 url;

		cred_put(j, "type", "jwt_bearer");
		v = secret(t, test_value(t, t->test, "jwt_key_field"));
		cred_put(j, "service_account_key", v);
		cred_put(j, "scopes", setting(t, test_value(t, t->test, "scopes_field")));
		cred_put(j, "subject", setting(t, test_value(t, t->test, "subject_field")));
		buf_init(&url);
		if (expand(t, test_value(t, t->test, "url"), &url) == 0)
			cred_put(j, "token_url", url.data);
		buf_free(&url);
	}
	return v != NULL ? PROBE_OK : PROBE_CREDENTIALS_MISSING;
}

/* What OAuth.token_keep kept of the token answer (Salesforce's
 * instance_url), beside the token. */
static void
cred_keep(struct testctx *t, json_t *j)
{
	const char	*keep = catalog_value(hdf_get_obj(t->proto, "OAuth"), "token_keep",
			    t->c->api_type);
	char		 w[64];

	while (str_word_next(&keep, w, sizeof(w))) {
		if (secret(t, w) != NULL)
			cred_put(j, w, secret(t, w));
	}
}

/* The connection's own secrets, placed the way its test places them. */
static enum probe_result
cred_own(struct testctx *t, json_t *j, int *oauth)
{
	const char	*auth = test_value(t, t->test, "auth");
	const char	*kind = hdf_get_value(t->proto, "kind", "");
	const char	*sf = test_value(t, t->test, "secret_field"), *v, *base;
	const char	*tkind = test_value(t, t->test, "kind");
	struct probe_outcome o;

	base = setting(t, test_value(t, t->test, "base"));
	if ((auth != NULL && (strcmp(auth, "aws_sigv4") == 0 || strcmp(auth, "client_cert") == 0 ||
	    strcmp(auth, "jwt_bearer") == 0)) || (tkind != NULL && strcmp(tkind, "postgresql") == 0))
		return cred_kind(t, j, auth, tkind, base);
	if (tkind != NULL && strcmp(tkind, "smtp") == 0) {
		cred_put(j, "type", "smtp");
		cred_put(j, "host", base);
		cred_put(j, "port", setting(t, test_value(t, t->test, "port_field")));
		cred_put(j, "tls", setting(t, test_value(t, t->test, "tls_field")));
		if (auth != NULL && strcmp(auth, "basic") == 0) {
			cred_put(j, "username", setting(t, test_value(t, t->test, "user_field")));
			if ((v = secret(t, sf)) == NULL)
				return PROBE_CREDENTIALS_MISSING;
			cred_put(j, "password", v);
		}
		return PROBE_OK;
	}
	if (base != NULL)
		cred_put(j, "base_url", base);
	if (auth == NULL || strcmp(auth, "none") == 0) {
		cred_put(j, "type", "none");
		return PROBE_OK;
	}
	if (strcmp(auth, "basic") == 0 && test_value(t, t->test, "password") != NULL) {
		/* The secret is the user name, the password fixed (Freshdesk). */
		cred_put(j, "type", "basic");
		if ((v = secret(t, sf)) == NULL || strchr(v, ':') != NULL)
			return PROBE_CREDENTIALS_MISSING;
		cred_put(j, "username", v);
		cred_put(j, "password", test_value(t, t->test, "password"));
		return PROBE_OK;
	}
	if (strcmp(auth, "basic") == 0) {
		cred_put(j, "type", "basic");
		cred_put(j, "username", setting(t, test_value(t, t->test, "user_field")));
		if ((v = secret(t, sf)) == NULL)
			return PROBE_CREDENTIALS_MISSING;
		cred_put(j, "password", v);
		return PROBE_OK;
	}
	if (strcmp(auth, "oauth2") == 0) {
		/* A token that is about to expire is refreshed first, through the one
		 * refresh path (its lock serialises this with every other refresh). */
		*oauth = 1;
		probe_outcome_init(&o);
		if (strcmp(kind, "oauth2_client") == 0 && (t->c->token_expiring ||
		    secret(t, "access_token") == NULL || (catalog_value(hdf_get_obj(t->proto,
		    "OAuth"), "assertion", t->c->api_type) != NULL &&
		    oauth_assertion_unbounded(t->a, t->c->id, t->owner) != 0)))
			tester_client_credentials(t, &o);
		else if (strcmp(kind, "oauth2_code") == 0 && t->c->token_expiring)
			tester_refresh(t, &o, 0);
		else
			o.result = PROBE_OK;
		probe_outcome_free(&o);
		if (o.result != PROBE_OK)
			return o.result;
		if (secrets_reload(t) == -1)
			return PROBE_PROTOCOL;
		if ((v = secret(t, "access_token")) == NULL)
			return strcmp(kind, "oauth2_code") == 0 ? PROBE_NEEDS_RECONNECT :
			    PROBE_CREDENTIALS_MISSING;
		cred_put(j, "type", "oauth2");
		cred_put(j, "token_type", "Bearer");
		cred_put(j, "access_token", v);
		cred_keep(t, j);
		return PROBE_OK;
	}
	if ((v = secret(t, sf)) == NULL)
		return PROBE_CREDENTIALS_MISSING;
	if (strcmp(auth, "query") == 0 || strcmp(auth, "header") == 0) {
		const char	*name = test_value(t, t->test, strcmp(auth, "query") == 0 ?
				    "param" : "header");
		const char	*prefix = test_value(t, t->test, "prefix");

		if (name == NULL)
			name = setting(t, test_value(t, t->test, strcmp(auth, "query") == 0 ?
			    "param_field" : "header_field"));
		cred_put(j, "type", "api_key");
		cred_put(j, "in", strcmp(auth, "query") == 0 ? "query" : "header");
		cred_put(j, "name", name);
		if (prefix != NULL)
			cred_put(j, "prefix", prefix);
		cred_put(j, "value", v);
		/* A second parameter (Trello: key and token). */
		if ((name = test_value(t, t->test, "param2")) != NULL) {
			if ((v = secret(t, test_value(t, t->test, "secret2_field"))) == NULL)
				return PROBE_CREDENTIALS_MISSING;
			cred_put(j, "name2", name);
			cred_put(j, "value2", v);
		}
		return PROBE_OK;
	}
	if (strcmp(auth, "bearer") != 0)
		return PROBE_UNSUPPORTED;	/* never a secret in a shape not declared */
	cred_put(j, "type", "bearer");
	cred_put(j, "token", v);
	return PROBE_OK;
}

/* The Test's fixed extra headers (Notion-Version), which every call needs
 * too: {"headers": {"Name": "value"}}; never a secret. */
static void
cred_headers(struct testctx *t, json_t *j)
{
	const char *const *hs = test_headers(t);
	json_t		*h;
	const char	*colon;
	int		 i;

	if (hs == NULL)
		return;
	h = json_object();
	for (i = 0; hs[i] != NULL; i++)
		if ((colon = strchr(hs[i], ':')) != NULL)
			json_object_setn_new(h, hs[i], (size_t)(colon - hs[i]),
			    json_string(colon + 2));
	json_object_set_new(j, "headers", h);
}

int
tester_credentials(const struct actor *a, const struct conn *c, int64_t owner,
    json_t **out, int *oauth)
{
	struct testctx	 t;
	enum probe_result r;
	json_t		*j = json_object();

	*out = NULL;
	*oauth = 0;
	memset(&t, 0, sizeof(t));
	buf_init(&t.cert);
	buf_init(&t.key);
	buf_init(&t.body);
	t.a = a;
	t.c = c;
	t.owner = owner;
	t.proto = connector_protocol(&a->app->catalog, c->connector, c->protocol);
	t.test = t.proto != NULL ? hdf_get_obj(t.proto, "Test") : NULL;
	t.settings = json_loads(c->settings, 0, NULL);
	if (t.settings == NULL || t.test == NULL)
		r = PROBE_UNSUPPORTED;
	else if (strcmp(hdf_get_value(t.proto, "kind", ""), "named_credential") == 0)
		r = cred_named(&t, j);
	else if (secrets_load(&t) == -1) {
		testctx_free(&t);
		json_decref(j);
		return -1;
	} else if (t.sec.broken)
		r = PROBE_CREDENTIALS_MISSING;
	else if (owner > 0 && t.sec.own == 0)
		r = PROBE_NOT_CONNECTED;
	else
		r = cred_own(&t, j, oauth);
	if (r == PROBE_OK)
		cred_headers(&t, j);
	testctx_free(&t);
	if (r != PROBE_OK) {
		credentials_json_free(j);
		return (int)r;
	}
	*out = j;
	return 0;
}

void
credentials_json_free(json_t *j)
{
	const char	*k;
	json_t		*v;

	if (j == NULL)
		return;
	/* jansson keeps its own copies of the strings: wipe them before they go. */
	json_object_foreach(j, k, v)
		if (json_is_string(v))
			sodium_memzero((char *)json_string_value(v), json_string_length(v));
	json_decref(j);
}
