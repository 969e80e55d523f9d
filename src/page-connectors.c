/*
 * page-connectors.c — the connector catalog ("View all connectors"),
 * grouped by category and searchable by name, category, description and
 * protocol (every word of the query must match; "jira server", "oauth"),
 * with a category filter, and one connector's page
 * with its authentication protocols, each leading to New Connection, and
 * for OAuth authorization code the redirect URI to register.
 * Inputs: GET q, category (catalog); {key} in the path (one connector).
 * Each protocol card says what it is from the connector's declaration
 * (kind, help, the labels of its authentication fields); members and
 * viewers see why they cannot create a connection instead of the button.
 * Statuses: 200, 404 (no such connector), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ClearSilver.h>

#include "tether.h"
#include "web.h"

static int
connector_strcasecmp(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether every word of q occurs in the connector's title, category,
 * description, or a protocol's label or kind (case-insensitive).
 */
static int
connector_matches(HDF *def, const char *q)
{
	char		 word[101];
	const char	*fields[] = { "title", "category", "description" };
	size_t		 n, i;
	HDF		*p;
	int		 found;

	for (q += strspn(q, " \t"); *q != '\0'; q += n, q += strspn(q, " \t")) {
		n = strcspn(q, " \t");
		if (n >= sizeof(word))
			return 0;
		memcpy(word, q, n);
		word[n] = '\0';
		found = 0;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && !found; i++)
			found = strcasestr(hdf_get_value(def, fields[i], ""), word) != NULL;
		for (p = hdf_get_child(def, "Protocols"); p != NULL && !found; p = hdf_obj_next(p))
			found = strcasestr(hdf_get_value(p, "label", ""), word) != NULL ||
			    strcasestr(hdf_get_value(p, "kind", ""), word) != NULL;
		if (!found)
			return 0;
	}
	return 1;
}

/* The connector's mark: its logo letter and colour (Logo, LogoColor). */
static void
connector_fill_logo(HDF *n, HDF *def)
{
	render_set(n, "Logo", hdf_get_value(def, "logo", ""));
	render_set(n, "LogoColor", hdf_get_value(def, "logo_color", ""));
}

int
page_connectors(struct req *r)
{
	const struct catalog	*cat = &r->app->catalog;
	const char		*q = req_param(r, "q");
	const char		*want = req_param(r, "category");
	const char		*categories[64], *all[64];
	int			 ncat = 0, nall = 0, count = 0, i, shown[64] = { 0 };
	size_t			 k;

	if (q != NULL && valid_text(q, 0, 100) != NULL) {
		http_flash(r, "error", "Search for at most 100 characters of plain text.");
		q = NULL;
	}
	if (want != NULL && valid_text(want, 0, 40) != NULL)
		want = NULL;
	/* Every category, for the filter; an unknown one shows all. */
	for (k = 0; k < cat->nkeys; k++) {
		const char *category = hdf_get_value(catalog_get(cat, cat->keys[k]), "category", "Other");

		for (i = 0; i < nall; i++)
			if (strcmp(all[i], category) == 0)
				break;
		if (i == nall && nall < 64)
			all[nall++] = category;
	}
	qsort(all, nall, sizeof(all[0]), connector_strcasecmp);
	for (i = 0; i < nall; i++) {
		render_set(render_node(r->hdf, "Catalog.Categories.%d", i), "Name", all[i]);
		if (want != NULL && strcmp(want, all[i]) == 0)
			render_set(r->hdf, "Catalog.Category", all[i]);
	}
	if (want != NULL && hdf_get_value(r->hdf, "Catalog.Category", NULL) == NULL)
		want = NULL;
	render_set(r->hdf, "Page.Title", "Connectors");
	render_set(r->hdf, "Catalog.Q", q != NULL ? q : "");
	for (k = 0; k < cat->nkeys; k++) {
		HDF		*def = catalog_get(cat, cat->keys[k]);
		const char	*title = hdf_get_value(def, "title", "");
		const char	*category = hdf_get_value(def, "category", "Other");
		HDF		*n;

		if ((q != NULL && !connector_matches(def, q)) ||
		    (want != NULL && *want != '\0' && strcmp(want, category) != 0))
			continue;
		for (i = 0; i < ncat; i++)
			if (strcmp(categories[i], category) == 0)
				break;
		if (i == ncat) {
			if (ncat == 64)
				continue;
			categories[ncat++] = category;
			render_set(render_node(r->hdf, "Categories.%d", i), "Name", category);
		}
		n = render_node(r->hdf, "Categories.%d.Connectors.%d", i, shown[i]++);
		render_set(n, "Key", cat->keys[k]);
		render_set(n, "Title", title);
		render_set(n, "Description", hdf_get_value(def, "description", ""));
		render_set(n, "Category", category);
		connector_fill_logo(n, def);
		count++;
	}
	render_set_int(render_node(r->hdf, "Catalog"), "Count", count);
	return http_page(r, 200, "connectors.cs");
}

/*
 * What a protocol asks for at creation, from its declaration: the labels
 * of its authentication fields, as Protocols.N.Asks.M.Label|Secret.
 */
static void
connector_fill_asks(HDF *pn, HDF *proto)
{
	HDF	*f, *a;
	int	 j = 0;

	for (f = hdf_obj_child(hdf_get_obj(proto, "Fields")); f != NULL; f = hdf_obj_next(f)) {
		if (strcmp(hdf_get_value(f, "section", ""), "authentication") != 0)
			continue;
		a = render_node(pn, "Asks.%d", j++);
		render_set(a, "Label", hdf_get_value(f, "label", hdf_obj_name(f)));
		render_set(a, "Secret", strcmp(hdf_get_value(f, "type", ""), "secret") == 0 ? "1" : "0");
	}
}

int
page_connector(struct req *r)
{
	const struct catalog	*cat = &r->app->catalog;
	HDF			*def = catalog_get(cat, r->arg_key), *p, *n;
	int			 i = 0, may;

	if (def == NULL) {
		http_error(r, 404, NULL);
		return 0;
	}
	if ((may = session_is_manager(r)) == -1)
		return -1;
	render_set(r->hdf, "User.CanCreate", may ? "1" : "0");
	n = render_node(r->hdf, "Connector");
	render_set(n, "Key", r->arg_key);
	render_set(n, "Title", hdf_get_value(def, "title", ""));
	render_set(n, "Description", hdf_get_value(def, "description", ""));
	render_set(n, "Category", hdf_get_value(def, "category", ""));
	connector_fill_logo(n, def);
	for (p = hdf_obj_child(hdf_get_obj(def, "Protocols")); p != NULL; p = hdf_obj_next(p)) {
		HDF	*pn = render_node(n, "Protocols.%d", i++);

		render_set(pn, "Key", hdf_obj_name(p));
		render_set(pn, "Label", hdf_get_value(p, "label", ""));
		render_set(pn, "Kind", hdf_get_value(p, "kind", ""));
		render_set(pn, "Help", hdf_get_value(p, "help", ""));
		connector_fill_asks(pn, p);
		/* OAuth code: the redirect URI to register with the provider. */
		if (strcmp(hdf_get_value(p, "kind", ""), "oauth2_code") == 0 &&
		    hdf_get_obj(n, "RedirectUri") == NULL) {
			char	*uri = oauth_redirect_uri_dup(r->app);

			render_set(n, "RedirectUri", uri);
			free(uri);
		}
	}
	render_set(r->hdf, "Page.Title", hdf_get_value(def, "title", ""));
	uplinks_egress_fill(r, 0, NULL);
	return http_page(r, 200, "connector.cs");
}
