/*
 * rowcache.c — the Integrations list's rows (page-index.c): written in C,
 * byte for byte what index.cs's row loop wrote with ClearSilver (escaping,
 * timestamp() and count() of macros.cs included; tests/unit/test_render.c
 * compares them), and kept by each worker per row.
 *
 * A row's markup is a function of the values the page query read for it
 * (and of the catalog, fixed for a worker's life). A kept row is used only
 * when its id and every one of those values are byte for byte the ones it
 * was rendered from, so a kept row is never older than the query asking for
 * it and never shows anyone a row their query did not return; a status
 * change re-renders one row, not the page. Slots are picked by id (direct
 * mapped): bounded memory, no eviction bookkeeping; two ids on one slot
 * take turns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tether.h"
#include "web.h"

struct rowcache_slot {
	int64_t		 id;		/* 0: the slot is free */
	char		*key;		/* the values, NUL-separated */
	size_t		 keylen;
	char		*html;
	size_t		 len;
};

struct rowcache {
	struct rowcache_slot	*slots;
	size_t			 nslots;
};

struct rowcache *
rowcache_new(int nslots)
{
	struct rowcache	*rc;

	if (nslots <= 0)
		return NULL;
	rc = xcalloc(1, sizeof(*rc));
	rc->slots = xcalloc((size_t)nslots, sizeof(*rc->slots));
	rc->nslots = (size_t)nslots;
	return rc;
}

void
rowcache_free(struct rowcache *rc)
{
	size_t	 i;

	if (rc == NULL)
		return;
	for (i = 0; i < rc->nslots; i++) {
		free(rc->slots[i].key);
		free(rc->slots[i].html);
	}
	free(rc->slots);
	free(rc);
}

const char *
rowcache_get(struct rowcache *rc, int64_t id, const char *key, size_t keylen,
    size_t *len)
{
	struct rowcache_slot	*e;

	if (rc == NULL || id <= 0)
		return NULL;
	e = &rc->slots[(uint64_t)id % rc->nslots];
	if (e->id != id || e->keylen != keylen || memcmp(e->key, key, keylen) != 0)
		return NULL;
	*len = e->len;
	return e->html;
}

void
rowcache_put(struct rowcache *rc, int64_t id, const char *key, size_t keylen,
    const char *html, size_t len)
{
	struct rowcache_slot	*e;

	if (rc == NULL || id <= 0)
		return;
	e = &rc->slots[(uint64_t)id % rc->nslots];
	e->key = xrealloc(e->key, keylen > 0 ? keylen : 1);
	memcpy(e->key, key, keylen);
	e->keylen = keylen;
	e->html = xrealloc(e->html, len > 0 ? len : 1);
	memcpy(e->html, html, len);
	e->len = len;
	e->id = id;
}

/* ------------------------------------------------------------- markup */

/* ClearSilver's truth of a value: empty is false, a number is its value. */
static int
rowcache_true(const char *v)
{
	const char	*p = v;
	char		*end;
	long		 n;

	if (*v == '\0')
		return 0;
	/* Digits then another character (a time, "12 flows"): strtol would
	 * stop there, so true; only what may be a whole number is parsed. */
	while (*p >= '0' && *p <= '9')
		p++;
	if (p != v && *p != '\0' && *p != 'x' && *p != 'X')
		return 1;
	n = strtol(v, &end, 0);
	return *end != '\0' || n != 0;
}

/* string.slice(v, from, to), escaped: ClearSilver clamps to the length. */
static void
rowcache_slice(struct buf *b, const char *v, size_t from, size_t to)
{
	size_t	 len = strlen(v);
	char	 part[64];

	if (to > len)
		to = len;
	if (from >= to || to - from >= sizeof(part))
		return;
	memcpy(part, v + from, to - from);
	part[to - from] = '\0';
	render_html(b, part);
}

/* macros.cs thousands(n): "1,234,567". */
static void
rowcache_thousands(struct buf *b, long long n)
{
	char		 d[32], *p = d + sizeof(d);
	unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
	int		 k = 0;

	/* Written backwards, a comma every three digits. */
	do {
		if (k++ == 3) {
			*--p = ',';
			k = 1;
		}
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (n < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(d + sizeof(d) - p));
}

void
rowcache_html(struct buf *b, const struct rowcache_row *w)
{
	long long	 flows = strtoll(w->flows, NULL, 10);

	BUF_LIT(b, "\n<tr>\n<th scope=\"row\"><a href=\"/connections/");
	render_html(b, w->id);
	BUF_LIT(b, "\">");
	render_html(b, w->name);
	BUF_LIT(b, "</a></th>\n<td data-label=\"Connector\">");
	render_html(b, w->connector_title);
	BUF_LIT(b, "</td>\n<td data-label=\"Authentication\">");
	render_html(b, w->protocol_label);
	BUF_LIT(b, "</td>\n<td data-label=\"Status\"><span class=\"badge badge-");
	render_html(b, w->status);
	BUF_LIT(b, "\">");
	render_html(b, w->status_label);
	BUF_LIT(b, "</span></td>\n<td data-label=\"Last tested\">");
	if (rowcache_true(w->tested)) {
		/* timestamp(): "YYYY-MM-DD HH:MI" as <time datetime=…Z>. */
		BUF_LIT(b, "<span class=\"tested-at\"><time datetime=\"");
		rowcache_slice(b, w->tested, 0, 10);
		BUF_LIT(b, "T");
		rowcache_slice(b, w->tested, 11, 16);
		BUF_LIT(b, "Z\">");
		rowcache_slice(b, w->tested, 0, 16);
		BUF_LIT(b, "</time></span>");
		if (strcmp(w->result, "ok") == 0)
			BUF_LIT(b, " <span class=\"test-result test-pass\">Passed</span>");
		else if (strcmp(w->result, "unsupported") == 0)
			BUF_LIT(b, " <span class=\"test-result muted\">No test</span>");
		else if (rowcache_true(w->result))
			BUF_LIT(b, " <span class=\"test-result test-fail\">Failed</span>");
	} else
		BUF_LIT(b, "<span class=\"muted\">Never</span>");
	BUF_LIT(b, "</td>\n<td data-label=\"Owner team\">");
	if (rowcache_true(w->team))
		render_html(b, w->team);
	else
		BUF_LIT(b, "<span class=\"muted\">—</span>");
	BUF_LIT(b, "</td>\n<td data-label=\"Flows\" class=\"num\">");
	if (flows > 0) {
		/* count(): "1 flow", "1,234 flows". */
		BUF_LIT(b, "<a href=\"/connections/");
		render_html(b, w->id);
		BUF_LIT(b, "/related\">");
		rowcache_thousands(b, flows);
		buf_puts(b, flows == 1 ? " flow</a>" : " flows</a>");
	} else
		BUF_LIT(b, "<span class=\"muted\">No flows</span>");
	BUF_LIT(b, "</td>\n</tr>");
}

void
rowcache_health(struct buf *b, const long long health[3], int horizon_days)
{
	if (health[0] + health[1] + health[2] <= 0) {
		BUF_LIT(b, "\n<p class=\"health-calm\"><span class=\"badge badge-ok\">All clear</span>"
		    " No connection is failing, needs reconnect or expires within ");
		buf_printf(b, "%d days.</p>", horizon_days);
		return;
	}
	BUF_LIT(b, "\n<ul class=\"health-counts\" role=\"list\">");
	if (health[0] > 0) {
		BUF_LIT(b, "\n<li><a class=\"health-count health-failing\" href=\"/?status=failing\">"
		    "<span class=\"badge badge-failing\">");
		rowcache_thousands(b, health[0]);
		BUF_LIT(b, " failing</span></a></li>");
	}
	if (health[1] > 0) {
		BUF_LIT(b, "\n<li><a class=\"health-count health-reconnect\""
		    " href=\"/?status=needs_reconnect\"><span class=\"badge badge-needs_reconnect\">");
		rowcache_thousands(b, health[1]);
		BUF_LIT(b, " needs reconnect</span></a></li>");
	}
	if (health[2] > 0) {
		BUF_LIT(b, "\n<li><a class=\"health-count health-expiring\" href=\"/?status=expiring\">"
		    "<span class=\"badge badge-expiring\">");
		rowcache_thousands(b, health[2]);
		buf_printf(b, " expiring within %d days</span></a></li>", horizon_days);
	}
	BUF_LIT(b, "\n</ul>");
}
