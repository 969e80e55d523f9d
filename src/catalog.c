/*
 * catalog.c — the connector catalog. Each connectors/<key>.hdf declares one
 * connector: title, category, description, its authentication protocols,
 * their fields, how a connection is tested and, for OAuth, its endpoints
 * (connectors/README.md describes the format). They are read at start-up
 * and checked here, so a broken definition stops start-up with its file,
 * line and node, and adding a connector adds no C. After the checks, the
 * defaults the format promises are written into the tree, so readers never
 * repeat them.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <ClearSilver.h>

#include "tether.h"

#define CATALOG_FILE_MAX	(256 * 1024)	/* bytes of one definition */
#define CATALOG_KEY_MAX		40
#define CATALOG_NAME_MAX	40	/* protocol, field, option, API type */
#define CATALOG_POPULAR_MAX	6
#define CATALOG_DEPTH_MAX	16
#define CATALOG_TITLE_MAX	80
#define CATALOG_CATEGORY_MAX	40
#define CATALOG_DESC_MAX	200
#define CATALOG_LENGTH_MAX	65536	/* largest "max" of a text field */
/* connform.c relies on these: SECRET_MAX, SCOPES_MAX, CONNFORM_SECRETS_MAX. */
#define CATALOG_SECRET_MAX	4096	/* largest "max" of a secret */
#define CATALOG_SCOPES_MAX	1000	/* largest "max" of scopes */
#define CATALOG_SCOPES_WORDS	50
#define CATALOG_FIELDS_MAX	64	/* fields of a protocol */
#define CATALOG_SECRETS_MAX	16	/* secret fields of a protocol */

/* Where a node of the file is declared. */
struct catalog_line {
	char	*path;		/* "Protocols.cloud.Fields.url" */
	int	 line;
	int	 assigned;	/* "name = value" or "name << EOM" seen */
	int	 opened;	/* "name {" seen */
};

/* One definition being read and checked. */
struct cdef {
	const char		*file;
	const char		*text;		/* the file's bytes, NUL-terminated */
	size_t			 textlen;
	HDF			*def;
	struct catalog_line	*lines;
	size_t			 nlines;
	char			*err;
	size_t			 errlen;
};

/* What each protocol kind may do. */
struct catalog_kind {
	const char	*name;
	const char	*auths;		/* Test.auth values, the default first */
	int		 oauth;		/* 1: OAuth required, 2: with authorize */
};

static const struct catalog_kind catalog_kinds[] = {
	{ "basic",		"basic",		0 },
	{ "api_key_header",	"header",		0 },
	{ "api_key_query",	"query",		0 },
	{ "bearer",		"bearer header",	0 },
	{ "oauth2_code",	"oauth2",		2 },
	{ "oauth2_client",	"oauth2",		1 },
	{ "named_credential",	"credential",		0 },
	{ "smtp",		"basic none",		0 },
	{ "none",		"none",			0 },
	{ "user",		"none",			0 },
};

/* Field types; `text` is 1 for the ones whose min/max are lengths. */
static const struct {
	const char	*name;
	int		 text;
	long long	 max;		/* default max length */
	long long	 limit;		/* largest max */
} catalog_types[] = {
	{ "text",	1,	255,	CATALOG_LENGTH_MAX },
	{ "url",	1,	2048,	2048 },
	{ "email",	1,	254,	254 },
	{ "number",	0,	0,	0 },
	{ "select",	0,	0,	0 },
	{ "secret",	1,	CATALOG_SECRET_MAX, CATALOG_SECRET_MAX },
	{ "scopes",	1,	CATALOG_SCOPES_MAX, CATALOG_SCOPES_MAX },
	{ "hostname",	1,	253,	253 },
	{ "checkbox",	0,	0,	0 },
	{ "textarea",	1,	4000,	CATALOG_LENGTH_MAX },
};

static const char *const catalog_top_keys[] = { "title", "category",
    "description", "popular", "contexts", "uplink", "ApiTypes", "Protocols",
    NULL };
static const char *const catalog_apitype_keys[] = { "label", "help", NULL };
static const char *const catalog_protocol_keys[] = { "label", "kind", "help",
    "Fields", "Test", "OAuth", NULL };
static const char *const catalog_field_keys[] = { "label", "type", "section",
    "required", "immutable", "auth_bound", "help", "placeholder", "default",
    "min", "max", "pattern", "api_types", "scheme", "Options", NULL };
static const char *const catalog_option_keys[] = { "label", NULL };
static const char *const catalog_test_keys[] = { "kind", "method", "url",
    "base", "path", "auth", "user_field", "secret_field", "header",
    "header_field", "prefix", "param", "param_field", "expect", "expect_field",
    "port_field", "tls_field", "ApiTypes", NULL };
static const char *const catalog_http_test_keys[] = { "method", "url",
    "path", "expect", "expect_field", "ApiTypes", NULL };
static const char *const catalog_test_override_keys[] = { "method", "url",
    "path", "expect", NULL };
static const char *const catalog_oauth_keys[] = { "authorize_url",
    "authorize_path", "token_url", "token_path", "base", "scopes",
    "scopes_field", "client_id_field", "client_secret_field", "pkce",
    "client_auth", "authorize_params", "ApiTypes", NULL };
static const char *const catalog_oauth_override_keys[] = { "scopes", NULL };
static const char *const catalog_sections[] = { "connection",
    "authentication", NULL };
static const char *const catalog_contexts[] = { "system", "per_user", NULL };
static const char *const catalog_methods[] = { "GET", "HEAD", "POST", NULL };
static const char *const catalog_test_kinds[] = { "http", "smtp", "none",
    NULL };
static const char *const catalog_schemes[] = { "http", "https", NULL };
static const char *const catalog_tls_modes[] = { "starttls", "tls", NULL };
static const char *const catalog_pkce[] = { "S256", "none", NULL };
static const char *const catalog_client_auth[] = { "basic", "post", NULL };

/* URL templates: where they must start. */
enum tmpl_start {
	TMPL_URL,	/* https://… or {+url field}… */
	TMPL_PATH,	/* /… or {+field}… */
	TMPL_ANY,
};

static int	 cdef_error(struct cdef *, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 cdef_error_at(struct cdef *, int, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));

static int
catalog_key_ok(const char *key, size_t len)
{
	size_t	 i;

	if (len == 0 || len > CATALOG_KEY_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '-'))
			return 0;
	return 1;
}

/* Names of protocols, fields, options and API types: [a-z][a-z0-9_]*. */
static int
catalog_name_ok(const char *s)
{
	size_t	 i;

	if (!(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return i <= CATALOG_NAME_MAX;
}

static int
catalog_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* The next space-separated word of *sp; 0 at the end. */
static int
catalog_word(const char **sp, char *w, size_t wlen)
{
	const char	*s = *sp, *start;
	size_t		 n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0')
		return 0;
	for (start = s; *s != '\0' && *s != ' ' && *s != '\t'; s++)
		;
	n = (size_t)(s - start);
	if (n >= wlen)
		n = wlen - 1;
	memcpy(w, start, n);
	w[n] = '\0';
	*sp = s;
	return 1;
}

/* The first word of list. */
static void
catalog_first(const char *list, char *w, size_t wlen)
{
	if (!catalog_word(&list, w, wlen))
		*w = '\0';
}

static int
catalog_int(const char *s, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || !(isdigit((unsigned char)*s) ||
	    (*s == '-' && isdigit((unsigned char)s[1]))))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < -1000000000000LL ||
	    v > 1000000000000LL)
		return -1;
	*out = v;
	return 0;
}

/* "parent.a" or "parent.a.b": the path of a node in messages. */
static void
catalog_path(char *dst, size_t len, const char *parent, const char *a,
    const char *b)
{
	const char	*part[] = { parent, ".", a, ".", b };
	size_t		 i, used = 0, n;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		if ((i == 1 && *parent == '\0') || (i >= 3 && b == NULL))
			continue;
		n = strlen(part[i]);
		if (n > len - 1 - used)
			n = len - 1 - used;
		memcpy(dst + used, part[i], n);
		used += n;
	}
	dst[used] = '\0';
}

/* A direct child of node, never a dotted path. */
HDF *
catalog_child(HDF *node, const char *name)
{
	HDF	*c;

	if (node == NULL)
		return NULL;
	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c))
		if (strcmp(hdf_obj_name(c), name) == 0)
			return c;
	return NULL;
}

/* The value of a direct child; NULL when absent or a block. */
static const char *
catalog_val(HDF *node, const char *name)
{
	HDF	*c = catalog_child(node, name);

	return c != NULL ? hdf_obj_value(c) : NULL;
}

/* The value of a direct child; NULL when absent, a block or empty. */
static const char *
catalog_str(HDF *node, const char *name)
{
	const char	*v = catalog_val(node, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
catalog_flag(HDF *node, const char *name)
{
	const char	*v = catalog_val(node, name);

	return v != NULL && strcmp(v, "1") == 0;
}

static int
catalog_type_index(const char *type)
{
	size_t	 i;

	for (i = 0; i < sizeof(catalog_types) / sizeof(catalog_types[0]); i++)
		if (strcmp(catalog_types[i].name, type) == 0)
			return (int)i;
	return -1;
}

static const struct catalog_kind *
catalog_kind(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(catalog_kinds) / sizeof(catalog_kinds[0]); i++)
		if (strcmp(catalog_kinds[i].name, name) == 0)
			return &catalog_kinds[i];
	return NULL;
}

/* ------------------------------------------------------------ line map */

static struct catalog_line *
cdef_line_find(struct cdef *cd, const char *path)
{
	size_t	 i;

	for (i = 0; i < cd->nlines; i++)
		if (strcmp(cd->lines[i].path, path) == 0)
			return &cd->lines[i];
	return NULL;
}

static struct catalog_line *
cdef_line_add(struct cdef *cd, const char *path, size_t len, int line)
{
	struct catalog_line	*l;
	char			*p = xstrndup(path, len);

	if ((l = cdef_line_find(cd, p)) != NULL) {
		free(p);
		return l;
	}
	cd->lines = xrealloc(cd->lines, (cd->nlines + 1) * sizeof(*cd->lines));
	l = &cd->lines[cd->nlines++];
	l->path = p;
	l->line = line;
	l->assigned = l->opened = 0;
	return l;
}

static void
cdef_lines_free(struct cdef *cd)
{
	size_t	 i;

	for (i = 0; i < cd->nlines; i++)
		free(cd->lines[i].path);
	free(cd->lines);
	cd->lines = NULL;
	cd->nlines = 0;
}

/* The line of path.key, else of path or the nearest node above; 0: none. */
static int
cdef_line_of(struct cdef *cd, const char *path, const char *key)
{
	struct catalog_line	*l;
	char			 p[512], *dot;

	if (key != NULL) {
		snprintf(p, sizeof(p), "%s%s%s", path, *path != '\0' ? "." : "",
		    key);
		if ((l = cdef_line_find(cd, p)) != NULL)
			return l->line;
	}
	snprintf(p, sizeof(p), "%s", path);
	while (*p != '\0') {
		if ((l = cdef_line_find(cd, p)) != NULL)
			return l->line;
		if ((dot = strrchr(p, '.')) == NULL)
			break;
		*dot = '\0';
	}
	return 0;
}

/* "file:line: path: message"; the line and path when known. Returns -1. */
static int
cdef_error(struct cdef *cd, const char *path, const char *key,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 line;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line = cdef_line_of(cd, path, key);
	if (line > 0 && *path != '\0')
		snprintf(cd->err, cd->errlen, "%s:%d: %s: %s", cd->file, line,
		    path, msg);
	else if (line > 0)
		snprintf(cd->err, cd->errlen, "%s:%d: %s", cd->file, line, msg);
	else if (*path != '\0')
		snprintf(cd->err, cd->errlen, "%s: %s: %s", cd->file, path, msg);
	else
		snprintf(cd->err, cd->errlen, "%s: %s", cd->file, msg);
	return -1;
}

static int
cdef_error_at(struct cdef *cd, int line, const char *path, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path != NULL)
		snprintf(cd->err, cd->errlen, "%s:%d: %s: %s", cd->file, line,
		    path, msg);
	else
		snprintf(cd->err, cd->errlen, "%s:%d: %s", cd->file, line, msg);
	return -1;
}

/*
 * Read the file's text, line by line as HDF does, before HDF parses it: to
 * learn the line of every node and to refuse what HDF accepts silently but a
 * connector file never means: a "}" that closes nothing (HDF ignores the
 * rest of the file), a "{" never closed, text after "{" (ignored), a value
 * set twice or a block opened twice (merged), an unterminated "<<" text,
 * and the HDF features the format does not use (#include, links, copies,
 * attributes), which would also make the line map wrong. Only text it
 * accepted reaches HDF, from memory: no other file is ever opened.
 */
static int
cdef_scan(struct cdef *cd)
{
	FILE			*f;
	struct catalog_line	*l;
	char			*line = NULL, *s, *name, *term;
	char			 prefix[1024], full[1024];
	size_t			 cap = 0, plen[CATALOG_DEPTH_MAX], namelen, i;
	size_t			 tlen;
	int			 pline[CATALOG_DEPTH_MAX], depth = 0, lineno = 0;
	int			 rc = -1, start;

	if (cd->textlen == 0)
		return 0;
	if ((f = fmemopen((void *)cd->text, cd->textlen, "r")) == NULL) {
		snprintf(cd->err, cd->errlen, "%s: %s", cd->file, strerror(errno));
		return -1;
	}
	prefix[0] = '\0';
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (strncmp(s, "#include ", 9) == 0) {
			cdef_error_at(cd, lineno, NULL, "#include is not used in "
			    "connector files: one connector, one file");
			goto out;
		}
		if (*s == '#' || *s == '\0')
			continue;
		if (*s == '}') {
			if (depth == 0) {
				cdef_error_at(cd, lineno, NULL, "this \"}\" closes "
				    "nothing (HDF would ignore the rest of the file)");
				goto out;
			}
			prefix[plen[--depth]] = '\0';
			continue;
		}
		for (name = s; isalnum((unsigned char)*s) || *s == '_' ||
		    *s == '.'; s++)
			;
		namelen = (size_t)(s - name);
		while (isspace((unsigned char)*s))
			s++;
		if (namelen == 0 || name[0] == '.' || name[namelen - 1] == '.' ||
		    memmem(name, namelen, "..", 2) != NULL) {
			cdef_error_at(cd, lineno, NULL, "expected a name (letters, "
			    "digits, \"_\") followed by \"=\", \"{\" or \"<<\"");
			goto out;
		}
		if (*s == '[') {
			cdef_error_at(cd, lineno, NULL, "HDF attributes "
			    "(\"[...]\") are not used in connector files");
			goto out;
		}
		if (*s == ':') {
			cdef_error_at(cd, lineno, NULL, "HDF links and copies "
			    "(\":\", \":=\") are not used in connector files");
			goto out;
		}
		if (*s != '=' && *s != '{' && !(s[0] == '<' && s[1] == '<')) {
			cdef_error_at(cd, lineno, NULL, "expected \"=\", \"{\" or "
			    "\"<<\" after the name");
			goto out;
		}
		if (snprintf(full, sizeof(full), "%s%s%.*s", prefix,
		    *prefix != '\0' ? "." : "", (int)namelen, name) >=
		    (int)sizeof(full)) {
			cdef_error_at(cd, lineno, NULL, "name too long");
			goto out;
		}
		/* Dotted names create the nodes above them on this line. */
		start = *prefix != '\0' ? (int)strlen(prefix) + 1 : 0;
		for (i = (size_t)start; full[i] != '\0'; i++)
			if (full[i] == '.')
				cdef_line_add(cd, full, i, lineno);
		l = cdef_line_add(cd, full, strlen(full), lineno);
		if (*s == '{') {
			for (s++; isspace((unsigned char)*s); s++)
				;
			if (*s != '\0') {
				cdef_error_at(cd, lineno, full, "put what follows "
				    "\"{\" on lines of its own (HDF ignores it)");
				goto out;
			}
			if (l->opened) {
				cdef_error_at(cd, lineno, full, "opened twice "
				    "(first on line %d)", l->line);
				goto out;
			}
			if (depth == CATALOG_DEPTH_MAX) {
				cdef_error_at(cd, lineno, full, "nested too deep");
				goto out;
			}
			l->opened = 1;
			plen[depth] = strlen(prefix);
			pline[depth++] = lineno;
			snprintf(prefix, sizeof(prefix), "%s", full);
			continue;
		}
		if (l->assigned) {
			cdef_error_at(cd, lineno, full, "set twice (first on line "
			    "%d)", l->line);
			goto out;
		}
		l->assigned = 1;
		if (*s == '=')
			continue;
		/* "name << EOM": lines up to one starting with EOM. */
		for (term = s + 2; isspace((unsigned char)*term); term++)
			;
		tlen = strlen(term);
		while (tlen > 0 && isspace((unsigned char)term[tlen - 1]))
			tlen--;
		term = xstrndup(term, tlen);
		start = lineno;
		for (;;) {
			if (getline(&line, &cap, f) == -1) {
				cdef_error_at(cd, start, full, "no line \"%s\" ends "
				    "this text", term);
				free(term);
				goto out;
			}
			lineno++;
			if (strncmp(line, term, tlen) == 0 &&
			    isspace((unsigned char)line[tlen]))
				break;
		}
		free(term);
	}
	if (depth > 0) {
		cdef_error_at(cd, pline[depth - 1], prefix, "this \"{\" is "
		    "never closed");
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

/* -------------------------------------------------------------- checks */

/* Refuse keys the format does not know (a typo would be ignored). */
static int
cdef_keys(struct cdef *cd, HDF *node, const char *path,
    const char *const *known)
{
	HDF	*c;

	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c))
		if (!catalog_in(hdf_obj_name(c), known))
			return cdef_error(cd, path, hdf_obj_name(c),
			    "unknown key \"%s\"", hdf_obj_name(c));
	return 0;
}

static int
cdef_flag(struct cdef *cd, HDF *node, const char *path, const char *key)
{
	const char	*v = catalog_val(node, key);

	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
		return 0;
	return cdef_error(cd, path, key, "%s must be 0 or 1, not \"%s\"", key, v);
}

static int
cdef_one_of(struct cdef *cd, HDF *node, const char *path, const char *key,
    const char *const *allowed, int required)
{
	const char	*v = catalog_val(node, key);

	if (v == NULL || *v == '\0')
		return required ? cdef_error(cd, path, key, "missing \"%s\"",
		    key) : 0;
	if (!catalog_in(v, allowed))
		return cdef_error(cd, path, key, "unknown %s \"%s\"", key, v);
	return 0;
}

/* Every child of a block of names has a good name and only known keys. */
static int
cdef_names(struct cdef *cd, HDF *block, const char *path, const char *what,
    const char *const *keys)
{
	HDF	*c;
	char	 p[512];

	for (c = hdf_obj_child(block); c != NULL; c = hdf_obj_next(c)) {
		if (!catalog_name_ok(hdf_obj_name(c)))
			return cdef_error(cd, path, hdf_obj_name(c), "%s name "
			    "\"%s\" must be a lowercase letter, then letters, "
			    "digits or \"_\" (at most %d)", what, hdf_obj_name(c),
			    CATALOG_NAME_MAX);
		catalog_path(p, sizeof(p), path, hdf_obj_name(c), NULL);
		if (cdef_keys(cd, c, p, keys) == -1)
			return -1;
		if (catalog_str(c, "label") == NULL)
			return cdef_error(cd, p, NULL, "missing \"label\"");
	}
	return 0;
}

/* api_types: declared API types, space-separated. */
static int
cdef_api_types(struct cdef *cd, HDF *node, const char *path)
{
	const char	*v = catalog_val(node, "api_types");
	char		 w[128];
	int		 n = 0;

	if (v == NULL)
		return 0;
	while (catalog_word(&v, w, sizeof(w))) {
		n++;
		if (catalog_child(catalog_child(cd->def, "ApiTypes"), w) == NULL)
			return cdef_error(cd, path, "api_types", "API type \"%s\" "
			    "is not declared in ApiTypes", w);
	}
	if (n == 0)
		return cdef_error(cd, path, "api_types", "empty api_types");
	return 0;
}

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
	HDF		*f, *g;
	const char	*type;

	f = catalog_child(catalog_child(proto, "Fields"), name);
	if (f == NULL || catalog_flag(f, "auth_bound"))
		return 0;
	if (strncmp(catalog_val(proto, "kind"), "oauth2_", 7) != 0) {
		for (g = hdf_obj_child(catalog_child(proto, "Fields")); g != NULL;
		    g = hdf_obj_next(g))
			if ((type = catalog_val(g, "type")) != NULL &&
			    strcmp(type, "secret") == 0)
				break;
		if (g == NULL)
			return 0;
	}
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
    const char *t, enum tmpl_start how)
{
	const char	*p, *end, *type, *pattern, *host_end = t;
	char		 name[CATALOG_NAME_MAX + 1];
	HDF		*f;
	size_t		 n;
	int		 reserved;

	if (how == TMPL_URL && strncmp(t, "https://", 8) == 0)
		host_end = t + 8 + strcspn(t + 8, "/?#");
	for (p = t; *p != '\0'; p++)
		if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p))
			return cdef_error(cd, path, key, "spaces in \"%s\"", t);
	if (how == TMPL_URL && strncmp(t, "https://", 8) != 0 &&
	    strncmp(t, "{+", 2) != 0)
		return cdef_error(cd, path, key, "\"%s\" must start with https:// "
		    "or {+field} naming a url field", t);
	if (how == TMPL_PATH && *t != '/' && strncmp(t, "{+", 2) != 0)
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
		if (n == 0 || n > CATALOG_NAME_MAX)
			return cdef_error(cd, path, key, "bad placeholder in "
			    "\"%s\"", t);
		memcpy(name, p + 1 + reserved, n);
		name[n] = '\0';
		if ((f = catalog_child(catalog_child(proto, "Fields"), name)) ==
		    NULL)
			return cdef_error(cd, path, key, "\"%s\" names no field of "
			    "the protocol", name);
		type = catalog_val(f, "type");
		if (strcmp(type, "secret") == 0)
			return cdef_error(cd, path, key, "a secret (\"%s\") cannot "
			    "be part of a URL", name);
		if (how == TMPL_URL && p == t && strcmp(type, "url") != 0)
			return cdef_error(cd, path, key, "\"%s\" must start with a "
			    "url field, and \"%s\" is a %s", t, name, type);
		pattern = catalog_val(f, "pattern");
		if (((how == TMPL_URL && (p == t || p < host_end)) ||
		    (how == TMPL_PATH && p == t && (pattern == NULL ||
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
	const char	*v = catalog_val(node, key), *type;
	HDF		*f;

	if (v == NULL || *v == '\0')
		return required ? cdef_error(cd, path, key, "missing \"%s\"",
		    key) : 0;
	if ((f = catalog_child(catalog_child(proto, "Fields"), v)) == NULL)
		return cdef_error(cd, path, key, "%s \"%s\" names no field of the "
		    "protocol", key, v);
	type = catalog_val(f, "type");
	if (*types != '\0' && !str_word_in(types, type))
		return cdef_error(cd, path, key, "%s \"%s\" is a %s field, not %s",
		    key, v, type, types);
	if (*types == '\0' && strcmp(type, "secret") == 0)
		return cdef_error(cd, path, key, "%s \"%s\" must not be a secret",
		    key, v);
	return 0;
}

static int
cdef_field(struct cdef *cd, HDF *proto, HDF *f, const char *path)
{
	const char	*type, *v, *pattern, *def;
	long long	 min = 0, max = 0, n;
	regex_t		 re;
	HDF		*opts;
	char		 w[128], msg[256], opath[512];
	int		 t, e, isdefault;

	if (cdef_keys(cd, f, path, catalog_field_keys) == -1)
		return -1;
	if (catalog_str(f, "label") == NULL)
		return cdef_error(cd, path, NULL, "missing \"label\"");
	if ((type = catalog_str(f, "type")) == NULL)
		return cdef_error(cd, path, NULL, "missing \"type\"");
	if ((t = catalog_type_index(type)) == -1)
		return cdef_error(cd, path, "type", "unknown type \"%s\"", type);
	if (cdef_one_of(cd, f, path, "section", catalog_sections, 1) == -1 ||
	    cdef_flag(cd, f, path, "required") == -1 ||
	    cdef_flag(cd, f, path, "immutable") == -1 ||
	    cdef_flag(cd, f, path, "auth_bound") == -1 ||
	    cdef_api_types(cd, f, path) == -1)
		return -1;
	opts = catalog_child(f, "Options");
	def = catalog_val(f, "default");
	pattern = catalog_val(f, "pattern");

	if (strcmp(type, "secret") == 0) {
		if (strcmp(catalog_val(f, "section"), "authentication") != 0)
			return cdef_error(cd, path, "section", "a secret belongs "
			    "to the authentication section");
		if (def != NULL)
			return cdef_error(cd, path, "default", "a secret has no "
			    "default (it would sit in a file in clear)");
		if (catalog_flag(f, "auth_bound"))
			return cdef_error(cd, path, "auth_bound", "auth_bound is "
			    "for the fields secrets depend on, not for a secret");
	}
	if (strcmp(type, "select") == 0) {
		if (opts == NULL || hdf_obj_child(opts) == NULL)
			return cdef_error(cd, path, NULL, "a select needs Options");
		catalog_path(opath, sizeof(opath), path, "Options", NULL);
		if (cdef_names(cd, opts, opath, "option",
		    catalog_option_keys) == -1)
			return -1;
		if (def != NULL && catalog_child(opts, def) == NULL)
			return cdef_error(cd, path, "default", "default \"%s\" is "
			    "not one of the Options", def);
	} else if (opts != NULL)
		return cdef_error(cd, path, "Options", "Options are for selects");
	if (catalog_val(f, "scheme") != NULL) {
		if (strcmp(type, "url") != 0)
			return cdef_error(cd, path, "scheme", "scheme is for url "
			    "fields");
		v = catalog_val(f, "scheme");
		n = 0;
		while (catalog_word(&v, w, sizeof(w))) {
			n++;
			if (!catalog_in(w, catalog_schemes))
				return cdef_error(cd, path, "scheme", "unknown "
				    "scheme \"%s\" (http or https)", w);
		}
		if (n == 0)
			return cdef_error(cd, path, "scheme", "empty scheme");
	}

	/* Bounds: a number's range, a text's length. */
	if ((v = catalog_val(f, "min")) != NULL && catalog_int(v, &min) == -1)
		return cdef_error(cd, path, "min", "min \"%s\" is not an "
		    "integer", v);
	if ((v = catalog_val(f, "max")) != NULL && catalog_int(v, &max) == -1)
		return cdef_error(cd, path, "max", "max \"%s\" is not an "
		    "integer", v);
	if (strcmp(type, "number") == 0) {
		if (catalog_val(f, "min") == NULL ||
		    catalog_val(f, "max") == NULL)
			return cdef_error(cd, path, NULL, "a number needs min and "
			    "max");
		if (min > max)
			return cdef_error(cd, path, "min", "min %lld is greater "
			    "than max %lld", min, max);
		if (def != NULL && (catalog_int(def, &n) == -1 || n < min ||
		    n > max))
			return cdef_error(cd, path, "default", "default \"%s\" is "
			    "not an integer from %lld to %lld", def, min, max);
	} else if (catalog_types[t].text) {
		if (catalog_val(f, "min") != NULL && min < 0)
			return cdef_error(cd, path, "min", "min %lld is negative",
			    min);
		if (catalog_val(f, "max") == NULL)
			max = catalog_types[t].max;
		else if (max < 1 || max > catalog_types[t].limit)
			return cdef_error(cd, path, "max", "max %lld is not from "
			    "1 to %lld (for a %s)", max, catalog_types[t].limit,
			    type);
		if (min > max)
			return cdef_error(cd, path, "min", "min %lld is greater "
			    "than max %lld", min, max);
		if (def != NULL && ((long long)strlen(def) > max ||
		    (long long)strlen(def) < min))
			return cdef_error(cd, path, "default", "default is not "
			    "%lld to %lld characters long", min, max);
	} else if (catalog_val(f, "min") != NULL ||
	    catalog_val(f, "max") != NULL)
		return cdef_error(cd, path, catalog_val(f, "min") != NULL ?
		    "min" : "max", "min and max are for numbers and texts");
	if (strcmp(type, "checkbox") == 0 && def != NULL &&
	    strcmp(def, "0") != 0 && strcmp(def, "1") != 0)
		return cdef_error(cd, path, "default", "a checkbox's default is "
		    "0 or 1");

	if (pattern != NULL) {
		if (!catalog_types[t].text || strcmp(type, "secret") == 0)
			return cdef_error(cd, path, "pattern", "pattern is for "
			    "text fields");
		if (pattern[0] != '^' || pattern[strlen(pattern) - 1] != '$')
			return cdef_error(cd, path, "pattern", "pattern \"%s\" "
			    "must be anchored: ^...$", pattern);
		if ((e = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(e, &re, msg, sizeof(msg));
			regfree(&re);
			return cdef_error(cd, path, "pattern", "bad pattern "
			    "\"%s\": %s", pattern, msg);
		}
		isdefault = def != NULL && regexec(&re, def, 0, NULL, 0) == 0;
		regfree(&re);
		if (def != NULL && !isdefault)
			return cdef_error(cd, path, "default", "default \"%s\" "
			    "does not match the pattern", def);
	}
	if (catalog_flag(f, "auth_bound") &&
	    strncmp(catalog_val(proto, "kind"), "oauth2_", 7) != 0) {
		HDF	*g;

		for (g = hdf_obj_child(catalog_child(proto, "Fields"));
		    g != NULL; g = hdf_obj_next(g))
			if ((v = catalog_val(g, "type")) != NULL &&
			    strcmp(v, "secret") == 0)
				break;
		if (g == NULL)
			return cdef_error(cd, path, "auth_bound", "auth_bound, "
			    "but the protocol keeps no secret to re-enter");
	}
	return 0;
}

/* Test.auth and the fields it sends. */
static int
cdef_test_auth(struct cdef *cd, HDF *proto, HDF *test, const char *path,
    const struct catalog_kind *k)
{
	const char	*auth = catalog_val(test, "auth");
	char		 first[32];
	int		 user, secret, header, query;

	if (auth == NULL) {
		catalog_first(k->auths, first, sizeof(first));
		auth = first;
	} else if (!str_word_in(k->auths, auth))
		return cdef_error(cd, path, "auth", "auth \"%s\" does not go with "
		    "kind %s (it takes: %s)", auth, k->name, k->auths);
	user = strcmp(auth, "basic") == 0;
	secret = user || strcmp(auth, "header") == 0 ||
	    strcmp(auth, "query") == 0 || strcmp(auth, "bearer") == 0;
	header = strcmp(auth, "header") == 0;
	query = strcmp(auth, "query") == 0;
	if (!user && catalog_val(test, "user_field") != NULL)
		return cdef_error(cd, path, "user_field", "user_field is for "
		    "auth basic");
	if (!secret && catalog_val(test, "secret_field") != NULL)
		return cdef_error(cd, path, "secret_field", "auth %s sends no "
		    "secret field", auth);
	if (cdef_field_ref(cd, proto, test, path, "user_field", "", user) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "secret_field", "secret",
	    secret) == -1)
		return -1;
	if (!header && (catalog_val(test, "header") != NULL ||
	    catalog_val(test, "header_field") != NULL ||
	    catalog_val(test, "prefix") != NULL))
		return cdef_error(cd, path, NULL, "header, header_field and "
		    "prefix are for auth header");
	if (!query && (catalog_val(test, "param") != NULL ||
	    catalog_val(test, "param_field") != NULL))
		return cdef_error(cd, path, NULL, "param and param_field are for "
		    "auth query");
	if (header || query) {
		const char	*fixed = header ? "header" : "param";
		const char	*field = header ? "header_field" : "param_field";
		const char	*v;

		if ((catalog_val(test, fixed) != NULL) ==
		    (catalog_val(test, field) != NULL))
			return cdef_error(cd, path, NULL, "auth %s needs one of "
			    "%s and %s", auth, fixed, field);
		if (cdef_field_ref(cd, proto, test, path, field, "text", 0) == -1)
			return -1;
		if ((v = catalog_val(test, fixed)) != NULL &&
		    (*v == '\0' || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(v)))
			return cdef_error(cd, path, fixed, "bad %s name \"%s\"",
			    fixed, v);
	}
	if ((auth = catalog_val(test, "prefix")) != NULL && (*auth == '\0' ||
	    strspn(auth, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_.") != strlen(auth)))
		return cdef_error(cd, path, "prefix", "prefix \"%s\" must be one "
		    "word", auth);
	return 0;
}

/* expect: HTTP statuses, space-separated. */
static int
cdef_expect(struct cdef *cd, HDF *node, const char *path)
{
	const char	*v = catalog_val(node, "expect");
	char		 w[128];
	long long	 st;
	int		 n = 0;

	if (v == NULL)
		return 0;
	while (catalog_word(&v, w, sizeof(w))) {
		n++;
		if (catalog_int(w, &st) == -1 || st < 100 || st > 599)
			return cdef_error(cd, path, "expect", "expect \"%s\" is "
			    "not an HTTP status", w);
	}
	if (n == 0)
		return cdef_error(cd, path, "expect", "empty expect");
	return 0;
}

/* Where an HTTP test goes: base + path, or url; path alone for credentials. */
static int
cdef_test_target(struct cdef *cd, HDF *proto, HDF *node, const char *path,
    HDF *test, int override)
{
	const char	*url = catalog_val(node, "url");
	const char	*p = catalog_val(node, "path");
	int		 credential;

	credential = strcmp(catalog_val(proto, "kind"), "named_credential") == 0;
	if (url != NULL && p != NULL)
		return cdef_error(cd, path, "url", "either url or path, not both");
	if (credential && url != NULL)
		return cdef_error(cd, path, "url", "a named credential's test "
		    "takes a path relative to the credential's URL");
	if (url != NULL)
		return cdef_template(cd, proto, path, "url", url, TMPL_URL);
	if (p == NULL) {
		if (override)
			return 0;
		return cdef_error(cd, path, NULL, "missing \"path\" (with "
		    "\"base\") or \"url\"");
	}
	if (!credential && catalog_val(test, "base") == NULL)
		return cdef_error(cd, path, "path", "a path needs \"base\", the "
		    "url or hostname field it goes to");
	return cdef_template(cd, proto, path, "path", p, TMPL_PATH);
}

static int
cdef_test(struct cdef *cd, HDF *proto, const char *ppath,
    const struct catalog_kind *k)
{
	HDF		*test, *o;
	const char	*kind;
	char		 path[512], opath[512];

	catalog_path(path, sizeof(path), ppath, "Test", NULL);
	if ((test = catalog_child(proto, "Test")) == NULL)
		return cdef_error(cd, ppath, NULL, "missing \"Test\": how a "
		    "connection is tested");
	if (cdef_keys(cd, test, path, catalog_test_keys) == -1 ||
	    cdef_one_of(cd, test, path, "kind", catalog_test_kinds, 0) == -1)
		return -1;
	kind = catalog_str(test, "kind") != NULL ? catalog_val(test, "kind") :
	    "http";
	if (strcmp(k->name, "smtp") == 0 && strcmp(kind, "http") == 0)
		return cdef_error(cd, path, NULL, "an smtp protocol's Test needs "
		    "kind = smtp (or none)");
	if (strcmp(kind, "none") == 0) {
		if (hdf_obj_next(hdf_obj_child(test)) != NULL)
			return cdef_error(cd, path, NULL, "a Test of kind none "
			    "has nothing else");
		return 0;
	}
	if (strcmp(kind, "smtp") == 0) {
		if (strcmp(k->name, "smtp") != 0)
			return cdef_error(cd, path, "kind", "kind smtp is for smtp "
			    "protocols");
		for (o = hdf_obj_child(test); o != NULL; o = hdf_obj_next(o))
			if (catalog_in(hdf_obj_name(o), catalog_http_test_keys))
				return cdef_error(cd, path, hdf_obj_name(o),
				    "%s is for HTTP tests", hdf_obj_name(o));
		if (cdef_field_ref(cd, proto, test, path, "base", "hostname",
		    1) == -1 ||
		    cdef_field_ref(cd, proto, test, path, "port_field", "number",
		    1) == -1 ||
		    cdef_field_ref(cd, proto, test, path, "tls_field", "select",
		    1) == -1 ||
		    cdef_destination(cd, proto, path, "base",
		    catalog_val(test, "base")) == -1 ||
		    cdef_destination(cd, proto, path, "port_field",
		    catalog_val(test, "port_field")) == -1 ||
		    cdef_destination(cd, proto, path, "tls_field",
		    catalog_val(test, "tls_field")) == -1)
			return -1;
		o = catalog_child(catalog_child(catalog_child(proto, "Fields"),
		    catalog_val(test, "tls_field")), "Options");
		for (o = hdf_obj_child(o); o != NULL; o = hdf_obj_next(o))
			if (!catalog_in(hdf_obj_name(o), catalog_tls_modes))
				return cdef_error(cd, path, "tls_field", "TLS mode "
				    "\"%s\" is not starttls or tls",
				    hdf_obj_name(o));
		return cdef_test_auth(cd, proto, test, path, k);
	}

	/* kind http */
	if (catalog_val(test, "port_field") != NULL ||
	    catalog_val(test, "tls_field") != NULL)
		return cdef_error(cd, path, NULL, "port_field and tls_field are "
		    "for smtp tests");
	if (cdef_one_of(cd, test, path, "method", catalog_methods, 1) == -1)
		return -1;
	if (catalog_val(test, "base") != NULL) {
		if (strcmp(k->name, "named_credential") == 0)
			return cdef_error(cd, path, "base", "a named credential's "
			    "test goes to the credential's URL: no base");
		if (catalog_val(test, "url") != NULL)
			return cdef_error(cd, path, "url", "either url or base, "
			    "not both");
		if (cdef_field_ref(cd, proto, test, path, "base",
		    "url hostname", 1) == -1 ||
		    cdef_destination(cd, proto, path, "base",
		    catalog_val(test, "base")) == -1)
			return -1;
	}
	if (cdef_test_target(cd, proto, test, path, test, 0) == -1 ||
	    cdef_expect(cd, test, path) == -1 ||
	    cdef_field_ref(cd, proto, test, path, "expect_field", "number",
	    0) == -1)
		return -1;
	if (catalog_val(test, "expect") != NULL &&
	    catalog_val(test, "expect_field") != NULL)
		return cdef_error(cd, path, "expect", "either expect or "
		    "expect_field, not both");
	if ((o = catalog_child(test, "ApiTypes")) != NULL) {
		catalog_path(opath, sizeof(opath), path, "ApiTypes", NULL);
		for (o = hdf_obj_child(o); o != NULL; o = hdf_obj_next(o)) {
			char	 p2[512];

			catalog_path(p2, sizeof(p2), opath, hdf_obj_name(o), NULL);
			if (catalog_child(catalog_child(cd->def, "ApiTypes"),
			    hdf_obj_name(o)) == NULL)
				return cdef_error(cd, p2, NULL, "API type \"%s\" "
				    "is not declared in ApiTypes",
				    hdf_obj_name(o));
			if (cdef_keys(cd, o, p2, catalog_test_override_keys) ==
			    -1 ||
			    cdef_one_of(cd, o, p2, "method", catalog_methods,
			    0) == -1 ||
			    cdef_test_target(cd, proto, o, p2, test, 1) == -1 ||
			    cdef_expect(cd, o, p2) == -1)
				return -1;
		}
	}
	return cdef_test_auth(cd, proto, test, path, k);
}

/* Default scopes: RFC 6749 scope tokens, as the form accepts them. */
static int
cdef_scopes(struct cdef *cd, HDF *node, const char *path)
{
	const char	*v = catalog_val(node, "scopes"), *s;
	char		 w[CATALOG_SCOPES_MAX + 1];
	int		 n = 0;

	if (v == NULL)
		return 0;
	if (strlen(v) > CATALOG_SCOPES_MAX)
		return cdef_error(cd, path, "scopes", "scopes longer than %d "
		    "characters", CATALOG_SCOPES_MAX);
	while (catalog_word(&v, w, sizeof(w))) {
		if (++n > CATALOG_SCOPES_WORDS)
			return cdef_error(cd, path, "scopes", "more than %d "
			    "scopes", CATALOG_SCOPES_WORDS);
		for (s = w; *s != '\0'; s++)
			if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
				return cdef_error(cd, path, "scopes", "bad scope "
				    "\"%s\"", w);
	}
	return 0;
}

/* One OAuth endpoint: which_url, or which_path with base. */
static int
cdef_oauth_url(struct cdef *cd, HDF *proto, HDF *oauth, const char *path,
    const char *which, int required)
{
	char		 ukey[32], pkey[32];
	const char	*url, *p;

	snprintf(ukey, sizeof(ukey), "%s_url", which);
	snprintf(pkey, sizeof(pkey), "%s_path", which);
	url = catalog_val(oauth, ukey);
	p = catalog_val(oauth, pkey);
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
		return cdef_template(cd, proto, path, ukey, url, TMPL_URL);
	if (p == NULL)
		return cdef_error(cd, path, NULL, "missing \"%s\" (or \"%s\" with "
		    "\"base\")", ukey, pkey);
	if (catalog_val(oauth, "base") == NULL)
		return cdef_error(cd, path, pkey, "%s needs \"base\", the url or "
		    "hostname field it goes to", pkey);
	return cdef_template(cd, proto, path, pkey, p, TMPL_PATH);
}

static int
cdef_oauth(struct cdef *cd, HDF *proto, const char *ppath,
    const struct catalog_kind *k)
{
	HDF		*oauth, *o;
	const char	*v;
	char		 path[512], opath[512], w[256], *eq;
	int		 code = k->oauth == 2;

	catalog_path(path, sizeof(path), ppath, "OAuth", NULL);
	oauth = catalog_child(proto, "OAuth");
	if (k->oauth == 0) {
		if (oauth != NULL)
			return cdef_error(cd, path, NULL, "OAuth is for kinds "
			    "oauth2_code and oauth2_client");
		return 0;
	}
	if (oauth == NULL)
		return cdef_error(cd, ppath, NULL, "missing \"OAuth\": the "
		    "endpoints and scopes of kind %s", k->name);
	if (cdef_keys(cd, oauth, path, catalog_oauth_keys) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "base", "url hostname",
	    0) == -1 ||
	    (catalog_val(oauth, "base") != NULL && cdef_destination(cd, proto,
	    path, "base", catalog_val(oauth, "base")) == -1) ||
	    cdef_oauth_url(cd, proto, oauth, path, "authorize", code) == -1 ||
	    cdef_oauth_url(cd, proto, oauth, path, "token", 1) == -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "scopes_field", "scopes",
	    0) == -1)
		return -1;
	if (catalog_val(oauth, "base") != NULL &&
	    catalog_val(oauth, "authorize_path") == NULL &&
	    catalog_val(oauth, "token_path") == NULL)
		return cdef_error(cd, path, "base", "base, but no authorize_path "
		    "or token_path");
	if (catalog_str(oauth, "scopes") == NULL &&
	    catalog_val(oauth, "scopes_field") == NULL)
		return cdef_error(cd, path, NULL, "missing \"scopes\" (the default "
		    "scopes) or \"scopes_field\"");
	if (cdef_scopes(cd, oauth, path) == -1)
		return -1;
	/* The client: fields client_id and client_secret unless named. */
	if (catalog_val(oauth, "client_id_field") == NULL &&
	    catalog_child(catalog_child(proto, "Fields"), "client_id") == NULL)
		return cdef_error(cd, path, NULL, "no field \"client_id\" (or "
		    "client_id_field)");
	if (catalog_val(oauth, "client_secret_field") == NULL &&
	    catalog_child(catalog_child(proto, "Fields"), "client_secret") ==
	    NULL)
		return cdef_error(cd, path, NULL, "no field \"client_secret\" (or "
		    "client_secret_field)");
	if (cdef_field_ref(cd, proto, oauth, path, "client_id_field", "", 0) ==
	    -1 ||
	    cdef_field_ref(cd, proto, oauth, path, "client_secret_field",
	    "secret", 0) == -1 ||
	    cdef_one_of(cd, oauth, path, "client_auth", catalog_client_auth,
	    0) == -1 ||
	    cdef_one_of(cd, oauth, path, "pkce", catalog_pkce, 0) == -1)
		return -1;
	if (!code && catalog_val(oauth, "pkce") != NULL)
		return cdef_error(cd, path, "pkce", "PKCE is for the "
		    "authorization code grant");
	if ((v = catalog_val(oauth, "authorize_params")) != NULL) {
		if (!code)
			return cdef_error(cd, path, "authorize_params",
			    "authorize_params are for the authorization code "
			    "grant");
		while (catalog_word(&v, w, sizeof(w))) {
			if ((eq = strchr(w, '=')) == NULL || eq == w ||
			    eq[1] == '\0' || strchr(w, '&') != NULL)
				return cdef_error(cd, path, "authorize_params",
				    "\"%s\" is not name=value", w);
			if (cdef_template(cd, proto, path, "authorize_params",
			    eq + 1, TMPL_ANY) == -1)
				return -1;
		}
	}
	if ((o = catalog_child(oauth, "ApiTypes")) != NULL) {
		catalog_path(opath, sizeof(opath), path, "ApiTypes", NULL);
		for (o = hdf_obj_child(o); o != NULL; o = hdf_obj_next(o)) {
			char	 p2[512];

			catalog_path(p2, sizeof(p2), opath, hdf_obj_name(o), NULL);
			if (catalog_child(catalog_child(cd->def, "ApiTypes"),
			    hdf_obj_name(o)) == NULL)
				return cdef_error(cd, p2, NULL, "API type \"%s\" "
				    "is not declared in ApiTypes",
				    hdf_obj_name(o));
			if (cdef_keys(cd, o, p2, catalog_oauth_override_keys) ==
			    -1)
				return -1;
			if (catalog_str(o, "scopes") == NULL)
				return cdef_error(cd, p2, NULL, "missing "
				    "\"scopes\"");
			if (cdef_scopes(cd, o, p2) == -1)
				return -1;
		}
	}
	return 0;
}

static int
cdef_protocol(struct cdef *cd, HDF *proto, const char *path)
{
	const struct catalog_kind	*k;
	const char			*kind, *contexts;
	HDF				*fields, *f;
	char				 fpath[512];
	int				 secrets = 0, nfields = 0;

	if (cdef_keys(cd, proto, path, catalog_protocol_keys) == -1)
		return -1;
	if (catalog_str(proto, "label") == NULL)
		return cdef_error(cd, path, NULL, "missing \"label\"");
	if ((kind = catalog_str(proto, "kind")) == NULL)
		return cdef_error(cd, path, NULL, "missing \"kind\"");
	if ((k = catalog_kind(kind)) == NULL)
		return cdef_error(cd, path, "kind", "unknown kind \"%s\"", kind);
	fields = catalog_child(proto, "Fields");
	/* Types first: fields refer to each other. */
	for (f = hdf_obj_child(fields); f != NULL; f = hdf_obj_next(f)) {
		catalog_path(fpath, sizeof(fpath), path, "Fields",
		    hdf_obj_name(f));
		if (!catalog_name_ok(hdf_obj_name(f)))
			return cdef_error(cd, fpath, NULL, "field name \"%s\" "
			    "must be a lowercase letter, then letters, digits "
			    "or \"_\" (at most %d)", hdf_obj_name(f),
			    CATALOG_NAME_MAX);
		if (catalog_str(f, "type") == NULL)
			return cdef_error(cd, fpath, NULL, "missing \"type\"");
		if (catalog_type_index(catalog_val(f, "type")) == -1)
			return cdef_error(cd, fpath, "type", "unknown type "
			    "\"%s\"", catalog_val(f, "type"));
	}
	for (f = hdf_obj_child(fields); f != NULL; f = hdf_obj_next(f)) {
		catalog_path(fpath, sizeof(fpath), path, "Fields",
		    hdf_obj_name(f));
		if (cdef_field(cd, proto, f, fpath) == -1)
			return -1;
		secrets += strcmp(catalog_val(f, "type"), "secret") == 0;
		nfields++;
	}
	if (nfields > CATALOG_FIELDS_MAX || secrets > CATALOG_SECRETS_MAX)
		return cdef_error(cd, path, "Fields", "more than %d fields or %d "
		    "secrets", CATALOG_FIELDS_MAX, CATALOG_SECRETS_MAX);
	if (strcmp(kind, "named_credential") == 0 &&
	    hdf_obj_child(fields) != NULL)
		return cdef_error(cd, path, "Fields", "a named credential "
		    "protocol has no fields: the credential holds them");
	if (strcmp(kind, "user") == 0) {
		contexts = catalog_val(cd->def, "contexts");
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

/* Every check of one definition; the popular limit is the loader's. */
static int
catalog_check(struct cdef *cd)
{
	static const struct {
		const char	*key;
		size_t		 max;
	} required[] = {
		{ "title", CATALOG_TITLE_MAX },
		{ "category", CATALOG_CATEGORY_MAX },
		{ "description", CATALOG_DESC_MAX },
	};
	HDF		*def = cd->def, *p;
	const char	*v;
	char		 path[512], w[128];
	size_t		 i;
	int		 n;

	if (cdef_keys(cd, def, "", catalog_top_keys) == -1)
		return -1;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if ((v = catalog_str(def, required[i].key)) == NULL)
			return cdef_error(cd, "", NULL, "missing \"%s\"",
			    required[i].key);
		if (strlen(v) > required[i].max)
			return cdef_error(cd, "", required[i].key, "%s longer than "
			    "%zu characters", required[i].key, required[i].max);
	}
	if (cdef_flag(cd, def, "", "popular") == -1 ||
	    cdef_flag(cd, def, "", "uplink") == -1)
		return -1;
	if ((v = catalog_val(def, "contexts")) != NULL) {
		char	 seen[128] = "";

		n = 0;
		while (catalog_word(&v, w, sizeof(w))) {
			n++;
			if (!catalog_in(w, catalog_contexts))
				return cdef_error(cd, "", "contexts", "unknown "
				    "execution context \"%s\" (system or "
				    "per_user)", w);
			if (str_word_in(seen, w))
				return cdef_error(cd, "", "contexts", "\"%s\" "
				    "twice", w);
			strcat(strcat(seen, " "), w);
		}
		if (n == 0)
			return cdef_error(cd, "", "contexts", "empty contexts");
	}
	if ((p = catalog_child(def, "ApiTypes")) != NULL) {
		if (hdf_obj_child(p) == NULL)
			return cdef_error(cd, "ApiTypes", NULL, "declares no API "
			    "type");
		if (cdef_names(cd, p, "ApiTypes", "API type",
		    catalog_apitype_keys) == -1)
			return -1;
	}
	if ((p = catalog_child(def, "Protocols")) == NULL ||
	    hdf_obj_child(p) == NULL)
		return cdef_error(cd, "", "Protocols", "declares no Protocols");
	for (p = hdf_obj_child(p); p != NULL; p = hdf_obj_next(p)) {
		catalog_path(path, sizeof(path), "Protocols", hdf_obj_name(p),
		    NULL);
		if (!catalog_name_ok(hdf_obj_name(p)))
			return cdef_error(cd, path, NULL, "protocol name \"%s\" "
			    "must be a lowercase letter, then letters, digits "
			    "or \"_\" (at most %d)", hdf_obj_name(p),
			    CATALOG_NAME_MAX);
		if (cdef_protocol(cd, p, path) == -1)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ defaults */

static void
catalog_default(HDF *node, const char *key, const char *value)
{
	if (catalog_val(node, key) == NULL)
		hdf_set_value(node, key, value);
}

/* "{+base}path" or "https://{base}path" when base is a hostname field. */
static void
catalog_join(HDF *proto, HDF *node, const char *key, const char *base,
    const char *p)
{
	HDF		*f = catalog_child(catalog_child(proto, "Fields"), base);
	char		*s;

	if (strcmp(catalog_val(f, "type"), "hostname") == 0)
		xasprintf(&s, "https://{%s}%s", base, p);
	else
		xasprintf(&s, "{+%s}%s", base, p);
	hdf_set_value(node, key, s);
	free(s);
}

/* Write the defaults README.md promises into a checked definition. */
static void
catalog_normalize(HDF *def)
{
	HDF		*proto, *f, *test, *oauth, *o;
	const char	*kind, *type, *base, *v;
	char		 max[32], first[32];
	int		 t;

	catalog_default(def, "popular", "0");
	catalog_default(def, "uplink", "0");
	catalog_default(def, "contexts", "system");
	for (proto = hdf_obj_child(catalog_child(def, "Protocols"));
	    proto != NULL; proto = hdf_obj_next(proto)) {
		kind = catalog_val(proto, "kind");
		oauth = catalog_child(proto, "OAuth");
		for (f = hdf_obj_child(catalog_child(proto, "Fields")); f != NULL;
		    f = hdf_obj_next(f)) {
			type = catalog_val(f, "type");
			t = catalog_type_index(type);
			catalog_default(f, "required", "0");
			catalog_default(f, "immutable", "0");
			catalog_default(f, "auth_bound", "0");
			if (catalog_types[t].text) {
				snprintf(max, sizeof(max), "%lld",
				    catalog_types[t].max);
				catalog_default(f, "max", max);
			}
			if (strcmp(type, "url") == 0)
				catalog_default(f, "scheme", "https");
			if (strcmp(type, "scopes") == 0 && oauth != NULL &&
			    (v = catalog_val(oauth, "scopes")) != NULL)
				catalog_default(f, "default", v);
		}
		if (oauth != NULL) {
			base = catalog_val(oauth, "base");
			if ((v = catalog_val(oauth, "authorize_path")) != NULL)
				catalog_join(proto, oauth, "authorize_url", base, v);
			if ((v = catalog_val(oauth, "token_path")) != NULL)
				catalog_join(proto, oauth, "token_url", base, v);
			catalog_default(oauth, "client_id_field", "client_id");
			catalog_default(oauth, "client_secret_field",
			    "client_secret");
			catalog_default(oauth, "client_auth", "basic");
			catalog_default(oauth, "scopes", "");
			if (strcmp(kind, "oauth2_code") == 0)
				catalog_default(oauth, "pkce", "S256");
		}
		test = catalog_child(proto, "Test");
		catalog_default(test, "kind", "http");
		if (strcmp(catalog_val(test, "kind"), "none") != 0) {
			catalog_first(catalog_kind(kind)->auths, first,
			    sizeof(first));
			catalog_default(test, "auth", first);
		}
		if (strcmp(catalog_val(test, "kind"), "http") != 0)
			continue;
		if (catalog_val(test, "expect_field") == NULL)
			catalog_default(test, "expect", "200");
		base = catalog_val(test, "base");
		if (base != NULL)
			catalog_join(proto, test, "url", base,
			    catalog_val(test, "path"));
		for (o = hdf_obj_child(catalog_child(test, "ApiTypes"));
		    o != NULL; o = hdf_obj_next(o))
			if (base != NULL && (v = catalog_val(o, "path")) != NULL)
				catalog_join(proto, o, "url", base, v);
	}
}

/* ---------------------------------------------------------------- load */

/*
 * HDF's message, as "file:line: message" when it gives a line. Text read
 * by hdf_read_string is named "<string>" in HDF's messages.
 */
static void
catalog_neoerr(NEOERR *nerr, const char *file, char *err, size_t errlen)
{
	static const char	 str[] = "<string>:";
	static const char	 ctx[] = "In file <string>:";
	STRING			 s, tb;
	const char		*m, *loc, *end;
	size_t			 n;
	int			 line = 0;

	string_init(&s);
	string_init(&tb);
	nerr_error_string(nerr, &s);
	m = s.buf != NULL ? s.buf : "unknown error";
	/* Errors passed up with a context keep their line. */
	if (file != NULL) {
		nerr_error_traceback(nerr, &tb);
		if (tb.buf != NULL && (loc = strstr(tb.buf, ctx)) != NULL)
			line = atoi(loc + sizeof(ctx) - 1);
	}
	if (file != NULL && (loc = strchr(m, '[')) != NULL &&
	    strncmp(loc + 1, str, sizeof(str) - 1) == 0 &&
	    (end = strstr(loc, "] ")) != NULL)
		snprintf(err, errlen, "%s:%d: %s", file,
		    atoi(loc + 1 + sizeof(str) - 1), end + 2);
	else if (file != NULL && line > 0)
		snprintf(err, errlen, "%s:%d: %s", file, line, m);
	else if (file != NULL && strstr(m, file) == NULL)
		snprintf(err, errlen, "%s: %s", file, m);
	else
		snprintf(err, errlen, "%s", m);
	n = strlen(err);
	while (n > 0 && isspace((unsigned char)err[n - 1]))
		err[--n] = '\0';
	string_clear(&tb);
	string_clear(&s);
	nerr_ignore(&nerr);
}

static int
catalog_cmp(const void *a, const void *b, void *arg)
{
	const struct catalog	*c = arg;

	return strcasecmp(catalog_title(c, *(char *const *)a),
	    catalog_title(c, *(char *const *)b));
}

static int
catalog_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The bytes of a definition: a regular file of at most CATALOG_FILE_MAX
 * bytes and no NUL. A malloc'd string, or NULL with err set.
 */
static char *
catalog_slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat	 st;
	char		*text = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	/* O_NONBLOCK: a FIFO must not hold start-up; it is refused below. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	text = xmalloc(CATALOG_FILE_MAX + 2);
	/* Read one byte past the bound to see a file over it. */
	while (len <= CATALOG_FILE_MAX) {
		n = read(fd, text + len, CATALOG_FILE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CATALOG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path,
		    CATALOG_FILE_MAX);
		goto fail;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		goto fail;
	}
	close(fd);
	*lenp = len;
	return text;
fail:
	free(text);
	close(fd);
	return NULL;
}

/*
 * Read, check and complete one definition into def. The scan sees the
 * bytes first; HDF parses the same bytes from memory, so it follows no
 * #include and opens nothing.
 */
static int
catalog_read(const char *path, HDF **def, struct cdef *cd, char *err,
    size_t errlen)
{
	NEOERR	*nerr;
	char	*text;
	size_t	 len;
	int	 rc = -1;

	memset(cd, 0, sizeof(*cd));
	cd->file = path;
	cd->err = err;
	cd->errlen = errlen;
	if ((text = catalog_slurp(path, &len, err, errlen)) == NULL)
		return -1;
	cd->text = text;
	cd->textlen = len;
	if (cdef_scan(cd) == -1)
		goto out;
	if ((nerr = hdf_init(def)) != STATUS_OK ||
	    (nerr = hdf_read_string(*def, text)) != STATUS_OK) {
		catalog_neoerr(nerr, path, err, errlen);
		goto out;
	}
	cd->def = *def;
	if (catalog_check(cd) == -1)
		goto out;
	catalog_normalize(*def);
	rc = 0;
out:
	cd->text = NULL;
	cd->textlen = 0;
	free(text);
	return rc;
}

int
catalog_load(struct catalog *c, const char *dir, char *err, size_t errlen)
{
	DIR		*d = NULL;
	struct dirent	*de;
	HDF		*def = NULL;
	NEOERR		*nerr;
	struct cdef	 cd;
	char		 path[4096], node[64], **names = NULL;
	char		 popular[CATALOG_POPULAR_MAX * (CATALOG_KEY_MAX + 2) + 1];
	size_t		 len, nnames = 0, i, j;
	int		 rc = -1, npopular = 0;

	memset(c, 0, sizeof(*c));
	memset(&cd, 0, sizeof(cd));
	popular[0] = '\0';
	if ((nerr = hdf_init(&c->hdf)) != STATUS_OK) {
		catalog_neoerr(nerr, NULL, err, errlen);
		goto out;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: cannot open the connectors folder: %s",
		    dir, strerror(errno));
		goto out;
	}
	/* In name order, so the first broken file is always the same one. */
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".hdf") != 0)
			continue;
		names = xrealloc(names, (nnames + 1) * sizeof(*names));
		names[nnames++] = xstrdup(de->d_name);
	}
	qsort(names, nnames, sizeof(*names), catalog_strcmp);
	for (i = 0; i < nnames; i++) {
		len = strlen(names[i]) - 4;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!catalog_key_ok(names[i], len)) {
			snprintf(err, errlen, "%s: a connector's file name must be "
			    "lowercase letters, digits and dashes (at most %d) "
			    "and .hdf", path, CATALOG_KEY_MAX);
			goto out;
		}
		if (catalog_read(path, &def, &cd, err, errlen) == -1)
			goto out;
		if (catalog_flag(def, "popular")) {
			if (npopular == CATALOG_POPULAR_MAX) {
				cdef_error(&cd, "", "popular", "popular = 1 makes "
				    "%d popular connectors; \"Get started\" shows "
				    "at most %d (%s)", npopular + 1,
				    CATALOG_POPULAR_MAX, popular);
				goto out;
			}
			snprintf(popular + strlen(popular), sizeof(popular) -
			    strlen(popular), "%s%.*s", npopular > 0 ? ", " : "",
			    (int)len, names[i]);
			npopular++;
		}
		for (j = 0; j < c->nkeys; j++)
			if (strcasecmp(catalog_title(c, c->keys[j]),
			    catalog_val(def, "title")) == 0) {
				cdef_error(&cd, "", "title", "title \"%s\" is "
				    "already %s.hdf's", catalog_val(def, "title"),
				    c->keys[j]);
				goto out;
			}
		snprintf(node, sizeof(node), "Connectors.%.*s", (int)len, names[i]);
		if ((nerr = hdf_copy(c->hdf, node, def)) != STATUS_OK) {
			catalog_neoerr(nerr, path, err, errlen);
			goto out;
		}
		cdef_lines_free(&cd);
		hdf_destroy(&def);
		c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
		c->keys[c->nkeys++] = xstrndup(names[i], len);
	}
	qsort_r(c->keys, c->nkeys, sizeof(*c->keys), catalog_cmp, c);
	rc = 0;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	cdef_lines_free(&cd);
	hdf_destroy(&def);
	if (rc == -1)
		catalog_free(c);
	return rc;
}

void
catalog_free(struct catalog *c)
{
	size_t	 i;

	for (i = 0; i < c->nkeys; i++)
		free(c->keys[i]);
	free(c->keys);
	hdf_destroy(&c->hdf);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------- lookups */

void *
catalog_get(const struct catalog *c, const char *key)
{
	size_t	 i;

	/* Only known keys reach hdf_get_obj: user data never names an HDF node. */
	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i], key) == 0)
			return catalog_child(catalog_child(c->hdf, "Connectors"),
			    c->keys[i]);
	return NULL;
}

const char *
catalog_title(const struct catalog *c, const char *key)
{
	HDF	*def = catalog_get(c, key);

	return def != NULL ? hdf_get_value(def, "title", key) : key;
}

const char *
catalog_protocol_label(const struct catalog *c, const char *key,
    const char *protocol)
{
	HDF	*p;

	p = catalog_child(catalog_child(catalog_get(c, key), "Protocols"),
	    protocol);
	return p != NULL ? hdf_get_value(p, "label", protocol) : protocol;
}

const char *
catalog_value(const void *node, const char *key, const char *api_type)
{
	HDF		*o;
	const char	*v;

	if (api_type != NULL && *api_type != '\0' &&
	    (o = catalog_child(catalog_child((HDF *)node, "ApiTypes"),
	    api_type)) != NULL && (v = catalog_val(o, key)) != NULL)
		return v;
	return catalog_val((HDF *)node, key);
}

/* Append s, percent-encoding all but RFC 3986 unreserved and reserved
 * characters and existing %XX escapes ({+name}). */
static void
catalog_reserved_encode(struct buf *out, const char *s, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)s;
	char			 esc[3];
	size_t			 i;

	for (i = 0; i < len; i++) {
		if (isalnum(p[i]) || strchr("-._~:/?#[]@!$&'()*+,;=", p[i]) !=
		    NULL || (p[i] == '%' && i + 2 < len &&
		    isxdigit(p[i + 1]) && isxdigit(p[i + 2]))) {
			buf_append(out, &p[i], 1);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[p[i] >> 4];
		esc[2] = hex[p[i] & 0xf];
		buf_append(out, esc, 3);
	}
}

int
catalog_expand(const char *tmpl, catalog_value_fn value, void *arg,
    struct buf *out, char *err, size_t errlen)
{
	const char	*p, *end, *v;
	char		 name[CATALOG_NAME_MAX + 1];
	size_t		 n;
	int		 reserved, slash = 0;

	for (p = tmpl; *p != '\0'; p = end + 1) {
		if (*p != '{') {
			n = strcspn(p, "{");
			/* "{+url}/path" with url "https://h/": one slash. */
			if (slash && *p == '/')
				out->data[--out->len] = '\0';
			buf_append(out, p, n);
			end = p + n - 1;
			slash = 0;
			continue;
		}
		reserved = p[1] == '+';
		end = strchr(p, '}');
		n = end != NULL ? (size_t)(end - p - 1 - reserved) : 0;
		if (end == NULL || n == 0 || n > CATALOG_NAME_MAX) {
			snprintf(err, errlen, "bad template \"%s\"", tmpl);
			return -1;
		}
		memcpy(name, p + 1 + reserved, n);
		name[n] = '\0';
		if ((v = value(arg, name)) == NULL || *v == '\0') {
			snprintf(err, errlen, "%s has no value", name);
			return -1;
		}
		if (slash && *v == '/')
			out->data[--out->len] = '\0';
		slash = 0;
		if (!reserved) {
			buf_url_encode(out, v);
			continue;
		}
		catalog_reserved_encode(out, v, strlen(v));
		slash = v[strlen(v) - 1] == '/';
	}
	return 0;
}
