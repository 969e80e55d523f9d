/*
 * cdef-check.c — the checks of one connector definition (cdef_check): its
 * top-level keys, API types and protocols, their fields, URL templates,
 * Test and OAuth blocks, against the format connectors/README.md describes.
 * The helpers and value checks are cdef-util.c's.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ClearSilver.h>
#include <jansson.h>

#include "tether.h"
#include "cdef.h"

static const char *const cdef_top_keys[] = { "title", "category",
    "description", "popular", "contexts", "uplink", "onpremises", "ApiTypes",
    "Protocols", "logo", "logo_color", NULL };
static const char *const cdef_apitype_keys[] = { "label", "help", NULL };
static const char *const cdef_protocol_keys[] = { "label", "kind", "help",
    "onpremises", "Fields", "Test", "OAuth", NULL };
static const char *const cdef_field_keys[] = { "label", "type", "section",
    "required", "immutable", "auth_bound", "help", "placeholder", "default",
    "min", "max", "pattern", "api_types", "scheme", "Options",
    "Scopes", "free_text", NULL };
static const char *const cdef_option_keys[] = { "label", NULL };
static const char *const cdef_scope_keys[] = { "scopes", "label", "api_types", NULL };
static const char *const cdef_test_keys[] = { "kind", "method", "url",
    "base", "path", "auth", "user_field", "secret_field", "header",
    "header_field", "prefix", "param", "param_field", "expect", "expect_field",
    "expect_true", "port_field", "tls_field", "ApiTypes",
    /* issue 16 §1: aws_sigv4, and "Connected as" from the test's answer */
    "access_key_field", "token_field", "region_field", "service", "service_field",
    "cert_field", "key_field", "database_field",
    "jwt_key_field", "scopes_field", "subject_field",
    "identity_account", "identity_tenant", "identity_tenant_label",
    /* issue 16 gap: what the catalog could not say (cdef_test_request) */
    "password", "param2", "secret2_field", "headers", "body", "content_type",
    NULL };
static const char *const cdef_http_test_keys[] = { "method", "url",
    "path", "expect", "expect_field", "ApiTypes", "password", "param2",
    "secret2_field", "headers", "body", "content_type", NULL };
static const char *const cdef_test_override_keys[] = { "method", "url",
    "path", "expect", NULL };
static const char *const cdef_oauth_keys[] = { "authorize_url",
    "authorize_path", "token_url", "token_path", "base", "scopes",
    "scopes_field", "client_id_field", "client_secret_field", "pkce",
    "client_auth", "authorize_params", "refresh_daily",
    /* issue 13 §5 §6: revocation and identity */
    "revocation_url", "revocation_path", "identity_from", "identity_url",
    "identity_path", "identity_account", "identity_tenant", "identity_tenant_label",
    /* issue 16 §1: JWT assertions (Salesforce JWT bearer, Microsoft certificate) */
    "assertion", "assertion_key_field", "assertion_cert_field",
    "assertion_subject_field", "assertion_audience", "token_keep",
    "ApiTypes", NULL };
static const char *const cdef_identity_from[] = { "token", "id_token", "call",
    NULL };
static const char *const cdef_oauth_override_keys[] = { "scopes", NULL };
static const char *const cdef_sections[] = { "connection",
    "authentication", NULL };
static const char *const cdef_methods[] = { "GET", "HEAD", "POST", NULL };
static const char *const cdef_test_kinds[] = { "http", "smtp", "none",
    "postgresql", NULL };
/* libpq's sslmode values a PostgreSQL connection may choose (issue 16 §1). */
static const char *const cdef_pg_sslmodes[] = { "verify_full", "verify_ca",
    "require", "disable", NULL };
static const char *const cdef_tls_modes[] = { "starttls", "tls", NULL };
static const char *const cdef_pkce[] = { "S256", "none", NULL };
static const char *const cdef_client_auth[] = { "basic", "post", NULL };
static const char *const cdef_assertions[] = { "jwt_bearer", "client_assertion", NULL };

/* URL templates: where they must start. */
enum cdef_tmpl {
	CDEF_TMPL_URL,	/* https://… or {+url field}… */
	CDEF_TMPL_PATH,	/* /… or {+field}… */
	CDEF_TMPL_ANY,
};

/* ---------------------------------------------- checks: fields, templates */

/*
 * A field that chooses where the protocol's secrets go — the host, port or
 * TLS mode of a test, the base of a URL, a token endpoint — must be
 * auth_bound: changing it on edit asks for every secret again, so that a
 * stored secret never follows it to a new destination (connform.c). `key`
 * is what makes it one. Protocols without a secret (or OAuth grant) have
 * nothing to protect.
 */
static int
cdef_destination(struct cdef *cd, HDF *proto, const char *path, const char *key,
    const char *name)
{
	HDF	*f;

	f = cdef_child(cdef_child(proto, "Fields"), name);
	if (f == NULL || cdef_on(f, "auth_bound") || !cdef_keeps_secret(proto))
		return 0;
	return cdef_error(cd, path, key, "field \"%s\" chooses where the secrets "
	    "go (%s); it needs auth_bound = 1", name, key);
}

/*
 * A URL template: "{name}" (percent-encoded) and "{+name}" (reserved
 * characters kept) name fields of the protocol, never a secret. A field in
 * the destination part — the start of the template, or the host of an
 * https:// one — must be auth_bound (cdef_destination); so must a path
 * template's leading field unless its pattern keeps it a path ("^/").
 */
static int
cdef_template(struct cdef *cd, HDF *proto, const char *path, const char *key,
    const char *t, enum cdef_tmpl how)
{
	const char	*p, *end, *type, *pattern, *host_end = t;
	char		 name[CDEF_NAME_MAX + 1];
	HDF		*f;
	size_t		 n;
	int		 reserved;

	if (how == CDEF_TMPL_URL && strncmp(t, "https://", 8) == 0)
		host_end = t + 8 + strcspn(t + 8, "/?#");
	for (p = t; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return cdef_error(cd, path, key, "spaces in \"%s\"", t);
	if (how == CDEF_TMPL_URL && strncmp(t, "https://", 8) != 0 &&
	    strncmp(t, "{+", 2) != 0)
		return cdef_error(cd, path, key, "\"%s\" must start with https:// "
		    "or {+field} naming a url field", t);
	if (how == CDEF_TMPL_PATH && *t != '/' && strncmp(t, "{+", 2) != 0)
		return cdef_error(cd, path, key, "\"%s\" must start with \"/\" or "
		    "{+field}", t);
	for (p = t; *p != '\0'; p++) {
		if (*p == '}')
			return cdef_error(cd, path, key, "a \"}\" without \"{\" in "
			    "\"%s\"", t);
		if (*p != '{')
			continue;
		reserved = p[1] == '+';
		if ((end = strchr(p, '}')) == NULL)
			return cdef_error(cd, path, key, "a \"{\" without \"}\" in "
			    "\"%s\"", t);
		n = (size_t)(end - p - 1 - reserved);
		if (n == 0 || n > CDEF_NAME_MAX)
			return cdef_error(cd, path, key, "bad placeholder in "
			    "\"%s\"", t);
		memcpy(name, p + 1 + reserved, n);
		name[n] = '\0';
		if ((f = cdef_child(cdef_child(proto, "Fields"), name)) == NULL)
			return cdef_error(cd, path, key, "\"%s\" names no field of "
			    "the protocol", name);
		type = cdef_val(f, "type");
		if (strcmp(type, "secret") == 0)
			return cdef_error(cd, path, key, "a secret (\"%s\") cannot "
			    "be part of a URL", name);
		if (how == CDEF_TMPL_URL && p == t && strcmp(type, "url") != 0)
			return cdef_error(cd, path, key, "\"%s\" must start with a "
			    "url field, and \"%s\" is a %s", t, name, type);
		pattern = cdef_val(f, "pattern");
		if (((how == CDEF_TMPL_URL && (p == t || p < host_end)) ||
		    (how == CDEF_TMPL_PATH && p == t && (pattern == NULL ||
		    strncmp(pattern, "^/", 2) != 0))) &&
		    cdef_destination(cd, proto, path, key, name) == -1)
			return -1;
		p = end;
	}
	return 0;
}

/* A key naming a field of the protocol, of one of `types` ("" for any). */
static int
cdef_field_ref(struct cdef *cd, HDF *proto, HDF *node, const char *path,
    const char *key, const char *types, int required)
{
	const char	*v = cdef_val(node, key), *type;
	HDF		*f;

	if (v == NULL || *v == '\0')
		return required ? cdef_error(cd, path, key, "missing \"%s\"",
		    key) : 0;
	if ((f = cdef_child(cdef_child(proto, "Fields"), v)) == NULL)
		return cdef_error(cd, path, key, "%s \"%s\" names no field of the "
		    "protocol", key, v);
	type = cdef_val(f, "type");
	if (*types != '\0' && !str_word_in(types, type))
		return cdef_error(cd, path, key, "%s \"%s\" is a %s field, not %s",
		    key, v, type, types);
	if (*types == '\0' && strcmp(type, "secret") == 0)
		return cdef_error(cd, path, key, "%s \"%s\" must not be a secret",
		    key, v);
	return 0;
}

/* What a secret field may not have. */
static int
cdef_field_secret(struct cdef *cd, HDF *f, const char *path)
{
	if (strcmp(cdef_val(f, "section"), "authentication") != 0)
		return cdef_error(cd, path, "section", "a secret belongs to the "
		    "authentication section");
	if (cdef_val(f, "default") != NULL)
		return cdef_error(cd, path, "default", "a secret has no default "
		    "(it would sit in a file in clear)");
	if (cdef_on(f, "auth_bound"))
		return cdef_error(cd, path, "auth_bound", "auth_bound is for the "
		    "fields secrets depend on, not for a secret");
	return 0;
}

/* A select's Options, and no Options on any other type. */
static int
cdef_field_options(struct cdef *cd, HDF *f, const char *path, const char *type)
{
	HDF		*opts = cdef_child(f, "Options");
	const char	*def = cdef_val(f, "default");
	char		 opath[512];

	if (strcmp(type, "select") != 0) {
		if (opts != NULL)
			return cdef_error(cd, path, "Options", "Options are for "
			    "selects");
		return 0;
	}
	if (opts == NULL || hdf_obj_child(opts) == NULL)
		return cdef_error(cd, path, NULL, "a select needs Options");
	cdef_path(opath, sizeof(opath), path, "Options", NULL);
	if (cdef_names(cd, opts, opath, "option", cdef_option_keys) == -1)
		return -1;
	if (def != NULL && cdef_child(opts, def) == NULL)
		return cdef_error(cd, path, "default", "default \"%s\" is not one "
		    "of the Options", def);
	return 0;
}

/* A scopes field's Scopes (the scopes to pick: one scope, a label, the API
 * types it is for) and free_text (0: only those); on scopes fields only. */
static int
cdef_field_scopes(struct cdef *cd, HDF *f, const char *path, const char *type)
{
	HDF	*sc = cdef_child(f, "Scopes"), *c;
	char	 spath[512], cpath[640];

	if (strcmp(type, "scopes") != 0) {
		if (sc != NULL || cdef_val(f, "free_text") != NULL)
			return cdef_error(cd, path, sc != NULL ? "Scopes" : "free_text",
			    "for scopes fields only");
		return 0;
	}
	if (cdef_flag(cd, f, path, "free_text") == -1)
		return -1;
	if (sc == NULL)
		return 0;
	cdef_path(spath, sizeof(spath), path, "Scopes", NULL);
	if (cdef_names(cd, sc, spath, "scope", cdef_scope_keys) == -1)
		return -1;
	for (c = hdf_obj_child(sc); c != NULL; c = hdf_obj_next(c)) {
		cdef_path(cpath, sizeof(cpath), spath, hdf_obj_name(c), NULL);
		if (cdef_str(c, "scopes") == NULL || strchr(cdef_str(c, "scopes"), ' ') != NULL)
			return cdef_error(cd, cpath, "scopes", "one scope");
		if (cdef_str(c, "label") == NULL)
			return cdef_error(cd, cpath, NULL, "missing \"label\"");
		if (cdef_scopes(cd, c, cpath) == -1 ||
		    cdef_words(cd, c, cpath, "api_types", cdef_api_type, NULL) == -1)
			return -1;
	}
	return 0;
}

/* min, max and the default within them: a number's range, a text's length. */
static int
cdef_field_bounds(struct cdef *cd, HDF *f, const char *path, const char *type)
{
	const char	*v, *def = cdef_val(f, "default");
	long long	 min = 0, max = 0, n;
	int		 t = cdef_type_index(type);

	if ((v = cdef_val(f, "min")) != NULL && cdef_int(v, &min) == -1)
		return cdef_error(cd, path, "min", "min \"%s\" is not an "
		    "integer", v);
	if ((v = cdef_val(f, "max")) != NULL && cdef_int(v, &max) == -1)
		return cdef_error(cd, path, "max", "max \"%s\" is not an "
		    "integer", v);
	if (strcmp(type, "number") == 0) {
		if (cdef_val(f, "min") == NULL || cdef_val(f, "max") == NULL)
			return cdef_error(cd, path, NULL, "a number needs min and "
			    "max");
		if (min > max)
			return cdef_error(cd, path, "min", "min %lld is greater "
			    "than max %lld", min, max);
		if (def != NULL && (cdef_int(def, &n) == -1 || n < min ||
		    n > max))
			return cdef_error(cd, path, "default", "default \"%s\" is "
			    "not an integer from %lld to %lld", def, min, max);
	} else if (cdef_types[t].text) {
		if (cdef_val(f, "min") != NULL && min < 0)
			return cdef_error(cd, path, "min", "min %lld is negative",
			    min);
		if (cdef_val(f, "max") == NULL)
			max = cdef_types[t].max;
		else if (max < 1 || max > cdef_types[t].limit)
			return cdef_error(cd, path, "max", "max %lld is not from "
			    "1 to %lld (for a %s)", max, cdef_types[t].limit,
			    type);
		if (min > max)
			return cdef_error(cd, path, "min", "min %lld is greater "
			    "than max %lld", min, max);
		if (def != NULL && ((long long)strlen(def) > max ||
		    (long long)strlen(def) < min))
			return cdef_error(cd, path, "default", "default is not "
			    "%lld to %lld characters long", min, max);
	} else if (cdef_val(f, "min") != NULL || cdef_val(f, "max") != NULL)
		return cdef_error(cd, path, cdef_val(f, "min") != NULL ?
		    "min" : "max", "min and max are for numbers and texts");
	return 0;
}

/* pattern: an anchored POSIX extended regex of a text; the default matches. */
static int
cdef_field_pattern(struct cdef *cd, HDF *f, const char *path, const char *type)
{
	const char	*pattern = cdef_val(f, "pattern");
	const char	*def = cdef_val(f, "default");
	regex_t		 re;
	char		 msg[256];
	int		 e, matches;

	if (pattern == NULL)
		return 0;
	if (!cdef_types[cdef_type_index(type)].text ||
	    strcmp(type, "secret") == 0)
		return cdef_error(cd, path, "pattern", "pattern is for text "
		    "fields");
	if (pattern[0] != '^' || pattern[strlen(pattern) - 1] != '$')
		return cdef_error(cd, path, "pattern", "pattern \"%s\" must be "
		    "anchored: ^...$", pattern);
	if ((e = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(e, &re, msg, sizeof(msg));
		regfree(&re);
		return cdef_error(cd, path, "pattern", "bad pattern \"%s\": %s",
		    pattern, msg);
	}
	matches = def != NULL && regexec(&re, def, 0, NULL, 0) == 0;
	regfree(&re);
	if (def != NULL && !matches)
		return cdef_error(cd, path, "default", "default \"%s\" does not "
		    "match the pattern", def);
	return 0;
}

/* One field of a protocol whose fields' types are known good. */
static int
cdef_field(struct cdef *cd, HDF *proto, HDF *f, const char *path)
{
	const char	*type, *def;

	if (cdef_keys(cd, f, path, cdef_field_keys) == -1)
		return -1;
	if (cdef_str(f, "label") == NULL)
		return cdef_error(cd, path, NULL, "missing \"label\"");
	if ((type = cdef_str(f, "type")) == NULL)
		return cdef_error(cd, path, NULL, "missing \"type\"");
	if (cdef_type_index(type) == -1)
		return cdef_error(cd, path, "type", "unknown type \"%s\"", type);
	if (cdef_one_of(cd, f, path, "section", cdef_sections, 1) == -1 ||
	    cdef_flag(cd, f, path, "required") == -1 ||
	    cdef_flag(cd, f, path, "immutable") == -1 ||
	    cdef_flag(cd, f, path, "auth_bound") == -1 ||
	    cdef_words(cd, f, path, "api_types", cdef_api_type, NULL) == -1)
		return -1;
	if (strcmp(type, "secret") == 0 &&
	    cdef_field_secret(cd, f, path) == -1)
		return -1;
	if (cdef_field_options(cd, f, path, type) == -1 ||
	    cdef_field_scopes(cd, f, path, type) == -1)
		return -1;
	if (cdef_val(f, "scheme") != NULL && strcmp(type, "url") != 0)
		return cdef_error(cd, path, "scheme", "scheme is for url fields");
	if (cdef_words(cd, f, path, "scheme", cdef_scheme, NULL) == -1 ||
	    cdef_field_bounds(cd, f, path, type) == -1)
		return -1;
	def = cdef_val(f, "default");
	if (strcmp(type, "checkbox") == 0 && def != NULL &&
	    strcmp(def, "0") != 0 && strcmp(def, "1") != 0)
		return cdef_error(cd, path, "default", "a checkbox's default is "
		    "0 or 1");
	if (cdef_field_pattern(cd, f, path, type) == -1)
		return -1;
	if (cdef_on(f, "auth_bound") && !cdef_keeps_secret(proto))
		return cdef_error(cd, path, "auth_bound", "auth_bound, but the "
		    "protocol keeps no secret to re-enter");
	return 0;
}

/* ---------------------------------------------------------- checks: Test */

/*
 * auth aws_sigv4 (issue 16 §1): the access key ID (a text field), the
 * secret access key (secret_field), an optional session token (a secret),
 * the region (a text field: it is in the host and the signature's scope,
 * so auth_bound) and the service (fixed, or a text field). Elsewhere these
 * keys are refused.
 */
static int
cdef_test_aws(struct cdef *cd, HDF *proto, HDF *test, const char *path, int aws)
{
	static const char *const keys[] = { "access_key_field", "token_field",
	    "region_field", "service", "service_field", NULL };
	const char	*const *k, *v;

	if (!aws) {
		for (k = keys; *k != NULL; k++)
			if (cdef_val(test, *k) != NULL)
				return cdef_error(cd, path, *k, "%s is for auth "
				    "aws_sigv4", *k);
		return 0;
	}
	if (cdef_field_ref(cd, proto, test, path, "access_key_field", "text", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "token_field", "secret", 0) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "region_field", "text", 1) == -1 ||
	    cdef_destination(cd, proto, path, "region_field",
	    cdef_val(test, "region_field")) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "service_field", "text", 0) == -1)
		return -1;
	if ((cdef_val(test, "service") != NULL) == (cdef_val(test, "service_field") != NULL))
		return cdef_error(cd, path, NULL, "auth aws_sigv4 needs one of "
		    "service and service_field");
	if ((v = cdef_val(test, "service")) != NULL && !cdef_token_ok(v))
		return cdef_error(cd, path, "service", "bad service \"%s\"", v);
	return 0;
}

/* auth client_cert: the certificate and its private key, secret fields. */
static int
cdef_test_client_cert(struct cdef *cd, HDF *proto, HDF *test, const char *path, int on)
{
	if (!on) {
		if (cdef_val(test, "cert_field") != NULL || cdef_val(test, "key_field") != NULL)
			return cdef_error(cd, path, NULL, "cert_field and key_field are "
			    "for auth client_cert");
		return 0;
	}
	if (cdef_field_ref(cd, proto, test, path, "cert_field", "secret", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "key_field", "secret", 1) == -1)
		return -1;
	return 0;
}

/* auth jwt_bearer: the service-account key (a secret field holding its
 * JSON), the scopes and an optional subject (a user to act as). */
static int
cdef_test_jwt(struct cdef *cd, HDF *proto, HDF *test, const char *path, int on)
{
	if (!on) {
		if (cdef_val(test, "jwt_key_field") != NULL ||
		    cdef_val(test, "scopes_field") != NULL ||
		    cdef_val(test, "subject_field") != NULL)
			return cdef_error(cd, path, NULL, "jwt_key_field, scopes_field "
			    "and subject_field are for auth jwt_bearer");
		return 0;
	}
	if (strcmp(cdef_val(test, "method"), "POST") != 0)
		return cdef_error(cd, path, "method", "auth jwt_bearer posts the "
		    "assertion to the token endpoint: method POST");
	if (cdef_field_ref(cd, proto, test, path, "jwt_key_field", "secret", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "scopes_field", "scopes text", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "subject_field", "email text", 0) == -1)
		return -1;
	return 0;
}

/* "Connected as" read from the test's answer: identity_account (a JSON
 * member or XML element name), with identity_tenant and its label. */
static int
cdef_test_identity(struct cdef *cd, HDF *test, const char *path)
{
	static const char *const keys[] = { "identity_account", "identity_tenant",
	    "identity_tenant_label", NULL };
	const char	*const *k, *v;

	for (k = keys; *k != NULL; k++) {
		if ((v = cdef_val(test, *k)) == NULL)
			continue;
		if (cdef_val(test, "identity_account") == NULL)
			return cdef_error(cd, path, *k, "%s without identity_account", *k);
		if (k != keys + 2 && !cdef_token_ok(v))
			return cdef_error(cd, path, *k, "bad %s \"%s\"", *k, v);
		if (strlen(v) > 40)
			return cdef_error(cd, path, *k, "%s is longer than 40", *k);
	}
	return 0;
}

/*
 * Issue 16 gap: what the catalog could not say before. A header prefix of
 * one or two words, the last ending in "=" where the secret follows at once
 * (PagerDuty: "Token token=<key>"); never a CR, LF or other control byte.
 */
static int
cdef_prefix_ok(const char *v)
{
	const char	*sp = strchr(v, ' ');
	char		 w[41];
	size_t		 n = strlen(v);

	if (n == 0 || n > 40)
		return 0;
	if (sp != NULL) {
		if (sp == v || strchr(sp + 1, ' ') != NULL)
			return 0;
		memcpy(w, v, (size_t)(sp - v));
		w[sp - v] = '\0';
		if (!cdef_token_ok(w))
			return 0;
		v = sp + 1;
		n = strlen(v);
	}
	if (n > 0 && v[n - 1] == '=')
		n--;
	if (n == 0)
		return 0;
	memcpy(w, v, n);
	w[n] = '\0';
	return cdef_token_ok(w);
}

/* password: auth basic's fixed password; the secret field is then the user
 * name (Freshdesk, BambooHR: the API key, password "X"). */
static int
cdef_test_password(struct cdef *cd, HDF *test, const char *path, int basic)
{
	const char	*v = cdef_val(test, "password");

	if (v == NULL)
		return 0;
	if (!basic)
		return cdef_error(cd, path, "password", "password is for auth basic");
	if (cdef_val(test, "user_field") != NULL)
		return cdef_error(cd, path, "password", "either user_field or a fixed "
		    "password (the secret is then the user name), not both");
	if (!cdef_token_ok(v) || strlen(v) > 40)
		return cdef_error(cd, path, "password", "password \"%s\" must be one "
		    "word of letters, digits, \"-\", \"_\", \".\", at most 40", v);
	return 0;
}

/* param2 and secret2_field: auth query's second parameter and its secret
 * (Trello: key and token). */
static int
cdef_test_param2(struct cdef *cd, HDF *proto, HDF *test, const char *path, int query)
{
	const char	*p2 = cdef_val(test, "param2"), *s2 = cdef_val(test, "secret2_field");

	if (p2 == NULL && s2 == NULL)
		return 0;
	if (!query)
		return cdef_error(cd, path, p2 != NULL ? "param2" : "secret2_field",
		    "param2 and secret2_field are for auth query");
	if (p2 == NULL || s2 == NULL)
		return cdef_error(cd, path, NULL, "param2 and secret2_field go "
		    "together");
	if (!cdef_token_ok(p2) || strlen(p2) > 40)
		return cdef_error(cd, path, "param2", "bad param2 name \"%s\"", p2);
	if (cdef_val(test, "param") != NULL && strcmp(cdef_val(test, "param"), p2) == 0)
		return cdef_error(cd, path, "param2", "param2 \"%s\" is param", p2);
	if (cdef_val(test, "secret_field") != NULL &&
	    strcmp(cdef_val(test, "secret_field"), s2) == 0)
		return cdef_error(cd, path, "secret2_field", "secret2_field is "
		    "secret_field");
	return cdef_field_ref(cd, proto, test, path, "secret2_field", "secret", 1);
}

/* Header names the request builder owns: never from a file's headers. */
static const char *const cdef_owned_headers[] = { "authorization",
    "proxy-authorization", "host", "content-length", "content-type",
    "transfer-encoding", "connection", "cookie", "accept", "expect", "te",
    "upgrade", NULL };

/*
 * headers: fixed extra headers, space-separated Name:value words (Notion:
 * Notion-Version:2022-06-28), at most CDEF_HEADERS_MAX; a name is a token
 * the request builder does not own (nor the auth header), a value visible
 * ASCII (no space, CR, LF). Never a secret: they are the file's.
 */
static int
cdef_test_headers(struct cdef *cd, HDF *test, const char *path)
{
	const char	*v = cdef_val(test, "headers"), *auth_header, *p;
	char		 w[520], name[65], lower[65];	/* a whole word: v is at most 512 */
	size_t		 n, i;
	int		 count = 0;

	if (v == NULL)
		return 0;
	auth_header = cdef_val(test, "header");
	if (*v == '\0' || strlen(v) > 512)
		return cdef_error(cd, path, "headers", "headers: 1 to 512 characters");
	while (cdef_word(&v, w, sizeof(w))) {
		if (++count > CDEF_HEADERS_MAX)
			return cdef_error(cd, path, "headers", "more than %d headers",
			    CDEF_HEADERS_MAX);
		if ((p = strchr(w, ':')) == NULL || p == w || p[1] == '\0' ||
		    (n = (size_t)(p - w)) >= sizeof(name))
			return cdef_error(cd, path, "headers", "\"%s\" is not "
			    "Name:value", w);
		memcpy(name, w, n);
		name[n] = '\0';
		/* The tester keeps a header of at most TEST_HEADER_MAX. */
		if (strlen(w) > TEST_HEADER_MAX)
			return cdef_error(cd, path, "headers", "header \"%s\" is longer than %d"
			    " characters", name, TEST_HEADER_MAX);
		for (i = 0; i <= n; i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		if (!cdef_token_ok(name))
			return cdef_error(cd, path, "headers", "bad header name "
			    "\"%s\"", name);
		if (cdef_in(lower, cdef_owned_headers) || (auth_header != NULL &&
		    strcasecmp(auth_header, name) == 0))
			return cdef_error(cd, path, "headers", "header \"%s\" is "
			    "the request's own (authentication, body, host)", name);
		for (p++; *p != '\0'; p++)
			if (*p < 0x21 || *p > 0x7e)
				return cdef_error(cd, path, "headers", "the value of "
				    "\"%s\" is not visible ASCII", name);
	}
	return 0;
}

/*
 * body and content_type: a fixed POST body (GraphQL: {"query": "{ me { id
 * } }"}), printable ASCII, at most CDEF_BODY_MAX, never a template nor a
 * secret; its type type/subtype, and JSON that parses where it says JSON.
 * A POST without a body sends neither body nor Content-Type.
 */
static int
cdef_test_body(struct cdef *cd, HDF *test, const char *path)
{
	const char	*body = cdef_val(test, "body"), *ct = cdef_val(test, "content_type");
	const char	*p, *auth = cdef_val(test, "auth");
	json_t		*j;
	HDF		*o;

	if (body == NULL && ct == NULL)
		return 0;
	if (body == NULL || ct == NULL)
		return cdef_error(cd, path, body == NULL ? "content_type" : "body",
		    "body and content_type go together");
	if (strcmp(cdef_val(test, "method"), "POST") != 0)
		return cdef_error(cd, path, "body", "a body is for method POST");
	for (o = hdf_obj_child(cdef_child(test, "ApiTypes")); o != NULL; o = hdf_obj_next(o))
		if (cdef_val(o, "method") != NULL && strcmp(cdef_val(o, "method"), "POST") != 0)
			return cdef_error(cd, path, "body", "a body is for method POST, and "
			    "API type %s's test is a %s", hdf_obj_name(o), cdef_val(o, "method"));
	if (auth != NULL && strcmp(auth, "jwt_bearer") == 0)
		return cdef_error(cd, path, "body", "auth jwt_bearer posts its own body");
	if (*body == '\0' || strlen(body) > CDEF_BODY_MAX)
		return cdef_error(cd, path, "body", "body: 1 to %d characters",
		    CDEF_BODY_MAX);
	for (p = body; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return cdef_error(cd, path, "body", "body is not printable "
			    "ASCII on one line");
	if (strlen(ct) > 100 || strspn(ct, "abcdefghijklmnopqrstuvwxyz") == 0 ||
	    ct[strspn(ct, "abcdefghijklmnopqrstuvwxyz")] != '/' ||
	    !cdef_token_ok(ct + strspn(ct, "abcdefghijklmnopqrstuvwxyz") + 1))
		return cdef_error(cd, path, "content_type", "content_type \"%s\" is "
		    "not type/subtype", ct);
	if (strcmp(ct, "application/json") == 0) {
		if ((j = json_loads(body, JSON_REJECT_DUPLICATES, NULL)) == NULL)
			return cdef_error(cd, path, "body", "body is not JSON, and "
			    "content_type says it is");
		json_decref(j);
	}
	return 0;
}

/* Test.auth and the fields it sends. */
static int
cdef_test_auth(struct cdef *cd, HDF *proto, HDF *test, const char *path,
    const struct cdef_kind *k)
{
	const char	*auth = cdef_val(test, "auth"), *v;
	char		 first[32];
	int		 user, secret, header, query;

	if (auth == NULL) {
		cdef_first(k->auths, first, sizeof(first));
		auth = first;
	} else if (!str_word_in(k->auths, auth))
		return cdef_error(cd, path, "auth", "auth \"%s\" does not go with "
		    "kind %s (it takes: %s)", auth, k->name, k->auths);
	if (cdef_test_aws(cd, proto, test, path, strcmp(auth, "aws_sigv4") == 0) == -1 ||
	    cdef_test_client_cert(cd, proto, test, path,
	    strcmp(auth, "client_cert") == 0) == -1 ||
	    cdef_test_jwt(cd, proto, test, path, strcmp(auth, "jwt_bearer") == 0) == -1 ||
	    cdef_test_identity(cd, test, path) == -1)
		return -1;
	user = strcmp(auth, "basic") == 0;
	secret = user || strcmp(auth, "aws_sigv4") == 0 || strcmp(auth, "header") == 0 ||
	    strcmp(auth, "query") == 0 || strcmp(auth, "bearer") == 0;
	header = strcmp(auth, "header") == 0;
	query = strcmp(auth, "query") == 0;
	if (!user && cdef_val(test, "user_field") != NULL)
		return cdef_error(cd, path, "user_field", "user_field is for "
		    "auth basic");
	if (!secret && cdef_val(test, "secret_field") != NULL)
		return cdef_error(cd, path, "secret_field", "auth %s sends no "
		    "secret field", auth);
	if (cdef_test_password(cd, test, path, user) == -1 ||
	    cdef_test_param2(cd, proto, test, path, strcmp(auth, "query") == 0) == -1)
		return -1;
	if (cdef_val(test, "password") != NULL)
		user = 0;	/* the secret is the user name */
	if (cdef_field_ref(cd, proto, test, path, "user_field", "", user) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "secret_field", "secret",
	    secret) == -1)
		return -1;
	if (!header && (cdef_val(test, "header") != NULL ||
	    cdef_val(test, "header_field") != NULL ||
	    cdef_val(test, "prefix") != NULL))
		return cdef_error(cd, path, NULL, "header, header_field and "
		    "prefix are for auth header");
	if (!query && (cdef_val(test, "param") != NULL ||
	    cdef_val(test, "param_field") != NULL))
		return cdef_error(cd, path, NULL, "param and param_field are for "
		    "auth query");
	if (header || query) {
		const char	*fixed = header ? "header" : "param";
		const char	*field = header ? "header_field" : "param_field";

		if ((cdef_val(test, fixed) != NULL) ==
		    (cdef_val(test, field) != NULL))
			return cdef_error(cd, path, NULL, "auth %s needs one of "
			    "%s and %s", auth, fixed, field);
		if (cdef_field_ref(cd, proto, test, path, field, "text", 0) == -1)
			return -1;
		if ((v = cdef_val(test, fixed)) != NULL && !cdef_token_ok(v))
			return cdef_error(cd, path, fixed, "bad %s name \"%s\"",
			    fixed, v);
	}
	if ((v = cdef_val(test, "prefix")) != NULL && !cdef_prefix_ok(v))
		return cdef_error(cd, path, "prefix", "prefix \"%s\" must be one "
		    "or two words of letters, digits, \"-\", \"_\", \".\" (the "
		    "last may end in \"=\"), at most 40 characters", v);
	return 0;
}

/* Where an HTTP test goes: base + path, or url; path alone for credentials. */
static int
cdef_test_target(struct cdef *cd, HDF *proto, HDF *node, const char *path,
    HDF *test, int override)
{
	const char	*url = cdef_val(node, "url");
	const char	*p = cdef_val(node, "path");
	int		 credential;

	credential = strcmp(cdef_val(proto, "kind"), "named_credential") == 0;
	if (url != NULL && p != NULL)
		return cdef_error(cd, path, "url", "either url or path, not both");
	if (credential && url != NULL)
		return cdef_error(cd, path, "url", "a named credential's test "
		    "takes a path relative to the credential's URL");
	if (url != NULL)
		return cdef_template(cd, proto, path, "url", url, CDEF_TMPL_URL);
	if (p == NULL) {
		if (override)
			return 0;
		return cdef_error(cd, path, NULL, "missing \"path\" (with "
		    "\"base\") or \"url\"");
	}
	if (!credential && cdef_val(test, "base") == NULL)
		return cdef_error(cd, path, "path", "a path needs \"base\", the "
		    "url or hostname field it goes to");
	return cdef_template(cd, proto, path, "path", p, CDEF_TMPL_PATH);
}

/* Test.ApiTypes.<type>: another method, target or expected status. */
static int
cdef_test_override(struct cdef *cd, HDF *proto, HDF *test, HDF *o,
    const char *path)
{
	if (cdef_keys(cd, o, path, cdef_test_override_keys) == -1 ||
	    cdef_one_of(cd, o, path, "method", cdef_methods, 0) == -1 ||
	    cdef_test_target(cd, proto, o, path, test, 1) == -1 ||
	    cdef_words(cd, o, path, "expect", cdef_status, NULL) == -1)
		return -1;
	return 0;
}

/* A Test of kind `kind` (not http): for protocols of that kind, no HTTP keys. */
static int
cdef_test_of(struct cdef *cd, HDF *test, const char *path, const struct cdef_kind *k,
    const char *kind)
{
	HDF	*o;

	if (strcmp(k->name, kind) != 0)
		return cdef_error(cd, path, "kind", "kind %s is for %s "
		    "protocols", kind, kind);
	for (o = hdf_obj_child(test); o != NULL; o = hdf_obj_next(o))
		if (cdef_in(hdf_obj_name(o), cdef_http_test_keys))
			return cdef_error(cd, path, hdf_obj_name(o), "%s is for "
			    "HTTP tests", hdf_obj_name(o));
	return 0;
}

/* A Test of kind smtp: host, port and TLS mode from fields. */
static int
cdef_test_smtp(struct cdef *cd, HDF *proto, HDF *test, const char *path,
    const struct cdef_kind *k)
{
	HDF	*o;

	if (cdef_test_of(cd, test, path, k, "smtp") == -1)
		return -1;
	if (cdef_field_ref(cd, proto, test, path, "base", "hostname", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "port_field", "number",
	    1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "tls_field", "select",
	    1) == -1 ||
	    cdef_destination(cd, proto, path, "base",
	    cdef_val(test, "base")) == -1 ||
	    cdef_destination(cd, proto, path, "port_field",
	    cdef_val(test, "port_field")) == -1 ||
	    cdef_destination(cd, proto, path, "tls_field",
	    cdef_val(test, "tls_field")) == -1)
		return -1;
	o = cdef_child(cdef_child(cdef_child(proto, "Fields"),
	    cdef_val(test, "tls_field")), "Options");
	for (o = hdf_obj_child(o); o != NULL; o = hdf_obj_next(o))
		if (!cdef_in(hdf_obj_name(o), cdef_tls_modes))
			return cdef_error(cd, path, "tls_field", "TLS mode \"%s\" "
			    "is not starttls or tls", hdf_obj_name(o));
	return cdef_test_auth(cd, proto, test, path, k);
}

/*
 * A Test of kind postgresql (issue 16 §1): host, port, database and TLS
 * mode (libpq's sslmode) from fields, all where the password goes, and
 * auth basic with the user and password fields.
 */
static int
cdef_test_pg(struct cdef *cd, HDF *proto, HDF *test, const char *path,
    const struct cdef_kind *k)
{
	static const char *const dest[] = { "base", "port_field", "database_field",
	    "tls_field", "user_field", NULL };
	const char	*const *d;
	HDF		*o;

	if (cdef_test_of(cd, test, path, k, "postgresql") == -1)
		return -1;
	if (cdef_field_ref(cd, proto, test, path, "base", "hostname", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "port_field", "number", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "database_field", "text", 1) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "tls_field", "select", 1) == -1)
		return -1;
	for (d = dest; *d != NULL; d++)
		if (cdef_destination(cd, proto, path, *d, cdef_val(test, *d)) == -1)
			return -1;
	o = cdef_child(cdef_child(cdef_child(proto, "Fields"),
	    cdef_val(test, "tls_field")), "Options");
	for (o = hdf_obj_child(o); o != NULL; o = hdf_obj_next(o))
		if (!cdef_in(hdf_obj_name(o), cdef_pg_sslmodes))
			return cdef_error(cd, path, "tls_field", "TLS mode \"%s\" "
			    "is not a libpq sslmode (verify_full verify_ca require "
			    "disable)", hdf_obj_name(o));
	return cdef_test_auth(cd, proto, test, path, k);
}

/* A Test of kind http: a method, a target, the statuses that pass. */
static int
cdef_test_http(struct cdef *cd, HDF *proto, HDF *test, const char *path,
    const struct cdef_kind *k)
{
	if (cdef_val(test, "port_field") != NULL ||
	    cdef_val(test, "tls_field") != NULL)
		return cdef_error(cd, path, NULL, "port_field and tls_field are "
		    "for smtp tests");
	if (cdef_one_of(cd, test, path, "method", cdef_methods, 1) == -1)
		return -1;
	if (cdef_val(test, "base") != NULL) {
		if (strcmp(k->name, "named_credential") == 0)
			return cdef_error(cd, path, "base", "a named credential's "
			    "test goes to the credential's URL: no base");
		if (cdef_val(test, "url") != NULL)
			return cdef_error(cd, path, "url", "either url or base, "
			    "not both");
		if (cdef_field_ref(cd, proto, test, path, "base",
		    "url hostname", 1) == -1 ||
		    cdef_destination(cd, proto, path, "base",
		    cdef_val(test, "base")) == -1)
			return -1;
	}
	if (cdef_test_target(cd, proto, test, path, test, 0) == -1 ||
	    cdef_words(cd, test, path, "expect", cdef_status, NULL) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "expect_field", "number",
	    0) == -1)
		return -1;
	if (cdef_val(test, "expect") != NULL &&
	    cdef_val(test, "expect_field") != NULL)
		return cdef_error(cd, path, "expect", "either expect or "
		    "expect_field, not both");
	if (cdef_overrides(cd, proto, test, path, cdef_test_override) == -1 ||
	    cdef_test_headers(cd, test, path) == -1 ||
	    cdef_test_body(cd, test, path) == -1)
		return -1;
	return cdef_test_auth(cd, proto, test, path, k);
}

/* How a connection of the protocol is tested: kind http, smtp or none. */
static int
cdef_test(struct cdef *cd, HDF *proto, const char *ppath,
    const struct cdef_kind *k)
{
	HDF		*test;
	const char	*kind;
	char		 path[512];

	cdef_path(path, sizeof(path), ppath, "Test", NULL);
	if ((test = cdef_child(proto, "Test")) == NULL)
		return cdef_error(cd, ppath, NULL, "missing \"Test\": how a "
		    "connection is tested");
	if (cdef_keys(cd, test, path, cdef_test_keys) == -1 ||
	    cdef_one_of(cd, test, path, "kind", cdef_test_kinds, 0) == -1)
		return -1;
	kind = cdef_str(test, "kind") != NULL ? cdef_val(test, "kind") : "http";
	if (strcmp(k->name, "smtp") == 0 && strcmp(kind, "http") == 0)
		return cdef_error(cd, path, NULL, "an smtp protocol's Test needs "
		    "kind = smtp (or none)");
	if (strcmp(kind, "none") == 0) {
		if (hdf_obj_next(hdf_obj_child(test)) != NULL)
			return cdef_error(cd, path, NULL, "a Test of kind none "
			    "has nothing else");
		return 0;
	}
	if (strcmp(kind, "smtp") == 0)
		return cdef_test_smtp(cd, proto, test, path, k);
	if (strcmp(kind, "postgresql") == 0)
		return cdef_test_pg(cd, proto, test, path, k);
	if (strcmp(k->name, "postgresql") == 0)
		return cdef_error(cd, path, NULL, "a postgresql protocol's Test "
		    "needs kind = postgresql (or none)");
	return cdef_test_http(cd, proto, test, path, k);
}

/* --------------------------------------------------------- checks: OAuth */

/* One OAuth endpoint: which_url, or which_path with base. */
static int
cdef_oauth_url(struct cdef *cd, HDF *proto, HDF *oauth, const char *path,
    const char *which, int required)
{
	char		 ukey[32], pkey[32];
	const char	*url, *p;

	snprintf(ukey, sizeof(ukey), "%s_url", which);
	snprintf(pkey, sizeof(pkey), "%s_path", which);
	url = cdef_val(oauth, ukey);
	p = cdef_val(oauth, pkey);
	if (!required) {
		if (url != NULL || p != NULL)
			return cdef_error(cd, path, url != NULL ? ukey : pkey,
			    "client credentials have no %s endpoint", which);
		return 0;
	}
	if (url != NULL && p != NULL)
		return cdef_error(cd, path, ukey, "either %s or %s, not both",
		    ukey, pkey);
	if (url != NULL)
		return cdef_template(cd, proto, path, ukey, url, CDEF_TMPL_URL);
	if (p == NULL)
		return cdef_error(cd, path, NULL, "missing \"%s\" (or \"%s\" with "
		    "\"base\")", ukey, pkey);
	if (cdef_val(oauth, "base") == NULL)
		return cdef_error(cd, path, pkey, "%s needs \"base\", the url or "
		    "hostname field it goes to", pkey);
	return cdef_template(cd, proto, path, pkey, p, CDEF_TMPL_PATH);
}

/* The OAuth client: fields client_id and client_secret unless named. */
static int
cdef_oauth_client(struct cdef *cd, HDF *proto, HDF *oauth, const char *path)
{
	if (cdef_val(oauth, "client_id_field") == NULL &&
	    cdef_child(cdef_child(proto, "Fields"), "client_id") == NULL)
		return cdef_error(cd, path, NULL, "no field \"client_id\" (or "
		    "client_id_field)");
	if (cdef_val(oauth, "assertion") == NULL &&
	    cdef_val(oauth, "client_secret_field") == NULL &&
	    cdef_child(cdef_child(proto, "Fields"), "client_secret") == NULL)
		return cdef_error(cd, path, NULL, "no field \"client_secret\" (or "
		    "client_secret_field)");
	if (cdef_field_ref(cd, proto, oauth, path, "client_id_field", "",
	    0) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "client_secret_field",
	    "secret", 0) == -1 ||
	    cdef_one_of(cd, oauth, path, "client_auth", cdef_client_auth,
	    0) == -1)
		return -1;
	return 0;
}

/*
 * A JWT assertion in place of the client secret (issue 16 §1), client
 * credentials only: jwt_bearer (the grant; needs assertion_subject_field,
 * the user) or client_assertion (needs assertion_cert_field, the
 * certificate its header names); both sign with assertion_key_field (a
 * secret). assertion_audience: the aud template, else the token URL.
 * token_keep: members of the token answer kept with the token, named
 * unlike any field.
 */
static int
cdef_oauth_assertion(struct cdef *cd, HDF *proto, HDF *oauth, const char *path,
    int code)
{
	const char	*as = cdef_val(oauth, "assertion"), *keep;
	char		 w[64];

	if ((keep = cdef_val(oauth, "token_keep")) != NULL) {
		if (*keep == '\0')
			return cdef_error(cd, path, "token_keep", "empty token_keep");
		while (cdef_word(&keep, w, sizeof(w)))
			if (strspn(w, "abcdefghijklmnopqrstuvwxyz_") != strlen(w) ||
			    strcmp(w, "access_token") == 0 || strcmp(w, "refresh_token") == 0 ||
			    cdef_child(cdef_child(proto, "Fields"), w) != NULL)
				return cdef_error(cd, path, "token_keep", "\"%s\" is not a "
				    "member to keep (lower case, not a token, not a field)", w);
	}
	if (as == NULL) {
		if (cdef_val(oauth, "assertion_key_field") != NULL ||
		    cdef_val(oauth, "assertion_cert_field") != NULL ||
		    cdef_val(oauth, "assertion_subject_field") != NULL ||
		    cdef_val(oauth, "assertion_audience") != NULL)
			return cdef_error(cd, path, NULL, "assertion_* without "
			    "\"assertion\"");
		return 0;
	}
	if (code)
		return cdef_error(cd, path, "assertion", "assertions are for the "
		    "client credentials kind");
	if (cdef_one_of(cd, oauth, path, "assertion", cdef_assertions, 1) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "assertion_key_field", "secret",
	    1) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "assertion_cert_field", "secret",
	    strcmp(as, "client_assertion") == 0) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "assertion_subject_field",
	    "text email", strcmp(as, "jwt_bearer") == 0) == -1)
		return -1;
	if (strcmp(as, "jwt_bearer") != 0 && cdef_val(oauth, "assertion_subject_field") != NULL)
		return cdef_error(cd, path, "assertion_subject_field", "a client "
		    "assertion's subject is the client");
	if (strcmp(as, "client_assertion") != 0 && cdef_val(oauth, "assertion_cert_field") != NULL)
		return cdef_error(cd, path, "assertion_cert_field", "only a client "
		    "assertion names its certificate");
	if (cdef_val(oauth, "client_secret_field") != NULL ||
	    cdef_val(oauth, "client_auth") != NULL)
		return cdef_error(cd, path, cdef_val(oauth, "client_auth") != NULL ?
		    "client_auth" : "client_secret_field", "the assertion "
		    "authenticates the client: no client secret");
	if (cdef_val(oauth, "assertion_audience") != NULL &&
	    cdef_template(cd, proto, path, "assertion_audience",
	    cdef_val(oauth, "assertion_audience"), CDEF_TMPL_URL) == -1)
		return -1;
	return 0;
}

/* authorize_params: name=value words; a value is a template. */
static int
cdef_authorize_params(struct cdef *cd, HDF *proto, HDF *oauth,
    const char *path)
{
	const char	*v = cdef_val(oauth, "authorize_params");
	char		 w[256], *eq;

	if (v == NULL)
		return 0;
	while (cdef_word(&v, w, sizeof(w))) {
		if ((eq = strchr(w, '=')) == NULL || eq == w || eq[1] == '\0' ||
		    strchr(w, '&') != NULL)
			return cdef_error(cd, path, "authorize_params", "\"%s\" is "
			    "not name=value", w);
		if (cdef_template(cd, proto, path, "authorize_params", eq + 1,
		    CDEF_TMPL_ANY) == -1)
			return -1;
	}
	return 0;
}

/* OAuth.ApiTypes.<type>: other scopes. */
static int
cdef_oauth_override(struct cdef *cd, HDF *proto, HDF *oauth, HDF *o,
    const char *path)
{
	(void)proto, (void)oauth;
	if (cdef_keys(cd, o, path, cdef_oauth_override_keys) == -1)
		return -1;
	if (cdef_str(o, "scopes") == NULL)
		return cdef_error(cd, path, NULL, "missing \"scopes\"");
	return cdef_scopes(cd, o, path);
}

/*
 * Revocation (RFC 7009) and identity (issue 13 §5 §6), authorization code
 * only: revocation_url (or _path with base) where the vendor has one;
 * identity_from token | id_token | call (then identity_url or _path), with
 * identity_tenant, the claim a reconnect must match, and identity_account.
 */
static int
cdef_oauth_identity(struct cdef *cd, HDF *proto, HDF *oauth, const char *path,
    int code)
{
	const char	*from = cdef_val(oauth, "identity_from");
	int		 revoke = cdef_val(oauth, "revocation_url") != NULL ||
			    cdef_val(oauth, "revocation_path") != NULL;
	int		 call = cdef_val(oauth, "identity_url") != NULL ||
			    cdef_val(oauth, "identity_path") != NULL;

	if (!code && (revoke || from != NULL || call))
		return cdef_error(cd, path, revoke ? "revocation_url" : "identity_from",
		    "revocation and identity are for the authorization code grant");
	if (revoke && cdef_oauth_url(cd, proto, oauth, path, "revocation", 1) == -1)
		return -1;
	if (cdef_one_of(cd, oauth, path, "identity_from", cdef_identity_from, 0) == -1)
		return -1;
	if (from == NULL) {
		if (call || cdef_val(oauth, "identity_tenant") != NULL ||
		    cdef_val(oauth, "identity_tenant_label") != NULL ||
		    cdef_val(oauth, "identity_account") != NULL)
			return cdef_error(cd, path, NULL, "identity_* without "
			    "\"identity_from\"");
		return 0;
	}
	if (cdef_str(oauth, "identity_tenant") == NULL)
		return cdef_error(cd, path, "identity_from", "missing \"identity_tenant\", "
		    "the claim a reconnect must match");
	if ((strcmp(from, "call") == 0) != call)
		return cdef_error(cd, path, "identity_from", call ? "identity_url is for "
		    "identity_from = call" : "identity_from = call needs identity_url "
		    "(or identity_path with base)");
	if (call && cdef_oauth_url(cd, proto, oauth, path, "identity", 1) == -1)
		return -1;
	return 0;
}

/* OAuth: endpoints and scopes, for the OAuth kinds only. */
static int
cdef_oauth(struct cdef *cd, HDF *proto, const char *ppath,
    const struct cdef_kind *k)
{
	HDF	*oauth;
	char	 path[512];
	int	 code = k->oauth == 2;

	cdef_path(path, sizeof(path), ppath, "OAuth", NULL);
	oauth = cdef_child(proto, "OAuth");
	if (k->oauth == 0) {
		if (oauth != NULL)
			return cdef_error(cd, path, NULL, "OAuth is for kinds "
			    "oauth2_code and oauth2_client");
		return 0;
	}
	if (oauth == NULL)
		return cdef_error(cd, ppath, NULL, "missing \"OAuth\": the "
		    "endpoints and scopes of kind %s", k->name);
	/* A base given must name a field: the endpoints are joined to it. */
	if (cdef_keys(cd, oauth, path, cdef_oauth_keys) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "base", "url hostname",
	    cdef_val(oauth, "base") != NULL) == -1 ||
	    (cdef_val(oauth, "base") != NULL && cdef_destination(cd, proto,
	    path, "base", cdef_val(oauth, "base")) == -1) ||
	    cdef_oauth_url(cd, proto, oauth, path, "authorize", code) == -1 ||
	    cdef_oauth_url(cd, proto, oauth, path, "token", 1) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "scopes_field", "scopes",
	    0) == -1)
		return -1;
	if (cdef_val(oauth, "base") != NULL &&
	    cdef_val(oauth, "authorize_path") == NULL &&
	    cdef_val(oauth, "token_path") == NULL)
		return cdef_error(cd, path, "base", "base, but no authorize_path "
		    "or token_path");
	/* A grant assertion (Salesforce) carries no scope: the app's apply. */
	if (cdef_str(oauth, "scopes") == NULL &&
	    cdef_val(oauth, "scopes_field") == NULL &&
	    !str_word_in("jwt_bearer", cdef_val(oauth, "assertion") != NULL ?
	    cdef_val(oauth, "assertion") : ""))
		return cdef_error(cd, path, NULL, "missing \"scopes\" (the default "
		    "scopes) or \"scopes_field\"");
	if (cdef_scopes(cd, oauth, path) == -1 ||
	    cdef_oauth_client(cd, proto, oauth, path) == -1 ||
	    cdef_one_of(cd, oauth, path, "pkce", cdef_pkce, 0) == -1)
		return -1;
	if (!code && cdef_val(oauth, "pkce") != NULL)
		return cdef_error(cd, path, "pkce", "PKCE is for the "
		    "authorization code grant");
	/* refresh_daily: the provider revokes refresh tokens left unused. */
	if (cdef_flag(cd, oauth, path, "refresh_daily") == -1)
		return -1;
	if (!code && cdef_val(oauth, "refresh_daily") != NULL)
		return cdef_error(cd, path, "refresh_daily", "refresh_daily is for the "
		    "authorization code grant");
	if (!code && cdef_val(oauth, "authorize_params") != NULL)
		return cdef_error(cd, path, "authorize_params", "authorize_params "
		    "are for the authorization code grant");
	if (cdef_authorize_params(cd, proto, oauth, path) == -1 ||
	    cdef_overrides(cd, proto, oauth, path, cdef_oauth_override) == -1 ||
	    cdef_oauth_identity(cd, proto, oauth, path, code) == -1 ||
	    cdef_oauth_assertion(cd, proto, oauth, path, code) == -1)
		return -1;
	return 0;
}

/* ------------------------------------------------ checks: the definition */

static int
cdef_protocol(struct cdef *cd, HDF *proto, const char *path)
{
	const struct cdef_kind	*k;
	const char		*kind, *contexts;
	HDF			*fields, *f;
	char			 fpath[512];
	int			 secrets = 0, nfields = 0;

	if (cdef_keys(cd, proto, path, cdef_protocol_keys) == -1)
		return -1;
	/* Reaches systems in customers' networks: forms show the egress addresses. */
	if (cdef_flag(cd, proto, path, "onpremises") == -1)
		return -1;
	if (cdef_str(proto, "label") == NULL)
		return cdef_error(cd, path, NULL, "missing \"label\"");
	if ((kind = cdef_str(proto, "kind")) == NULL)
		return cdef_error(cd, path, NULL, "missing \"kind\"");
	if ((k = cdef_kind(kind)) == NULL)
		return cdef_error(cd, path, "kind", "unknown kind \"%s\"", kind);
	fields = cdef_child(proto, "Fields");
	/* Types first: fields refer to each other. */
	for (f = hdf_obj_child(fields); f != NULL; f = hdf_obj_next(f)) {
		cdef_path(fpath, sizeof(fpath), path, "Fields", hdf_obj_name(f));
		if (cdef_name(cd, fpath, NULL, "field", hdf_obj_name(f)) == -1)
			return -1;
		if (cdef_str(f, "type") == NULL)
			return cdef_error(cd, fpath, NULL, "missing \"type\"");
		if (cdef_type_index(cdef_val(f, "type")) == -1)
			return cdef_error(cd, fpath, "type", "unknown type "
			    "\"%s\"", cdef_val(f, "type"));
	}
	for (f = hdf_obj_child(fields); f != NULL; f = hdf_obj_next(f)) {
		cdef_path(fpath, sizeof(fpath), path, "Fields", hdf_obj_name(f));
		if (cdef_field(cd, proto, f, fpath) == -1)
			return -1;
		secrets += strcmp(cdef_val(f, "type"), "secret") == 0;
		nfields++;
	}
	if (nfields > CDEF_FIELDS_MAX || secrets > CDEF_SECRETS_MAX)
		return cdef_error(cd, path, "Fields", "more than %d fields or %d "
		    "secrets", CDEF_FIELDS_MAX, CDEF_SECRETS_MAX);
	if (strcmp(kind, "named_credential") == 0 &&
	    hdf_obj_child(fields) != NULL)
		return cdef_error(cd, path, "Fields", "a named credential "
		    "protocol has no fields: the credential holds them");
	if (strcmp(kind, "user") == 0) {
		contexts = cdef_val(cd->def, "contexts");
		if (secrets > 0)
			return cdef_error(cd, path, "kind", "kind user acts as "
			    "the signed-in user and stores no secret");
		if (contexts == NULL || strcmp(contexts, "per_user") != 0)
			return cdef_error(cd, path, "kind", "kind user needs "
			    "contexts = per_user");
	}
	if (cdef_oauth(cd, proto, path, k) == -1 ||
	    cdef_test(cd, proto, path, k) == -1)
		return -1;
	return 0;
}

/* issue 16 §2: the catalog's mark, one letter or digit on one of a few colours. */
static const char *const cdef_logo_colors[] = { "blue", "teal", "purple",
    "orange", "slate", "red", "green", "indigo", "pink", "brown", "black", NULL };

static int
cdef_logo(struct cdef *cd, HDF *def)
{
	const char	*v;
	size_t		 i;

	if ((v = cdef_str(def, "logo")) != NULL &&
	    (strlen(v) != 1 || !(isupper((unsigned char)*v) || isdigit((unsigned char)*v))))
		return cdef_error(cd, "", "logo", "logo \"%s\" is not one capital "
		    "letter or digit", v);
	if ((v = cdef_str(def, "logo_color")) == NULL)
		return 0;
	for (i = 0; cdef_logo_colors[i] != NULL; i++)
		if (strcmp(v, cdef_logo_colors[i]) == 0)
			return 0;
	return cdef_error(cd, "", "logo_color", "logo_color \"%s\" is not one of "
	    "blue teal purple orange slate red green indigo pink brown black", v);
}

/* Every check of one definition; the popular limit is the loader's. */
int
cdef_check(struct cdef *cd)
{
	static const struct {
		const char	*key;
		size_t		 max;
	} required[] = {
		{ "title", CDEF_TITLE_MAX },
		{ "category", CDEF_CATEGORY_MAX },
		{ "description", CDEF_DESC_MAX },
	};
	HDF		*def = cd->def, *p;
	const char	*v;
	char		 path[512], seen[128] = "";
	size_t		 i;

	if (cdef_keys(cd, def, "", cdef_top_keys) == -1)
		return -1;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if ((v = cdef_str(def, required[i].key)) == NULL)
			return cdef_error(cd, "", NULL, "missing \"%s\"",
			    required[i].key);
		if (strlen(v) > required[i].max)
			return cdef_error(cd, "", required[i].key, "%s longer than "
			    "%zu characters", required[i].key, required[i].max);
	}
	if (cdef_flag(cd, def, "", "popular") == -1 ||
	    cdef_flag(cd, def, "", "uplink") == -1 ||
	    cdef_flag(cd, def, "", "onpremises") == -1 ||
	    cdef_words(cd, def, "", "contexts", cdef_context, seen) == -1 ||
	    cdef_logo(cd, def) == -1)
		return -1;
	if ((p = cdef_child(def, "ApiTypes")) != NULL) {
		if (hdf_obj_child(p) == NULL)
			return cdef_error(cd, "ApiTypes", NULL, "declares no API "
			    "type");
		if (cdef_names(cd, p, "ApiTypes", "API type",
		    cdef_apitype_keys) == -1)
			return -1;
	}
	if ((p = cdef_child(def, "Protocols")) == NULL ||
	    hdf_obj_child(p) == NULL)
		return cdef_error(cd, "", "Protocols", "declares no Protocols");
	for (p = hdf_obj_child(p); p != NULL; p = hdf_obj_next(p)) {
		cdef_path(path, sizeof(path), "Protocols", hdf_obj_name(p), NULL);
		if (cdef_name(cd, path, NULL, "protocol", hdf_obj_name(p)) == -1 ||
		    cdef_protocol(cd, p, path) == -1)
			return -1;
	}
	return 0;
}
