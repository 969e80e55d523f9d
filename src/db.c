/*
 * db.c — the process's one PostgreSQL connection: timeouts on connect and
 * on every statement, statements prepared once a connection, and a
 * transparent reconnect (with one retry outside transactions) so that a
 * database restart costs no crash and at most one error page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

/* The SQL of each enum db_stmt, in order. */
static const struct {
	const char	*name;
	const char	*sql;
} stmts[STMT__MAX] = {
	/* Read-only: the idle clock is moved by STMT_SESSION_TOUCH, and only
	 * when "touch" says it is more than 30 seconds behind. */
	[STMT_SESSION_GET] = { "session_get",
	    "SELECT s.id, s.user_id, s.csrf_token, u.email, u.name, u.is_admin,"
	    " s.last_seen_at < now() - interval '30 seconds' AS touch,"
	    " (SELECT v FROM list_version) AS list_version"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " WHERE s.token_hash = $1::bytea AND s.expires_at > now()"
	    "  AND s.last_seen_at > now() - make_interval(mins => $2::int)"
	    "  AND NOT u.disabled" },
	[STMT_SESSION_TOUCH] = { "session_touch",
	    "UPDATE sessions SET last_seen_at = now() WHERE id = $1" },
	[STMT_SESSION_CREATE] = { "session_create",
	    "INSERT INTO sessions (token_hash, user_id, csrf_token, expires_at,"
	    " client_addr, user_agent)"
	    " VALUES ($1::bytea, $2, $3, now() + make_interval(mins => $4::int), $5,"
	    " left($6, 200)) RETURNING id" },
	[STMT_SESSION_DELETE] = { "session_delete",
	    "DELETE FROM sessions WHERE id = $1 OR expires_at < now() - interval '1 day'" },
	[STMT_USER_BY_EMAIL] = { "user_by_email",
	    "SELECT id, email, name, password_hash, is_admin, disabled"
	    " FROM users WHERE lower(email) = lower($1)" },
	[STMT_USER_REHASH] = { "user_rehash",
	    "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1" },
	[STMT_LOGIN_FAILURES] = { "login_failures",
	    "SELECT count(*) AS n,"
	    " COALESCE(EXTRACT(EPOCH FROM now() - max(at))::int, 0) AS since"
	    " FROM login_failures WHERE email_key = $1 AND client_addr = $2"
	    " AND at > now() - interval '1 hour'" },
	[STMT_LOGIN_FAILURE_ADD] = { "login_failure_add",
	    "INSERT INTO login_failures (email_key, client_addr) VALUES ($1, $2)" },
	[STMT_LOGIN_FAILURE_CLEAR] = { "login_failure_clear",
	    "DELETE FROM login_failures WHERE (email_key = $1 AND client_addr = $2)"
	    " OR at < now() - interval '1 day'" },
	[STMT_AUDIT_ADD] = { "audit_add",
	    "INSERT INTO audit_log (actor_user_id, actor_label, team_id, object_type,"
	    " object_id, object_label, action, outcome, client_addr, request_id, details)"
	    " VALUES ($1, $2, COALESCE($3::bigint, CASE $4"
	    " WHEN 'connection' THEN (SELECT owner_team_id FROM connections WHERE id = $5::bigint)"
	    " WHEN 'named_credential' THEN (SELECT owner_team_id FROM named_credentials"
	    " WHERE id = $5::bigint) WHEN 'team' THEN $5::bigint END),"
	    " $4, $5, $6, $7, $8, $9, $10, COALESCE($11::jsonb, '{}'))" },
	[STMT_TEAMS_VISIBLE] = { "teams_visible",
	    "SELECT id, name, (SELECT v FROM list_version) AS lv FROM teams WHERE $2::boolean"
	    " OR id IN (SELECT team_id FROM team_members WHERE user_id = $1)"
	    " ORDER BY lower(name), id" },
};

void
db_init(struct db *db, const char *conninfo, int connect_timeout,
    int statement_timeout_ms)
{
	memset(db, 0, sizeof(*db));
	db->conninfo = conninfo;
	db->connect_timeout = connect_timeout;
	db->statement_timeout_ms = statement_timeout_ms;
}

static void
db_forget_prepared(struct db *db)
{
	db->prepared = 0;
	db->nnamed = 0;
	db->in_tx = 0;
}

int
db_connect(struct db *db)
{
	char		 timeout[16], options[64];
	const char	*keys[] = { "dbname", "connect_timeout", "options",
			    "application_name", NULL };
	const char	*vals[] = { db->conninfo, timeout, options, "tether", NULL };

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->conn != NULL) {
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db_forget_prepared(db);
	snprintf(timeout, sizeof(timeout), "%d", db->connect_timeout);
	snprintf(options, sizeof(options), "-c statement_timeout=%d",
	    db->statement_timeout_ms);
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		/* The libpq message may name hosts and users: log it, never show it. */
		fprintf(stderr, "tether: database connection failed: %s",
		    db->conn != NULL ? PQerrorMessage(db->conn) : "out of memory\n");
		if (db->conn != NULL)
			PQfinish(db->conn);
		db->conn = NULL;
		return -1;
	}
	return 0;
}

void
db_close(struct db *db)
{
	if (db->conn != NULL)
		PQfinish(db->conn);
	db->conn = NULL;
	db_forget_prepared(db);
}

static int
db_result_ok(PGresult *res)
{
	ExecStatusType	 st;

	if (res == NULL)
		return 0;
	st = PQresultStatus(res);
	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* After a failure: 1 when the connection broke and a retry may help. */
static int
db_broken(struct db *db)
{
	return db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK;
}

static void
db_log_failure(struct db *db, const char *what, PGresult *res)
{
	const char	*msg = res != NULL ? PQresultErrorMessage(res) : "";
	const char	*state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", state != NULL ? state : "");

	if (*msg == '\0' && db->conn != NULL)
		msg = PQerrorMessage(db->conn);
	fprintf(stderr, "tether: statement %s failed: %s", what,
	    *msg != '\0' ? msg : "unknown error\n");
}

/* Lazily prepared statements are remembered by name until a reconnect. */
static int
db_named_is_prepared(const struct db *db, const char *name)
{
	int	 i;

	for (i = 0; i < db->nnamed; i++)
		if (strcmp(db->named[i], name) == 0)
			return 1;
	return 0;
}

static void
db_named_add(struct db *db, const char *name)
{
	if (db->nnamed < (int)(sizeof(db->named) / sizeof(db->named[0])))
		snprintf(db->named[db->nnamed++], sizeof(db->named[0]), "%s", name);
}

static PGresult *
db_prepare_and_exec(struct db *db, int idx, const char *name, const char *sql,
    int nparams, const char *const *params)
{
	PGresult	*res;
	int		 attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) == -1)
			return NULL;
		if (idx >= 0 ? !(db->prepared & (1ULL << idx)) :
		    !db_named_is_prepared(db, name)) {
			res = PQprepare(db->conn, name, sql, nparams, NULL);
			if (!db_result_ok(res)) {
				int	 retry = db_broken(db) && !db->in_tx;

				if (!retry || attempt == 1)
					db_log_failure(db, name, res);
				PQclear(res);
				if (retry)
					continue;
				return NULL;
			}
			PQclear(res);
			if (idx >= 0)
				db->prepared |= 1ULL << idx;
			else
				db_named_add(db, name);
		}
		res = PQexecPrepared(db->conn, name, nparams, params, NULL, NULL, 0);
		if (db_result_ok(res))
			return res;
		if (db_broken(db) && !db->in_tx && attempt == 0) {
			PQclear(res);
			continue;
		}
		db_log_failure(db, name, res);
		PQclear(res);
		return NULL;
	}
	return NULL;
}

PGresult *
db_exec(struct db *db, enum db_stmt stmt, int nparams, const char *const *params)
{
	return db_prepare_and_exec(db, (int)stmt, stmts[stmt].name, stmts[stmt].sql,
	    nparams, params);
}

PGresult *
db_exec_named(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	/* Past the table's size a statement is still run, just re-prepared. */
	if (!db_named_is_prepared(db, name) &&
	    db->nnamed >= (int)(sizeof(db->named) / sizeof(db->named[0])))
		return db_exec_params(db, sql, nparams, params);
	return db_prepare_and_exec(db, -1, name, sql, nparams, params);
}

PGresult *
db_exec_params(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult	*res;
	int		 attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) == -1)
			return NULL;
		res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
		if (db_result_ok(res))
			return res;
		if (db_broken(db) && !db->in_tx && attempt == 0) {
			PQclear(res);
			continue;
		}
		db_log_failure(db, "(ad hoc)", res);
		PQclear(res);
		return NULL;
	}
	return NULL;
}

/* The outcome of a transaction-control statement; its text is a literal. */
static int
db_simple_result(struct db *db, PGresult *res, const char *what)
{
	int	 ok = db_result_ok(res);

	if (!ok)
		db_log_failure(db, what, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_begin(struct db *db)
{
	if (db_connect(db) == -1 ||
	    db_simple_result(db, PQexec(db->conn, "BEGIN"), "BEGIN") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int	 rc = -1;

	if (db_connect(db) == 0)
		rc = db_simple_result(db, PQexec(db->conn, "COMMIT"), "COMMIT");
	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		PQclear(PQexec(db->conn, "ROLLBACK"));
	db->in_tx = 0;
}

int
db_col(PGresult *res, const char *column)
{
	return res == NULL ? -1 : PQfnumber(res, column);
}

const char *
db_value(PGresult *res, int row, int col)
{
	if (res == NULL || col < 0 || row >= PQntuples(res) || PQgetisnull(res, row, col))
		return "";
	return PQgetvalue(res, row, col);
}

const char *
db_get(PGresult *res, int row, const char *column)
{
	return db_value(res, row, db_col(res, column));
}

int
db_isnull(PGresult *res, int row, const char *column)
{
	int	 col;

	if (res == NULL || row >= PQntuples(res) || (col = PQfnumber(res, column)) < 0)
		return 1;
	return PQgetisnull(res, row, col);
}

int
db_is_down(const struct db *db)
{
	return db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK;
}

int
db_failed_with(const struct db *db, const char *sqlstate)
{
	return strcmp(db->sqlstate, sqlstate) == 0;
}

int
db_rows(PGresult *res)
{
	return res != NULL ? PQntuples(res) : 0;
}

void
db_clear(PGresult *res)
{
	PQclear(res);
}
