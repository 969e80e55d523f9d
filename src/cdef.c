/*
 * cdef.c — the connector-definition checker. One connectors/<key>.hdf
 * declares one connector: title, category, description, its authentication
 * protocols, their fields, how a connection is tested and, for OAuth, its
 * endpoints (connectors/README.md describes the format). cdef_read takes
 * the file's bytes, refuses what HDF would take silently, parses them and
 * checks the tree, so a broken definition stops start-up with its file,
 * line and node, and adding a connector adds no C. After the checks, the
 * defaults the format promises are written into the tree, so readers never
 * repeat them. catalog.c reads the files and keeps the trees. Here: the
 * scan of the text, the defaults and cdef_read; the checks of the tree are
 * cdef-check.c's, the helpers and value checks cdef-util.c's (cdef.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"
#include "cdef.h"

#define CDEF_DEPTH_MAX		16

/* Where cdef_scan is in the file. */
struct cdef_scanner {
	FILE	*f;
	char	*line;			/* the line being read */
	size_t	 cap;
	int	 lineno;
	char	 prefix[1024];		/* the open block: "Protocols.cloud" */
	size_t	 plen[CDEF_DEPTH_MAX];	/* prefix's length outside each block */
	int	 pline[CDEF_DEPTH_MAX];	/* the line that opened it */
	int	 depth;
};

/* ---------------------------------------------------------------- scan */

/* After "name {": nothing more on the line; a block opened once. */
static int
cdef_scan_open(struct cdef *cd, struct cdef_scanner *sc, struct cdef_line *l,
    const char *full, const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '\0')
		return cdef_error_at(cd, sc->lineno, full, "put what follows "
		    "\"{\" on lines of its own (HDF ignores it)");
	if (l->opened)
		return cdef_error_at(cd, sc->lineno, full, "opened twice "
		    "(first on line %d)", l->line);
	if (sc->depth == CDEF_DEPTH_MAX)
		return cdef_error_at(cd, sc->lineno, full, "nested too deep");
	l->opened = 1;
	sc->plen[sc->depth] = strlen(sc->prefix);
	sc->pline[sc->depth++] = sc->lineno;
	snprintf(sc->prefix, sizeof(sc->prefix), "%s", full);
	return 0;
}

/* After "name <<": the text runs to a line that starts with its terminator. */
static int
cdef_scan_text(struct cdef *cd, struct cdef_scanner *sc, const char *full,
    const char *term)
{
	char	*eom;
	size_t	 tlen;
	int	 start = sc->lineno, rc = -1;

	while (isspace((unsigned char)*term))
		term++;
	tlen = strlen(term);
	while (tlen > 0 && isspace((unsigned char)term[tlen - 1]))
		tlen--;
	eom = xstrndup(term, tlen);
	for (;;) {
		if (getline(&sc->line, &sc->cap, sc->f) == -1) {
			cdef_error_at(cd, start, full, "no line \"%s\" ends this "
			    "text", eom);
			break;
		}
		sc->lineno++;
		if (strncmp(sc->line, eom, tlen) == 0 &&
		    isspace((unsigned char)sc->line[tlen])) {
			rc = 0;
			break;
		}
	}
	free(eom);
	return rc;
}

/* One line: a comment, "}", "name = value", "name {" or "name << EOM". */
static int
cdef_scan_line(struct cdef *cd, struct cdef_scanner *sc)
{
	struct cdef_line	*l;
	char			*s, *name, full[1024];
	size_t			 namelen, i;

	for (s = sc->line; isspace((unsigned char)*s); s++)
		;
	if (strncmp(s, "#include ", 9) == 0)
		return cdef_error_at(cd, sc->lineno, NULL, "#include is not used "
		    "in connector files: one connector, one file");
	if (*s == '#' || *s == '\0')
		return 0;
	if (*s == '}') {
		if (sc->depth == 0)
			return cdef_error_at(cd, sc->lineno, NULL, "this \"}\" "
			    "closes nothing (HDF would ignore the rest of the "
			    "file)");
		sc->prefix[sc->plen[--sc->depth]] = '\0';
		return 0;
	}
	for (name = s; isalnum((unsigned char)*s) || *s == '_' || *s == '.';
	    s++)
		;
	namelen = (size_t)(s - name);
	while (isspace((unsigned char)*s))
		s++;
	if (namelen == 0 || name[0] == '.' || name[namelen - 1] == '.' ||
	    memmem(name, namelen, "..", 2) != NULL)
		return cdef_error_at(cd, sc->lineno, NULL, "expected a name "
		    "(letters, digits, \"_\") followed by \"=\", \"{\" or "
		    "\"<<\"");
	if (*s == '[')
		return cdef_error_at(cd, sc->lineno, NULL, "HDF attributes "
		    "(\"[...]\") are not used in connector files");
	if (*s == ':')
		return cdef_error_at(cd, sc->lineno, NULL, "HDF links and copies "
		    "(\":\", \":=\") are not used in connector files");
	if (*s != '=' && *s != '{' && !(s[0] == '<' && s[1] == '<'))
		return cdef_error_at(cd, sc->lineno, NULL, "expected \"=\", \"{\" "
		    "or \"<<\" after the name");
	if (snprintf(full, sizeof(full), "%s%s%.*s", sc->prefix,
	    *sc->prefix != '\0' ? "." : "", (int)namelen, name) >=
	    (int)sizeof(full))
		return cdef_error_at(cd, sc->lineno, NULL, "name too long");
	/* Dotted names create the nodes above them on this line. */
	i = *sc->prefix != '\0' ? strlen(sc->prefix) + 1 : 0;
	for (; full[i] != '\0'; i++)
		if (full[i] == '.')
			cdef_line_add(cd, full, i, sc->lineno);
	l = cdef_line_add(cd, full, strlen(full), sc->lineno);
	if (*s == '{')
		return cdef_scan_open(cd, sc, l, full, s + 1);
	if (l->assigned)
		return cdef_error_at(cd, sc->lineno, full, "set twice (first on "
		    "line %d)", l->line);
	l->assigned = 1;
	if (*s == '=')
		return 0;
	return cdef_scan_text(cd, sc, full, s + 2);
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
cdef_scan(struct cdef *cd, const char *text, size_t len)
{
	struct cdef_scanner	 sc;
	int			 rc = 0;

	if (len == 0)
		return 0;
	memset(&sc, 0, sizeof(sc));
	if ((sc.f = fmemopen((void *)text, len, "r")) == NULL) {
		snprintf(cd->err, cd->errlen, "%s: %s", cd->file, strerror(errno));
		return -1;
	}
	while (rc == 0 && getline(&sc.line, &sc.cap, sc.f) != -1) {
		sc.lineno++;
		rc = cdef_scan_line(cd, &sc);
	}
	if (rc == 0 && sc.depth > 0)
		rc = cdef_error_at(cd, sc.pline[sc.depth - 1], sc.prefix, "this "
		    "\"{\" is never closed");
	free(sc.line);
	fclose(sc.f);
	return rc;
}
/* ------------------------------------------------------------ defaults */

static void
cdef_default(HDF *node, const char *key, const char *value)
{
	if (cdef_val(node, key) == NULL)
		hdf_set_value(node, key, value);
}

/* "{+base}path" or "https://{base}path" when base is a hostname field. */
static void
cdef_join(HDF *proto, HDF *node, const char *key, const char *base,
    const char *p)
{
	HDF	*f = cdef_child(cdef_child(proto, "Fields"), base);
	char	*s;

	if (strcmp(cdef_val(f, "type"), "hostname") == 0)
		xasprintf(&s, "https://{%s}%s", base, p);
	else
		xasprintf(&s, "{+%s}%s", base, p);
	hdf_set_value(node, key, s);
	free(s);
}

static void
cdef_defaults_fields(HDF *proto)
{
	HDF		*f, *oauth = cdef_child(proto, "OAuth");
	const char	*type, *v;
	char		 max[32];
	int		 t;

	for (f = hdf_obj_child(cdef_child(proto, "Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		type = cdef_val(f, "type");
		t = cdef_type_index(type);
		cdef_default(f, "required", "0");
		cdef_default(f, "immutable", "0");
		cdef_default(f, "auth_bound", "0");
		if (cdef_types[t].text) {
			snprintf(max, sizeof(max), "%lld", cdef_types[t].max);
			cdef_default(f, "max", max);
		}
		if (strcmp(type, "url") == 0)
			cdef_default(f, "scheme", "https");
		if (strcmp(type, "scopes") == 0 && oauth != NULL &&
		    (v = cdef_val(oauth, "scopes")) != NULL)
			cdef_default(f, "default", v);
	}
}

/* Endpoints as full templates, whichever form the file used. */
static void
cdef_defaults_oauth(HDF *proto)
{
	HDF		*oauth = cdef_child(proto, "OAuth");
	const char	*base, *v;

	if (oauth == NULL)
		return;
	base = cdef_val(oauth, "base");
	if ((v = cdef_val(oauth, "authorize_path")) != NULL)
		cdef_join(proto, oauth, "authorize_url", base, v);
	if ((v = cdef_val(oauth, "token_path")) != NULL)
		cdef_join(proto, oauth, "token_url", base, v);
	if ((v = cdef_val(oauth, "revocation_path")) != NULL)
		cdef_join(proto, oauth, "revocation_url", base, v);
	if ((v = cdef_val(oauth, "identity_path")) != NULL)
		cdef_join(proto, oauth, "identity_url", base, v);
	cdef_default(oauth, "client_id_field", "client_id");
	cdef_default(oauth, "client_secret_field", "client_secret");
	cdef_default(oauth, "client_auth", "basic");
	cdef_default(oauth, "scopes", "");
	if (strcmp(cdef_val(proto, "kind"), "oauth2_code") == 0) {
		cdef_default(oauth, "pkce", "S256");
		cdef_default(oauth, "refresh_daily", "0");
	}
}

/* The kind, auth and expected status; base + path as one url. */
static void
cdef_defaults_test(HDF *proto)
{
	HDF		*test = cdef_child(proto, "Test"), *o;
	const char	*base, *v;
	char		 first[32];

	cdef_default(test, "kind", "http");
	if (strcmp(cdef_val(test, "kind"), "none") != 0) {
		cdef_first(cdef_kind(cdef_val(proto, "kind"))->auths, first,
		    sizeof(first));
		cdef_default(test, "auth", first);
	}
	if (strcmp(cdef_val(test, "kind"), "http") != 0)
		return;
	if (cdef_val(test, "expect_field") == NULL)
		cdef_default(test, "expect", "200");
	if ((base = cdef_val(test, "base")) == NULL)
		return;
	cdef_join(proto, test, "url", base, cdef_val(test, "path"));
	for (o = hdf_obj_child(cdef_child(test, "ApiTypes")); o != NULL;
	    o = hdf_obj_next(o))
		if ((v = cdef_val(o, "path")) != NULL)
			cdef_join(proto, o, "url", base, v);
}

/* Write the defaults README.md promises into a checked definition. */
static void
cdef_defaults(HDF *def)
{
	HDF	*proto;

	cdef_default(def, "popular", "0");
	cdef_default(def, "uplink", "0");
	cdef_default(def, "onpremises", "0");
	cdef_default(def, "contexts", "system");
	for (proto = hdf_obj_child(cdef_child(def, "Protocols"));
	    proto != NULL; proto = hdf_obj_next(proto)) {
		/* A protocol says, or its connector says for all of them. */
		cdef_default(proto, "onpremises", cdef_val(def, "onpremises"));
		cdef_defaults_fields(proto);
		cdef_defaults_oauth(proto);
		cdef_defaults_test(proto);
	}
}

/* ---------------------------------------------------------------- read */

int
cdef_read(struct cdef *cd, const char *file, const char *text, size_t len,
    char *err, size_t errlen)
{
	NEOERR	*nerr;

	memset(cd, 0, sizeof(*cd));
	cd->file = file;
	cd->err = err;
	cd->errlen = errlen;
	if (cdef_scan(cd, text, len) == -1)
		return -1;
	if ((nerr = hdf_init(&cd->def)) != STATUS_OK ||
	    (nerr = hdf_read_string(cd->def, text)) != STATUS_OK) {
		cdef_neoerr(nerr, file, err, errlen);
		return -1;
	}
	if (cdef_check(cd) == -1)
		return -1;
	cdef_defaults(cd->def);
	return 0;
}

void
cdef_free(struct cdef *cd)
{
	size_t	 i;

	for (i = 0; i < cd->nlines; i++)
		free(cd->lines[i].path);
	free(cd->lines);
	hdf_destroy(&cd->def);
	memset(cd, 0, sizeof(*cd));
}

