/*
 * flow.c — the flows registry: what a flow may hold (its limits and
 * checks), which flows and connections an actor sees of it, and its
 * changes (create, replace, delete), each one transaction with its audit
 * row; a refusal is audited as denied. The actor is the API's token user or
 * tetherctl acting as the system; the JSON API (api-flows.c) and tetherctl
 * (ctl-flow.c) only read their input and word the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

#define FLOW_STR_(x)	#x
#define FLOW_STR(x)	FLOW_STR_(x)

const char *const flow_fields[FLOW__FIELDS] = {
	"name", "version", "status", "owner", "description", "progress_status",
	"connections",
};

/* FLOW_PERM (tether.h): the actor's level on connection c. */

static const char flow_load_sql[] =
    "SELECT " FLOW_COLUMNS " FROM flows f WHERE f.id = $1";
static const char flow_lock_sql[] = "SELECT " FLOW_COLUMNS " FROM flows f WHERE f.id = $1"
    " FOR UPDATE";
/* A flow's connections with the actor's level on each. */
static const char flow_conns_sql[] =
    "SELECT c.id, " FLOW_PERM " AS perm FROM flow_connections fc"
    " JOIN connections c ON c.id = fc.connection_id WHERE fc.flow_id = $1"
    " ORDER BY c.id";
/* The actor's level on each listed connection, 0 when there is none. */
static const char flow_conns_check_sql[] =
    "SELECT x.id, CASE WHEN c.id IS NULL THEN 0 ELSE " FLOW_PERM " END AS perm"
    " FROM unnest($1::bigint[]) WITH ORDINALITY AS x(id, n)"
    " LEFT JOIN connections c ON c.id = x.id ORDER BY x.n";

/* ---------------------------------------------------------------- checks */

const char *
flow_text_check(enum flow_field k, const char *s)
{
	switch (k) {
	case FLOW_NAME:
		return valid_name(s, 200);	/* "" too: "Enter a value." */
	case FLOW_OWNER:
		return *s == '\0' ? NULL : valid_name(s, 200);
	case FLOW_PROGRESS:
		return *s == '\0' ? NULL : valid_name(s, 100);
	case FLOW_DESCRIPTION:
		return valid_text(s, 0, 2000);
	default:
		return "Not a text field.";
	}
}

int
flow_status_ok(const char *s)
{
	return strcmp(s, "active") == 0 || strcmp(s, "inactive") == 0 ||
	    strcmp(s, "draft") == 0;
}

enum flow_field
flow_check(const struct flow_in *f, const char **why)
{
	size_t	 i, k;

	if ((*why = flow_text_check(FLOW_NAME, f->name)) != NULL)
		return FLOW_NAME;
	*why = "Use a whole number from 1 to " FLOW_STR(FLOW_VERSION_MAX) ".";
	if (f->version < 1 || f->version > FLOW_VERSION_MAX)
		return FLOW_VERSION;
	*why = "Use active, inactive or draft.";
	if (!flow_status_ok(f->status))
		return FLOW_STATUS;
	if ((*why = flow_text_check(FLOW_OWNER, f->owner)) != NULL)
		return FLOW_OWNER;
	if ((*why = flow_text_check(FLOW_DESCRIPTION, f->description)) != NULL)
		return FLOW_DESCRIPTION;
	if ((*why = flow_text_check(FLOW_PROGRESS, f->progress)) != NULL)
		return FLOW_PROGRESS;
	*why = "Use at most " FLOW_STR(FLOW_CONNS_MAX) " distinct connection ids.";
	if (f->nconns > FLOW_CONNS_MAX)
		return FLOW_CONNECTIONS;
	for (i = 0; i < f->nconns; i++) {
		if (f->conns[i] < 1)
			return FLOW_CONNECTIONS;
		for (k = 0; k < i; k++)
			if (f->conns[k] == f->conns[i])
				return FLOW_CONNECTIONS;
	}
	*why = NULL;
	return FLOW__FIELDS;
}

/* ------------------------------------------------------------- reading */

/* "{1,2,3}" for a bigint[] parameter, or "[1,2,3]" for JSON. */
void
flow_ids(struct buf *b, const long long *ids, size_t n, int json)
{
	size_t	 i;

	buf_puts(b, json ? "[" : "{");
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i > 0 ? "," : "", ids[i]);
	buf_puts(b, json ? "]" : "}");
}

int
flow_load(const struct actor *a, int64_t id, int lock, PGresult **flow, PGresult **conns)
{
	struct db	*db = &a->app->db;
	char		 fid[24], uid[24];
	const char	*params[3] = { fid, uid, a->is_admin ? "t" : "f" };
	int		 i, visible;

	*flow = *conns = NULL;
	snprintf(fid, sizeof(fid), "%lld", (long long)id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	if ((*flow = db_exec_named(db, lock ? "flow_lock" : "flow_load",
	    lock ? flow_lock_sql : flow_load_sql, 1, params)) == NULL)
		return -1;
	if ((*conns = db_exec_named(db, "flow_conns", flow_conns_sql, 3, params)) == NULL) {
		db_clear(*flow);
		*flow = NULL;
		return -1;
	}
	/* Seen: all by admins; by others, one using none or a connection they see. */
	visible = db_rows(*flow) == 1 && (a->is_admin || db_rows(*conns) == 0);
	for (i = 0; !visible && db_rows(*flow) == 1 && i < db_rows(*conns); i++)
		if (atoi(db_get(*conns, i, "perm")) >= PERM_VIEW)
			visible = 1;
	if (!visible) {
		db_clear(*flow);
		db_clear(*conns);
		*flow = *conns = NULL;
		return 1;
	}
	return 0;
}

/*
 * The actor's level on every listed connection: FLOW_DONE when at least
 * PERM_USE on each; otherwise FLOW_CONN_NOT_FOUND (missing or invisible:
 * identical) or FLOW_CONN_FORBIDDEN with *bad the first such id; -1 on a
 * database failure.
 */
static int
flow_conns_check(const struct actor *a, const struct flow_in *f, long long *bad)
{
	struct buf	 ids;
	char		 uid[24];
	const char	*params[3];
	PGresult	*res;
	int		 i, perm, rc = FLOW_DONE;

	if (f->nconns == 0)
		return FLOW_DONE;
	buf_init(&ids);
	flow_ids(&ids, f->conns, f->nconns, 0);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	params[0] = ids.data, params[1] = uid, params[2] = a->is_admin ? "t" : "f";
	res = db_exec_named(&a->app->db, "flow_conns_check", flow_conns_check_sql, 3, params);
	buf_free(&ids);
	if (res == NULL)
		return -1;
	for (i = 0; i < db_rows(res) && rc == FLOW_DONE; i++) {
		perm = atoi(db_get(res, i, "perm"));
		if (perm >= PERM_USE)
			continue;
		*bad = strtoll(db_get(res, i, "id"), NULL, 10);
		rc = perm == PERM_NONE ? FLOW_CONN_NOT_FOUND : FLOW_CONN_FORBIDDEN;
	}
	db_clear(res);
	return rc;
}

/* 1 when the actor may change the flow: PERM_USE on each of its connections. */
static int
flow_may_change(const struct actor *a, PGresult *conns)
{
	int	 i;

	if (a->is_admin)
		return 1;
	for (i = 0; i < db_rows(conns); i++)
		if (atoi(db_get(conns, i, "perm")) < PERM_USE)
			return 0;
	return 1;
}

/* ------------------------------------------------------------- changes */

/* Audit a change (in the caller's transaction) or a refusal (after it). */
static int
flow_audit(const struct actor *a, int64_t id, const char *label, const char *action,
    const char *outcome, struct buf *details)
{
	int	 rc;

	rc = audit_add(a, "flow", id, label, action, outcome, details->data);
	buf_free(details);
	return rc;
}

/* Audit a change with `details` (freed) and commit: FLOW_DONE or -1. */
static int
flow_commit(const struct actor *a, int64_t id, const char *label, const char *action,
    struct buf *details)
{
	if (flow_audit(a, id, label, action, "success", details) == -1 ||
	    db_commit(&a->app->db) == -1)
		return -1;
	return FLOW_DONE;
}

/* Roll back and audit a refusal: `st` a FLOW_* refusal, `bad` its connection. */
static int
flow_refuse(const struct actor *a, int64_t id, const char *label, const char *action,
    int st, long long bad)
{
	struct buf	 d;

	db_rollback(&a->app->db);
	buf_init(&d);
	if (st == FLOW_FORBIDDEN)
		buf_puts(&d, "{\"reason\":\"connection not allowed\"}");
	else
		buf_printf(&d, "{\"reason\":\"%s\",\"connection\":%lld}",
		    st == FLOW_CONN_NOT_FOUND ? "connection not found" :
		    "connection not allowed", bad);
	(void)flow_audit(a, id, label, action, "denied", &d);
	return st;
}

/* Link the flow to exactly the listed connections: FLOW_DONE, FLOW_CONN_GONE
 * (one was deleted meanwhile; rolled back) or -1. */
static int
flow_link(const struct actor *a, const char *fid, const struct flow_in *f)
{
	struct db	*db = &a->app->db;
	struct buf	 ids;
	const char	*params[2];
	PGresult	*res;
	int		 rc = -1;

	buf_init(&ids);
	flow_ids(&ids, f->conns, f->nconns, 0);
	params[0] = fid, params[1] = ids.data;
	if ((res = db_exec_named(db, "flow_unlink",
	    "DELETE FROM flow_connections WHERE flow_id = $1"
	    " AND connection_id <> ALL ($2::bigint[])", 2, params)) == NULL)
		goto out;
	db_clear(res);
	if ((res = db_exec_named(db, "flow_link",
	    "INSERT INTO flow_connections (flow_id, connection_id)"
	    " SELECT $1, x FROM unnest($2::bigint[]) AS x ON CONFLICT DO NOTHING",
	    2, params)) == NULL) {
		if (db_failed_with(db, "23503")) {
			db_rollback(db);
			rc = FLOW_CONN_GONE;
		}
		goto out;
	}
	db_clear(res);
	rc = FLOW_DONE;
out:
	buf_free(&ids);
	return rc;
}

/* A FLOW_INVALID answer: the first field that is not good. */
static int
flow_invalid(const struct flow_in *f, struct flow_result *out)
{
	if ((out->field = flow_check(f, &out->why)) == FLOW__FIELDS)
		return FLOW_DONE;
	return FLOW_INVALID;
}

int
flow_create(const struct actor *a, const struct flow_in *f, struct flow_result *out)
{
	struct db	*db = &a->app->db;
	struct buf	 d;
	char		 ver[24], fid[24];
	const char	*params[6];
	PGresult	*res;
	int		 st;

	memset(out, 0, sizeof(*out));
	if (flow_invalid(f, out) != FLOW_DONE)
		return FLOW_INVALID;
	if (db_begin(db) == -1)
		return -1;
	if ((st = flow_conns_check(a, f, &out->conn)) == -1)
		goto fail;
	if (st != FLOW_DONE)
		return flow_refuse(a, 0, f->name, "flow_create", st, out->conn);
	snprintf(ver, sizeof(ver), "%lld", f->version);
	params[0] = f->name, params[1] = ver, params[2] = f->status;
	params[3] = f->owner, params[4] = f->description, params[5] = f->progress;
	if ((res = db_exec_named(db, "flow_insert",
	    "INSERT INTO flows (name, version, status, owner, description, progress_status)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, params)) == NULL)
		goto fail;
	out->id = strtoll(db_get(res, 0, "id"), NULL, 10);
	db_clear(res);
	snprintf(fid, sizeof(fid), "%lld", (long long)out->id);
	if (f->nconns > 0 && (st = flow_link(a, fid, f)) != FLOW_DONE) {
		if (st == -1)
			goto fail;
		return st;	/* FLOW_CONN_GONE, rolled back */
	}
	buf_init(&d);
	buf_puts(&d, "{\"connections\":");
	flow_ids(&d, f->conns, f->nconns, 1);
	buf_puts(&d, "}");
	if (flow_commit(a, out->id, f->name, "flow_create", &d) == -1)
		goto fail;
	return FLOW_DONE;
fail:
	db_rollback(db);
	return -1;
}

static int
flow_ll_cmp(const void *x, const void *y)
{
	long long	 a = *(const long long *)x, b = *(const long long *)y;

	return a < b ? -1 : a > b;
}

/* {"fields":[…],"connections":[…]}: what a replacement changes. `conns`: the
 * flow's connections ordered by id; the set is compared unless kept. */
static void
flow_changes(struct buf *b, PGresult *old, PGresult *conns, const struct flow_in *f)
{
	const char	*vals[FLOW_CONNECTIONS];
	long long	 sorted[FLOW_CONNS_MAX];
	char		 ver[24];
	size_t		 i;
	int		 n = 0, same;

	snprintf(ver, sizeof(ver), "%lld", f->version);
	vals[FLOW_NAME] = f->name, vals[FLOW_VERSION] = ver, vals[FLOW_STATUS] = f->status;
	vals[FLOW_OWNER] = f->owner, vals[FLOW_DESCRIPTION] = f->description;
	vals[FLOW_PROGRESS] = f->progress;
	buf_puts(b, "{\"fields\":[");
	for (i = 0; i < FLOW_CONNECTIONS; i++)
		if (strcmp(db_get(old, 0, flow_fields[i]), vals[i]) != 0)
			buf_printf(b, "%s\"%s\"", n++ > 0 ? "," : "", flow_fields[i]);
	if (!f->keep_conns) {
		memcpy(sorted, f->conns, f->nconns * sizeof(sorted[0]));
		qsort(sorted, f->nconns, sizeof(sorted[0]), flow_ll_cmp);
		same = (size_t)db_rows(conns) == f->nconns;
		for (i = 0; same && i < f->nconns; i++)
			same = strtoll(db_get(conns, (int)i, "id"), NULL, 10) == sorted[i];
		if (!same)
			buf_printf(b, "%s\"connections\"", n > 0 ? "," : "");
	}
	buf_puts(b, "]");
	if (!f->keep_conns) {
		buf_puts(b, ",\"connections\":");
		flow_ids(b, f->conns, f->nconns, 1);
	}
	buf_puts(b, "}");
}

/*
 * Begin changing flow `id` (audit `action`): in a transaction, the flow
 * locked and its connections, which the actor must all be able to use.
 * FLOW_DONE with *flow and *conns; otherwise rolled back: -1,
 * FLOW_NOT_FOUND or FLOW_FORBIDDEN (audited).
 */
static int
flow_change_begin(const struct actor *a, int64_t id, const char *action, PGresult **flow,
    PGresult **conns)
{
	int	 st;

	if (db_begin(&a->app->db) == -1)
		return -1;
	if ((st = flow_load(a, id, 1, flow, conns)) != 0) {
		db_rollback(&a->app->db);
		return st == 1 ? FLOW_NOT_FOUND : -1;
	}
	if (flow_may_change(a, *conns))
		return FLOW_DONE;
	st = flow_refuse(a, id, db_get(*flow, 0, "name"), action, FLOW_FORBIDDEN, 0);
	db_clear(*flow);
	db_clear(*conns);
	*flow = *conns = NULL;
	return st;
}

/* What a replacement leaves out stays as the flow has it (tetherctl's update). */
static void
flow_keep(struct flow_in *f, PGresult *old)
{
	if (f->name == NULL)
		f->name = db_get(old, 0, "name");
	if (f->version == 0)
		f->version = strtoll(db_get(old, 0, "version"), NULL, 10);
	if (f->status == NULL)
		f->status = db_get(old, 0, "status");
	if (f->owner == NULL)
		f->owner = db_get(old, 0, "owner");
	if (f->description == NULL)
		f->description = db_get(old, 0, "description");
	if (f->progress == NULL)
		f->progress = db_get(old, 0, "progress_status");
}

int
flow_replace(const struct actor *a, int64_t id, const struct flow_in *in,
    struct flow_result *out)
{
	struct db	*db = &a->app->db;
	struct flow_in	 f = *in;
	struct buf	 d;
	char		 fid[24], ver[24];
	const char	*params[7];
	PGresult	*old = NULL, *conns = NULL, *res;
	int		 st, rc = -1;

	memset(out, 0, sizeof(*out));
	out->id = id;
	if ((st = flow_change_begin(a, id, "flow_update", &old, &conns)) != FLOW_DONE)
		return st;
	flow_keep(&f, old);
	if (flow_invalid(&f, out) != FLOW_DONE) {
		db_rollback(db);
		rc = FLOW_INVALID;
		goto out;
	}
	if ((st = flow_conns_check(a, &f, &out->conn)) != FLOW_DONE) {
		if (st != -1)
			rc = flow_refuse(a, id, db_get(old, 0, "name"), "flow_update", st,
			    out->conn);
		goto out;
	}
	snprintf(fid, sizeof(fid), "%lld", (long long)id);
	snprintf(ver, sizeof(ver), "%lld", f.version);
	params[0] = fid, params[1] = f.name, params[2] = ver, params[3] = f.status;
	params[4] = f.owner, params[5] = f.description, params[6] = f.progress;
	if ((res = db_exec_named(db, "flow_update",
	    "UPDATE flows SET name = $2, version = $3, status = $4, owner = $5,"
	    " description = $6, progress_status = $7, updated_at = now() WHERE id = $1",
	    7, params)) == NULL)
		goto out;
	db_clear(res);
	if (!f.keep_conns && (st = flow_link(a, fid, &f)) != FLOW_DONE) {
		rc = st;
		goto out;
	}
	buf_init(&d);
	flow_changes(&d, old, conns, &f);
	rc = flow_commit(a, id, f.name, "flow_update", &d);
out:
	if (rc == -1)
		db_rollback(db);
	db_clear(old);
	db_clear(conns);
	return rc;
}

int
flow_delete(const struct actor *a, int64_t id, struct flow_result *out)
{
	struct db	*db = &a->app->db;
	struct buf	 d;
	char		 fid[24];
	const char	*params[1] = { fid };
	PGresult	*flow = NULL, *conns = NULL, *res;
	int		 i, st, rc = -1;

	memset(out, 0, sizeof(*out));
	out->id = id;
	if ((st = flow_change_begin(a, id, "flow_delete", &flow, &conns)) != FLOW_DONE)
		return st;
	/* Its flow_connections go with it (ON DELETE CASCADE). */
	snprintf(fid, sizeof(fid), "%lld", (long long)id);
	if ((res = db_exec_named(db, "flow_delete", "DELETE FROM flows WHERE id = $1",
	    1, params)) == NULL)
		goto out;
	db_clear(res);
	buf_init(&d);
	buf_puts(&d, "{\"connections\":[");
	for (i = 0; i < db_rows(conns); i++)
		buf_printf(&d, "%s%s", i > 0 ? "," : "", db_get(conns, i, "id"));
	buf_puts(&d, "]}");
	rc = flow_commit(a, id, db_get(flow, 0, "name"), "flow_delete", &d);
out:
	if (rc == -1)
		db_rollback(db);
	db_clear(flow);
	db_clear(conns);
	return rc;
}
