/*
 * render.c — ClearSilver templates, parsed once a worker and rendered into
 * memory for each request. Escaping is on by default (VarEscapeMode html);
 * a parse tree is bound to the request's HDF only while it renders.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>

#include "tether.h"

#define RENDER_MAX_TEMPLATES	48

struct render_tmpl {
	char		*name;
	CSPARSE		*parse;
	HDF		*boot;		/* escaping mode and load path, nothing else */
};

struct render_cache {
	char			*dir;
	HDF			*global;	/* render_global(), or NULL */
	struct render_tmpl	 t[RENDER_MAX_TEMPLATES];
	int			 n;
};

static void
render_neoerr(NEOERR *nerr, char *err, size_t errlen)
{
	STRING	 s;

	string_init(&s);
	nerr_error_string(nerr, &s);
	snprintf(err, errlen, "%s", s.buf != NULL ? s.buf : "template error");
	string_clear(&s);
	nerr_ignore(&nerr);
}

struct render_cache *
render_cache_new(const char *dir)
{
	struct render_cache	*rc = xcalloc(1, sizeof(*rc));

	rc->dir = xstrdup(dir);
	return rc;
}

static void
render_tmpl_free(struct render_tmpl *t)
{
	cs_destroy(&t->parse);
	hdf_destroy(&t->boot);
	free(t->name);
	memset(t, 0, sizeof(*t));
}

void
render_cache_free(struct render_cache *rc)
{
	int	 i;

	if (rc == NULL)
		return;
	for (i = 0; i < rc->n; i++)
		render_tmpl_free(&rc->t[i]);
	hdf_destroy(&rc->global);
	free(rc->dir);
	free(rc);
}

HDF *
render_global(struct render_cache *rc)
{
	if (rc->global == NULL)
		rc->global = render_hdf_new();
	return rc->global;
}

HDF *
render_hdf_new(void)
{
	HDF	*hdf = NULL;

	if (hdf_init(&hdf) != STATUS_OK)
		abort();
	return hdf;
}

/* Parse `name` for the cache; NULL and a message on error. */
static struct render_tmpl *
render_load(struct render_cache *rc, const char *name, char *err, size_t errlen)
{
	struct render_tmpl	 t;
	NEOERR			*nerr;

	memset(&t, 0, sizeof(t));
	t.name = xstrdup(name);
	if ((nerr = hdf_init(&t.boot)) != STATUS_OK ||
	    (nerr = hdf_set_value(t.boot, "Config.VarEscapeMode", "html")) != STATUS_OK ||
	    (nerr = hdf_set_value(t.boot, "hdf.loadpaths.0", rc->dir)) != STATUS_OK ||
	    (nerr = cs_init(&t.parse, t.boot)) != STATUS_OK ||
	    (nerr = cgi_register_strfuncs(t.parse)) != STATUS_OK ||
	    (nerr = cs_parse_file(t.parse, t.name)) != STATUS_OK) {
		render_neoerr(nerr, err, errlen);
		render_tmpl_free(&t);
		return NULL;
	}
	if (rc->n == RENDER_MAX_TEMPLATES) {
		/* Never happens with the templates we ship; keep working anyway. */
		render_tmpl_free(&rc->t[--rc->n]);
	}
	rc->t[rc->n] = t;
	return &rc->t[rc->n++];
}

static NEOERR *
render_out(void *ctx, char *s)
{
	buf_puts(ctx, s);
	return STATUS_OK;
}

int
render_template(struct render_cache *rc, const char *name, HDF *hdf,
    struct buf *out, char *err, size_t errlen)
{
	struct render_tmpl	*t = NULL;
	NEOERR			*nerr;
	int			 i;

	for (i = 0; i < rc->n; i++)
		if (strcmp(rc->t[i].name, name) == 0) {
			t = &rc->t[i];
			break;
		}
	if (t == NULL && (t = render_load(rc, name, err, errlen)) == NULL)
		return -1;

	t->parse->hdf = hdf;
	t->parse->global_hdf = rc->global;	/* read where hdf has no such name */
	nerr = cs_render(t->parse, out, render_out);
	t->parse->global_hdf = NULL;
	t->parse->hdf = t->boot;
	if (nerr != STATUS_OK) {
		render_neoerr(nerr, err, errlen);
		return -1;
	}
	return 0;
}

HDF *
render_node(HDF *hdf, const char *fmt, ...)
{
	char	 name[256];
	va_list	 ap;
	HDF	*node = NULL;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (hdf_get_node(hdf, name, &node) != STATUS_OK)
		abort();	/* only allocation fails here */
	return node;
}

void
render_set(HDF *node, const char *name, const char *value)
{
	if (hdf_set_value(node, name, value != NULL ? value : "") != STATUS_OK)
		abort();
}

void
render_set_int(HDF *node, const char *name, long long value)
{
	char	 v[24];

	snprintf(v, sizeof(v), "%lld", value);
	render_set(node, name, v);
}

void
render_row(HDF *node, struct pg_result *res, int row, const char *const *map)
{
	int	 k;

	for (k = 0; map[k] != NULL && map[k + 1] != NULL; k += 2)
		render_set(node, map[k], db_get(res, row, map[k + 1]));
}

void
render_rows(HDF *root, const char *prefix, struct pg_result *res, const char *const *map)
{
	int	 i;

	for (i = 0; i < db_rows(res); i++)
		render_row(render_node(root, "%s.%d", prefix, i), res, i, map);
}

void
render_html(struct buf *b, const char *s)
{
	const char	*run = s;

	/* As ClearSilver's html escape (neos_html_escape): five entities, and
	 * a carriage return dropped. */
	for (; *s != '\0'; s++) {
		const char	*ent;

		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '\r': ent = ""; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, ent);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void
render_options_selected(struct buf *out, const char *html, const char *value)
{
	struct buf	 needle;
	const char	*at;

	buf_init(&needle);
	buf_puts(&needle, "\n<option value=\"");
	render_html(&needle, value != NULL ? value : "");
	buf_puts(&needle, "\">");
	if (value == NULL || *value == '\0' || (at = strstr(html, needle.data)) == NULL) {
		buf_puts(out, html);
	} else {
		at += needle.len - 1;	/* at its ">" */
		buf_append(out, html, (size_t)(at - html));
		buf_puts(out, " selected");
		buf_puts(out, at);
	}
	buf_free(&needle);
}

void
render_option_html(struct buf *b, const char *value, const char *label, int selected)
{
	buf_puts(b, "\n<option value=\"");
	render_html(b, value != NULL ? value : "");
	buf_puts(b, selected ? "\" selected>" : "\">");
	render_html(b, label != NULL ? label : "");
	buf_puts(b, "</option>");
}
