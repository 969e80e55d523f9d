/*
 * replace.c — replace a connection across its flows (issue 13 §4): which
 * connections may take its place, the preview (each flow using it, whether
 * the actor may change it, the replacement's last test) and the swap. The
 * swap is one transaction: the replacement held (FOR KEY SHARE), the chosen
 * flows locked in id order, each read again once locked (still there, still
 * using the connection, unchanged since the preview), then all moved or
 * none; audited on both connections and on each flow. The page and the API
 * only read their input and answer: every sentence is here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

/* PERM_USE in SQL: FLOW_PERM's levels are enum perm's. */
#define REPLACE_USE	"2"

/* Connections that may take $1's place: compatible, usable by the actor. */
static const char replace_candidates_sql[] =
    "SELECT c.id, c.name, t.name AS team, c.status,"
    " COALESCE(c.last_test_result = 'ok', false) AS passed"
    " FROM connections o JOIN connections c ON c.connector = o.connector"
    " AND c.auth_protocol = o.auth_protocol AND c.api_type = o.api_type"
    " AND c.execution_context = o.execution_context AND c.id <> o.id"
    " JOIN teams t ON t.id = c.owner_team_id"
    " WHERE o.id = $1 AND " FLOW_PERM " >= " REPLACE_USE
    " ORDER BY lower(c.name), c.id LIMIT 500";

/* 1 when the actor may change flow f: PERM_USE on each of its connections. */
#define REPLACE_MAY_CHANGE						\
	"NOT EXISTS (SELECT 1 FROM flow_connections x JOIN connections c"	\
	" ON c.id = x.connection_id WHERE x.flow_id = f.id"		\
	" AND " FLOW_PERM " < " REPLACE_USE ")"

/* The flows using $1 ($4: the chosen ids, NULL: every one the actor may change). */
static const char replace_flows_sql[] =
    "SELECT q.*, CASE WHEN $4::bigint[] IS NULL THEN q.may_change"
    " ELSE q.id = ANY ($4::bigint[]) END AS chosen FROM ("
    "SELECT f.id, f.name, f.version, f.status, f.owner,"
    " to_char(f.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " AS updated_at, (extract(epoch FROM f.updated_at) * 1000000)::bigint AS stamp,"
    " " REPLACE_MAY_CHANGE " AS may_change"
    " FROM flows f JOIN flow_connections fc ON fc.flow_id = f.id"
    " AND fc.connection_id = $1) q ORDER BY lower(q.name), q.id LIMIT "
    "500";

/* Once locked, the chosen flows ($1) as they are now ($4: the connection). */
static const char replace_recheck_sql[] =
    "SELECT f.id, f.name, (extract(epoch FROM f.updated_at) * 1000000)::bigint AS stamp,"
    " EXISTS (SELECT 1 FROM flow_connections u WHERE u.flow_id = f.id"
    " AND u.connection_id = $4) AS uses, " REPLACE_MAY_CHANGE " AS may_change"
    " FROM flows f WHERE f.id = ANY ($1::bigint[]) ORDER BY f.id";

struct replace_ctx {
	const struct actor	*a;
	const struct replace_in	*in;
	struct replace_result	*out;
	struct conn		*from;
	char			 uid[24], fid[24], tid[24];
	long long		 ids[REPLACE_FLOWS_MAX];	/* the chosen flows */
	size_t			 nids;
};

static int
replace_refuse(struct replace_ctx *x, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
replace_refuse(struct replace_ctx *x, int rc, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(x->out->why, sizeof(x->out->why), fmt, ap);
	va_end(ap);
	return rc;
}

/* Audit a refused swap on the connection, after the rollback. */
static void
replace_audit_refusal(struct replace_ctx *x, const char *outcome, const char *reason)
{
	struct buf	 d;

	if (x->in->dry_run || x->from == NULL)
		return;
	buf_init(&d);
	buf_printf(&d, "{\"reason\":\"%s\",\"replacement\":%lld", reason,
	    (long long)x->in->to);
	if (x->out->flow > 0)
		buf_printf(&d, ",\"flow\":%lld", (long long)x->out->flow);
	buf_puts(&d, "}");
	(void)audit_add(x->a, "connection", x->from->id, x->from->name, "connection_replace",
	    outcome, d.data);
	buf_free(&d);
}

/* The connection and its replacement: loaded, allowed, compatible. */
static int
replace_check_conns(struct replace_ctx *x)
{
	const struct catalog	*cat = &x->a->app->catalog;
	struct conn		*to;
	int			 dberr = 0;

	if ((x->from = conn_get(x->a, x->in->from, &dberr)) == NULL)
		return dberr ? -1 : replace_refuse(x, REPLACE_NOT_FOUND,
		    "Connection %lld not found.", (long long)x->in->from);
	if (x->from->perm < PERM_MANAGE)
		return replace_refuse(x, REPLACE_FORBIDDEN, "Only those who may edit this"
		    " connection can replace it in flows.");
	if (x->in->to == x->in->from)
		return replace_refuse(x, REPLACE_SAME, "Pick another connection: a connection"
		    " cannot replace itself.");
	if ((to = conn_get(x->a, x->in->to, &dberr)) == NULL)
		return dberr ? -1 : replace_refuse(x, REPLACE_TO_NOT_FOUND,
		    "The replacement, connection %lld, was not found.", (long long)x->in->to);
	x->out->to = to;
	if (to->perm < PERM_USE)
		return replace_refuse(x, REPLACE_TO_FORBIDDEN, "Your role does not allow"
		    " using \"%s\" in flows.", to->name);
	if (strcmp(to->connector, x->from->connector) != 0 ||
	    strcmp(to->protocol, x->from->protocol) != 0 ||
	    strcmp(to->api_type, x->from->api_type) != 0 ||
	    strcmp(to->context, x->from->context) != 0)
		return replace_refuse(x, REPLACE_INCOMPATIBLE, "\"%s\" cannot replace it: pick"
		    " a connection of the same connector (%s), authentication protocol (%s),"
		    " API type and execution context.", to->name,
		    catalog_title(cat, x->from->connector),
		    catalog_protocol_label(cat, x->from->connector, x->from->protocol));
	return REPLACE_DONE;
}

/* The preview, and the chosen flows checked against it. */
static int
replace_preview(struct replace_ctx *x)
{
	struct buf	 ids;
	const char	*params[4];
	PGresult	*res;
	size_t		 i;
	int		 k, found, rc = REPLACE_DONE;

	buf_init(&ids);
	if (x->in->picks != NULL) {
		for (i = 0; i < x->in->npicks; i++)
			buf_printf(&ids, "%s%lld", i > 0 ? "," : "{",
			    (long long)x->in->picks[i].flow);
		buf_puts(&ids, x->in->npicks > 0 ? "}" : "{}");
	}
	params[0] = x->fid, params[1] = x->uid, params[2] = x->a->is_admin ? "t" : "f";
	params[3] = x->in->picks != NULL ? ids.data : NULL;
	res = db_exec_named(&x->a->app->db, "replace_flows", replace_flows_sql, 4, params);
	buf_free(&ids);
	if ((x->out->flows = res) == NULL)
		return -1;
	if (db_rows(res) == 0)
		return replace_refuse(x, REPLACE_NO_FLOWS, "No flows use this connection.");
	if (x->in->picks != NULL && x->in->npicks == 0)
		return replace_refuse(x, REPLACE_NO_FLOWS, "Choose at least one flow.");
	if (x->in->npicks > REPLACE_FLOWS_MAX)
		return replace_refuse(x, REPLACE_NO_FLOWS, "Choose at most %d flows at once.",
		    REPLACE_FLOWS_MAX);
	for (i = 0; x->in->picks != NULL && i < x->in->npicks && rc == REPLACE_DONE; i++) {
		for (k = 0, found = 0; !found && k < db_rows(res); k++)
			found = strtoll(db_get(res, k, "id"), NULL, 10) == x->in->picks[i].flow;
		if (!found) {
			x->out->flow = x->in->picks[i].flow;
			rc = replace_refuse(x, REPLACE_FLOW_NOT_USING,
			    "Flow %lld does not use this connection.",
			    (long long)x->in->picks[i].flow);
		}
	}
	for (k = 0; k < db_rows(res) && rc == REPLACE_DONE; k++) {
		if (strcmp(db_get(res, k, "chosen"), "t") != 0)
			continue;
		if (strcmp(db_get(res, k, "may_change"), "t") != 0) {
			x->out->flow = strtoll(db_get(res, k, "id"), NULL, 10);
			rc = replace_refuse(x, REPLACE_FLOW_FORBIDDEN, "You may not change flow"
			    " \"%s\": it also uses a connection your role does not allow.",
			    db_get(res, k, "name"));
		}
		x->ids[x->nids++] = strtoll(db_get(res, k, "id"), NULL, 10);
	}
	if (rc == REPLACE_DONE && x->nids == 0)
		rc = replace_refuse(x, REPLACE_NO_FLOWS, "None of the flows using it is one"
		    " your role allows you to change.");
	return rc;
}

/* The stamp the caller saw for flow `id`, or NULL when none was given. */
static const char *
replace_stamp(const struct replace_in *in, long long id)
{
	size_t	 i;

	for (i = 0; in->picks != NULL && i < in->npicks; i++)
		if (in->picks[i].flow == id && in->picks[i].stamp[0] != '\0')
			return in->picks[i].stamp;
	return NULL;
}

/* Locked, each chosen flow is as the preview showed it: REPLACE_DONE, a
 * refusal (the caller rolls back) or -1. */
static int
replace_recheck(struct replace_ctx *x, const char *idlist)
{
	struct db	*db = &x->a->app->db;
	const char	*params[4] = { idlist, x->uid, x->a->is_admin ? "t" : "f", x->fid };
	const char	*seen;
	PGresult	*res;
	size_t		 i;
	int		 k, rc = REPLACE_DONE;

	if ((res = db_exec_named(db, "replace_lock", "SELECT id FROM flows"
	    " WHERE id = ANY ($1::bigint[]) ORDER BY id FOR UPDATE", 1, params)) == NULL)
		return -1;
	db_clear(res);
	/* A statement of its own: it sees what a writer we waited for committed. */
	if ((res = db_exec_named(db, "replace_recheck", replace_recheck_sql, 4, params)) == NULL)
		return -1;
	for (i = 0; i < x->nids && rc == REPLACE_DONE; i++) {
		for (k = 0; k < db_rows(res); k++)
			if (strtoll(db_get(res, k, "id"), NULL, 10) == x->ids[i])
				break;
		x->out->flow = x->ids[i];
		if (k == db_rows(res))
			rc = replace_refuse(x, REPLACE_CONFLICT, "Nothing was replaced: flow %lld"
			    " was deleted since the preview. Look at the flows again and confirm.",
			    x->ids[i]);
		else if (strcmp(db_get(res, k, "uses"), "t") != 0 ||
		    ((seen = replace_stamp(x->in, x->ids[i])) != NULL &&
		    strcmp(seen, db_get(res, k, "stamp")) != 0))
			rc = replace_refuse(x, REPLACE_CONFLICT, "Nothing was replaced: flow \"%s\""
			    " changed since the preview%s. Look at the flows again and confirm.",
			    db_get(res, k, "name"), strcmp(db_get(res, k, "uses"), "t") != 0 ?
			    " (it no longer uses this connection)" : "");
		else if (strcmp(db_get(res, k, "may_change"), "t") != 0)
			rc = replace_refuse(x, REPLACE_FLOW_FORBIDDEN, "You may not change flow"
			    " \"%s\": it also uses a connection your role does not allow.",
			    db_get(res, k, "name"));
	}
	if (rc == REPLACE_DONE)
		x->out->flow = 0;
	db_clear(res);
	return rc;
}

/* Move the chosen flows and audit each, and both connections. */
static int
replace_swap(struct replace_ctx *x, const char *idlist)
{
	struct db	*db = &x->a->app->db;
	const char	*params[2] = { idlist, x->tid };
	struct buf	 d, flows;
	PGresult	*res;
	int		 k, rc = -1;

	if ((res = db_exec_named(db, "replace_link", "INSERT INTO flow_connections"
	    " (flow_id, connection_id) SELECT f, $2 FROM unnest($1::bigint[]) AS f"
	    " ON CONFLICT DO NOTHING", 2, params)) == NULL)
		return -1;
	db_clear(res);
	if ((res = db_exec_named(db, "replace_unlink", "DELETE FROM flow_connections"
	    " WHERE flow_id = ANY ($1::bigint[]) AND connection_id = $2", 2,
	    (const char *const[]){ idlist, x->fid })) == NULL)
		return -1;
	db_clear(res);
	if ((res = db_exec_named(db, "replace_touch", "UPDATE flows SET updated_at = now()"
	    " WHERE id = ANY ($1::bigint[]) RETURNING id, name, (SELECT json_agg("
	    "c.connection_id ORDER BY c.connection_id) FROM flow_connections c"
	    " WHERE c.flow_id = flows.id)::text AS conns", 1, params)) == NULL)
		return -1;
	buf_init(&d);
	buf_init(&flows);
	flow_ids(&flows, x->ids, x->nids, 1);
	for (k = 0; k < db_rows(res); k++) {
		buf_free(&d);
		buf_init(&d);
		buf_printf(&d, "{\"fields\":[\"connections\"],\"connections\":%s,"
		    "\"replaced\":{\"from\":%s,\"to\":%s}}", db_get(res, k, "conns"), x->fid,
		    x->tid);
		if (audit_add(x->a, "flow", strtoll(db_get(res, k, "id"), NULL, 10),
		    db_get(res, k, "name"), "flow_update", "success", d.data) == -1)
			goto out;
	}
	buf_free(&d);
	buf_init(&d);
	buf_printf(&d, "{\"replaced_by\":%s,\"flows\":%s}", x->tid, flows.data);
	if (audit_add(x->a, "connection", x->from->id, x->from->name, "connection_replace",
	    "success", d.data) == -1)
		goto out;
	buf_free(&d);
	buf_init(&d);
	buf_printf(&d, "{\"replaces\":%s,\"flows\":%s}", x->fid, flows.data);
	if (audit_add(x->a, "connection", x->out->to->id, x->out->to->name,
	    "connection_replace", "success", d.data) == -1)
		goto out;
	x->out->moved = db_rows(res);
	if ((x->out->remaining = db_count(db, "SELECT count(*) AS n FROM flow_connections"
	    " WHERE connection_id = $1", 1, (const char *const[]){ x->fid })) == -1)
		goto out;
	rc = REPLACE_DONE;
out:
	db_clear(res);
	buf_free(&d);
	buf_free(&flows);
	return rc;
}

/* The swap's transaction: REPLACE_DONE committed, a refusal or -1 rolled back. */
static int
replace_commit(struct replace_ctx *x)
{
	struct db	*db = &x->a->app->db;
	struct buf	 idlist;
	PGresult	*res;
	int		 rc = -1;

	buf_init(&idlist);
	flow_ids(&idlist, x->ids, x->nids, 0);
	if (db_begin(db) == -1)
		goto out;
	/* The replacement stays until the commit (a delete waits for it). */
	if ((res = db_exec_named(db, "replace_hold", "SELECT id FROM connections"
	    " WHERE id = $1 FOR KEY SHARE", 1, (const char *const[]){ x->tid })) == NULL)
		goto out;
	rc = db_rows(res) == 1 ? REPLACE_DONE : replace_refuse(x, REPLACE_TO_NOT_FOUND,
	    "The replacement, connection %s, was deleted meanwhile.", x->tid);
	db_clear(res);
	if (rc == REPLACE_DONE)
		rc = replace_recheck(x, idlist.data);
	if (rc == REPLACE_DONE)
		rc = replace_swap(x, idlist.data);
	if (rc == REPLACE_DONE && db_commit(db) == -1)
		rc = -1;
out:
	if (rc != REPLACE_DONE)
		db_rollback(db);
	if (rc == REPLACE_CONFLICT || rc == REPLACE_TO_NOT_FOUND)
		replace_audit_refusal(x, "failure", rc == REPLACE_CONFLICT ?
		    "flow changed meanwhile" : "replacement deleted meanwhile");
	else if (rc == REPLACE_FLOW_FORBIDDEN)
		replace_audit_refusal(x, "denied", "flow not allowed");
	buf_free(&idlist);
	return rc;
}

int
replace_run(const struct actor *a, const struct replace_in *in, struct replace_result *out)
{
	struct replace_ctx	 x;
	int			 rc;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	x.a = a, x.in = in, x.out = out;
	snprintf(x.uid, sizeof(x.uid), "%lld", (long long)a->user_id);
	snprintf(x.fid, sizeof(x.fid), "%lld", (long long)in->from);
	snprintf(x.tid, sizeof(x.tid), "%lld", (long long)in->to);
	if ((rc = replace_check_conns(&x)) == REPLACE_DONE &&
	    (rc = replace_preview(&x)) == REPLACE_DONE && !in->dry_run)
		rc = replace_commit(&x);
	else if (rc == REPLACE_FORBIDDEN || rc == REPLACE_TO_FORBIDDEN ||
	    rc == REPLACE_FLOW_FORBIDDEN)
		replace_audit_refusal(&x, "denied", rc == REPLACE_FORBIDDEN ?
		    "connection not editable" : rc == REPLACE_TO_FORBIDDEN ?
		    "replacement not usable" : "flow not allowed");
	conn_free(x.from);
	return rc;
}

void
replace_result_free(struct replace_result *r)
{
	if (r == NULL)
		return;
	db_clear(r->flows);
	conn_free(r->to);
	r->flows = NULL;
	r->to = NULL;
}

struct pg_result *
replace_candidates(const struct actor *a, int64_t from)
{
	char		 fid[24], uid[24];
	const char	*params[3] = { fid, uid, a->is_admin ? "t" : "f" };

	snprintf(fid, sizeof(fid), "%lld", (long long)from);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	return db_exec_named(&a->app->db, "replace_candidates", replace_candidates_sql, 3,
	    params);
}
