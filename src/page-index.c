/*
 * page-index.c — the Integrations tab: popular connectors and the list of
 * connections the user may see, searched, filtered, sorted and paged.
 * Inputs: GET q, connector, status (a status, or "expiring": a secret or
 * refresh token expiring within health.expiry_horizon_days, or expired),
 * team, unused (30 or 90: no credential read by the engine in that many
 * days, and older than that), sort, page (all optional; bad values are ignored with a message,
 * the view stays usable).
 * Statuses: 200, 302 (to /login), 503.
 * One count and one page query; each filter combination is a statement of
 * its own, prepared once, so every plan can use the matching index. The
 * health summary above the list (failing, needs reconnect, expiring) is
 * one more query of three index lookups.
 * A page a worker rendered before is served again while the list version
 * says nothing it shows has changed (listcache.c).
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
}

/*
 * The view's total: exact from the trigger-kept counts where the filters
 * allow (connlist_count_kept), else counted over the rows up to a cap: at
 * least LIST_COUNT_CAP, and past the page asked for. A count that reaches
 * the cap is "at least": Pager.Estimated and Pager.AtLeast say so, and n
 * is one more than AtLeast, so there is a next page while rows remain.
 */
#define LIST_COUNT_CAP	10000

static PGresult *
list_count(struct req *r, const struct list_query *lq)
{
	struct buf	 sql;
	const char	*params[12];
	char		 name[32], cap[24];
	long long	 k = lq->page * PAGE_SIZE;
	int		 n, capped = 0;
	PGresult	*res;

	buf_init(&sql);
	buf_puts(&sql, "SELECT x.n, (SELECT v FROM list_version) AS lv FROM (");
	if ((n = connlist_count_kept(&lq->cl, &sql, params)) < 0) {
		buf_puts(&sql, "SELECT count(*) AS n FROM (SELECT 1");
		n = connlist_from(&lq->cl, &sql, params);
		snprintf(cap, sizeof(cap), "%lld", (k > LIST_COUNT_CAP ? k : LIST_COUNT_CAP) + 1);
		params[n++] = cap;
		buf_printf(&sql, " LIMIT $%d::bigint) c", n);
		capped = 1;
	}
	buf_puts(&sql, ") x");
	snprintf(name, sizeof(name), "list_count_%u", lq->cl.mask);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	if (res != NULL && capped && strcmp(db_get(res, 0, "n"), cap) == 0) {
		render_set(r->hdf, "Pager.Estimated", "1");
		render_set_int(r->hdf, "Pager.AtLeast", strtoll(cap, NULL, 10) - 1);
		render_set_int(r->hdf, "Pager.PagesAtLeast",
		    (strtoll(cap, NULL, 10) - 1) / PAGE_SIZE);
	}
	return res;
}

static PGresult *
list_page(struct req *r, const struct list_query *lq)
{
	struct buf	 sql;
	const char	*params[10];
	char		 name[32], offset[24], take[24];
	int		 n;
	PGresult	*res;

	buf_init(&sql);
	/* The page first, then flows counted for its 50 rows only (not for
	 * every row OFFSET skips). */
	buf_puts(&sql, "SELECT c.id, c.name, c.connector, c.auth_protocol, c.status,"
	    " to_char(c.last_tested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS tested,"
	    " c.last_test_result, c.owner_team_id, t.name AS team,"
	    " (SELECT count(*) FROM flow_connections fc WHERE fc.connection_id = c.id)"
	    " AS flows, (SELECT v FROM list_version) AS lv"
	    " FROM (SELECT c.*");
	snprintf(take, sizeof(take), "%lld", lq->page * PAGE_SIZE);
	n = connlist_from_top(&lq->cl, &sql, params, take);
	snprintf(offset, sizeof(offset), "%lld", (lq->page - 1) * PAGE_SIZE);
	params[n++] = offset;
	buf_printf(&sql, " ORDER BY %s LIMIT %d OFFSET $%d) c"
	    " JOIN teams t ON t.id = c.owner_team_id ORDER BY %s",
	    connlist_order(&lq->cl), PAGE_SIZE, n, connlist_order(&lq->cl));
	snprintf(name, sizeof(name), "list_page_%u_%d", lq->cl.mask, lq->cl.sort);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	return res;
}

/*
 * The health summary: failing, needs reconnect and expiring connections the
 * user may see, whatever the filters (connlist_health): sums over the
 * trigger-kept counts, shared rows through connection_shares, and the
 * expiring ones through the per-team expiry index.
 */
static PGresult *
list_health(struct req *r, const struct list_query *lq)
{
	struct buf	 sql;
	const char	*params[2];
	int		 n;
	PGresult	*res;

	buf_init(&sql);
	buf_puts(&sql, "SELECT h.*, (SELECT v FROM list_version) AS lv FROM (");
	n = connlist_health(&lq->cl, &sql, params);
	buf_puts(&sql, ") h");
	res = db_exec_named(&r->app->db, n == 1 ? "list_health" : "list_health_vis",
	    sql.data, n, params);
	buf_free(&sql);
	return res;
}

static void
list_fill_health(struct req *r, PGresult *health)
{
	HDF	*n = render_node(r->hdf, "Health");

	render_set(n, "Failing", db_get(health, 0, "failing"));
	render_set(n, "NeedsReconnect", db_get(health, 0, "reconnect"));
	render_set(n, "Expiring", db_get(health, 0, "expiring"));
	render_set_int(n, "HorizonDays", r->app->cfg.expiry_horizon_days);
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

static void
list_set_query(HDF *hdf, const char *name, const struct list_query *lq, int sort,
    long long page)
{
	struct buf	 b;

	buf_init(&b);
	list_query_string(&b, lq, sort, page);
	render_set(hdf, name, b.data);
	buf_free(&b);
}

static void
list_fill_options(struct req *r, const struct list_query *lq, PGresult *teams)
{
	const struct catalog	*cat = &r->app->catalog;
	HDF			*n;
	size_t			 i;
	int			 popular = 0;

	for (i = 0; i < cat->nkeys; i++) {
		HDF	*def = catalog_get(cat, cat->keys[i]);

		n = render_node(r->hdf, "Options.Connectors.%zu", i);
		render_set(n, "Key", cat->keys[i]);
		render_set(n, "Title", hdf_get_value(def, "title", ""));
		if (popular < POPULAR_MAX && hdf_get_int_value(def, "popular", 0) == 1) {
			n = render_node(r->hdf, "Popular.%d", popular++);
			render_set(n, "Key", cat->keys[i]);
			render_set(n, "Title", hdf_get_value(def, "title", ""));
			render_set(n, "Category", hdf_get_value(def, "category", ""));
			render_set(n, "Description", hdf_get_value(def, "description", ""));
		}
	}
	for (i = 0; i < CONNLIST_NSTATUSES; i++) {
		n = render_node(r->hdf, "Options.Statuses.%zu", i);
		render_set(n, "Key", connlist_statuses[i].key);
		render_set(n, "Label", connlist_statuses[i].label);
	}
	for (i = 0; i < CONNLIST_NSORTS; i++) {
		n = render_node(r->hdf, "Options.Sorts.%zu", i);
		render_set(n, "Key", connlist_sorts[i].key);
		render_set(n, "Label", connlist_sorts[i].label);
	}
	for (i = 0; i < (size_t)db_rows(teams); i++) {
		n = render_node(r->hdf, "Options.Teams.%zu", i);
		render_set(n, "Id", db_get(teams, (int)i, "id"));
		render_set(n, "Name", db_get(teams, (int)i, "name"));
	}
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

static void
list_fill_rows(struct req *r, PGresult *rows)
{
	const struct catalog	*cat = &r->app->catalog;
	/* Column numbers once, not a name lookup for each of 50 x 10 cells. */
	int			 c_id = db_col(rows, "id"), c_name = db_col(rows, "name"),
				 c_connector = db_col(rows, "connector"),
				 c_protocol = db_col(rows, "auth_protocol"),
				 c_status = db_col(rows, "status"), c_tested = db_col(rows, "tested"),
				 c_result = db_col(rows, "last_test_result"),
				 c_team = db_col(rows, "team"), c_flows = db_col(rows, "flows");
	int			 i;

	/* Ten values a row: ClearSilver hashes a node's children from more
	 * on, which costs more than it saves for names looked up once. */
	for (i = 0; i < db_rows(rows); i++) {
		HDF		*n = render_node(r->hdf, "Connections.%d", i);
		const char	*connector = db_value(rows, i, c_connector);
		const char	*status = db_value(rows, i, c_status);

		render_set(n, "Id", db_value(rows, i, c_id));
		render_set(n, "Name", db_value(rows, i, c_name));
		render_set(n, "ConnectorTitle", catalog_title(cat, connector));
		render_set(n, "AuthProtocol", catalog_protocol_label(cat, connector,
		    db_value(rows, i, c_protocol)));
		/* An OAuth code connection never tested was never authorised: as on
		 * its Details (connpage_never_connected), not "Not tested yet". */
		if (strcmp(status, "not_tested") == 0 && strcmp(connector_protocol_kind(cat,
		    connector, db_value(rows, i, c_protocol)), "oauth2_code") == 0) {
			render_set(n, "Status", "not_connected");
			render_set(n, "StatusLabel", "Not connected yet");
		} else {
			render_set(n, "Status", status);
			render_set(n, "StatusLabel", status_label(status));
		}
		render_set(n, "LastTestedAt", db_value(rows, i, c_tested));
		render_set(n, "LastTestResult", db_value(rows, i, c_result));
		render_set(n, "OwnerTeam", db_value(rows, i, c_team));
		render_set(n, "FlowCount", db_value(rows, i, c_flows));
	}
}

static void
list_fill_pager(struct req *r, const struct list_query *lq, long long total, int shown)
{
	HDF		*p = render_node(r->hdf, "Pager");
	long long	 pages = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	int		 by_name = lq->cl.sort <= 1, by_tested = lq->cl.sort >= 2;

	render_set_int(p, "Total", total);
	render_set_int(p, "Page", lq->page);
	render_set_int(p, "Pages", pages > 0 ? pages : 1);
	render_set_int(p, "First", shown > 0 ? (lq->page - 1) * PAGE_SIZE + 1 : 0);
	render_set_int(p, "Last", shown > 0 ? (lq->page - 1) * PAGE_SIZE + shown : 0);
	if (lq->page > 1)
		list_set_query(p, "PrevQuery", lq, lq->cl.sort,
		    lq->page - 1 < pages ? lq->page - 1 : pages);
	if (lq->page < pages)
		list_set_query(p, "NextQuery", lq, lq->cl.sort, lq->page + 1);
	/* Column headers flip the direction of the current sort. */
	p = render_node(r->hdf, "Sort");
	list_set_query(p, "Name.Query", lq, lq->cl.sort == 0 ? 1 : 0, 1);
	render_set(p, "Name.Dir", !by_name ? "" : lq->cl.sort == 0 ? "asc" : "desc");
	list_set_query(p, "Tested.Query", lq, lq->cl.sort == 2 ? 3 : 2, 1);
	render_set(p, "Tested.Dir", !by_tested ? "" : lq->cl.sort == 3 ? "asc" : "desc");
}

/*
 * What the viewer may start: User.CanCreate ("1" for admins and managers of
 * a team; members and viewers get the reason instead of the buttons), and
 * Start.Mode, how the "Get started" strip shows: "full" while the viewer
 * sees few connections and filters nothing, "compact" (one row) after.
 */
static int
list_fill_start(struct req *r, const struct list_query *lq, long long total)
{
	int	 may;

	if ((may = session_is_manager(r)) == -1)
		return -1;
	render_set(r->hdf, "User.CanCreate", may ? "1" : "0");
	render_set(r->hdf, "Start.Mode", (lq->cl.mask & ~CONNLIST_VISIBLE) == 0 &&
	    total <= START_FULL_MAX ? "full" : "compact");
	return 0;
}

/* The list version a result was read at (its "lv" column), -1 if unknown. */
static int64_t
list_result_version(PGresult *res)
{
	if (res == NULL || db_rows(res) == 0)
		return -1;
	return strtoll(db_get(res, 0, "lv"), NULL, 10);
}

/*
 * The team filter's options. Admins see every team; that list is the same
 * for all of them, so a worker keeps it until the list version moves (a
 * new or renamed team moves it). Not for others: their list depends on
 * who they are.
 */
static PGresult *
list_teams(struct req *r, const char *const *params, int *owned)
{
	struct app	*app = r->app;

	*owned = 1;
	if (!r->sess->is_admin)
		return db_exec(&app->db, STMT_TEAMS_VISIBLE, 2, params);
	if (app->all_teams == NULL || app->all_teams_version != r->sess->list_version) {
		db_clear(app->all_teams);
		app->all_teams = db_exec(&app->db, STMT_TEAMS_VISIBLE, 2, params);
		app->all_teams_version = list_result_version(app->all_teams);
	}
	*owned = 0;
	return app->all_teams;
}

/* A flash (a bad filter, or a message from the previous page) is shown
 * once: such a page is neither served from nor kept in the list cache. */
static int
list_has_flash(const struct req *r)
{
	return hdf_get_value(r->hdf, "Flash.Message", NULL) != NULL;
}

int
page_index(struct req *r)
{
	struct list_query	 lq;
	char			 uid[24];
	const char		*params[2] = { uid, r->sess->is_admin ? "t" : "f" };
	PGresult		*count = NULL, *rows = NULL, *teams = NULL, *health = NULL;
	struct buf		 view;
	long long		 total;
	int64_t			 version;
	int			 rc = -1, teams_owned = 1, flash, keep;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	list_read(r, &lq);
	flash = list_has_flash(r);	/* the previous page's, or a bad filter's */
	buf_init(&view);
	list_query_string(&view, &lq, lq.cl.sort, lq.page);
	/* "Expiring" moves with the date, not only with the list version. */
	buf_printf(&view, "#%lld", (long long)(time(NULL) / 86400));
	/* Credential reads do not move the list version (sql/025): an "unused"
	 * view is never kept. */
	keep = !flash && !(lq.cl.mask & CONNLIST_UNUSED);
	if (keep && list_cache_serve(r, view.data)) {
		rc = 0;
		goto out;
	}
	if ((teams = list_teams(r, params, &teams_owned)) == NULL ||
	    (count = list_count(r, &lq)) == NULL) {
		http_error(r, 503, NULL);
		goto out;
	}
	/* Past the last page (a stale bookmark): show the last one instead. */
	total = strtoll(db_get(count, 0, "n"), NULL, 10);
	if (total > 0 && (lq.page - 1) * PAGE_SIZE >= total)
		lq.page = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	if ((rows = list_page(r, &lq)) == NULL ||
	    (health = list_health(r, &lq)) == NULL) {
		http_error(r, 503, NULL);
		goto out;
	}
	render_set(r->hdf, "Page.Title", "Integrations");
	list_fill_options(r, &lq, teams);
	list_fill_rows(r, rows);
	list_fill_health(r, health);
	list_fill_pager(r, &lq, total, db_rows(rows));
	if (list_fill_start(r, &lq, total) == -1) {
		http_error(r, 503, NULL);
		goto out;
	}
	if ((rc = http_page(r, 200, "index.cs")) == -1)
		goto out;
	/* Kept only when the three reads saw the same version of the data
	 * (each statement has its own snapshot; a commit between them moves it). */
	version = list_result_version(rows);
	if (keep && version >= 0 && version == list_result_version(count) &&
	    version == list_result_version(teams) && version == list_result_version(health))
		list_cache_keep(r, view.data, version);
out:
	buf_free(&view);
	if (teams_owned)
		db_clear(teams);
	db_clear(count);
	db_clear(rows);
	db_clear(health);
	return rc;
}
