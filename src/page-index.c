/*
 * page-index.c — the Integrations tab: popular connectors and the list of
 * connections the user may see, searched, filtered, sorted and paged.
 * Inputs: GET q, connector, status (a status, or "expiring": a secret or
 * refresh token expiring within health.expiry_horizon_days, or expired),
 * team, unused (30 or 90: no credential read by the engine in that many
 * days, and older than that), sort, page (all optional; bad values are ignored with a message,
 * the view stays usable), after or before (with page > 1: a row id, the
 * keyset cursor Next and Previous carry; one that is bad, gone or not the
 * user's to see is ignored and the page read by number).
 * Statuses: 200, 302 (to /login), 503.
 * One count and one page query; each filter combination is a statement of
 * its own, prepared once, so every plan can use the matching index. The
 * health summary above the list (failing, needs reconnect, expiring) is
 * one more query of three index lookups.
 * A page a worker rendered before is served again while the list version
 * says nothing it shows has changed (listcache.c); rows are written in C
 * and kept per row (rowcache.c), so a status change re-renders one row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

#define PAGE_SIZE	50
#define PAGE_MAX	10000
#define POPULAR_MAX	6
#define START_FULL_MAX	5	/* connections shown before "Get started" folds to a row */

/* The Integrations tab's view: connlist.c's filters and sort, and a page. */
struct list_query {
	struct connlist	 cl;
	long long	 page;
	const char	*after;		/* keyset: the page after this row id, */
	const char	*before;	/* or before it (page > 1 only) */
};

static const char *
status_label(const char *key)
{
	size_t	 i;

	for (i = 0; i < CONNLIST_NSTATUSES; i++)
		if (strcmp(connlist_statuses[i].key, key) == 0)
			return connlist_statuses[i].label;
	return key;
}

/* Read and check the filters; a bad one is dropped (a bad search or
 * connector with a message). */
static void
list_read(struct req *r, struct list_query *lq)
{
	static const char *const keys[] = { "q", "connector", "status", "team", "unused",
	    "sort" };
	const char	*v, *why;
	long long	 n;
	size_t		 i;

	connlist_init(&lq->cl, &r->actor);
	lq->page = 1;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((why = connlist_set(&lq->cl, &r->app->catalog, keys[i],
		    req_param(r, keys[i]))) != NULL && i < 2)
			http_flash(r, "error", why);
	if ((v = req_param(r, "page")) != NULL && valid_int(v, 1, PAGE_MAX, &n) == NULL)
		lq->page = n;
	lq->after = lq->before = NULL;
	if (lq->page > 1 && (v = req_param(r, "after")) != NULL &&
	    valid_int(v, 1, INT64_MAX / 2, NULL) == NULL)
		lq->after = v;
	else if (lq->page > 1 && (v = req_param(r, "before")) != NULL &&
	    valid_int(v, 1, INT64_MAX / 2, NULL) == NULL)
		lq->before = v;
}

/*
 * The view's total: exact from the trigger-kept counts where the filters
 * allow (connlist_count_kept), else counted over the rows up to a cap: at
 * least LIST_COUNT_CAP, and past the page asked for. A count that reaches
 * the cap is "at least": Pager.Estimated and Pager.AtLeast say so, and n
 * is one more than AtLeast, so there is a next page while rows remain.
 */
#define LIST_COUNT_CAP	10000

/* Where the list's reads are in their batch (db_batch: one round trip). */
struct list_reads {
	int	 teams;		/* -1: an admin's kept options */
	int	 count;
	int	 rows;
	int	 health;
	int	 capped;	/* the count stops at cap */
	char	 cap[24];
};

static void
list_count_queue(const struct list_query *lq, struct db_batch *b, struct list_reads *q)
{
	struct buf	 sql;
	const char	*params[12];
	char		 name[32];
	long long	 k = lq->page * PAGE_SIZE;
	int		 n;

	buf_init(&sql);
	buf_puts(&sql, "SELECT x.n, (SELECT v FROM list_version) AS lv FROM (");
	q->capped = 0;
	q->cap[0] = '\0';
	if ((n = connlist_count_kept(&lq->cl, &sql, params)) < 0) {
		buf_puts(&sql, "SELECT count(*) AS n FROM (SELECT 1");
		n = connlist_from(&lq->cl, &sql, params);
		snprintf(q->cap, sizeof(q->cap), "%lld",
		    (k > LIST_COUNT_CAP ? k : LIST_COUNT_CAP) + 1);
		params[n++] = q->cap;
		buf_printf(&sql, " LIMIT $%d::bigint) c", n);
		q->capped = 1;
	}
	buf_puts(&sql, ") x");
	snprintf(name, sizeof(name), "list_count_%u", lq->cl.mask);
	q->count = db_batch_add(b, name, sql.data, n, params);
	buf_free(&sql);
}

/* A count that reached its cap is "at least" (Pager.Estimated). */
static void
list_count_note(struct req *r, PGresult *count, const struct list_reads *q)
{
	long long	 at_least;

	if (!q->capped || strcmp(db_get(count, 0, "n"), q->cap) != 0)
		return;
	at_least = strtoll(q->cap, NULL, 10) - 1;
	render_set(r->hdf, "Pager.Estimated", "1");
	render_set_int(r->hdf, "Pager.AtLeast", at_least);
	render_set_int(r->hdf, "Pager.PagesAtLeast", at_least / PAGE_SIZE);
}

/*
 * The page: by OFFSET (page numbers), or by keyset when `cursor` is 'a'
 * (the rows after lq->after in the sort's order) or 'b' (before
 * lq->before): a range read of the sort's index from that row's key.
 * Queued on b: its index.
 */
static int
list_page_queue(const struct list_query *lq, char cursor, struct db_batch *b)
{
	const struct connlist_keyset *ks = connlist_keyset(&lq->cl);
	struct buf	 sql;
	const char	*params[12];
	char		 name[40], offset[24], take[24];
	int		 n, i;

	buf_init(&sql);
	/* The page first, then flows counted for its 50 rows only (not for
	 * every row OFFSET skips). */
	buf_puts(&sql, "SELECT c.id, c.name, c.connector, c.auth_protocol, c.status,"
	    " to_char(c.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS tested,"
	    " c.last_test_result, c.owner_team_id, t.name AS team,"
	    " (SELECT count(*) FROM flow_connections fc WHERE fc.connection_id = c.id)"
	    " AS flows, (SELECT v FROM list_version) AS lv"
	    " FROM (SELECT c.*");
	/* Every part of a member's rows is read in order up to `take` rows:
	 * from the cursor's row a page, else up to the page asked for. */
	if (cursor == 'a' || cursor == 'b') {
		snprintf(take, sizeof(take), "%d", PAGE_SIZE);
		n = connlist_from_top(&lq->cl, &sql, params, take,
		    cursor == 'b' ? lq->before : lq->after, cursor == 'b');
		buf_printf(&sql, " ORDER BY %s LIMIT %d) c",
		    cursor == 'b' ? ks->backward : ks->forward, PAGE_SIZE);
	} else if (lq->page == 1) {
		cursor = 'o';
		snprintf(take, sizeof(take), "%d", PAGE_SIZE);
		n = connlist_from_top(&lq->cl, &sql, params, take, NULL, 0);
		buf_printf(&sql, " ORDER BY %s LIMIT %d) c", connlist_order(&lq->cl), PAGE_SIZE);
	} else {
		/* A page by number: its ids first, which the sort's index alone
		 * can give past the rows OFFSET skips (sql/033), then its rows. */
		cursor = 'n';
		snprintf(take, sizeof(take), "%lld", lq->page * PAGE_SIZE);
		buf_puts(&sql, " FROM connections c WHERE c.id IN (SELECT c.id");
		n = connlist_from_top(&lq->cl, &sql, params, take, NULL, 0);
		snprintf(offset, sizeof(offset), "%lld", (lq->page - 1) * PAGE_SIZE);
		params[n++] = offset;
		buf_printf(&sql, " ORDER BY %s LIMIT %d OFFSET $%d)) c",
		    connlist_order(&lq->cl), PAGE_SIZE, n);
	}
	buf_printf(&sql, " JOIN teams t ON t.id = c.owner_team_id ORDER BY %s",
	    connlist_order(&lq->cl));
	snprintf(name, sizeof(name), "list_page_%u_%d_%c", lq->cl.mask, lq->cl.sort, cursor);
	i = db_batch_add(b, name, sql.data, n, params);
	buf_free(&sql);
	return i;
}

/* The page by number alone (after a cursor that found nothing, or past
 * the last page): NULL when the database failed. */
static PGresult *
list_page_by_number(struct req *r, const struct list_query *lq)
{
	struct db_batch	 b;
	PGresult	*res = NULL;
	int		 i;

	db_batch_init(&b);
	i = list_page_queue(lq, 'o', &b);
	if (db_batch_run(&r->app->db, &b) == 0)
		res = db_batch_take(&b, i);
	db_batch_free(&b);
	return res;
}

/*
 * The health summary: failing, needs reconnect and expiring connections the
 * user may see, whatever the filters (connlist_health): sums over the
 * trigger-kept counts, shared rows through connection_shares, and the
 * expiring ones through the per-team expiry index.
 */
static int
list_health_queue(const struct list_query *lq, struct db_batch *b)
{
	struct buf	 sql;
	const char	*params[2];
	int		 n, i;

	buf_init(&sql);
	buf_puts(&sql, "SELECT h.*, (SELECT v FROM list_version) AS lv FROM (");
	n = connlist_health(&lq->cl, &sql, params);
	buf_puts(&sql, ") h");
	i = db_batch_add(b, n == 1 ? "list_health" : "list_health_vis", sql.data, n, params);
	buf_free(&sql);
	return i;
}

/* The summary's markup, where the page notes it: a kept copy of the page
 * takes new counts there (listcache.c). */
struct list_health_html {
	struct req	*r;
	long long	 v[3];
};

static void
list_health_write(struct buf *out, void *arg)
{
	struct list_health_html	*h = arg;

	h->r->hole_at = out->len;
	rowcache_health(out, h->v, h->r->app->cfg.expiry_horizon_days);
	h->r->hole_len = out->len - h->r->hole_at;
	h->r->hole = 1;
}

static void
list_fill_health(struct req *r, const long long v[3], struct list_health_html *h)
{
	HDF	*n = render_node(r->hdf, "Health");

	render_set_int(n, "Failing", v[0]);
	render_set_int(n, "NeedsReconnect", v[1]);
	render_set_int(n, "Expiring", v[2]);
	render_set_int(n, "HorizonDays", r->app->cfg.expiry_horizon_days);
	h->r = r;
	memcpy(h->v, v, sizeof(h->v));
	render_splice_writer(r->hdf, "Health.Html", &r->splices, list_health_write, h);
}

/* "?q=…&connector=…&sort=…&page=N": the current view with one change. */
static void
list_query_string(struct buf *b, const struct list_query *lq, int sort, long long page)
{
	char	 sep = '?';

#define QS_ADD(key, value) do {					\
	buf_printf(b, "%c%s=", sep, key);			\
	buf_url_encode(b, value);				\
	sep = '&';						\
} while (0)
	if (lq->cl.q != NULL)
		QS_ADD("q", lq->cl.q);
	if (lq->cl.connector != NULL)
		QS_ADD("connector", lq->cl.connector);
	if (lq->cl.status != NULL)
		QS_ADD("status", lq->cl.status);
	if (lq->cl.team != NULL)
		QS_ADD("team", lq->cl.team);
	if (lq->cl.unused != NULL)
		QS_ADD("unused", lq->cl.unused);
	if (sort != 0)
		QS_ADD("sort", connlist_sorts[sort].key);
	if (page > 1) {
		buf_printf(b, "%cpage=%lld", sep, page);
		sep = '&';
	}
#undef QS_ADD
	if (b->len == 0)
		buf_puts(b, "?");
}

/* The view with one change; `cursor` "after=ID", "before=ID" or NULL. */
static void
list_set_query(HDF *hdf, const char *name, const struct list_query *lq, int sort,
    long long page, const char *cursor)
{
	struct buf	 b;

	buf_init(&b);
	list_query_string(&b, lq, sort, page);
	if (cursor != NULL && page > 1)
		buf_printf(&b, "&%s", cursor);
	render_set(hdf, name, b.data);
	buf_free(&b);
}

/*
 * The popular connectors, statuses and sorts: the same for every request
 * of a worker (the catalog is loaded once), so set once into the worker's
 * global HDF (render_global), which templates read where the request's HDF
 * has no such name. (The connector filter's options are markup the worker
 * keeps: list_fill_options.)
 */
static void
list_fill_constant(const struct catalog *cat, HDF *g)
{
	HDF	*n;
	size_t	 i;
	int	 popular = 0;

	for (i = 0; i < cat->nkeys; i++) {
		HDF	*def = catalog_get(cat, cat->keys[i]);

		if (popular < POPULAR_MAX && hdf_get_int_value(def, "popular", 0) == 1) {
			n = render_node(g, "Popular.%d", popular++);
			render_set(n, "Key", cat->keys[i]);
			render_set(n, "Title", hdf_get_value(def, "title", ""));
			render_set(n, "Category", hdf_get_value(def, "category", ""));
			render_set(n, "Description", hdf_get_value(def, "description", ""));
		}
	}
	for (i = 0; i < CONNLIST_NSTATUSES; i++) {
		n = render_node(g, "Options.Statuses.%zu", i);
		render_set(n, "Key", connlist_statuses[i].key);
		render_set(n, "Label", connlist_statuses[i].label);
	}
	for (i = 0; i < CONNLIST_NSORTS; i++) {
		n = render_node(g, "Options.Sorts.%zu", i);
		render_set(n, "Key", connlist_sorts[i].key);
		render_set(n, "Label", connlist_sorts[i].label);
	}
}

/* Options (render_option_html's, kept for the render) as the splice
 * `name`, with `value`'s option selected. */
static void
list_options_splice(struct req *r, const char *name, const char *options,
    const char *value)
{
	struct buf	 html;

	if (value == NULL || *value == '\0') {
		render_splice_kept(r->hdf, name, &r->splices, options);
		return;
	}
	buf_init(&html);
	render_options_selected(&html, options, value);
	render_splice(r->hdf, name, &r->splices, &html);
}

static void
list_fill_options(struct req *r, const struct list_query *lq, const char *team_options)
{
	const struct catalog	*cat = &r->app->catalog;
	HDF			*g = render_global(r->app->templates), *n;
	struct buf		 html;
	size_t			 i;

	if (hdf_get_obj(g, "Options.Statuses") == NULL)
		list_fill_constant(cat, g);
	/* The connectors' and teams' options are markup written here, kept
	 * (the connectors for the worker's life, an admin's teams while the
	 * teams stay the same) and marked for the selected one: an admin's
	 * team filter lists every team, and hundreds of nodes and each-loop
	 * turns cost more than the rest of the page. */
	if (r->app->connector_options_html == NULL) {
		buf_init(&html);
		for (i = 0; i < cat->nkeys; i++)
			render_option_html(&html, cat->keys[i], hdf_get_value(catalog_get(cat,
			    cat->keys[i]), "title", ""), 0);
		r->app->connector_options_html = html.data;
	}
	/* Kept as they are when none is selected (an admin's teams: tens of
	 * kilobytes not copied). */
	list_options_splice(r, "Options.ConnectorsHtml", r->app->connector_options_html,
	    lq->cl.connector);
	list_options_splice(r, "Options.TeamsHtml", team_options, lq->cl.team);
	n = render_node(r->hdf, "Filter");
	render_set(n, "Q", lq->cl.q);
	render_set(n, "Connector", lq->cl.connector);
	render_set(n, "Status", lq->cl.status);
	render_set(n, "Team", lq->cl.team);
	render_set(n, "Unused", lq->cl.unused);
	render_set(n, "Sort", connlist_sorts[lq->cl.sort].key);
	render_set_int(n, "Page", lq->page);
	render_set(n, "Active", (lq->cl.mask & ~CONNLIST_VISIBLE) != 0 ? "1" : "0");
}

/* The page's rows, written when the template prints Rows.Html. */
struct list_rows {
	struct req	*r;
	PGresult	*rows;
};

/* The values a row shows, in list_row_html's order. */
enum { ROW_ID, ROW_NAME, ROW_CONNECTOR, ROW_PROTOCOL, ROW_STATUS, ROW_TESTED, ROW_RESULT,
    ROW_TEAM, ROW_FLOWS, ROW_NVALUES };

static void
list_row_html(struct buf *out, const struct catalog *cat, const char *const *v)
{
	struct rowcache_row	 w;

	w.id = v[ROW_ID];
	w.name = v[ROW_NAME];
	w.connector_title = catalog_title(cat, v[ROW_CONNECTOR]);
	w.protocol_label = catalog_protocol_label(cat, v[ROW_CONNECTOR], v[ROW_PROTOCOL]);
	/* An OAuth code connection never tested was never authorised: as on
	 * its Details (connpage_never_connected), not "Not tested yet". */
	if (strcmp(v[ROW_STATUS], "not_tested") == 0 && strcmp(connector_protocol_kind(cat,
	    v[ROW_CONNECTOR], v[ROW_PROTOCOL]), "oauth2_code") == 0) {
		w.status = "not_connected";
		w.status_label = "Not connected yet";
	} else {
		w.status = v[ROW_STATUS];
		w.status_label = status_label(v[ROW_STATUS]);
	}
	w.tested = v[ROW_TESTED];
	w.result = v[ROW_RESULT];
	w.team = v[ROW_TEAM];
	w.flows = v[ROW_FLOWS];
	rowcache_html(out, &w);
}

/* A row's markup from the worker's kept copy when every value it shows is
 * the same, else written (rowcache.c) and kept: straight into the page.
 * key: scratch for the values as the row cache keys them. */
static void
list_row_write(struct buf *out, struct req *r, const char *const *v, struct buf *key)
{
	const char	*kept;
	size_t		 len, k;
	int64_t		 id = strtoll(v[ROW_ID], NULL, 10);

	key->len = 0;
	for (k = 0; k < ROW_NVALUES; k++)
		buf_append(key, v[k], strlen(v[k]) + 1);	/* with its NUL */
	if ((kept = rowcache_get(r->app->rowcache, id, key->data, key->len, &len)) != NULL) {
		buf_append(out, kept, len);
		return;
	}
	len = out->len;
	list_row_html(out, &r->app->catalog, v);
	rowcache_put(r->app->rowcache, id, key->data, key->len, out->data + len, out->len - len);
}

/* The page's rows, from the page query. */
static void
list_rows_write(struct buf *out, void *arg)
{
	const struct list_rows	*lr = arg;
	struct req		*r = lr->r;
	PGresult		*rows = lr->rows;
	/* Column numbers once, not a name lookup for each of 50 x 9 cells. */
	const int		 cols[] = { db_col(rows, "id"), db_col(rows, "name"),
				    db_col(rows, "connector"), db_col(rows, "auth_protocol"),
				    db_col(rows, "status"), db_col(rows, "tested"),
				    db_col(rows, "last_test_result"), db_col(rows, "team"),
				    db_col(rows, "flows") };
	const char		*v[ROW_NVALUES];
	struct buf		 key;
	size_t			 k;
	int			 i;

	buf_init(&key);
	for (i = 0; i < db_rows(rows); i++) {
		for (k = 0; k < ROW_NVALUES; k++)
			v[k] = db_value(rows, i, cols[k]);
		list_row_write(out, r, v, &key);
	}
	buf_free(&key);
}

/* Previous and Next carry a cursor (the first and the last row shown): the
 * page next to this one is a keyset read, not an OFFSET. */
static void
list_fill_pager(struct req *r, const struct list_query *lq, long long total, int shown,
    const char *first_id, const char *last_id)
{
	HDF		*p = render_node(r->hdf, "Pager");
	long long	 pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	int		 by_name = lq->cl.sort <= 1, by_tested = lq->cl.sort >= 2;
	char		 prev[40], next[40];

	snprintf(prev, sizeof(prev), "before=%s", shown > 0 ? first_id : "");
	snprintf(next, sizeof(next), "after=%s", shown > 0 ? last_id : "");
	render_set_int(p, "Total", total);
	render_set_int(p, "Page", lq->page);
	render_set_int(p, "Pages", pages > 0 ? pages : 1);
	render_set_int(p, "First", shown > 0 ? (lq->page - 1) * PAGE_SIZE + 1 : 0);
	render_set_int(p, "Last", shown > 0 ? (lq->page - 1) * PAGE_SIZE + shown : 0);
	if (lq->page > 1)
		list_set_query(p, "PrevQuery", lq, lq->cl.sort,
		    lq->page - 1 < pages ? lq->page - 1 : pages,
		    shown > 0 && lq->page - 1 < pages ? prev : NULL);
	if (lq->page < pages)
		list_set_query(p, "NextQuery", lq, lq->cl.sort, lq->page + 1,
		    shown > 0 ? next : NULL);
	/* Column headers flip the direction of the current sort. */
	p = render_node(r->hdf, "Sort");
	list_set_query(p, "Name.Query", lq, lq->cl.sort == 0 ? 1 : 0, 1, NULL);
	render_set(p, "Name.Dir", !by_name ? "" : lq->cl.sort == 0 ? "asc" : "desc");
	list_set_query(p, "Tested.Query", lq, lq->cl.sort == 2 ? 3 : 2, 1, NULL);
	render_set(p, "Tested.Dir", !by_tested ? "" : lq->cl.sort == 3 ? "asc" : "desc");
}

/*
 * What the viewer may start: User.CanCreate ("1" for admins and managers of
 * a team; members and viewers get the reason instead of the buttons), and
 * Start.Mode, how the "Get started" strip shows: "full" while the viewer
 * sees few connections and filters nothing, "compact" (one row) after.
 */
static void
list_fill_start(struct req *r, const struct list_query *lq, long long total)
{
	/* As of the session lookup, as everything else the page shows. */
	render_set(r->hdf, "User.CanCreate", r->sess->is_admin || r->sess->is_manager ?
	    "1" : "0");
	render_set(r->hdf, "Start.Mode", (lq->cl.mask & ~CONNLIST_VISIBLE) == 0 &&
	    total <= START_FULL_MAX ? "full" : "compact");
}

/* The list version a result was read at (its "lv" column), -1 if unknown. */
static int64_t
list_result_version(PGresult *res)
{
	if (res == NULL || db_rows(res) == 0)
		return -1;
	return strtoll(db_get(res, 0, "lv"), NULL, 10);
}

/* The options of the teams in res (columns id, name), none selected. */
static char *
list_team_options_html(PGresult *res)
{
	struct buf	 html;
	int		 i, id = db_col(res, "id"), name = db_col(res, "name");

	buf_init(&html);
	for (i = 0; i < db_rows(res); i++)
		render_option_html(&html, db_value(res, i, id), db_value(res, i, name), 0);
	return html.data;
}

/*
 * The team filter's options. Admins see every team; that list is the same
 * for all of them, so a worker keeps its markup while the teams' stamp
 * (sql/032) read by this request's session lookup stays: current as of
 * that lookup, as a kept page is. Others' depend on who they are and are
 * read with the page and kept per user under their scope version
 * (listcache.c). NULL: read them (list_teams_read).
 */
static const char *
list_teams_kept(struct req *r)
{
	struct app	*app = r->app;

	if (!r->sess->is_admin)
		return list_cache_teams(r);
	if (app->all_teams_html != NULL && app->all_teams_version == r->sess->teams_version)
		return app->all_teams_html;
	return NULL;
}

/* The options read (res: id, name, lv): an admin's are kept by the worker
 * (*owned 0), a member's are the caller's to free (*owned 1) and *lv the
 * list version they were read at. */
static char *
list_teams_read(struct req *r, PGresult *res, int64_t *lv, int *owned)
{
	struct app	*app = r->app;
	char		*html = list_team_options_html(res);

	if (!r->sess->is_admin) {
		*lv = list_result_version(res);
		*owned = 1;
		return html;
	}
	free(app->all_teams_html);
	app->all_teams_html = html;
	app->all_teams_version = r->sess->teams_version;
	return html;
}

/* A flash (a bad filter, or a message from the previous page) is shown
 * once: such a page is neither served from nor kept in the list cache. */
static int
list_has_flash(const struct req *r)
{
	return hdf_get_value(r->hdf, "Flash.Message", NULL) != NULL;
}

/* ------------------------------------------------ from the worker's copy */

/* Whether the worker's copy of the list (listmirror.c) answers this view:
 * every view but "unused" (credential reads are not in the copy). */
static int
list_mirror_usable(const struct req *r, const struct list_query *lq)
{
	return r->app->mirror != NULL && !(lq->cl.mask & CONNLIST_UNUSED);
}

/* The view for the copy; -1 when it cannot search for q. */
static int
list_mirror_view_of(struct req *r, const struct list_query *lq, struct mirror_view *v,
    char *q, size_t qsize)
{
	static const int64_t	 none[1];	/* a member of no team sees nothing */

	memset(v, 0, sizeof(*v));
	if (lq->cl.q != NULL) {
		if (list_mirror_lower(r->app->mirror, lq->cl.q, q, qsize) == -1)
			return -1;
		v->q = q;
	}
	v->sort = lq->cl.sort;
	v->connector = lq->cl.connector;
	v->status = (lq->cl.mask & CONNLIST_STATUS) ? lq->cl.status : NULL;
	v->expiring = (lq->cl.mask & CONNLIST_EXPIRING) != 0;
	v->team = lq->cl.team != NULL ? strtoll(lq->cl.team, NULL, 10) : 0;
	if (!r->sess->is_admin) {
		v->teams = r->sess->nteams > 0 ? r->sess->team_ids : none;
		v->nteams = r->sess->nteams;
	}
	v->horizon = r->app->cfg.expiry_horizon_days;
	v->page = lq->page;
	v->after = lq->after != NULL ? strtoll(lq->after, NULL, 10) : 0;
	v->before = lq->before != NULL ? strtoll(lq->before, NULL, 10) : 0;
	return 0;
}

/* The team filter's options from the copy's teams: an admin's all of them
 * (kept by the worker for the teams' version), a member's their own. */
static const char *
list_mirror_team_options(struct req *r, struct buf *own)
{
	const struct list_mirror	*m = r->app->mirror;
	struct app			*app = r->app;
	const struct session		*s = r->sess;
	const char			*name;
	char				 ids[24];
	int64_t				 id;
	size_t				 i, k;

	if (s->is_admin && app->all_teams_html != NULL &&
	    app->all_teams_version == list_mirror_teams_version(m))
		return app->all_teams_html;
	for (i = 0; list_mirror_team_at(m, i, &id, &name); i++) {
		for (k = 0; !s->is_admin && k < s->nteams && s->team_ids[k] != id; k++)
			continue;
		if (!s->is_admin && k == s->nteams)
			continue;
		snprintf(ids, sizeof(ids), "%lld", (long long)id);
		render_option_html(own, ids, name, 0);
	}
	if (!s->is_admin)
		return own->data;
	free(app->all_teams_html);
	app->all_teams_html = xstrdup(own->data);
	app->all_teams_version = list_mirror_teams_version(m);
	return app->all_teams_html;
}

/* The page's rows from the copy (their markup kept as the SQL list's). */
struct list_mirror_rows {
	struct req		*r;
	struct mirror_page	*p;
};

static void
list_mirror_rows_write(struct buf *out, void *arg)
{
	const struct list_mirror_rows	*lr = arg;
	const struct list_mirror	*m = lr->r->app->mirror;
	const char			*v[ROW_NVALUES];
	char				 id[24];
	struct buf			 key;
	int				 i;

	buf_init(&key);
	for (i = 0; i < lr->p->n; i++) {
		const struct mirror_row	*w = lr->p->rows[i];

		snprintf(id, sizeof(id), "%lld", (long long)w->id);
		v[ROW_ID] = id;
		v[ROW_NAME] = w->name;
		v[ROW_CONNECTOR] = w->connector;
		v[ROW_PROTOCOL] = w->protocol;
		v[ROW_STATUS] = w->status;
		v[ROW_TESTED] = w->tested;
		v[ROW_RESULT] = w->result;
		v[ROW_TEAM] = list_mirror_team_name(m, w->owner);
		v[ROW_FLOWS] = w->flows;
		list_row_write(out, lr->r, v, &key);
	}
	buf_free(&key);
}

/* Everything the page shows that the view and the session do not already
 * say: a kept page with the same print has the same bytes. The team names
 * it shows are in it, not the teams' version: a team renamed elsewhere
 * leaves a member's kept page kept. */
static void
list_mirror_print(struct buf *b, const struct req *r, const struct list_query *lq,
    const struct mirror_page *p, const char *team_options)
{
	const struct list_mirror	*m = r->app->mirror;
	int64_t				 v[8];
	int				 i;

	v[0] = r->sess->is_admin ? list_mirror_teams_version(m) : 0;
	v[1] = r->sess->is_manager;
	v[2] = lq->page;
	v[3] = p->total;
	/* Not the health summary: a kept page takes its counts anew. */
	v[4] = v[5] = v[6] = 0;
	v[7] = (int64_t)r->sess->nteams;
	buf_append(b, v, sizeof(v));
	buf_append(b, r->sess->team_ids, r->sess->nteams * sizeof(*r->sess->team_ids));
	if (!r->sess->is_admin)
		buf_append(b, team_options, strlen(team_options) + 1);
	for (i = 0; i < p->n; i++) {
		const char	*team = list_mirror_team_name(m, p->rows[i]->owner);

		buf_append(b, &p->rows[i]->id, sizeof(p->rows[i]->id));
		buf_append(b, &p->rows[i]->rv, sizeof(p->rows[i]->rv));
		buf_append(b, team, strlen(team) + 1);
	}
}

/* The Integrations tab from the worker's copy: no query but the session
 * lookup's, and one for the rows changed since the copy was last brought
 * up to date. */
static int
page_index_mirror(struct req *r, struct list_query *lq, const char *view, int keep)
{
	struct list_mirror	*m = r->app->mirror;
	struct mirror_view	 v;
	struct mirror_page	 p;
	struct list_mirror_rows	 lr = { r, &p };
	struct buf		 print, teams;
	char			 q[4 * 100 + 8], first[24], last[24];
	const char		*options;
	struct list_health_html	 hh;
	struct buf		 hole;
	int			 rc = -1;

	/* Nothing the user may see changed since it was kept: no walk. */
	if (keep && list_cache_serve(r, view, NULL, 0))
		return 0;
	if (list_mirror_view_of(r, lq, &v, q, sizeof(q)) == -1) {
		http_flash(r, "error", "Search for at most 100 characters of plain text.");
		lq->cl.q = NULL;
		lq->cl.mask &= ~CONNLIST_Q;
		(void)list_mirror_view_of(r, lq, &v, q, sizeof(q));
		keep = 0;
	}
	if (list_mirror_sync(m, &r->app->db, r->sess->list_version,
	    r->sess->teams_version) == -1) {
		http_error(r, 503, NULL);
		return -1;
	}
	list_mirror_page(m, &v, &p);
	/* Past the last page (a stale bookmark): the last one instead. A
	 * cursor that found no rows (its row gone, moved or not the user's),
	 * or less than a page before it: the page by number. */
	if (p.total > 0 && (lq->page - 1) * PAGE_SIZE >= p.total) {
		lq->page = v.page = (p.total + PAGE_SIZE - 1) / PAGE_SIZE;
		v.after = v.before = 0;
		list_mirror_page(m, &v, &p);
	} else if ((v.after != 0 || v.before != 0) && (p.n == 0 ||
	    (v.before != 0 && p.n < PAGE_SIZE))) {
		v.after = v.before = 0;
		list_mirror_page(m, &v, &p);
	}
	buf_init(&print);
	buf_init(&teams);
	options = list_mirror_team_options(r, &teams);
	list_mirror_print(&print, r, lq, &p, options);
	buf_init(&hole);
	rowcache_health(&hole, p.health, r->app->cfg.expiry_horizon_days);
	if (keep && list_cache_serve_hole(r, view, print.data, print.len, hole.data, hole.len)) {
		rc = 0;
		goto out;
	}
	render_set(r->hdf, "Page.Title", "Integrations");
	list_fill_options(r, lq, options);
	render_splice_writer(r->hdf, "Rows.Html", &r->splices, list_mirror_rows_write, &lr);
	list_fill_health(r, p.health, &hh);
	snprintf(first, sizeof(first), "%lld", p.n > 0 ? (long long)p.rows[0]->id : 0LL);
	snprintf(last, sizeof(last), "%lld", p.n > 0 ? (long long)p.rows[p.n - 1]->id : 0LL);
	list_fill_pager(r, lq, p.total, p.n, first, last);
	list_fill_start(r, lq, p.total);
	if ((rc = http_page(r, 200, "index.cs")) == 0 && keep)
		list_cache_keep(r, view, r->sess->list_version, print.data, print.len);
out:
	buf_free(&hole);
	buf_free(&teams);
	buf_free(&print);
	return rc;
}

int
page_index(struct req *r)
{
	struct list_query	 lq;
	char			 uid[24];
	const char		*params[2] = { uid, r->sess->is_admin ? "t" : "f" };
	PGresult		*count = NULL, *rows = NULL, *health = NULL, *res;
	const char		*teams;
	char			*teams_read = NULL;
	struct db_batch		 b;
	struct list_reads	 q;
	struct list_rows	 lr;
	struct list_health_html	 hh;
	struct buf		 view;
	long long		 total, day;
	int64_t			 version, teams_lv = -1;
	char			 health_kept[3][24];
	long long		 health_n[3];
	int			 rc = -1, teams_owned = 0, flash, keep, i;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	list_read(r, &lq);
	flash = list_has_flash(r);	/* the previous page's, or a bad filter's */
	buf_init(&view);
	list_query_string(&view, &lq, lq.cl.sort, lq.page);
	if (lq.after != NULL || lq.before != NULL)
		buf_printf(&view, "&%s=%s", lq.after != NULL ? "after" : "before",
		    lq.after != NULL ? lq.after : lq.before);
	/* "Expiring" moves with the date, not only with the list version. */
	day = (long long)(time(NULL) / 86400);
	buf_printf(&view, "#%lld", day);
	/* Credential reads do not move the list version (sql/025): an "unused"
	 * view is never kept. */
	keep = !flash && !(lq.cl.mask & CONNLIST_UNUSED);
	if (list_mirror_usable(r, &lq)) {
		rc = page_index_mirror(r, &lq, view.data, keep);
		goto out;
	}
	if (keep && list_cache_serve(r, view.data, NULL, 0)) {
		rc = 0;
		goto out;
	}
	/* Every read the page needs, in one round trip; the page by cursor
	 * when the URL has one. */
	db_batch_init(&b);
	q.teams = (teams = list_teams_kept(r)) == NULL ?
	    db_batch_add_stmt(&b, STMT_TEAMS_VISIBLE, 2, params) : -1;
	list_count_queue(&lq, &b, &q);
	q.rows = list_page_queue(&lq, lq.after != NULL ? 'a' : lq.before != NULL ? 'b' : 'o',
	    &b);
	/* The health summary is the same for every view: kept per user. */
	q.health = list_cache_health(r, day, health_kept) ? -1 : list_health_queue(&lq, &b);
	if (db_batch_run(&r->app->db, &b) == -1) {
		db_batch_free(&b);
		http_error(r, 503, NULL);
		goto out;
	}
	count = db_batch_take(&b, q.count);
	rows = db_batch_take(&b, q.rows);
	if (q.health >= 0) {
		health = db_batch_take(&b, q.health);
		snprintf(health_kept[0], sizeof(health_kept[0]), "%s", db_get(health, 0, "failing"));
		snprintf(health_kept[1], sizeof(health_kept[1]), "%s", db_get(health, 0, "reconnect"));
		snprintf(health_kept[2], sizeof(health_kept[2]), "%s", db_get(health, 0, "expiring"));
	}
	if (q.teams >= 0) {
		res = db_batch_take(&b, q.teams);
		teams = teams_read = list_teams_read(r, res, &teams_lv, &teams_owned);
		db_clear(res);
	}
	db_batch_free(&b);
	list_count_note(r, count, &q);
	/* Past the last page (a stale bookmark): show the last one instead.
	 * A cursor that found no rows (its row gone, moved or not the user's),
	 * or less than a page before it: the page by number. */
	total = strtoll(db_get(count, 0, "n"), NULL, 10);
	if (total > 0 && (lq.page - 1) * PAGE_SIZE >= total) {
		lq.page = (total + PAGE_SIZE - 1) / PAGE_SIZE;
		lq.after = lq.before = NULL;
		db_clear(rows);
		rows = NULL;
	} else if ((lq.after != NULL || lq.before != NULL) && (db_rows(rows) == 0 ||
	    (lq.before != NULL && db_rows(rows) < PAGE_SIZE))) {
		db_clear(rows);
		rows = NULL;
	}
	if (rows == NULL && (rows = list_page_by_number(r, &lq)) == NULL) {
		http_error(r, 503, NULL);
		goto out;
	}
	render_set(r->hdf, "Page.Title", "Integrations");
	list_fill_options(r, &lq, teams);
	lr.r = r;
	lr.rows = rows;
	render_splice_writer(r->hdf, "Rows.Html", &r->splices, list_rows_write, &lr);
	for (i = 0; i < 3; i++)		/* read (or kept) as text */
		health_n[i] = strtoll(health_kept[i], NULL, 10);
	list_fill_health(r, health_n, &hh);
	list_fill_pager(r, &lq, total, db_rows(rows), db_rows(rows) > 0 ? db_get(rows, 0, "id") :
	    "", db_rows(rows) > 0 ? db_get(rows, db_rows(rows) - 1, "id") : "");
	list_fill_start(r, &lq, total);
	if ((rc = http_page(r, 200, "index.cs")) == -1)
		goto out;
	/* Kept only when the reads saw the same data (each statement has its
	 * own snapshot; a commit between them moves list_version), and under
	 * the user's scope version from the session lookup, which came before
	 * them: the copy is at least as new as that version says, so serving
	 * it while the version stays the same shows nothing out of date. */
	version = list_result_version(rows);
	if (keep && version >= 0 && version == list_result_version(count) &&
	    (teams_lv == -1 || version == teams_lv) &&
	    (health == NULL || version == list_result_version(health)))
		list_cache_keep(r, view.data, r->sess->list_version, NULL, 0);
	if (teams_read != NULL && teams_owned)
		list_cache_teams_keep(r, teams_read);
	/* Read with this page's rows, at one snapshot: kept for the next views. */
	if (health != NULL && version >= 0 && version == list_result_version(health))
		list_cache_health_keep(r, day, health_kept);
out:
	buf_free(&view);
	if (teams_owned)
		free(teams_read);
	db_clear(count);
	db_clear(rows);
	db_clear(health);
	return rc;
}
