/*
 * db.c — the process's one PostgreSQL connection: timeouts on connect and
 * on every statement, statements prepared once a connection, and a
 * transparent reconnect (with one retry outside transactions) so that a
 * database restart costs no crash and at most one error page.
 *
 * Every wait for the server is bounded here, in the client, too: the
 * server's statement_timeout cannot help when the server itself is stopped,
 * its socket hangs or the network is cut. Statements are sent with libpq's
 * asynchronous calls and awaited with poll() until statement_timeout plus a
 * grace; past that the connection is dropped (the next statement opens a
 * new one) and the caller sees the database as unavailable (503).
 * No PQcancel: in libpq 15 it waits for the postmaster without a bound, and
 * the server's own statement_timeout ends the statement anyway.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	    /* The user's teams and manager flag, kept on their scope's row
	     * as memberships change (sql/036): no aggregate per request. */
	    " COALESCE(lu.is_manager, false) AS is_manager,"
	    " s.last_seen_at < now() - interval '30 seconds' AS touch,"
	    /* The version of the user's scope (sql/032). */
	    " CASE WHEN u.is_admin THEN (SELECT v FROM list_version) ELSE GREATEST(lu.v,"
	    /* A primary-key lookup a team: "team_id = ANY (team_ids)" would
	     * scan every team's row. */
	    "  (SELECT max((SELECT tv.v FROM list_team_versions tv WHERE tv.team_id = t.id))"
	    "  FROM unnest(lu.team_ids) AS t(id)),"
	    "  0) END AS list_version,"
	    " (SELECT v FROM list_teams_version) AS teams_version,"
	    /* Whose rows the list shows them (listmirror.c). */
	    " COALESCE(lu.team_ids, '{}') AS team_ids"
	    " FROM sessions s JOIN users u ON u.id = s.user_id"
	    " LEFT JOIN list_user_versions lu ON lu.user_id = u.id"
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
	    "SELECT id, email, name, password_hash, is_admin,"
	    " disabled OR is_service AS disabled"
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
	int	 i;

	for (i = 0; i < db->nnamed; i++) {
		free(db->named_sql[i]);
		db->named_sql[i] = NULL;
	}
	db->prepared = 0;
	db->nnamed = 0;
	db->in_tx = 0;
}

/* Past the server's own statement_timeout, how long the client still waits. */
#define DB_GRACE_MS	1000

int
db_connect(struct db *db)
{
	char		 timeout[16], options[64], user_timeout[16];
	/* Keepalives and tcp_user_timeout matter for TCP conninfos only (libpq
	 * ignores them on a unix socket): a peer that vanished is noticed
	 * within seconds, not after the kernel's two hours. */
	const char	*keys[] = { "dbname", "connect_timeout", "options",
			    "application_name", "keepalives", "keepalives_idle",
			    "keepalives_interval", "keepalives_count", "tcp_user_timeout",
			    NULL };
	const char	*vals[] = { db->conninfo, timeout, options, "tether", "1", "10",
			    "5", "3", user_timeout, NULL };

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
	snprintf(user_timeout, sizeof(user_timeout), "%d",
	    db->statement_timeout_ms + DB_GRACE_MS);
	/* Bounded by connect_timeout, which covers the whole start-up. */
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
	/* Sends never block either: db_await flushes them under the deadline. */
	if (PQsetnonblocking(db->conn, 1) != 0) {
		fprintf(stderr, "tether: database connection: cannot make it non-blocking\n");
		PQfinish(db->conn);
		db->conn = NULL;
		return -1;
	}
	db->stalled = 0;
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

/* After a failure: 1 when the connection broke and a retry may help (not
 * inside a transaction, and not when the server stalled: it would only
 * double the wait). */
static int
db_may_retry(struct db *db)
{
	return (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) &&
	    !db->in_tx && !db->stalled;
}

static int64_t
db_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until the socket is ready for `events` or the deadline passes:
 * 1 ready, 0 timed out, -1 failed. */
static int
db_poll(struct db *db, short events, int64_t deadline)
{
	struct pollfd	 pfd;
	int64_t		 left;
	int		 rc;

	pfd.fd = PQsocket(db->conn);
	pfd.events = events;
	if (pfd.fd < 0)
		return -1;
	for (;;) {
		if ((left = deadline - db_now_ms()) <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc == -1 && errno != EINTR)
			return -1;
	}
}

/* The server did not answer in time: forget this connection. */
static void
db_drop_stalled(struct db *db, const char *what)
{
	fprintf(stderr, "tether: statement %s: no answer from the database in time; "
	    "dropping the connection\n", what);
	PQfinish(db->conn);	/* non-blocking: its goodbye never waits */
	db->conn = NULL;
	db_forget_prepared(db);
	db->stalled = 1;
	snprintf(db->sqlstate, sizeof(db->sqlstate), "%s", "57014");
}

/*
 * After a PQsend*: flush it and collect the answer within the deadline. The
 * first failed result wins (later ones are cleared), else the last one.
 * NULL only when the server did not answer in time (the connection is then
 * gone) or the connection broke without a result.
 */
static PGresult *
db_await(struct db *db, const char *what)
{
	int		 wait_ms = db->next_wait_ms > db->statement_timeout_ms ?
			    db->next_wait_ms : db->statement_timeout_ms;
	int64_t		 deadline = db_now_ms() + wait_ms + DB_GRACE_MS;
	PGresult	*res, *kept = NULL;
	int		 rc;

	db->next_wait_ms = 0;

	while ((rc = PQflush(db->conn)) == 1) {
		if ((rc = db_poll(db, POLLOUT | POLLIN, deadline)) == 0)
			goto stalled;
		/* Input may be what frees the output (libpq's advice). */
		if (rc == -1 || !PQconsumeInput(db->conn))
			break;
	}
	for (;;) {
		while (PQisBusy(db->conn)) {
			if ((rc = db_poll(db, POLLIN, deadline)) == 0)
				goto stalled;
			/* A broken connection: PQgetResult reports it without waiting. */
			if (rc == -1 || !PQconsumeInput(db->conn))
				break;
		}
		if ((res = PQgetResult(db->conn)) == NULL)
			break;
		if (kept == NULL) {
			kept = res;
		} else if (!db_result_ok(kept)) {
			PQclear(res);
		} else {
			PQclear(kept);
			kept = res;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD)
			break;
	}
	return kept;
stalled:
	PQclear(kept);
	db_drop_stalled(db, what);
	return NULL;
}

static void
db_log_failure(struct db *db, const char *what, PGresult *res)
{
	const char	*msg = res != NULL ? PQresultErrorMessage(res) : "";
	const char	*state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (res == NULL && db->stalled)
		return;		/* db_drop_stalled said why */
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

/*
 * 1 when `name` was prepared on this connection with another text: two
 * places gave one name to two statements, and whichever ran first would
 * answer for both (columns missing, a page of blanks). Said once; the
 * caller runs the text unprepared, so the answer is still right.
 */
static int
db_named_clash(struct db *db, const char *name, const char *sql)
{
	int	 i;

	for (i = 0; i < db->nnamed; i++) {
		if (strcmp(db->named[i], name) != 0)
			continue;
		if (db->named_sql[i] == sql || strcmp(db->named_sql[i], sql) == 0)
			return 0;
		if (!db->named_clash_said) {
			fprintf(stderr, "tether: statement name %s names two different"
			    " statements; fix one of them\n", name);
			db->named_clash_said = 1;
		}
		return 1;
	}
	return 0;
}

static void
db_named_add(struct db *db, const char *name, const char *sql)
{
	if (db->nnamed < (int)(sizeof(db->named) / sizeof(db->named[0]))) {
		db->named_sql[db->nnamed] = xstrdup(sql);
		snprintf(db->named[db->nnamed++], sizeof(db->named[0]), "%s", name);
	}
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
			res = PQsendPrepare(db->conn, name, sql, nparams, NULL) ?
			    db_await(db, name) : NULL;
			if (!db_result_ok(res)) {
				int	 retry = db_may_retry(db);

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
				db_named_add(db, name, sql);
		}
		res = PQsendQueryPrepared(db->conn, name, nparams, params, NULL, NULL, 0) ?
		    db_await(db, name) : NULL;
		if (db_result_ok(res))
			return res;
		if (db_may_retry(db) && attempt == 0) {
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

/* 1 when `name` is to be run unprepared: another text already has it, or
 * the table of prepared names is full (still run, just not kept). */
static int
db_named_plain(struct db *db, const char *name, const char *sql)
{
	return (!db_named_is_prepared(db, name) && db->nnamed >= DB_NAMED_MAX) ||
	    db_named_clash(db, name, sql);
}

PGresult *
db_exec_named(struct db *db, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	if (db_named_plain(db, name, sql))
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
		res = PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0) ?
		    db_await(db, "(ad hoc)") : NULL;
		if (db_result_ok(res))
			return res;
		if (db_may_retry(db) && attempt == 0) {
			PQclear(res);
			continue;
		}
		db_log_failure(db, "(ad hoc)", res);
		PQclear(res);
		return NULL;
	}
	return NULL;
}

void
db_batch_init(struct db_batch *b)
{
	memset(b, 0, sizeof(*b));
}

int
db_batch_add(struct db_batch *b, const char *name, const char *sql, int nparams,
    const char *const *params)
{
	struct db_batch_item	*it;
	int			 i;

	if (b->n >= DB_BATCH_MAX) {
		fprintf(stderr, "tether: statement %s: batch full\n", name);
		b->overflow = 1;
		return -1;
	}
	it = &b->item[b->n];
	it->name = xstrdup(name);
	it->sql = xstrdup(sql);
	it->stmt = -1;
	it->nparams = nparams;
	it->params = nparams > 0 ? xcalloc((size_t)nparams, sizeof(char *)) : NULL;
	for (i = 0; i < nparams; i++)
		it->params[i] = params[i] != NULL ? xstrdup(params[i]) : NULL;
	return b->n++;
}

int
db_batch_add_stmt(struct db_batch *b, enum db_stmt stmt, int nparams,
    const char *const *params)
{
	int	 i = db_batch_add(b, stmts[stmt].name, stmts[stmt].sql, nparams, params);

	if (i >= 0)
		b->item[i].stmt = (int)stmt;
	return i;
}

PGresult *
db_batch_take(struct db_batch *b, int i)
{
	PGresult	*res;

	if (i < 0 || i >= b->n)
		return NULL;
	res = b->item[i].res;
	b->item[i].res = NULL;
	return res;
}

static void
db_batch_clear_results(struct db_batch *b)
{
	int	 i;

	for (i = 0; i < b->n; i++) {
		PQclear(b->item[i].res);
		b->item[i].res = NULL;
	}
}

void
db_batch_free(struct db_batch *b)
{
	int	 i, k;

	db_batch_clear_results(b);
	for (i = 0; i < b->n; i++) {
		for (k = 0; k < b->item[i].nparams; k++)
			free(b->item[i].params[k]);
		free(b->item[i].params);
		free(b->item[i].name);
		free(b->item[i].sql);
	}
	b->n = 0;
}

/* The next result of a pipeline (NULL: the end of one statement's), flushing
 * what is still to send; -1 when the server did not answer in time (the
 * connection is then dropped) or the connection broke. */
static int
db_pipeline_next(struct db *db, int64_t deadline, PGresult **out)
{
	int	 rc;

	*out = NULL;
	while ((rc = PQflush(db->conn)) == 1) {
		if ((rc = db_poll(db, POLLOUT | POLLIN, deadline)) == 0)
			goto stalled;
		if (rc == -1 || !PQconsumeInput(db->conn))
			return -1;
	}
	if (rc == -1)
		return -1;
	while (PQisBusy(db->conn)) {
		if ((rc = db_poll(db, POLLIN, deadline)) == 0)
			goto stalled;
		if (rc == -1 || !PQconsumeInput(db->conn))
			return -1;
	}
	*out = PQgetResult(db->conn);
	return PQstatus(db->conn) == CONNECTION_BAD ? -1 : 0;
stalled:
	db_drop_stalled(db, "(batch)");
	return -1;
}

/* One statement's answer in the pipeline: its result and the NULL after it.
 * Returns the result (NULL if the pipeline broke: *broken is set). */
static PGresult *
db_pipeline_answer(struct db *db, int64_t deadline, int *broken)
{
	PGresult	*res, *end;

	if (db_pipeline_next(db, deadline, &res) == -1 || res == NULL) {
		*broken = 1;
		return res;
	}
	if (db_pipeline_next(db, deadline, &end) == -1 || end != NULL) {
		PQclear(end);
		*broken = 1;
	}
	return res;
}

/* Keep the first real failure (the statements after it only say
 * "aborted"); clear every other result that is not a success. */
static void
db_batch_note_failure(PGresult **failed, const char **failed_name, const char *name,
    PGresult *res)
{
	ExecStatusType	 st = PQresultStatus(res);

	if (res == NULL || st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return;
	if (*failed == NULL && st != PGRES_PIPELINE_ABORTED) {
		*failed = res;
		*failed_name = name;
		return;
	}
	PQclear(res);
}

/* Send every statement and the Sync, then read the answers in order. */
static int
db_batch_once(struct db *db, struct db_batch *b)
{
	int			 wait_ms = db->next_wait_ms > db->statement_timeout_ms ?
				    db->next_wait_ms : db->statement_timeout_ms;
	int64_t			 deadline = db_now_ms() + wait_ms + DB_GRACE_MS;
	struct db_batch_item	*it;
	PGresult		*res, *failed = NULL;
	const char		*failed_name = "(batch)";
	int			 i, k, sent, broken = 0;

	db->next_wait_ms = 0;
	if (!PQenterPipelineMode(db->conn))
		return -1;
	for (i = 0; i < b->n; i++) {
		it = &b->item[i];
		if (it->stmt >= 0) {	/* the app's own: prepared once, by number */
			it->plain = 0;
			it->prepare = !(db->prepared & (1ULL << it->stmt));
		} else {
			it->plain = db_named_plain(db, it->name, it->sql);
			it->prepare = !it->plain && !db_named_is_prepared(db, it->name);
		}
		for (k = 0; k < i && it->prepare; k++)	/* twice in one batch */
			if (b->item[k].prepare && strcmp(b->item[k].name, it->name) == 0)
				it->prepare = 0;
		if (it->plain)
			sent = PQsendQueryParams(db->conn, it->sql, it->nparams, NULL,
			    (const char *const *)it->params, NULL, NULL, 0);
		else
			sent = (!it->prepare || PQsendPrepare(db->conn, it->name, it->sql,
			    it->nparams, NULL)) && PQsendQueryPrepared(db->conn, it->name,
			    it->nparams, (const char *const *)it->params, NULL, NULL, 0);
		if (!sent)
			broken = 1;
	}
	if (broken || !PQpipelineSync(db->conn)) {
		fprintf(stderr, "tether: batch could not be sent: %s", PQerrorMessage(db->conn));
		PQfinish(db->conn);
		db->conn = NULL;
		db_forget_prepared(db);
		return -1;
	}
	for (i = 0; i < b->n && !broken; i++) {
		it = &b->item[i];
		if (it->prepare) {
			res = db_pipeline_answer(db, deadline, &broken);
			if (PQresultStatus(res) == PGRES_COMMAND_OK) {
				if (it->stmt >= 0)
					db->prepared |= 1ULL << it->stmt;
				else
					db_named_add(db, it->name, it->sql);
				PQclear(res);
			} else {
				db_batch_note_failure(&failed, &failed_name, it->name, res);
			}
			if (broken)
				break;
		}
		res = db_pipeline_answer(db, deadline, &broken);
		if (db_result_ok(res))
			it->res = res;
		else
			db_batch_note_failure(&failed, &failed_name, it->name, res);
	}
	/* The Sync's own result ends the pipeline. */
	if (!broken && (db_pipeline_next(db, deadline, &res) == -1 ||
	    PQresultStatus(res) != PGRES_PIPELINE_SYNC))
		broken = 1;
	if (!broken) {
		PQclear(res);
		if (!PQexitPipelineMode(db->conn))
			broken = 1;
	}
	if (broken && db->conn != NULL) {
		/* Out of step with the server: start afresh next time. */
		PQfinish(db->conn);
		db->conn = NULL;
		db_forget_prepared(db);
	}
	if (failed != NULL) {
		db_log_failure(db, failed_name, failed);
		PQclear(failed);
	}
	if (failed != NULL || broken) {
		db_batch_clear_results(b);
		return -1;
	}
	return 0;
}

int
db_batch_run(struct db *db, struct db_batch *b)
{
	int	 attempt;

	if (b->overflow)
		return -1;
	for (attempt = 0; attempt < 2; attempt++) {
		if (db_connect(db) == -1)
			return -1;
		if (db_batch_once(db, b) == 0)
			return 0;
		/* A connection the server closed while it idled: once more. */
		if (!(db_may_retry(db) && attempt == 0))
			break;
	}
	if (db->conn == NULL && !db->stalled)
		fprintf(stderr, "tether: batch of %d statements: the database connection broke\n",
		    b->n);
	return -1;
}

/* Run a transaction-control statement (its text is a literal): 0 or -1. */
static int
db_control(struct db *db, const char *sql)
{
	PGresult	*res;
	int		 ok;

	res = PQsendQuery(db->conn, sql) ? db_await(db, sql) : NULL;
	if (!(ok = db_result_ok(res)) && db->conn != NULL)
		db_log_failure(db, sql, res);
	PQclear(res);
	return ok ? 0 : -1;
}

int
db_begin(struct db *db)
{
	if (db_connect(db) == -1 || db_control(db, "BEGIN") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int	 rc = -1;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK)
		rc = db_control(db, "COMMIT");
	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		(void)db_control(db, "ROLLBACK");
	db->in_tx = 0;
}

int
db_count(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult	*res = db_exec_params(db, sql, nparams, params);
	int		 n;

	if (res == NULL)
		return -1;
	n = atoi(db_get(res, 0, "n"));
	db_clear(res);
	return n;
}

int
db_col(PGresult *res, const char *column)
{
	const char	*p;
	int		 i, n;

	if (res == NULL)
		return -1;
	/* PQfnumber copies and folds the name before its search; a name
	 * in lower case without quotes folds to itself, so it is compared
	 * as it is (a dozen lookups a request). */
	for (p = column; *p != '\0'; p++)
		if ((*p >= 'A' && *p <= 'Z') || *p == '"')
			return PQfnumber(res, column);
	n = PQnfields(res);
	for (i = 0; i < n; i++)
		if (strcmp(PQfname(res, i), column) == 0)
			return i;
	return -1;
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

	if (res == NULL || row >= PQntuples(res) || (col = db_col(res, column)) < 0)
		return 1;
	return PQgetisnull(res, row, col);
}

int
db_is_down(const struct db *db)
{
	return db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK;
}

void
db_expect_wait(struct db *db, int ms)
{
	db->next_wait_ms = ms;
}

void
db_forget_failure(struct db *db)
{
	db->sqlstate[0] = '\0';
	db->stalled = 0;
}

int
db_unavailable(const struct db *db)
{
	const char	*c = db->sqlstate;

	if (db_is_down(db))
		return 1;
	/* Classes 08 (connection), 53 (resources), 57 (cancelled: a statement
	 * timeout, a shutdown), 40 (serialization, deadlock) and a lock not
	 * granted in time: try again later, not a fault of the request. */
	return strncmp(c, "08", 2) == 0 || strncmp(c, "53", 2) == 0 ||
	    strncmp(c, "57", 2) == 0 || strncmp(c, "40", 2) == 0 ||
	    strcmp(c, "55P03") == 0;
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

void
db_batch_print(const struct db_batch *b, struct buf *out)
{
	int	 i, row, col, rows, cols, len;

	for (i = 0; i < b->n; i++) {
		PGresult	*res = b->item[i].res;

		if (res == NULL)
			continue;
		rows = PQntuples(res);
		cols = PQnfields(res);
		buf_append(out, &rows, sizeof(rows));
		buf_append(out, &cols, sizeof(cols));
		for (row = 0; row < rows; row++)
			for (col = 0; col < cols; col++) {
				/* -1: NULL, else the value's length, then the value. */
				len = PQgetisnull(res, row, col) ? -1 : PQgetlength(res, row, col);
				buf_append(out, &len, sizeof(len));
				if (len > 0)
					buf_append(out, PQgetvalue(res, row, col), (size_t)len);
			}
	}
}
