/*
 * render.c — ClearSilver templates, parsed once a worker and rendered into
 * memory for each request. Escaping is on by default (VarEscapeMode html);
 * a parse tree is bound to the request's HDF only while it renders.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include <ClearSilver.h>

#include "tether.h"

#define RENDER_MAX_TEMPLATES	48

struct render_tmpl {
	char		*name;
	CSPARSE		*parse;
	HDF		*boot;		/* escaping mode and load path, nothing else */
	size_t		 last_len;	/* its last page's length: room made at once */
};

/* A splice's mark: "splice-" 32 random hex digits, then the splice's
 * number. Random for the process, so no value of anyone's can equal it; a
 * hex word, so every escape mode prints it as it is. */
#define RENDER_MARK_LEN	(7 + 32)
static char	 render_mark[RENDER_MARK_LEN + 1];

/* What render_out writes into: the page, and the splices it may meet. */
struct render_sink {
	struct buf			*out;
	const struct render_splices	*splices;
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

static void
render_mark_init(void)
{
	unsigned char	 r[16];
	size_t		 i;

	if (render_mark[0] != '\0')
		return;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		/* Never on Linux for 16 bytes; still unlike any value typed. */
		uint64_t	 t = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(t >> (8 * (i % 8))) ^ (unsigned char)(i * 151);
	}
	memcpy(render_mark, "splice-", 7);
	for (i = 0; i < sizeof(r); i++)
		snprintf(render_mark + 7 + 2 * i, 3, "%02x", r[i]);
}

struct render_cache *
render_cache_new(const char *dir)
{
	struct render_cache	*rc = xcalloc(1, sizeof(*rc));

	render_mark_init();

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
	struct render_sink	*k = ctx;
	int			 i;

	/* A var printing a splice's mark prints exactly the mark. */
	if (k->splices != NULL && s[0] == 's' &&
	    strncmp(s, render_mark, RENDER_MARK_LEN) == 0) {
		i = s[RENDER_MARK_LEN] - '0';
		if (i >= 0 && i < k->splices->n && s[RENDER_MARK_LEN + 1] == '\0') {
			if (k->splices->fn[i] != NULL)
				k->splices->fn[i](k->out, k->splices->arg[i]);
			else
				buf_append(k->out, k->splices->data[i], k->splices->len[i]);
			return STATUS_OK;
		}
	}
	buf_puts(k->out, s);
	return STATUS_OK;
}

int
render_template(struct render_cache *rc, const char *name, HDF *hdf,
    const struct render_splices *splices, struct buf *out, char *err, size_t errlen)
{
	struct render_tmpl	*t = NULL;
	struct render_sink	 sink = { out, splices };
	NEOERR			*nerr;
	size_t			 start = out->len;
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
	/* Room for a page as long as its last one, made once, not by doubling
	 * the buffer a dozen times on the way. */
	if (t->last_len != 0)
		buf_reserve(out, t->last_len + t->last_len / 8);
	nerr = cs_render(t->parse, &sink, render_out);
	t->last_len = out->len - start;
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

/* The next splice: its mark as node's `name`, its slot empty; its number. */
static int
render_splice_add(HDF *node, const char *name, struct render_splices *sp)
{
	char	 mark[RENDER_MARK_LEN + 2];
	int	 i = sp->n;

	if (i == RENDER_MAX_SPLICES)
		abort();	/* a page with more splices than declared: our bug */
	memcpy(mark, render_mark, RENDER_MARK_LEN);
	mark[RENDER_MARK_LEN] = (char)('0' + i);
	mark[RENDER_MARK_LEN + 1] = '\0';
	render_set(node, name, mark);
	memset(&sp->b[i], 0, sizeof(sp->b[i]));
	sp->data[i] = NULL;
	sp->len[i] = 0;
	sp->fn[i] = NULL;
	sp->arg[i] = NULL;
	sp->n++;
	return i;
}

void
render_splice(HDF *node, const char *name, struct render_splices *sp, struct buf *html)
{
	int	 i = render_splice_add(node, name, sp);

	sp->b[i] = *html;
	sp->data[i] = html->data != NULL ? html->data : "";
	sp->len[i] = html->len;
	memset(html, 0, sizeof(*html));	/* as buf_free leaves it */
}

void
render_splice_kept(HDF *node, const char *name, struct render_splices *sp,
    const char *html)
{
	int	 i = render_splice_add(node, name, sp);

	sp->data[i] = html;	/* nothing owned */
	sp->len[i] = strlen(html);
}

void
render_splice_writer(HDF *node, const char *name, struct render_splices *sp,
    render_writer *fn, void *arg)
{
	int	 i = render_splice_add(node, name, sp);

	sp->fn[i] = fn;
	sp->arg[i] = arg;
}

void
render_splices_free(struct render_splices *sp)
{
	int	 i;

	for (i = 0; i < sp->n; i++)
		buf_free(&sp->b[i]);
	sp->n = 0;
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
	/* As ClearSilver's html escape (neos_html_escape): five entities, and
	 * a carriage return dropped. A table, as a list page escapes every
	 * cell of 50 rows. */
	static const char *const ent[256] = {
		['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
		['\''] = "&#39;", ['\r'] = "",
	};
	const char	*run = s;

	for (;;) {
		while (*s != '\0' && ent[(unsigned char)*s] == NULL)
			s++;
		buf_append(b, run, (size_t)(s - run));
		if (*s == '\0')
			break;
		buf_puts(b, ent[(unsigned char)*s]);
		run = ++s;
	}
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
