/*
 * page-audit.c — the audit log: who did what to which object, when, from
 * where, with what outcome; filtered by connection, actor, action, outcome
 * and date range, paginated, and exported as CSV for the current filter.
 * Admins see everything, team managers their teams' objects; viewers and
 * members do not see it. Control characters in stored names are shown as
 * their visible symbols (U+2400…), never passed through.
 * Each event reads as a sentence with names ("Shared with Finance Ops
 * (Manage)"), from the details' known keys, the team named by team_id
 * looked up; the CSV keeps the details as JSON.
 * Inputs: GET connection (an id, from a connection's page), conn (a
 * connection's name, or part of it), actor, action, outcome, from, to,
 * page, format.
 * Statuses: 200 (HTML or text/csv), 403, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

#define AUDIT_PAGE	100
#define AUDIT_CSV_MAX	50000
#define AUDIT_PICK_S	"500"	/* connection names offered in the filter */

static const char *const actions[] = {
	"sign_in", "sign_out", "user_create", "user_password", "user_disable",
	"user_enable", "user_admin_grant", "user_admin_revoke",
	"team_create", "team_member_set", "team_member_remove", "connection_create",
	"connection_edit", "connection_edit_revoke", "connection_revert", "connection_test", "connection_reconnect_start",
	"connection_reconnect", "connection_connect_start", "connection_connect",
	"connection_user_credentials", "connection_share",
	"connection_unshare", "connection_transfer", "connection_delete",
	"named_credential_create", "named_credential_edit", "named_credential_delete",
	"flow_create", "flow_update", "flow_delete", NULL
};

/* C0 controls and DEL become their Unicode "control picture". */
static void
audit_visible(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char	 ch = (unsigned char)*s;

		if (ch < 0x20 || ch == 0x7f) {
			unsigned cp = ch == 0x7f ? 0x2421 : 0x2400 + ch;
			char	 u[4] = { (char)(0xe0 | (cp >> 12)),
				    (char)(0x80 | ((cp >> 6) & 0x3f)), (char)(0x80 | (cp & 0x3f)), 0 };

			buf_puts(out, u);
		} else
			buf_append(out, s, 1);
	}
}

static void
audit_set(HDF *n, const char *name, const char *value)
{
	struct buf	 b;

	buf_init(&b);
	audit_visible(&b, value);
	render_set(n, name, b.data);
	buf_free(&b);
}

struct audit_filter {
	const char	*connection, *conn, *actor, *action, *outcome, *from, *to;
	long long	 page;
	char		 like[220], conn_like[220];
};

static int
audit_date_ok(const char *d)
{
	int	 y, m, day;
	char	 tail;

	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	/* A real calendar day, or PostgreSQL would refuse the cast. */
	return d != NULL && strlen(d) == 10 &&
	    sscanf(d, "%4d-%2d-%2d%c", &y, &m, &day, &tail) == 3 &&
	    y >= 2000 && y <= 2200 && m >= 1 && m <= 12 && day >= 1 &&
	    day <= mdays[m - 1] &&
	    (m != 2 || day < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

static void
audit_read(struct req *r, struct audit_filter *f)
{
	const char	*v;
	long long	 n;
	size_t		 i;

	memset(f, 0, sizeof(*f));
	f->page = 1;
	if ((v = req_param(r, "connection")) != NULL && valid_int(v, 1, INT64_MAX / 2, &n) == NULL)
		f->connection = v;
	if ((v = req_param(r, "conn")) != NULL && *v != '\0' && valid_text(v, 1, 100) == NULL) {
		f->conn = v;
		like_escape(v, f->conn_like, sizeof(f->conn_like));
	}
	if ((v = req_param(r, "actor")) != NULL && *v != '\0' && valid_text(v, 1, 100) == NULL) {
		f->actor = v;
		like_escape(v, f->like, sizeof(f->like));
	}
	if ((v = req_param(r, "action")) != NULL)
		for (i = 0; actions[i] != NULL; i++)
			if (strcmp(actions[i], v) == 0)
				f->action = actions[i];
	if ((v = req_param(r, "outcome")) != NULL && (strcmp(v, "success") == 0 ||
	    strcmp(v, "failure") == 0 || strcmp(v, "denied") == 0))
		f->outcome = v;
	if (audit_date_ok(req_param(r, "from")))
		f->from = req_param(r, "from");
	if (audit_date_ok(req_param(r, "to")))
		f->to = req_param(r, "to");
	if ((v = req_param(r, "page")) != NULL && valid_int(v, 1, 100000, &n) == NULL)
		f->page = n;
}

/* One filter condition: `value` becomes the next parameter, between pre and post. */
static void
audit_cond(struct buf *sql, const char **params, int *n, const char *value,
    const char *pre, const char *post)
{
	if (value == NULL)
		return;
	params[(*n)++] = value;
	buf_printf(sql, "%s%d%s", pre, *n, post);
}

/* WHERE for the filter; who may see what is the first condition. */
static int
audit_where(struct req *r, const struct audit_filter *f, struct buf *sql,
    const char **params, char *uid)
{
	int	 n = 0;

	buf_puts(sql, " WHERE true");
	if (!r->sess->is_admin) {
		snprintf(uid, 24, "%lld", (long long)r->sess->user_id);
		params[n++] = uid;
		buf_printf(sql, " AND a.team_id IN (SELECT team_id FROM team_members"
		    " WHERE user_id = $%d AND role = 'manager')", n);
	}
	audit_cond(sql, params, &n, f->connection,
	    " AND a.object_type = 'connection' AND a.object_id = $", "::bigint");
	audit_cond(sql, params, &n, f->conn != NULL ? f->conn_like : NULL,
	    " AND a.object_type = 'connection' AND a.object_label ILIKE '%' || $", " || '%'");
	audit_cond(sql, params, &n, f->actor != NULL ? f->like : NULL,
	    " AND a.actor_label ILIKE '%' || $", " || '%'");
	audit_cond(sql, params, &n, f->action, " AND a.action = $", "");
	audit_cond(sql, params, &n, f->outcome, " AND a.outcome = $", "");
	audit_cond(sql, params, &n, f->from, " AND a.at >= $", "::date");
	audit_cond(sql, params, &n, f->to, " AND a.at < $", "::date + 1");
	return n;
}

static void
audit_query_string(struct buf *b, const struct audit_filter *f, long long page, int csv)
{
	char	 sep = '?';

#define QS(key, value) do { if ((value) != NULL) {			\
	buf_printf(b, "%c%s=", sep, key); buf_url_encode(b, value); sep = '&'; } } while (0)
	QS("connection", f->connection);
	QS("conn", f->conn);
	QS("actor", f->actor);
	QS("action", f->action);
	QS("outcome", f->outcome);
	QS("from", f->from);
	QS("to", f->to);
#undef QS
	if (page > 1) {
		buf_printf(b, "%cpage=%lld", sep, page);
		sep = '&';
	}
	if (csv)
		buf_printf(b, "%cformat=csv", sep);
	if (b->len == 0)
		buf_puts(b, "?");
}

static const char audit_cols[] =
    "SELECT to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS at,"
    " a.actor_label, COALESCE(t.name, '') AS team, a.object_type,"
    " COALESCE(a.object_id::text, '') AS object_id, a.object_label, a.action, a.outcome,"
    " COALESCE(a.client_addr, '') AS client_addr, COALESCE(a.request_id, '') AS request_id,"
    " a.details::text AS details,"
    /* the sentence's parts: the known keys of the details, the team that
     * team_id names, and any other key as "key: value" */
    " COALESCE(dt.name, '') AS d_team, COALESCE(a.details->>'permission', '') AS d_permission,"
    " COALESCE(a.details->>'role', '') AS d_role, COALESCE(a.details->>'result', '') AS d_result,"
    " COALESCE(a.details->>'trigger', '') AS d_trigger,"
    " COALESCE(a.details->>'connector', '') AS d_connector,"
    " COALESCE((SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(CASE"
    "  WHEN jsonb_typeof(a.details->'fields') = 'array' THEN a.details->'fields'"
    "  ELSE '[]' END) x), '') AS d_fields,"
    " COALESCE((SELECT string_agg(k || ': ' || v, ', ' ORDER BY k) FROM jsonb_each_text(CASE"
    "  WHEN jsonb_typeof(a.details) = 'object' THEN a.details ELSE '{}' END) e(k, v)"
    "  WHERE k NOT IN ('team_id', 'permission', 'role', 'result', 'trigger', 'connector',"
    "  'fields')), '') AS d_other"
    " FROM audit_log a LEFT JOIN teams t ON t.id = a.team_id"
    " LEFT JOIN teams dt ON jsonb_typeof(a.details->'team_id') = 'number'"
    "  AND dt.id = (a.details->>'team_id')::numeric";

/* One CSV cell: quoted, quotes doubled, and a leading = + - @ defused so a
 * spreadsheet never runs it as a formula. */
static void
audit_csv_cell(struct buf *out, const char *v, int last)
{
	buf_puts(out, "\"");
	if (*v == '=' || *v == '+' || *v == '-' || *v == '@' || *v == '\t' || *v == '\r')
		buf_puts(out, "'");
	for (; *v != '\0'; v++) {
		if (*v == '"')
			buf_puts(out, "\"\"");
		else if ((unsigned char)*v < 0x20 || *v == 0x7f) {
			char	 one[2] = { *v, 0 };

			audit_visible(out, one);
		} else
			buf_append(out, v, 1);
	}
	buf_puts(out, last ? "\"\r\n" : "\",");
}

static int
audit_csv(struct req *r, PGresult *res)
{
	static const char *const cols[] = { "at", "actor_label", "team", "object_type",
	    "object_id", "object_label", "action", "outcome", "client_addr", "request_id",
	    "details" };
	size_t		 k;
	int		 i;

	r->out.len = 0;
	buf_puts(&r->out, "time,actor,team,object_type,object_id,object,action,outcome,"
	    "client_address,request_id,details\r\n");
	for (i = 0; i < db_rows(res); i++)
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++)
			audit_csv_cell(&r->out, db_get(res, i, cols[k]),
			    k + 1 == sizeof(cols) / sizeof(cols[0]));
	r->status = 200;
	r->content_type = "text/csv; charset=utf-8";
	http_header(r, "Content-Disposition", "attachment; filename=\"tether-audit.csv\"");
	return 0;
}

/* An event's details for its sentence: About.Team|Permission|Role|Result|
 * Trigger|Connector (its title)|Fields|Other. */
static void
audit_fill_about(struct req *r, HDF *n, PGresult *res, int i)
{
	const char	*connector = db_get(res, i, "d_connector");

	audit_set(n, "Team", db_get(res, i, "d_team"));
	audit_set(n, "Permission", db_get(res, i, "d_permission"));
	audit_set(n, "Role", db_get(res, i, "d_role"));
	audit_set(n, "Result", db_get(res, i, "d_result"));
	audit_set(n, "Trigger", db_get(res, i, "d_trigger"));
	if (*connector != '\0')
		audit_set(n, "Connector", catalog_get(&r->app->catalog, connector) != NULL ?
		    catalog_title(&r->app->catalog, connector) : connector);
	audit_set(n, "Fields", db_get(res, i, "d_fields"));
	audit_set(n, "Other", db_get(res, i, "d_other"));
}

/* The names of the connections the viewer may pick in the filter (the
 * first AUDIT_PICK by name): all for admins, else their teams' own. */
static int
audit_fill_picks(struct req *r, const char *uid)
{
	const char	*params[2] = { uid, r->sess->is_admin ? "t" : "f" };
	PGresult	*res;
	int		 i;

	res = db_exec_named(&r->app->db, "audit_picks", "SELECT DISTINCT lower(name), name"
	    " FROM connections WHERE $2::boolean OR owner_team_id IN (SELECT team_id"
	    " FROM team_members WHERE user_id = $1::bigint AND role = 'manager')"
	    " ORDER BY 1 LIMIT " AUDIT_PICK_S, 2, params);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++)
		audit_set(render_node(r->hdf, "Audit.Picks.%d", i), "Name", db_get(res, i, "name"));
	db_clear(res);
	return 0;
}

int
page_audit(struct req *r)
{
	struct audit_filter	 f;
	struct buf		 sql, q;
	const char		*params[10], *format = req_param(r, "format");
	char			 uid[24], limit[96];
	PGresult		*res = NULL, *count = NULL;
	int			 n, i, may, csv = format != NULL && strcmp(format, "csv") == 0;
	long long		 total;
	HDF			*node;

	if ((may = session_is_manager(r)) <= 0) {
		if (may == 0)
			http_error(r, 403, "The audit log is for administrators and team managers.");
		return may == 0 ? 0 : -1;
	}
	audit_read(r, &f);
	buf_init(&sql);
	buf_puts(&sql, audit_cols);
	n = audit_where(r, &f, &sql, params, uid);
	snprintf(limit, sizeof(limit), " ORDER BY a.at DESC, a.id DESC LIMIT %d OFFSET %lld",
	    csv ? AUDIT_CSV_MAX : AUDIT_PAGE, csv ? 0 : (f.page - 1) * AUDIT_PAGE);
	buf_puts(&sql, limit);
	res = db_exec_params(&r->app->db, sql.data, n, params);
	buf_free(&sql);
	if (res == NULL)
		return -1;
	if (csv) {
		i = audit_csv(r, res);
		db_clear(res);
		return i;
	}
	buf_init(&sql);
	buf_puts(&sql, "SELECT count(*) AS n FROM audit_log a");
	n = audit_where(r, &f, &sql, params, uid);
	count = db_exec_params(&r->app->db, sql.data, n, params);
	buf_free(&sql);
	if (count == NULL) {
		db_clear(res);
		return -1;
	}
	total = strtoll(db_get(count, 0, "n"), NULL, 10);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	if (audit_fill_picks(r, uid) == -1) {
		db_clear(res);
		db_clear(count);
		return -1;
	}
	for (i = 0; i < db_rows(res); i++) {
		node = render_node(r->hdf, "Audit.Rows.%d", i);
		audit_set(node, "At", db_get(res, i, "at"));
		audit_set(node, "Actor", db_get(res, i, "actor_label"));
		audit_set(node, "Team", db_get(res, i, "team"));
		audit_set(node, "ObjectType", db_get(res, i, "object_type"));
		audit_set(node, "ObjectId", db_get(res, i, "object_id"));
		audit_set(node, "Object", db_get(res, i, "object_label"));
		audit_set(node, "Action", db_get(res, i, "action"));
		audit_set(node, "Outcome", db_get(res, i, "outcome"));
		audit_set(node, "Client", db_get(res, i, "client_addr"));
		audit_set(node, "RequestId", db_get(res, i, "request_id"));
		audit_set(node, "Details", db_get(res, i, "details"));
		audit_fill_about(r, render_node(node, "About"), res, i);
	}
	for (i = 0; actions[i] != NULL; i++)
		render_set(render_node(r->hdf, "Audit.Actions.%d", i), "Key", actions[i]);
	node = render_node(r->hdf, "Audit.Filter");
	render_set(node, "Connection", f.connection);
	render_set(node, "Conn", f.conn);
	render_set(node, "Actor", f.actor);
	render_set(node, "Action", f.action);
	render_set(node, "Outcome", f.outcome);
	render_set(node, "From", f.from);
	render_set(node, "To", f.to);
	node = render_node(r->hdf, "Pager");
	render_set_int(node, "Total", total);
	render_set_int(node, "Page", f.page);
	render_set_int(node, "Pages", total > 0 ? (total + AUDIT_PAGE - 1) / AUDIT_PAGE : 1);
	render_set_int(node, "First", db_rows(res) > 0 ? (f.page - 1) * AUDIT_PAGE + 1 : 0);
	render_set_int(node, "Last", (f.page - 1) * AUDIT_PAGE + db_rows(res));
	if (f.page > 1) {
		buf_init(&q);
		audit_query_string(&q, &f, f.page - 1, 0);
		render_set(node, "PrevQuery", q.data);
		buf_free(&q);
	}
	if (f.page * AUDIT_PAGE < total) {
		buf_init(&q);
		audit_query_string(&q, &f, f.page + 1, 0);
		render_set(node, "NextQuery", q.data);
		buf_free(&q);
	}
	buf_init(&q);
	audit_query_string(&q, &f, 1, 1);
	render_set(r->hdf, "Audit.CsvQuery", q.data);
	buf_free(&q);
	render_set(r->hdf, "Page.Title", "Audit log");
	db_clear(res);
	db_clear(count);
	return http_page(r, 200, "audit.cs");
}
