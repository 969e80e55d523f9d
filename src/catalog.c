/*
 * catalog.c — the connector catalog: every connectors/<key>.hdf, read at
 * start-up, checked by cdef.c and kept as Connectors.<key> of one HDF tree;
 * the lookups pages and tests make in it, and the expansion of its URL
 * templates. A definition is refused alone (cdef.c) or beside the others:
 * a file name that is no key, too many popular connectors, a title twice.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <ClearSilver.h>

#include "tether.h"

static void	 catalog_index(struct catalog *);

#define CATALOG_FILE_MAX	(256 * 1024)	/* bytes of one definition */
#define CATALOG_KEY_MAX		40
#define CATALOG_POPULAR_MAX	6

/* ---------------------------------------------------------------- load */

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

/* The *.hdf names of dir, in name order: the first broken file is always
 * the same one. */
static int
catalog_names(const char *dir, char ***names, size_t *nnames, char *err,
    size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: cannot open the connectors folder: %s",
		    dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".hdf") != 0)
			continue;
		*names = xrealloc(*names, (*nnames + 1) * sizeof(**names));
		(*names)[(*nnames)++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(*names, *nnames, sizeof(**names), catalog_strcmp);
	return 0;
}

static int
catalog_popular(HDF *def)
{
	const char	*v = cdef_val(def, "popular");

	return v != NULL && strcmp(v, "1") == 0;
}

/* A definition checked alone, against those loaded before it. */
static int
catalog_fits(struct catalog *c, struct cdef *cd)
{
	char		 popular[CATALOG_POPULAR_MAX * (CATALOG_KEY_MAX + 2) + 1];
	const char	*title = cdef_val(cd->def, "title");
	size_t		 i;
	int		 n = 0;

	if (catalog_popular(cd->def)) {
		popular[0] = '\0';
		for (i = 0; i < c->nkeys; i++)
			if (catalog_popular(catalog_get(c, c->keys[i])))
				snprintf(popular + strlen(popular),
				    sizeof(popular) - strlen(popular), "%s%s",
				    n++ > 0 ? ", " : "", c->keys[i]);
		if (n == CATALOG_POPULAR_MAX)
			return cdef_error(cd, "", "popular", "popular = 1 makes "
			    "%d popular connectors; \"Get started\" shows at "
			    "most %d (%s)", n + 1, CATALOG_POPULAR_MAX, popular);
	}
	for (i = 0; i < c->nkeys; i++)
		if (strcasecmp(catalog_title(c, c->keys[i]), title) == 0)
			return cdef_error(cd, "", "title", "title \"%s\" is "
			    "already %s.hdf's", title, c->keys[i]);
	return 0;
}

/* dir/name, checked and added as Connectors.<key>. */
static int
catalog_add(struct catalog *c, const char *dir, const char *name, char *err,
    size_t errlen)
{
	struct cdef	 cd;
	NEOERR		*nerr;
	char		 path[4096], node[64], *text;
	size_t		 len = strlen(name) - 4, textlen;
	int		 rc = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!catalog_key_ok(name, len)) {
		snprintf(err, errlen, "%s: a connector's file name must be "
		    "lowercase letters, digits and dashes (at most %d) and .hdf",
		    path, CATALOG_KEY_MAX);
		return -1;
	}
	if ((text = catalog_slurp(path, &textlen, err, errlen)) == NULL)
		return -1;
	if (cdef_read(&cd, path, text, textlen, err, errlen) == -1 ||
	    catalog_fits(c, &cd) == -1)
		goto out;
	snprintf(node, sizeof(node), "Connectors.%.*s", (int)len, name);
	if ((nerr = hdf_copy(c->hdf, node, cd.def)) != STATUS_OK) {
		cdef_neoerr(nerr, path, err, errlen);
		goto out;
	}
	c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
	c->keys[c->nkeys++] = xstrndup(name, len);
	rc = 0;
out:
	cdef_free(&cd);
	free(text);
	return rc;
}

int
catalog_load(struct catalog *c, const char *dir, char *err, size_t errlen)
{
	NEOERR	*nerr;
	char	**names = NULL;
	size_t	 nnames = 0, i;
	int	 rc = -1;

	memset(c, 0, sizeof(*c));
	if ((nerr = hdf_init(&c->hdf)) != STATUS_OK) {
		cdef_neoerr(nerr, NULL, err, errlen);
		goto out;
	}
	if (catalog_names(dir, &names, &nnames, err, errlen) == -1)
		goto out;
	for (i = 0; i < nnames; i++)
		if (catalog_add(c, dir, names[i], err, errlen) == -1)
			goto out;
	qsort_r(c->keys, c->nkeys, sizeof(*c->keys), catalog_cmp, c);
	catalog_index(c);
	rc = 0;
out:
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
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
	free(c->by_key);
	hdf_destroy(&c->hdf);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------- lookups */

struct catalog_entry {
	const char	*key;
	HDF		*node;
	const char	*title;
	HDF		*protocols;	/* its Protocols node */
};

static int
catalog_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct catalog_entry *)a)->key,
	    ((const struct catalog_entry *)b)->key);
}

static int
catalog_entry_find(const void *key, const void *entry)
{
	return strcmp(key, ((const struct catalog_entry *)entry)->key);
}

/* Each connector's node by its key, found by bisection: a page of rows
 * looks up every row's connector, twice. */
static void
catalog_index(struct catalog *c)
{
	HDF	*all = cdef_child(c->hdf, "Connectors");
	size_t	 i;

	c->by_key = xcalloc(c->nkeys != 0 ? c->nkeys : 1, sizeof(*c->by_key));
	for (i = 0; i < c->nkeys; i++) {
		c->by_key[i].key = c->keys[i];
		c->by_key[i].node = cdef_child(all, c->keys[i]);
		c->by_key[i].title = hdf_get_value(c->by_key[i].node, "title", c->keys[i]);
		c->by_key[i].protocols = cdef_child(c->by_key[i].node, "Protocols");
	}
	qsort(c->by_key, c->nkeys, sizeof(*c->by_key), catalog_entry_cmp);
}

static const struct catalog_entry *
catalog_entry(const struct catalog *c, const char *key)
{
	return bsearch(key, c->by_key, c->nkeys, sizeof(*c->by_key), catalog_entry_find);
}

void *
catalog_get(const struct catalog *c, const char *key)
{
	const struct catalog_entry	*e;
	size_t				 i;

	if (c->by_key != NULL)
		return (e = catalog_entry(c, key)) != NULL ? e->node : NULL;
	/* While loading. Only known keys reach hdf_get_obj: user data never
	 * names an HDF node. */
	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i], key) == 0)
			return cdef_child(cdef_child(c->hdf, "Connectors"),
			    c->keys[i]);
	return NULL;
}

const char *
catalog_title(const struct catalog *c, const char *key)
{
	const struct catalog_entry	*e;
	HDF				*def;

	if (c->by_key != NULL)
		return (e = catalog_entry(c, key)) != NULL ? e->title : key;
	def = catalog_get(c, key);
	return def != NULL ? hdf_get_value(def, "title", key) : key;
}

const char *
catalog_protocol_label(const struct catalog *c, const char *key,
    const char *protocol)
{
	const struct catalog_entry	*e;
	HDF				*p;
	const char			*label;

	if (c->by_key != NULL)
		p = (e = catalog_entry(c, key)) != NULL ? cdef_child(e->protocols, protocol) : NULL;
	else
		p = cdef_child(cdef_child(catalog_get(c, key), "Protocols"), protocol);
	return (label = cdef_val(p, "label")) != NULL ? label : protocol;
}

const char *
catalog_value(const void *node, const char *key, const char *api_type)
{
	HDF		*o;
	const char	*v;

	if (api_type != NULL && *api_type != '\0' &&
	    (o = cdef_child(cdef_child((HDF *)node, "ApiTypes"),
	    api_type)) != NULL && (v = cdef_val(o, key)) != NULL)
		return v;
	return cdef_val((HDF *)node, key);
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
	char		 name[CDEF_NAME_MAX + 1];
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
		if (end == NULL || n == 0 || n > CDEF_NAME_MAX) {
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
