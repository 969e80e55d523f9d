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

enum list_filter {
	F_Q		= 1 << 0,
	F_CONNECTOR	= 1 << 1,
	F_STATUS	= 1 << 2,
	F_TEAM		= 1 << 3,
	F_VISIBLE	= 1 << 4,	/* not an admin: only their teams' and shared */
	F_EXPIRING	= 1 << 5,	/* status=expiring: within the horizon */
	F_UNUSED	= 1 << 6,	/* unused=N: no credential read in N days */
};

/* What "unused" offers: days without a credential read (credential_uses). */
static const char *const unused_days[] = { "30", "90" };

/* "Expiring": the earliest of the secrets' and the refresh token's expiry
 * within the horizon ($n days), expired ones included; the partial index
 * connections_expiry_idx (sql/009_health.sql) answers it. */
#define EXPIRING_WHERE(n)						\
	" AND (c.secrets_expire_on IS NOT NULL OR"			\
	" c.refresh_token_expires_at IS NOT NULL) AND LEAST(c.secrets_expire_on," \
	" (c.refresh_token_expires_at AT TIME ZONE 'UTC')::date) <= current_date + $" n "::int"

/* The connections a non-admin may see ($N: their id): a UNION of two index
 * lookups; an OR of them would scan. */
#define VISIBLE_IDS							\
	"SELECT o.id FROM connections o"				\
	" JOIN team_members m ON m.team_id = o.owner_team_id WHERE m.user_id = $%d" \
	" UNION ALL SELECT sh.connection_id FROM connection_shares sh"	\
	" JOIN team_members tm ON tm.team_id = sh.team_id WHERE tm.user_id = $%d"

static const struct {
	const char	*key;
	const char	*label;
} statuses[] = {
	{ "ok", "Connected" },
	{ "failing", "Failing" },
	{ "needs_reconnect", "Needs reconnect" },
	{ "not_tested", "Not tested yet" },
	{ "not_testable", "Not testable" },
	{ "expiring", "Expiring soon" },	/* not a status: F_EXPIRING */
};

static const struct {
	const char	*key;
	const char	*label;
	const char	*order;
} sorts[] = {
	{ "name", "Name (A–Z)", "lower(c.name), c.id" },
	{ "-name", "Name (Z–A)", "lower(c.name) DESC, c.id DESC" },
	{ "-tested", "Last tested (newest first)", "c.last_tested_at DESC NULLS LAST, c.id DESC" },
	{ "tested", "Last tested (oldest first)", "c.last_tested_at ASC NULLS FIRST, c.id" },
};

struct list_query {
	const char	*q;
	const char	*connector;
	const char	*status;
	const char	*team;
	const char	*unused;	/* "30" or "90" */
	int		 sort;
	long long	 page;
	unsigned	 mask;
	char		 like[220];	/* q with LIKE wildcards escaped */
	char		 horizon[16];	/* health.expiry_horizon_days */
};

static const char *
status_label(const char *key)
{
	size_t	 i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(statuses[i].key, key) == 0)
			return statuses[i].label;
	return key;
}

/* Read and check the filters; a bad one is dropped with a message. */
static void
list_read(struct req *r, struct list_query *lq)
{
	const char	*v;
	long long	 n;
	size_t		 i;

	memset(lq, 0, sizeof(*lq));
	lq->page = 1;
	snprintf(lq->horizon, sizeof(lq->horizon), "%d", r->app->cfg.expiry_horizon_days);
	if ((v = req_param(r, "q")) != NULL && *v != '\0') {
		if (valid_text(v, 1, 100) == NULL) {
			lq->q = v;
			lq->mask |= F_Q;
			like_escape(v, lq->like, sizeof(lq->like));
		} else
			http_flash(r, "error", "Search for at most 100 characters of plain text.");
	}
	if ((v = req_param(r, "connector")) != NULL && *v != '\0') {
		if (catalog_get(&r->app->catalog, v) != NULL) {
			lq->connector = v;
			lq->mask |= F_CONNECTOR;
		} else
			http_flash(r, "error", "That connector does not exist; showing all.");
	}
	if ((v = req_param(r, "status")) != NULL && *v != '\0') {
		for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
			if (strcmp(statuses[i].key, v) == 0) {
				lq->status = statuses[i].key;
				lq->mask |= strcmp(v, "expiring") == 0 ? F_EXPIRING : F_STATUS;
			}
	}
	if ((v = req_param(r, "team")) != NULL && *v != '\0' &&
	    valid_int(v, 1, INT64_MAX / 2, &n) == NULL) {
		lq->team = v;
		lq->mask |= F_TEAM;
	}
	if ((v = req_param(r, "unused")) != NULL && *v != '\0') {
		for (i = 0; i < sizeof(unused_days) / sizeof(unused_days[0]); i++)
			if (strcmp(unused_days[i], v) == 0) {
				lq->unused = unused_days[i];
				lq->mask |= F_UNUSED;
			}
	}
	if ((v = req_param(r, "sort")) != NULL)
		for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
			if (strcmp(sorts[i].key, v) == 0)
				lq->sort = (int)i;
	if ((v = req_param(r, "page")) != NULL && valid_int(v, 1, PAGE_MAX, &n) == NULL)
		lq->page = n;
	if (!r->sess->is_admin)
		lq->mask |= F_VISIBLE;
}

/* WHERE clause and parameters for the filters in lq->mask; returns nparams. */
static int
list_where(const struct list_query *lq, struct buf *sql, const char **params,
    const char *uid)
{
	int	 n = 0;

	buf_puts(sql, " WHERE true");
	if (lq->mask & F_VISIBLE) {
		params[n++] = uid;
		buf_printf(sql, " AND c.id IN (" VISIBLE_IDS ")", n, n);
	}
	if (lq->mask & F_Q) {
		params[n++] = lq->like;
		buf_printf(sql, " AND lower(c.name) LIKE '%%' || lower($%d) || '%%'", n);
	}
	if (lq->mask & F_CONNECTOR) {
		params[n++] = lq->connector;
		buf_printf(sql, " AND c.connector = $%d", n);
	}
	if (lq->mask & F_STATUS) {
		params[n++] = lq->status;
		buf_printf(sql, " AND c.status = $%d", n);
	}
	if (lq->mask & F_EXPIRING) {
		params[n++] = lq->horizon;
		buf_printf(sql, EXPIRING_WHERE("%d"), n);
	}
	if (lq->mask & F_TEAM) {
		params[n++] = lq->team;
		buf_printf(sql, " AND c.owner_team_id = $%d::bigint", n);
	}
	if (lq->mask & F_UNUSED) {
		/* Older than the window, and no credential read inside it. */
		params[n++] = lq->unused;
		buf_printf(sql, " AND c.created_at < now() - make_interval(days => $%d::int)"
		    " AND NOT EXISTS (SELECT 1 FROM credential_uses u WHERE u.connection_id = c.id"
		    " AND u.outcome = 'issued' AND u.at > now() - make_interval(days => $%d::int))",
		    n, n);
	}
	return n;
}

static PGresult *
list_count(struct req *r, const struct list_query *lq, const char *uid)
{
	struct buf	 sql;
	const char	*params[8];
	char		 name[32];
	int		 n;
	PGresult	*res;

	buf_init(&sql);
	if ((lq->mask & ~F_TEAM) == 0) {
		/* No filter but the team: the trigger-kept totals answer at once. */
		n = 0;
		if (lq->mask & F_TEAM)
			params[n++] = lq->team;
		buf_printf(&sql, "SELECT COALESCE(sum(n), 0) AS n,"
		    " (SELECT v FROM list_version) AS lv FROM connection_counts%s",
		    n > 0 ? " WHERE owner_team_id = $1::bigint" : "");
	} else {
		buf_puts(&sql, "SELECT count(*) AS n, (SELECT v FROM list_version) AS lv"
		    " FROM connections c");
		n = list_where(lq, &sql, params, uid);
	}
	snprintf(name, sizeof(name), "list_count_%u", lq->mask);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	return res;
}

static PGresult *
list_page(struct req *r, const struct list_query *lq, const char *uid)
{
	struct buf	 sql;
	const char	*params[10];
	char		 name[32], offset[24];
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
	    " FROM (SELECT c.* FROM connections c");
	n = list_where(lq, &sql, params, uid);
	snprintf(offset, sizeof(offset), "%lld", (lq->page - 1) * PAGE_SIZE);
	params[n++] = offset;
	buf_printf(&sql, " ORDER BY %s LIMIT %d OFFSET $%d) c"
	    " JOIN teams t ON t.id = c.owner_team_id ORDER BY %s",
	    sorts[lq->sort].order, PAGE_SIZE, n, sorts[lq->sort].order);
	snprintf(name, sizeof(name), "list_page_%u_%d", lq->mask, lq->sort);
	res = db_exec_named(&r->app->db, name, sql.data, n, params);
	buf_free(&sql);
	return res;
}

/*
 * The health summary: failing, needs reconnect and expiring connections the
 * user may see, whatever the filters. Each count starts from its index
 * (connections_status_name_idx, connections_expiry_idx) and, for a
 * non-admin, checks each of those few rows for visibility: 0.5 ms for a
 * member of a team of 10,000 connections, where collecting what they may
 * see first took 40 ms.
 */
#define HEALTH_VISIBLE							\
	" AND (EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = c.owner_team_id" \
	" AND m.user_id = $2) OR EXISTS (SELECT 1 FROM connection_shares sh"	\
	" JOIN team_members tm ON tm.team_id = sh.team_id"		\
	" WHERE sh.connection_id = c.id AND tm.user_id = $2))"

static PGresult *
list_health(struct req *r, const struct list_query *lq, const char *uid)
{
	const char	*params[2] = { lq->horizon, uid };

	if (lq->mask & F_VISIBLE)
		return db_exec_named(&r->app->db, "list_health_vis",
		    "SELECT (SELECT count(*) FROM connections c WHERE c.status = 'failing'"
		    HEALTH_VISIBLE ") AS failing, (SELECT count(*) FROM connections c"
		    " WHERE c.status = 'needs_reconnect'" HEALTH_VISIBLE ") AS reconnect,"
		    " (SELECT count(*) FROM connections c WHERE true" EXPIRING_WHERE("1")
		    HEALTH_VISIBLE ") AS expiring,"
		    " (SELECT v FROM list_version) AS lv", 2, params);
	return db_exec_named(&r->app->db, "list_health",
	    "SELECT (SELECT count(*) FROM connections c WHERE c.status = 'failing') AS failing,"
	    " (SELECT count(*) FROM connections c WHERE c.status = 'needs_reconnect')"
	    " AS reconnect, (SELECT count(*) FROM connections c WHERE true"
	    EXPIRING_WHERE("1") ") AS expiring,"
	    " (SELECT v FROM list_version) AS lv", 1, params);
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
	if (lq->q != NULL)
		QS_ADD("q", lq->q);
	if (lq->connector != NULL)
		QS_ADD("connector", lq->connector);
	if (lq->status != NULL)
		QS_ADD("status", lq->status);
	if (lq->team != NULL)
		QS_ADD("team", lq->team);
	if (lq->unused != NULL)
		QS_ADD("unused", lq->unused);
	if (sort != 0)
		QS_ADD("sort", sorts[sort].key);
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
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		n = render_node(r->hdf, "Options.Statuses.%zu", i);
		render_set(n, "Key", statuses[i].key);
		render_set(n, "Label", statuses[i].label);
	}
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		n = render_node(r->hdf, "Options.Sorts.%zu", i);
		render_set(n, "Key", sorts[i].key);
		render_set(n, "Label", sorts[i].label);
	}
	for (i = 0; i < (size_t)db_rows(teams); i++) {
		n = render_node(r->hdf, "Options.Teams.%zu", i);
		render_set(n, "Id", db_get(teams, (int)i, "id"));
		render_set(n, "Name", db_get(teams, (int)i, "name"));
	}
	n = render_node(r->hdf, "Filter");
	render_set(n, "Q", lq->q);
	render_set(n, "Connector", lq->connector);
	render_set(n, "Status", lq->status);
	render_set(n, "Team", lq->team);
	render_set(n, "Unused", lq->unused);
	render_set(n, "Sort", sorts[lq->sort].key);
	render_set_int(n, "Page", lq->page);
	render_set(n, "Active", (lq->mask & ~F_VISIBLE) != 0 ? "1" : "0");
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
	int		 by_name = lq->sort <= 1, by_tested = lq->sort >= 2;

	render_set_int(p, "Total", total);
	render_set_int(p, "Page", lq->page);
	render_set_int(p, "Pages", pages > 0 ? pages : 1);
	render_set_int(p, "First", shown > 0 ? (lq->page - 1) * PAGE_SIZE + 1 : 0);
	render_set_int(p, "Last", shown > 0 ? (lq->page - 1) * PAGE_SIZE + shown : 0);
	if (lq->page > 1)
		list_set_query(p, "PrevQuery", lq, lq->sort,
		    lq->page - 1 < pages ? lq->page - 1 : pages);
	if (lq->page < pages)
		list_set_query(p, "NextQuery", lq, lq->sort, lq->page + 1);
	/* Column headers flip the direction of the current sort. */
	p = render_node(r->hdf, "Sort");
	list_set_query(p, "Name.Query", lq, lq->sort == 0 ? 1 : 0, 1);
	render_set(p, "Name.Dir", !by_name ? "" : lq->sort == 0 ? "asc" : "desc");
	list_set_query(p, "Tested.Query", lq, lq->sort == 2 ? 3 : 2, 1);
	render_set(p, "Tested.Dir", !by_tested ? "" : lq->sort == 3 ? "asc" : "desc");
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
	render_set(r->hdf, "Start.Mode", (lq->mask & ~F_VISIBLE) == 0 &&
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
	list_query_string(&view, &lq, lq.sort, lq.page);
	/* "Expiring" moves with the date, not only with the list version. */
	buf_printf(&view, "#%lld", (long long)(time(NULL) / 86400));
	/* Credential reads do not move the list version (sql/025): an "unused"
	 * view is never kept. */
	keep = !flash && !(lq.mask & F_UNUSED);
	if (keep && list_cache_serve(r, view.data)) {
		rc = 0;
		goto out;
	}
	if ((teams = list_teams(r, params, &teams_owned)) == NULL ||
	    (count = list_count(r, &lq, uid)) == NULL) {
		http_error(r, 503, NULL);
		goto out;
	}
	/* Past the last page (a stale bookmark): show the last one instead. */
	total = strtoll(db_get(count, 0, "n"), NULL, 10);
	if (total > 0 && (lq.page - 1) * PAGE_SIZE >= total)
		lq.page = (total + PAGE_SIZE - 1) / PAGE_SIZE;
	if ((rows = list_page(r, &lq, uid)) == NULL ||
	    (health = list_health(r, &lq, uid)) == NULL) {
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
