/*
 * catalog.c — the connector catalog. Each connectors/<key>.hdf declares one
 * connector (title, category, description, its authentication protocols and
 * their fields); they are read at start-up and checked here, so a broken
 * definition stops start-up with its file and line, and adding a connector
 * adds no C.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"

static int
catalog_key_ok(const char *key, size_t len)
{
	size_t	 i;

	if (len == 0 || len > 40)
		return 0;
	for (i = 0; i < len; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') ||
		    (key[i] >= '0' && key[i] <= '9') || key[i] == '-'))
			return 0;
	return 1;
}

static void
catalog_neoerr(NEOERR *nerr, char *err, size_t errlen)
{
	STRING	 s;

	string_init(&s);
	nerr_error_string(nerr, &s);
	snprintf(err, errlen, "%s", s.buf != NULL ? s.buf : "unknown error");
	string_clear(&s);
	nerr_ignore(&nerr);
}

/* The checks every definition must pass; the connection issue adds field rules. */
static int
catalog_check(HDF *def, const char *file, char *err, size_t errlen)
{
	static const char *const required[] = { "title", "category", "description" };
	HDF		*p;
	size_t		 i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (*hdf_get_value(def, required[i], "") == '\0') {
			snprintf(err, errlen, "%s: missing \"%s\"", file, required[i]);
			return -1;
		}
	if ((p = hdf_get_obj(def, "Protocols")) == NULL || hdf_obj_child(p) == NULL) {
		snprintf(err, errlen, "%s: declares no Protocols", file);
		return -1;
	}
	for (p = hdf_obj_child(p); p != NULL; p = hdf_obj_next(p))
		if (*hdf_get_value(p, "label", "") == '\0') {
			snprintf(err, errlen, "%s: protocol \"%s\" has no label", file,
			    hdf_obj_name(p));
			return -1;
		}
	return 0;
}

static int
catalog_cmp(const void *a, const void *b, void *arg)
{
	const struct catalog	*c = arg;

	return strcasecmp(catalog_title(c, *(char *const *)a),
	    catalog_title(c, *(char *const *)b));
}

int
catalog_load(struct catalog *c, const char *dir, char *err, size_t errlen)
{
	DIR		*d;
	struct dirent	*de;
	HDF		*def = NULL;
	NEOERR		*nerr;
	char		 path[4096], node[64];
	size_t		 len;
	int		 rc = -1;

	memset(c, 0, sizeof(*c));
	if ((nerr = hdf_init(&c->hdf)) != STATUS_OK) {
		catalog_neoerr(nerr, err, errlen);
		return -1;
	}
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: cannot open the connectors folder", dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".hdf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!catalog_key_ok(de->d_name, len - 4)) {
			snprintf(err, errlen, "%s: a connector's file name must be "
			    "lowercase letters, digits and dashes", path);
			goto out;
		}
		if ((nerr = hdf_init(&def)) != STATUS_OK ||
		    (nerr = hdf_read_file(def, path)) != STATUS_OK) {
			catalog_neoerr(nerr, err, errlen);
			goto out;
		}
		if (catalog_check(def, path, err, errlen) == -1)
			goto out;
		snprintf(node, sizeof(node), "Connectors.%.*s", (int)(len - 4), de->d_name);
		if ((nerr = hdf_copy(c->hdf, node, def)) != STATUS_OK) {
			catalog_neoerr(nerr, err, errlen);
			goto out;
		}
		hdf_destroy(&def);
		c->keys = xrealloc(c->keys, (c->nkeys + 1) * sizeof(*c->keys));
		c->keys[c->nkeys++] = xstrndup(de->d_name, len - 4);
	}
	qsort_r(c->keys, c->nkeys, sizeof(*c->keys), catalog_cmp, c);
	rc = 0;
out:
	closedir(d);
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

void *
catalog_get(const struct catalog *c, const char *key)
{
	size_t	 i;

	/* Only known keys reach hdf_get_obj: user data never names an HDF node. */
	for (i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i], key) == 0)
			return hdf_get_child(c->hdf, "Connectors") != NULL ?
			    hdf_get_obj(hdf_get_obj(c->hdf, "Connectors"), c->keys[i]) :
			    NULL;
	return NULL;
}

const char *
catalog_title(const struct catalog *c, const char *key)
{
	HDF	*def = catalog_get(c, key);

	return def != NULL ? hdf_get_value(def, "title", key) : key;
}

const char *
catalog_protocol_label(const struct catalog *c, const char *key, const char *protocol)
{
	HDF	*def = catalog_get(c, key);
	HDF	*p;

	if (def == NULL || (p = hdf_get_obj(def, "Protocols")) == NULL)
		return protocol;
	for (p = hdf_obj_child(p); p != NULL; p = hdf_obj_next(p))
		if (strcmp(hdf_obj_name(p), protocol) == 0)
			return hdf_get_value(p, "label", protocol);
	return protocol;
}
