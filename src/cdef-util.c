/*
 * cdef-util.c — the connector-definition checker's helpers: words, numbers,
 * paths and children of the tree, the protocol kinds and field types, the
 * line map of the file and its error messages, and the checks of single
 * values the definition checks (cdef-check.c) build on. cdef.h lists them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "cdef.h"

static const struct cdef_kind cdef_kinds[] = {
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
	/* issue 16 §1: authentication kinds */
	{ "aws_sigv4",		"aws_sigv4",		0 },
	{ "client_cert",	"client_cert",		0 },
	{ "postgresql",		"basic",		0 },
	{ "jwt_bearer",		"jwt_bearer",		0 },
};

const struct cdef_type cdef_types[10] = {
	{ "text",	1,	255,	CDEF_LENGTH_MAX },
	{ "url",	1,	2048,	2048 },
	{ "email",	1,	254,	254 },
	{ "number",	0,	0,	0 },
	{ "select",	0,	0,	0 },
	{ "secret",	1,	CDEF_SECRET_MAX, CDEF_SECRET_MAX },
	{ "scopes",	1,	CDEF_SCOPES_MAX, CDEF_SCOPES_MAX },
	{ "hostname",	1,	253,	253 },
	{ "checkbox",	0,	0,	0 },
	{ "textarea",	1,	4000,	CDEF_LENGTH_MAX },
};

static const char *const cdef_contexts[] = { "system", "per_user", NULL };
static const char *const cdef_schemes[] = { "http", "https", NULL };

/* ------------------------------------------------------------- helpers */

int
cdef_in(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* The next space-separated word of *sp; 0 at the end. */
int
cdef_word(const char **sp, char *w, size_t wlen)
{
	return str_word_next(sp, w, wlen);
}

/* The first word of list. */
void
cdef_first(const char *list, char *w, size_t wlen)
{
	if (!cdef_word(&list, w, wlen))
		*w = '\0';
}

int
cdef_int(const char *s, long long *out)
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

/* One word of letters, digits, "-", "_" and ".": a header, parameter or prefix. */
int
cdef_token_ok(const char *s)
{
	return *s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_.") == strlen(s);
}

/* "parent.a" or "parent.a.b": the path of a node in messages. */
void
cdef_path(char *dst, size_t len, const char *parent, const char *a,
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

HDF *
cdef_child(HDF *node, const char *name)
{
	HDF	*c;

	if (node == NULL)
		return NULL;
	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c))
		if (strcmp(hdf_obj_name(c), name) == 0)
			return c;
	return NULL;
}

const char *
cdef_val(HDF *node, const char *name)
{
	HDF	*c = cdef_child(node, name);

	return c != NULL ? hdf_obj_value(c) : NULL;
}

/* The value of a direct child; NULL when absent, a block or empty. */
const char *
cdef_str(HDF *node, const char *name)
{
	const char	*v = cdef_val(node, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* 1 when the value of a direct child is "1". */
int
cdef_on(HDF *node, const char *name)
{
	const char	*v = cdef_val(node, name);

	return v != NULL && strcmp(v, "1") == 0;
}

int
cdef_type_index(const char *type)
{
	size_t	 i;

	for (i = 0; i < sizeof(cdef_types) / sizeof(cdef_types[0]); i++)
		if (strcmp(cdef_types[i].name, type) == 0)
			return (int)i;
	return -1;
}

const struct cdef_kind *
cdef_kind(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(cdef_kinds) / sizeof(cdef_kinds[0]); i++)
		if (strcmp(cdef_kinds[i].name, name) == 0)
			return &cdef_kinds[i];
	return NULL;
}

/* 1 when a protocol has something to protect: an OAuth grant or a secret. */
int
cdef_keeps_secret(HDF *proto)
{
	HDF		*f;
	const char	*type;

	if (strncmp(cdef_val(proto, "kind"), "oauth2_", 7) == 0)
		return 1;
	for (f = hdf_obj_child(cdef_child(proto, "Fields")); f != NULL;
	    f = hdf_obj_next(f))
		if ((type = cdef_val(f, "type")) != NULL &&
		    strcmp(type, "secret") == 0)
			return 1;
	return 0;
}

/* ------------------------------------------------------ line map, errors */

static struct cdef_line *
cdef_line_find(struct cdef *cd, const char *path)
{
	size_t	 i;

	for (i = 0; i < cd->nlines; i++)
		if (strcmp(cd->lines[i].path, path) == 0)
			return &cd->lines[i];
	return NULL;
}

struct cdef_line *
cdef_line_add(struct cdef *cd, const char *path, size_t len, int line)
{
	struct cdef_line	*l;
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

/* The line of path.key, else of path or the nearest node above; 0: none. */
static int
cdef_line_of(struct cdef *cd, const char *path, const char *key)
{
	struct cdef_line	*l;
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

int
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

int
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

/* Text read by hdf_read_string is named "<string>" in HDF's messages. */
void
cdef_neoerr(NEOERR *nerr, const char *file, char *err, size_t errlen)
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

/* ------------------------------------------------------- checks: values */

/* Refuse keys the format does not know (a typo would be ignored). */
int
cdef_keys(struct cdef *cd, HDF *node, const char *path,
    const char *const *known)
{
	HDF	*c;

	for (c = hdf_obj_child(node); c != NULL; c = hdf_obj_next(c))
		if (!cdef_in(hdf_obj_name(c), known))
			return cdef_error(cd, path, hdf_obj_name(c),
			    "unknown key \"%s\"", hdf_obj_name(c));
	return 0;
}

int
cdef_flag(struct cdef *cd, HDF *node, const char *path, const char *key)
{
	const char	*v = cdef_val(node, key);

	if (v == NULL || strcmp(v, "0") == 0 || strcmp(v, "1") == 0)
		return 0;
	return cdef_error(cd, path, key, "%s must be 0 or 1, not \"%s\"", key, v);
}

int
cdef_one_of(struct cdef *cd, HDF *node, const char *path, const char *key,
    const char *const *allowed, int required)
{
	const char	*v = cdef_val(node, key);

	if (v == NULL || *v == '\0')
		return required ? cdef_error(cd, path, key, "missing \"%s\"",
		    key) : 0;
	if (!cdef_in(v, allowed))
		return cdef_error(cd, path, key, "unknown %s \"%s\"", key, v);
	return 0;
}

/* The name of a protocol, field, option or API type: [a-z][a-z0-9_]*. */
int
cdef_name(struct cdef *cd, const char *path, const char *key, const char *what,
    const char *name)
{
	size_t	 i;

	if (name[0] >= 'a' && name[0] <= 'z') {
		for (i = 1; name[i] != '\0'; i++)
			if (!((name[i] >= 'a' && name[i] <= 'z') ||
			    (name[i] >= '0' && name[i] <= '9') ||
			    name[i] == '_'))
				break;
		if (name[i] == '\0' && i <= CDEF_NAME_MAX)
			return 0;
	}
	return cdef_error(cd, path, key, "%s name \"%s\" must be a lowercase "
	    "letter, then letters, digits or \"_\" (at most %d)", what, name,
	    CDEF_NAME_MAX);
}

/* Every child of a block of names has a good name and only known keys. */
int
cdef_names(struct cdef *cd, HDF *block, const char *path, const char *what,
    const char *const *keys)
{
	HDF	*c;
	char	 p[512];

	for (c = hdf_obj_child(block); c != NULL; c = hdf_obj_next(c)) {
		if (cdef_name(cd, path, hdf_obj_name(c), what,
		    hdf_obj_name(c)) == -1)
			return -1;
		cdef_path(p, sizeof(p), path, hdf_obj_name(c), NULL);
		if (cdef_keys(cd, c, p, keys) == -1)
			return -1;
		if (cdef_str(c, "label") == NULL)
			return cdef_error(cd, p, NULL, "missing \"label\"");
	}
	return 0;
}

/* Each space-separated word of node's `key`, checked; absent is fine, empty not. */
int
cdef_words(struct cdef *cd, HDF *node, const char *path, const char *key,
    cdef_word_fn check, void *arg)
{
	const char	*v = cdef_val(node, key);
	char		 w[128];
	int		 n = 0;

	if (v == NULL)
		return 0;
	while (cdef_word(&v, w, sizeof(w))) {
		n++;
		if (check(cd, path, key, w, arg) == -1)
			return -1;
	}
	if (n == 0)
		return cdef_error(cd, path, key, "empty %s", key);
	return 0;
}

/* An API type the definition declares in ApiTypes (a cdef_word_fn). */
int
cdef_api_type(struct cdef *cd, const char *path, const char *key,
    const char *name, void *arg)
{
	(void)arg;
	if (cdef_child(cdef_child(cd->def, "ApiTypes"), name) != NULL)
		return 0;
	return cdef_error(cd, path, key, "API type \"%s\" is not declared in "
	    "ApiTypes", name);
}

/* A URL scheme a url field accepts (a cdef_word_fn). */
int
cdef_scheme(struct cdef *cd, const char *path, const char *key,
    const char *w, void *arg)
{
	(void)arg;
	if (cdef_in(w, cdef_schemes))
		return 0;
	return cdef_error(cd, path, key, "unknown scheme \"%s\" (http or "
	    "https)", w);
}

/* An HTTP status a test expects (a cdef_word_fn). */
int
cdef_status(struct cdef *cd, const char *path, const char *key,
    const char *w, void *arg)
{
	long long	 st;

	(void)arg;
	if (cdef_int(w, &st) == 0 && st >= 100 && st <= 599)
		return 0;
	return cdef_error(cd, path, key, "expect \"%s\" is not an HTTP status",
	    w);
}

/* An execution context, once; `seen` holds the ones before (a cdef_word_fn). */
int
cdef_context(struct cdef *cd, const char *path, const char *key,
    const char *w, void *seen)
{
	if (!cdef_in(w, cdef_contexts))
		return cdef_error(cd, path, key, "unknown execution context "
		    "\"%s\" (system or per_user)", w);
	if (str_word_in(seen, w))
		return cdef_error(cd, path, key, "\"%s\" twice", w);
	strcat(strcat(seen, " "), w);
	return 0;
}

/* Default scopes: RFC 6749 scope tokens, as the form accepts them. */
int
cdef_scopes(struct cdef *cd, HDF *node, const char *path)
{
	const char	*v = cdef_val(node, "scopes"), *s;
	char		 w[CDEF_SCOPES_MAX + 1];
	int		 n = 0;

	if (v == NULL)
		return 0;
	if (strlen(v) > CDEF_SCOPES_MAX)
		return cdef_error(cd, path, "scopes", "scopes longer than %d "
		    "characters", CDEF_SCOPES_MAX);
	while (cdef_word(&v, w, sizeof(w))) {
		if (++n > CDEF_SCOPES_WORDS)
			return cdef_error(cd, path, "scopes", "more than %d "
			    "scopes", CDEF_SCOPES_WORDS);
		for (s = w; *s != '\0'; s++)
			if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
				return cdef_error(cd, path, "scopes", "bad scope "
				    "\"%s\"", w);
	}
	return 0;
}

/* node's ApiTypes block: overrides for declared API types, each checked. */
int
cdef_overrides(struct cdef *cd, HDF *proto, HDF *node, const char *path,
    cdef_override_fn check)
{
	HDF	*o;
	char	 p[512];

	for (o = hdf_obj_child(cdef_child(node, "ApiTypes")); o != NULL;
	    o = hdf_obj_next(o)) {
		cdef_path(p, sizeof(p), path, "ApiTypes", hdf_obj_name(o));
		if (cdef_api_type(cd, p, NULL, hdf_obj_name(o), NULL) == -1 ||
		    check(cd, proto, node, o, p) == -1)
			return -1;
	}
	return 0;
}
