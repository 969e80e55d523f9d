/*
 * test_catalog.c — unit tests for catalog.c and cdef.c: the real
 * connectors/ folder loads with the expected connectors, protocols, fields
 * and the defaults the checker fills in; every URL template of it expands; each broken
 * definition under connectors-bad/<case>/ stops the load with a message
 * naming its file, line and what is wrong; and catalog_expand's encoding.
 *
 * TETHER_CONNECTORS (default "connectors") and TETHER_BAD_CONNECTORS
 * (default "tests/unit/connectors-bad") name the folders.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/stat.h>

#include <ClearSilver.h>

#include "t.h"
#include "tether.h"

static const char *
env(const char *name, const char *def)
{
	const char	*v = getenv(name);

	return (v != NULL && *v != '\0' ? v : def);
}

/* "Protocols.cloud.Fields" -> the names of its children, space-separated. */
static const char *
children(HDF *node, const char *path, char *out, size_t outlen)
{
	HDF	*c;

	out[0] = '\0';
	if (node == NULL || (node = hdf_get_obj(node, path)) == NULL)
		return (out);
	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c)) {
		if (out[0] != '\0')
			strncat(out, " ", outlen - strlen(out) - 1);
		strncat(out, hdf_obj_name(c), outlen - strlen(out) - 1);
	}
	return (out);
}

static const char *
get(HDF *node, const char *path)
{
	return (node != NULL ? hdf_get_value(node, path, NULL) : NULL);
}

/* Child `name` of node, by comparison. */
static HDF *
child(HDF *node, const char *name)
{
	HDF	*c;

	if (node == NULL)
		return (NULL);
	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c))
		if (strcmp(hdf_obj_name(c), name) == 0)
			return (c);
	return (NULL);
}

static HDF *
protocol(const struct catalog *c, const char *key, const char *name)
{
	return (child(child(catalog_get(c, key), "Protocols"), name));
}

static HDF *
field(HDF *proto, const char *name)
{
	return (child(child(proto, "Fields"), name));
}

/* Fake values for a protocol's fields: what a filled-in form would hold. */
static const char *
fake_value(void *arg, const char *name)
{
	HDF		*f = child(child(arg, "Fields"), name);
	const char	*type, *def;

	if (f == NULL)
		return (NULL);
	type = hdf_get_value(f, "type", "");
	if ((def = hdf_get_value(f, "default", NULL)) != NULL)
		return (def);
	if (strcmp(type, "url") == 0)
		return ("https://svc.example.com/");
	if (strcmp(type, "hostname") == 0)
		return ("svc.example.com");
	if (strcmp(type, "number") == 0)
		return (hdf_get_value(f, "min", "1"));
	return ("value");
}

/* Two fields, for catalog_expand. */
struct pair {
	const char	*name[3];
	const char	*value[3];
};

static const char *
pair_value(void *arg, const char *field)
{
	struct pair	*p = arg;
	int		 i;

	for (i = 0; i < 3 && p->name[i] != NULL; i++)
		if (strcmp(p->name[i], field) == 0)
			return (p->value[i]);
	return (NULL);
}

static const char *
expand(const char *tmpl, struct pair *p, char *err, size_t errlen)
{
	static char	 out[1024];
	struct buf	 b;
	int		 rc;

	buf_init(&b);
	err[0] = '\0';
	rc = catalog_expand(tmpl, pair_value, p, &b, err, errlen);
	snprintf(out, sizeof(out), "%s", rc == 0 ? b.data : "(failed)");
	buf_free(&b);
	return (out);
}

static void
test_expand(void)
{
	struct pair	 p = { { "url", "pool_id", "test_path" },
			    { "https://acme.atlassian.net/", "pool a/b",
			    "/health?x=1&y=%41 z" } };
	struct pair	 none = { { "url", NULL, NULL }, { "", NULL, NULL } };
	char		 err[256];

	T_STR(expand("{+url}/rest/api/2/myself", &p, err, sizeof(err)),
	    "https://acme.atlassian.net/rest/api/2/myself",
	    "expand: {+url} keeps the URL, one slash before the path");
	T_STR(expand("{+url}{+test_path}", &p, err, sizeof(err)),
	    "https://acme.atlassian.net/health?x=1&y=%41%20z",
	    "expand: {+a}{+b} joins with one slash, keeps %XX, encodes spaces");
	T_STR(expand("https://h/x/{pool_id}/jobs/", &p, err, sizeof(err)),
	    "https://h/x/pool%20a%2Fb/jobs/",
	    "expand: {name} percent-encodes '/' and spaces");
	T_STR(expand("https://h/x", &p, err, sizeof(err)), "https://h/x",
	    "expand: no placeholder");
	T_STR(expand("{+url}/x", &none, err, sizeof(err)), "(failed)",
	    "expand: an empty value fails");
	T_STR(err, "url has no value", "expand: says which field is empty");
	T_STR(expand("https://h/{pool_id/x", &p, err, sizeof(err)),
	    "(failed)", "expand: an unclosed placeholder fails");
	T_STR(expand("https://h/{nope}", &p, err, sizeof(err)), "(failed)",
	    "expand: an unknown field fails");
}

/* Every URL template of the catalog expands into an https:// URL. */
static void
test_templates(const struct catalog *c)
{
	static const char *const keys[] = { "Test.url", "OAuth.authorize_url",
	    "OAuth.token_url", NULL };
	HDF		*p, *o;
	struct buf	 b;
	char		 err[256], name[256];
	const char	*t;
	size_t		 i, j;
	int		 bad = 0, n = 0;

	for (i = 0; i < c->nkeys; i++) {
		p = hdf_get_child(catalog_get(c, c->keys[i]), "Protocols");
		for (; p != NULL; p = hdf_obj_next(p)) {
			for (j = 0; keys[j] != NULL; j++) {
				if ((t = hdf_get_value(p, keys[j], NULL)) == NULL)
					continue;
				buf_init(&b);
				n++;
				if (catalog_expand(t, fake_value, p, &b, err,
				    sizeof(err)) == -1 ||
				    strncmp(b.data, "https://", 8) != 0) {
					printf("# %s %s %s: \"%s\" -> \"%s\" %s\n",
					    c->keys[i], hdf_obj_name(p), keys[j], t,
					    b.data, err);
					bad++;
				}
				buf_free(&b);
			}
			o = hdf_get_child(p, "Test.ApiTypes");
			for (; o != NULL; o = hdf_obj_next(o)) {
				if ((t = hdf_get_value(o, "url", NULL)) == NULL)
					continue;
				buf_init(&b);
				n++;
				if (catalog_expand(t, fake_value, p, &b, err,
				    sizeof(err)) == -1)
					bad++;
				buf_free(&b);
			}
		}
	}
	snprintf(name, sizeof(name), "all %d URL templates expand", n);
	T_INT(bad, 0, name);
	T_OK(n >= 25, "the catalog has URL templates to expand");
}

/*
 * issue 16 §2: every connector declares what the catalog and its forms
 * show — a category, a description, a help on every protocol and field —
 * and a Test (http with a method and URL, or none); every connector but
 * the first ten a logo letter and colour. OAuth protocols have their
 * endpoints; a revocation endpoint is an https:// URL or one on a url
 * field (revocation_path).
 */
static void
test_declared(const struct catalog *c)
{
	static const char *const first[] = { "celonis", "celonis-user", "smtp",
	    "http", "google-workspace", "jira", "msgraph", "salesforce", "sap",
	    "servicenow", NULL };
	HDF		*def, *p, *f;
	const char	*kind, *t, *what;
	char		 name[256];
	size_t		 i, j;
	int		 bad = 0, old, nproto = 0, nfield = 0;

	for (i = 0; i < c->nkeys; i++) {
		def = catalog_get(c, c->keys[i]);
		for (j = 0, old = 0; first[j] != NULL; j++)
			old |= strcmp(c->keys[i], first[j]) == 0;
		what = NULL;
		if (*hdf_get_value(def, "category", "") == '\0')
			what = "category";
		else if (*hdf_get_value(def, "description", "") == '\0')
			what = "description";
		else if (!old && hdf_get_value(def, "logo", NULL) == NULL)
			what = "logo";
		else if (!old && hdf_get_value(def, "logo_color", NULL) == NULL)
			what = "logo_color";
		for (p = hdf_get_child(def, "Protocols"); what == NULL && p != NULL;
		    p = hdf_obj_next(p)) {
			nproto++;
			kind = hdf_get_value(p, "kind", "");
			if (*hdf_get_value(p, "help", "") == '\0' && !old)
				what = "a protocol's help";
			t = hdf_get_value(p, "Test.kind", "");
			if (strcmp(t, "http") == 0 &&
			    (hdf_get_value(p, "Test.method", NULL) == NULL ||
			    hdf_get_value(p, "Test.url", NULL) == NULL) &&
			    strcmp(kind, "named_credential") != 0)
				what = "an http Test's method and URL";
			for (f = hdf_get_child(p, "Fields"); f != NULL; f = hdf_obj_next(f)) {
				nfield++;
				if (*hdf_get_value(f, "help", "") == '\0' && !old)
					what = "a field's help";
			}
			if (strncmp(kind, "oauth2_", 7) == 0 &&
			    hdf_get_value(p, "OAuth.token_url", NULL) == NULL)
				what = "an OAuth token_url";
			if (strcmp(kind, "oauth2_code") == 0 &&
			    hdf_get_value(p, "OAuth.authorize_url", NULL) == NULL)
				what = "an OAuth authorize_url";
			if ((t = hdf_get_value(p, "OAuth.revocation_url", NULL)) != NULL &&
			    strncmp(t, "https://", 8) != 0 && strncmp(t, "{+", 2) != 0)
				what = "a revocation_url of https:// or a url field";
		}
		if (what != NULL) {
			printf("# %s: missing %s\n", c->keys[i], what);
			bad++;
		}
	}
	snprintf(name, sizeof(name), "declared: %zu connectors, %d protocols and %d "
	    "fields say what the catalog shows", c->nkeys, nproto, nfield);
	T_INT(bad, 0, name);
}

/* Issue 16 gap: the connectors the new Test keys made declarable. */
static void
test_gap(const struct catalog *c)
{
	static const struct {
		const char	*key, *proto, *path, *want;
	} want[] = {
		{ "freshdesk", "api_key", "Test.password", "X" },
		{ "freshdesk", "api_key", "Test.secret_field", "api_key" },
		{ "freshdesk", "api_key", "Test.url",
		    "https://{domain}.freshdesk.com/api/v2/agents/me" },
		{ "bamboohr", "api_key", "Test.password", "x" },
		{ "pagerduty", "api_key", "Test.prefix", "Token token=" },
		{ "pagerduty", "api_key", "Test.header", "Authorization" },
		{ "notion", "integration", "Test.headers", "Notion-Version:2022-06-28" },
		{ "dropbox", "oauth2_code", "Test.method", "POST" },
		{ "dropbox", "access_token", "Test.method", "POST" },
		{ "monday", "api_token", "Test.body", "{\"query\":\"{ me { id name email } }\"}" },
		{ "monday", "api_token", "Test.content_type", "application/json" },
		{ "linear", "api_key", "Test.body", "{\"query\":\"{ viewer { id name email } }\"}" },
		{ "trello", "api_key", "Test.param", "key" },
		{ "trello", "api_key", "Test.param2", "token" },
		{ "trello", "api_key", "Test.secret2_field", "token" },
	};
	char	 name[256];
	size_t	 i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(name, sizeof(name), "gap: %s %s %s", want[i].key, want[i].proto,
		    want[i].path);
		T_STR(get(protocol(c, want[i].key, want[i].proto), want[i].path),
		    want[i].want, name);
	}
	/* A POST without a body names no content type: none is declared. */
	T_OK(get(protocol(c, "dropbox", "oauth2_code"), "Test.body") == NULL &&
	    get(protocol(c, "dropbox", "oauth2_code"), "Test.content_type") == NULL,
	    "gap: dropbox posts nothing");
}

static void
test_real(void)
{
	static const char *const sorted[] = { "aws", "celonis", "celonis-user", "smtp",
	    "http", "google-service-account", "google-workspace", "https-client-cert",
	    "jira", "msgraph",
	    "postgresql", "salesforce", "sap",
	    "servicenow" };
	struct catalog	 c;
	char		 err[1024], names[1024];
	const char	*dir = env("TETHER_CONNECTORS", "connectors");
	HDF		*def, *p, *f;
	size_t		 i, k;
	int		 popular = 0, rc, secrets;

	err[0] = '\0';
	rc = catalog_load(&c, dir, err, sizeof(err));
	if (!T_INT(rc, 0, "real: connectors/ loads")) {
		printf("#   %s\n", err);
		return;
	}
	T_OK(c.nkeys >= 14 + 40, "real: the fourteen first connectors and at least forty more");
	/* The first fourteen keep their order among themselves; all are by title. */
	for (i = 0, k = 0; i < c.nkeys && k < 14; i++)
		if (strcmp(c.keys[i], sorted[k]) == 0)
			k++;
	T_INT(k, 14, "real: the first fourteen keys sorted by title");
	for (i = 1; i < c.nkeys; i++)
		if (strcasecmp(catalog_title(&c, c.keys[i - 1]),
		    catalog_title(&c, c.keys[i])) > 0)
			break;
	T_INT(i, c.nkeys, "real: keys sorted by title");
	for (i = 0; i < c.nkeys; i++) {
		def = catalog_get(&c, c.keys[i]);
		popular += hdf_get_int_value(def, "popular", 0);
	}
	T_INT(popular, 6, "real: six popular connectors");

	/* Jira */
	def = catalog_get(&c, "jira");
	T_STR(catalog_title(&c, "jira"), "Jira", "jira: title");
	T_STR(get(def, "category"), "Project management", "jira: category");
	T_STR(children(def, "Protocols", names, sizeof(names)), "cloud server",
	    "jira: protocols Cloud and Server, in file order");
	T_STR(children(def, "Protocols.cloud.Fields", names, sizeof(names)),
	    "url max_parallel_extractions read_only email api_token",
	    "jira: Cloud's fields in file order");
	T_STR(children(def, "Protocols.server.Fields", names, sizeof(names)),
	    "url max_parallel_extractions read_only username password",
	    "jira: Server's fields in file order");
	T_STR(catalog_protocol_label(&c, "jira", "cloud"), "Cloud (API token)",
	    "jira: protocol label");
	T_STR(catalog_protocol_label(&c, "jira", "kerberos"), "kerberos",
	    "jira: unknown protocol label is the name");
	T_STR(get(def, "uplink"), "1", "jira: may be uplinked");
	T_STR(get(def, "contexts"), "system", "jira: system context");
	p = protocol(&c, "jira", "cloud");
	f = field(p, "max_parallel_extractions");
	T_STR(get(f, "type"), "number", "jira: parallel extractions number");
	T_STR(get(f, "min"), "1", "jira: parallel extractions min 1");
	T_STR(get(f, "max"), "50", "jira: parallel extractions max 50");
	f = field(p, "api_token");
	T_STR(get(f, "type"), "secret", "jira: API token is a secret");
	T_STR(get(f, "section"), "authentication", "jira: API token section");
	T_STR(get(f, "immutable"), "0", "jira: immutable defaults to 0");
	T_STR(get(field(p, "url"), "auth_bound"), "1",
	    "jira: URL is auth_bound");
	T_STR(get(field(p, "url"), "scheme"), "https",
	    "jira: URL scheme defaults to https");
	T_STR(get(field(p, "email"), "max"), "254",
	    "jira: email max defaults to 254");
	T_STR(get(field(p, "read_only"), "default"), "1",
	    "jira: read-only by default");
	T_STR(get(p, "Test.url"), "{+url}/rest/api/2/myself",
	    "jira: Test.url made from base and path");
	T_STR(get(p, "Test.user_field"), "email", "jira: test user field");
	T_STR(get(field(protocol(&c, "jira", "server"),
	    "password"), "type"), "secret", "jira: Server password secret");

	/* Salesforce */
	p = protocol(&c, "salesforce", "oauth2_code");
	T_STR(get(p, "kind"), "oauth2_code", "salesforce: authorization code");
	T_STR(get(p, "OAuth.authorize_url"),
	    "{+login_url}/services/oauth2/authorize",
	    "salesforce: authorize_url made from base and authorize_path");
	T_STR(get(p, "OAuth.token_url"), "{+login_url}/services/oauth2/token",
	    "salesforce: token_url made from base and token_path");
	T_STR(get(p, "OAuth.pkce"), "S256", "salesforce: PKCE");
	T_STR(get(p, "OAuth.refresh_daily"), "1",
	    "salesforce: refreshed daily (idle refresh tokens may expire)");
	T_STR(get(protocol(&c, "servicenow", "oauth2_code"), "OAuth.refresh_daily"), "0",
	    "servicenow: refresh_daily filled in as 0");
	T_STR(get(field(p, "scopes"), "default"), "api refresh_token",
	    "salesforce: the scopes field starts with the default scopes");
	T_STR(children(catalog_get(&c, "salesforce"), "Protocols.oauth2_code."
	    "Fields", names, sizeof(names)),
	    "url login_url client_id client_secret scopes",
	    "salesforce: instance URL, login URL, client id, secret, scopes");
	/* Issue 16 §1: the JWT bearer flow and Microsoft's certificate. */
	p = protocol(&c, "salesforce", "jwt_bearer");
	T_STR(get(p, "OAuth.assertion"), "jwt_bearer", "salesforce: JWT bearer grant");
	T_STR(get(p, "OAuth.token_url"), "{+login_url}/services/oauth2/token",
	    "salesforce jwt: token at the login host");
	T_STR(get(p, "OAuth.assertion_audience"), "{+login_url}",
	    "salesforce jwt: the login host is the audience");
	T_STR(get(p, "OAuth.assertion_subject_field"), "username", "salesforce jwt: sub");
	T_STR(get(p, "OAuth.token_keep"), "instance_url", "salesforce jwt: instance_url kept");
	T_STR(children(catalog_get(&c, "salesforce"), "Protocols.jwt_bearer.Fields",
	    names, sizeof(names)), "login_url client_id username private_key",
	    "salesforce jwt: login URL, consumer key, username, private key");
	T_STR(get(field(p, "private_key"), "type"), "secret", "salesforce jwt: key sealed");
	p = protocol(&c, "entra-id", "client_certificate");
	T_STR(get(p, "OAuth.assertion"), "client_assertion", "entra: client assertion");
	T_STR(get(p, "OAuth.assertion_cert_field"), "certificate", "entra: x5t from it");
	T_STR(get(p, "OAuth.scopes"), "https://graph.microsoft.com/.default",
	    "entra: Graph's .default scope");
	T_OK(field(p, "client_secret") == NULL, "entra certificate: no client secret");
	p = protocol(&c, "salesforce", "named_credential");
	T_STR(get(p, "kind"), "named_credential",
	    "salesforce: named credential");
	T_OK(field(p, "url") == NULL, "salesforce: named credential "
	    "has no fields");
	T_STR(get(p, "Test.auth"), "credential", "salesforce: named "
	    "credential test");

	/* ServiceNow */
	T_STR(children(catalog_get(&c, "servicenow"), "Protocols", names,
	    sizeof(names)), "basic oauth2_code", "servicenow: basic or OAuth");

	/* Celonis */
	def = catalog_get(&c, "celonis");
	T_STR(children(def, "ApiTypes", names, sizeof(names)),
	    "intelligence data_push", "celonis: two API types");
	T_STR(children(def, "Protocols", names, sizeof(names)),
	    "app_key api_key oauth2_client",
	    "celonis: application key, API key, OAuth client credentials");
	p = protocol(&c, "celonis", "app_key");
	f = field(p, "domain");
	T_STR(get(f, "type"), "hostname", "celonis: domain is a hostname");
	T_STR(get(f, "immutable"), "1", "celonis: domain immutable");
	T_STR(get(f, "placeholder"), "team.cluster.celonis.cloud",
	    "celonis: domain placeholder");
	T_STR(get(field(p, "pool_id"), "api_types"), "data_push",
	    "celonis: pool ID for Data push only");
	T_STR(get(p, "Test.header"), "Authorization", "celonis: AppKey header");
	T_STR(get(p, "Test.prefix"), "AppKey", "celonis: AppKey prefix");
	T_STR(catalog_value(hdf_get_obj(p, "Test"), "url", NULL),
	    "https://{domain}/intelligence/api/knowledge-models",
	    "celonis: Intelligence test URL");
	T_STR(catalog_value(hdf_get_obj(p, "Test"), "url", "data_push"),
	    "https://{domain}/integration/api/v1/data-push/{pool_id}/jobs/",
	    "celonis: Data push test URL");
	T_STR(catalog_value(hdf_get_obj(p, "Test"), "url", "intelligence"),
	    "https://{domain}/intelligence/api/knowledge-models",
	    "celonis: no override, the Test's own URL");
	T_STR(catalog_value(hdf_get_obj(p, "Test"), "url", "x.y"),
	    "https://{domain}/intelligence/api/knowledge-models",
	    "celonis: an unknown API type is no path");
	p = protocol(&c, "celonis", "oauth2_client");
	T_STR(get(p, "OAuth.token_url"), "https://{domain}/oauth2/token",
	    "celonis: token URL on the team's domain");
	T_STR(catalog_value(hdf_get_obj(p, "OAuth"), "scopes", "data_push"),
	    "integration.data-pools:data_push", "celonis: Data push scopes");
	T_STR(get(p, "OAuth.authorize_url"), NULL,
	    "celonis: client credentials have no authorize URL");
	T_STR(get(p, "OAuth.client_id_field"), "client_id",
	    "celonis: client_id_field default");

	/* Celonis user */
	def = catalog_get(&c, "celonis-user");
	T_STR(get(def, "title"), "Celonis user", "celonis-user: title");
	T_STR(get(def, "contexts"), "per_user", "celonis-user: per_user only");
	T_STR(get(def, "Protocols.user.kind"), "user", "celonis-user: kind");

	/* Microsoft Graph, Google Workspace */
	p = protocol(&c, "msgraph", "oauth2_code");
	T_HAS(get(p, "OAuth.token_url"), "{tenant}", "msgraph: tenant in "
	    "the token URL");
	T_STR(get(p, "Test.url"), "https://graph.microsoft.com/v1.0/me",
	    "msgraph: tests /me");
	p = protocol(&c, "google-workspace", "oauth2_code");
	T_STR(get(p, "kind"), "oauth2_code", "google-workspace: OAuth code");
	T_HAS(get(p, "OAuth.authorize_params"), "access_type=offline",
	    "google-workspace: offline access");

	/* Amazon Web Services (issue 16 §1): Signature Version 4 */
	T_STR(get(protocol(&c, "aws", "sigv4"), "kind"), "aws_sigv4", "aws: kind aws_sigv4");
	T_STR(get(field(protocol(&c, "aws", "sigv4"), "region"), "auth_bound"), "1",
	    "aws: the region is auth_bound");
	T_STR(get(field(protocol(&c, "aws", "sigv4"), "secret_access_key"), "type"),
	    "secret", "aws: the secret access key is a secret");
	T_STR(get(hdf_get_obj(protocol(&c, "aws", "sigv4"), "Test"), "url"),
	    "https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
	    "aws: tests STS GetCallerIdentity in the region");

	/* SAP, SMTP, Generic HTTP */
	T_STR(get(field(protocol(&c, "sap", "basic"), "client"),
	    "pattern"), "^[0-9]{3}$", "sap: client is three digits");
	p = protocol(&c, "smtp", "basic");
	T_STR(get(p, "kind"), "smtp", "smtp: kind smtp");
	T_STR(get(p, "Test.kind"), "smtp", "smtp: test kind smtp");
	T_STR(children(field(p, "tls"), "Options", names, sizeof(names)),
	    "starttls tls", "smtp: TLS modes");
	T_STR(get(field(p, "port"), "default"), "587", "smtp: port 587");
	def = catalog_get(&c, "http");
	T_STR(children(def, "Protocols", names, sizeof(names)),
	    "none basic api_key api_key_query bearer oauth2_code oauth2_client",
	    "http: seven protocols");
	p = protocol(&c, "http", "api_key");
	T_STR(get(p, "Test.url"), "{+url}{+test_path}",
	    "http: test path added to the base URL");
	T_STR(get(p, "Test.expect_field"), "test_status",
	    "http: expected status from a field");
	T_STR(get(p, "Test.expect"), NULL, "http: no fixed expect");
	T_STR(get(field(p, "url"), "scheme"), "http https",
	    "http: http:// allowed");

	/* Lookups never follow a dotted name. */
	T_OK(catalog_get(&c, "nope") == NULL, "get: unknown connector");
	T_OK(catalog_get(&c, "jira.Protocols") == NULL, "get: dotted name");
	T_OK(catalog_get(&c, "") == NULL, "get: empty name");
	T_STR(catalog_protocol_label(&c, "jira", "cloud.Fields"),
	    "cloud.Fields", "protocol label: dotted name");
	T_STR(catalog_protocol_label(&c, "nope", "cloud"), "cloud",
	    "protocol label: unknown connector");
	T_STR(catalog_title(&c, "nope"), "nope", "title: unknown is the key");

	/* What connform.c relies on: at most 16 secrets, bounded lengths. */
	rc = 0;
	for (i = 0; i < c.nkeys; i++) {
		p = hdf_get_child(catalog_get(&c, c.keys[i]), "Protocols");
		for (; p != NULL; p = hdf_obj_next(p)) {
			secrets = 0;
			for (f = hdf_get_child(p, "Fields"); f != NULL;
			    f = hdf_obj_next(f)) {
				if (strcmp(get(f, "type"), "secret") == 0) {
					secrets++;
					rc += hdf_get_int_value(f, "max", 0) > 4096;
				}
				if (strcmp(get(f, "type"), "scopes") == 0)
					rc += hdf_get_int_value(f, "max", 0) > 1000;
				rc += get(f, "required") == NULL ||
				    get(f, "section") == NULL;
			}
			rc += secrets > 16;
		}
	}
	T_INT(rc, 0, "real: every field bounded, required and section set");

	test_templates(&c);
	test_declared(&c);
	test_gap(&c);
	catalog_free(&c);
	T_OK(c.hdf == NULL && c.keys == NULL && c.nkeys == 0, "free: zeroed");
}

/* Each case: its folder, the file, the line (0: none) and the message. */
static const struct {
	const char	*dir;
	const char	*file;
	int		 line;
	const char	*message;
} bad[] = {
	{ "syntax", "broken.hdf", 7, "expected \"=\", \"{\" or \"<<\" after the name" },
	/* What only HDF refuses keeps its file and line. */
	{ "no-terminator", "heredoc.hdf", 4, "No multi-assignment terminator given" },
	{ "unknown-type", "unknown-type.hdf", 12,
	    "Protocols.basic.Fields.url: unknown type \"uri\"" },
	{ "select-no-options", "select.hdf", 29,
	    "Protocols.basic.Fields.mode: a select needs Options" },
	{ "select-bad-default", "option.hdf", 33,
	    "default \"ssl\" is not one of the Options" },
	{ "bad-pattern", "pattern.hdf", 20,
	    "Protocols.basic.Fields.username: bad pattern \"^[a-$\"" },
	{ "unanchored-pattern", "anchors.hdf", 20, "must be anchored" },
	{ "test-base-missing", "base.hdf", 32,
	    "Protocols.basic.Test: base \"site\" names no field" },
	{ "number-min-max", "numbers.hdf", 33,
	    "Protocols.basic.Fields.workers: min 10 is greater than max 5" },
	{ "default-out-of-range", "default.hdf", 35,
	    "default \"99\" is not an integer from 1 to 50" },
	{ "missing-title", "untitled.hdf", 0, "missing \"title\"" },
	{ "unknown-key", "typo.hdf", 13, "unknown key \"requried\"" },
	{ "unknown-kind", "kind.hdf", 8, "unknown kind \"digest\"" },
	{ "unknown-method", "method.hdf", 31, "unknown method \"FETCH\"" },
	{ "bad-context", "context.hdf", 5,
	    "unknown execution context \"everyone\"" },
	{ "bad-logo", "logo.hdf", 5, "logo \"ab\" is not one capital letter or digit" },
	{ "bad-logo-color", "logo.hdf", 6, "logo_color \"#4a154b\" is not one of" },
	{ "api-types-undeclared", "apitypes.hdf", 16,
	    "API type \"datapush\" is not declared in ApiTypes" },
	{ "secret-section", "secret.hdf", 27,
	    "a secret belongs to the authentication section" },
	{ "secret-in-url", "leak.hdf", 33,
	    "a secret (\"password\") cannot be part of a URL" },
	{ "template-unknown-field", "template.hdf", 33,
	    "\"tenant\" names no field" },
	{ "auth-mismatch", "auth.hdf", 34,
	    "auth \"bearer\" does not go with kind basic" },
	{ "missing-test", "untested.hdf", 6, "missing \"Test\"" },
	{ "oauth-no-token", "oauth.hdf", 28, "missing \"token_url\"" },
	{ "refresh-daily-flag", "daily.hdf", 31,
	    "refresh_daily must be 0 or 1, not \"yes\"" },
	{ "refresh-daily-client", "daily.hdf", 31,
	    "refresh_daily is for the authorization code grant" },
	/* Once a crash at start-up: token_path joined to a base naming nothing. */
	{ "oauth-base-empty", "oauth.hdf", 30,
	    "Protocols.oauth2_client.OAuth: missing \"base\"" },
	{ "user-kind-secret", "user.hdf", 9, "stores no secret" },
	{ "named-credential-fields", "credential.hdf", 9,
	    "a named credential protocol has no fields" },
	{ "unclosed-brace", "unclosed.hdf", 5, "is never closed" },
	{ "stray-brace", "stray.hdf", 41, "closes nothing" },
	{ "one-line-block", "oneline.hdf", 29,
	    "put what follows \"{\" on lines of its own" },
	{ "set-twice", "twice.hdf", 8,
	    "Protocols.basic.label: set twice (first on line 7)" },
	{ "opened-twice", "reopened.hdf", 29,
	    "opened twice (first on line 10)" },
	{ "unterminated-text", "heredoc.hdf", 4, "no line \"EOM\" ends" },
	/* Refused by Tether's scan before ClearSilver could open the target. */
	{ "include", "include.hdf", 1, "#include is not used" },
	{ "include-read", "include.hdf", 5, "#include is not used" },
	{ "link", "link.hdf", 3, "links and copies" },
	{ "bad-file-name", "Example.hdf", 0,
	    "file name must be lowercase letters" },
	{ "duplicate-title", "b.hdf", 2,
	    "title \"Example\" is already a.hdf's" },
	{ "secret-max", "long.hdf", 26, "max 8192 is not from 1 to 4096" },
	{ "bad-scopes", "scopes.hdf", 30, "bad scope" },
	{ "popular", "g.hdf", 3, "makes 7 popular connectors" },
	{ "destination-unbound", "mail.hdf", 53,
	    "Protocols.basic.Test: field \"port\" chooses where the secrets go "
	    "(port_field); it needs auth_bound = 1" },
	{ "destination-host-unbound", "tenant.hdf", 26,
	    "field \"tenant\" chooses where the secrets go (url)" },
	/* Issue 13 §5 §6: revocation and identity. */
	{ "identity-no-tenant", "identity.hdf", 35, "missing \"identity_tenant\"" },
	{ "identity-call-no-url", "identity.hdf", 35,
	    "identity_from = call needs identity_url" },
	{ "identity-bad-from", "identity.hdf", 35, "\"jwt\"" },
	{ "revocation-both", "identity.hdf", 35,
	    "either revocation_url or revocation_path, not both" },
	/* Issue 16 §1: authentication kinds. */
	{ "aws-region-unbound", "aws.hdf", 71,
	    "field \"region\" chooses where the secrets go (region_field)" },
	{ "pg-sslmode", "pg.hdf", 93, "TLS mode \"prefer\" is not a libpq sslmode" },
	{ "jwt-get", "jwt.hdf", 43, "auth jwt_bearer posts the assertion" },
	/* Issue 16 §1: JWT assertions in place of a client secret. */
	{ "assertion-no-subject", "jwt.hdf", 40, "missing \"assertion_subject_field\"" },
	{ "assertion-no-cert", "jwt.hdf", 40, "missing \"assertion_cert_field\"" },
	{ "assertion-client-secret", "jwt.hdf", 46, "no client secret" },
	{ "assertion-keep-field", "jwt.hdf", 46, "\"username\" is not a member to keep" },
	{ "assertion-unknown", "jwt.hdf", 44, "unknown assertion \"saml\"" },
	/* Issue 16 gap: fixed headers, a POST body, a fixed Basic password, a
	 * two-word prefix and a second query parameter, each bounded. */
	{ "gap-header-owned", "gap.hdf", 44,
	    "header \"Authorization\" is the request's own" },
	{ "gap-header-auth-twice", "gap.hdf", 44, "header \"x-key\" is the request's own" },
	{ "gap-header-name", "gap.hdf", 43, "bad header name \"X(1)\"" },
	{ "gap-header-value", "gap.hdf", 43, "the value of \"X-Trace\" is not visible ASCII" },
	{ "gap-headers-many", "gap.hdf", 43, "more than 4 headers" },
	{ "gap-header-long", "gap.hdf", 43, "header \"X-Long\" is longer than 250 characters" },
	{ "gap-body-get", "gap.hdf", 43, "a body is for method POST" },
	{ "gap-body-json", "gap.hdf", 43, "body is not JSON" },
	{ "gap-body-override", "gap.hdf", 48, "API type lite's test is a GET" },
	{ "gap-body-lines", "gap.hdf", 43, "not printable ASCII on one line" },
	{ "gap-body-type", "gap.hdf", 43, "body and content_type go together" },
	{ "gap-content-type", "gap.hdf", 44, "is not type/subtype" },
	{ "gap-prefix", "gap.hdf", 44, "must be one or two words" },
	{ "gap-password-user", "gap.hdf", 44, "either user_field or a fixed password" },
	{ "gap-password-bearer", "gap.hdf", 43, "password is for auth basic" },
	{ "gap-password-word", "gap.hdf", 43, "password \"a:b\" must be one word" },
	{ "gap-param2-alone", "gap.hdf", 36, "param2 and secret2_field go together" },
	{ "gap-param2-header", "gap.hdf", 44, "param2 and secret2_field are for auth query" },
	{ "gap-param2-text", "gap.hdf", 45, "secret2_field \"username\" is a text field, not secret" },
};

static void
test_bad(void)
{
	struct catalog	 c;
	const char	*root = env("TETHER_BAD_CONNECTORS",
			    "tests/unit/connectors-bad");
	char		 dir[1024], want[2048], name[256], err[1024];
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, bad[i].dir);
		err[0] = '\0';
		rc = catalog_load(&c, dir, err, sizeof(err));
		snprintf(name, sizeof(name), "bad %s: load fails", bad[i].dir);
		T_INT(rc, -1, name);
		snprintf(name, sizeof(name), "bad %s: names file%s", bad[i].dir,
		    bad[i].line > 0 ? " and line" : "");
		if (bad[i].line > 0)
			snprintf(want, sizeof(want), "%s/%s:%d: ", dir,
			    bad[i].file, bad[i].line);
		else
			snprintf(want, sizeof(want), "%s/%s: ", dir, bad[i].file);
		T_HAS(err, want, name);
		snprintf(name, sizeof(name), "bad %s: says what", bad[i].dir);
		T_HAS(err, bad[i].message, name);
		if (rc == -1)
			T_OK(c.hdf == NULL && c.nkeys == 0,
			    "bad: nothing half-loaded");
	}
	rc = catalog_load(&c, "/nonexistent/connectors", err, sizeof(err));
	T_INT(rc, -1, "missing folder: load fails");
	T_HAS(err, "/nonexistent/connectors", "missing folder: named");
}

/* A definition that is a FIFO or too large is refused without reading it whole. */
static void
test_odd_files(void)
{
	struct catalog	 c;
	char		 dir[] = "/tmp/tether-catalog-XXXXXX", path[1100], err[1024];
	FILE		*f;
	int		 rc, i;

	if (mkdtemp(dir) == NULL) {
		T_OK(0, "odd files: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/fifo.hdf", dir);
	T_INT(mkfifo(path, 0600), 0, "odd files: mkfifo");
	rc = catalog_load(&c, dir, err, sizeof(err));
	T_INT(rc, -1, "fifo: load fails (and does not wait for a writer)");
	T_HAS(err, "not a regular file", "fifo: says what");
	unlink(path);

	snprintf(path, sizeof(path), "%s/big.hdf", dir);
	if ((f = fopen(path, "w")) != NULL) {
		for (i = 0; i < 30000; i++)
			fputs("# a comment line\n", f);
		fclose(f);
	}
	rc = catalog_load(&c, dir, err, sizeof(err));
	T_INT(rc, -1, "large file: load fails");
	T_HAS(err, "larger than", "large file: says what");
	unlink(path);

	snprintf(path, sizeof(path), "%s/nul.hdf", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("title = A\n", f);
		fputc('\0', f);
		fputs("#include \"/etc/passwd\"\n", f);
		fclose(f);
	}
	rc = catalog_load(&c, dir, err, sizeof(err));
	T_INT(rc, -1, "NUL byte: load fails");
	T_HAS(err, "NUL byte", "NUL byte: says what");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_expand();
	test_real();
	test_bad();
	test_odd_files();
	return (t_done());
}
