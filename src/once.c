/*
 * once.c — one-time form tokens: a double click on Test, Save or Create
 * runs its action once (sql/014_form_once.sql). A page offers a fresh
 * token in every form that must not run twice; the POST takes it before
 * acting. Taking a token twice fails, whoever asks: the second request is
 * answered without running anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tether.h"

/* A fresh token: 16 random bytes, base64url (22 characters). */
void
once_new(char *out, size_t outlen)
{
	auth_random_token(out, outlen, ONCE_BYTES);
}

/* 1 when t has a token's shape: 22 to 64 characters of [A-Za-z0-9_-]. */
int
once_shape_ok(const char *t)
{
	size_t	 n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");

	return t[n] == '\0' && n >= 22 && n <= 64;
}

/*
 * Take token t for the actor: 1 the first time (act), 0 when it was taken
 * before (a second click: do nothing), -1 on a database failure.
 */
int
once_take(const struct actor *a, const char *t)
{
	char		 uid[24];
	const char	*p[2] = { t, uid };
	PGresult	*res;
	int		 first;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "once_sweep",
	    "DELETE FROM form_once WHERE used_at < now() - interval '1 day'", 0, NULL);
	if (res == NULL)
		return -1;
	db_clear(res);
	res = db_exec_named(&a->app->db, "once_take",
	    "INSERT INTO form_once (token, user_id) VALUES ($1, $2::bigint)"
	    " ON CONFLICT (token) DO NOTHING RETURNING 1", 2, p);
	if (res == NULL)
		return -1;
	first = db_rows(res) == 1;
	db_clear(res);
	return first;
}

/*
 * A run on a taken token (Test, Create, Save answered at once, going on in
 * the background): token t of the actor is now the run of `action` ("test",
 * "create" or "save") on connection `id`, with `inputs` (URL-encoded form fields,
 * never a secret; NULL none) kept for the form to come back. 0 or -1.
 */
int
once_start(const struct actor *a, const char *t, int64_t id, const char *action,
    const char *inputs)
{
	char		 uid[24], cid[24];
	const char	*p[5] = { t, uid, cid, action, inputs };
	PGresult	*res;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, "once_start", "UPDATE form_once SET"
	    " connection_id = $3::bigint, action = $4, inputs = $5 WHERE token = $1"
	    " AND user_id = $2::bigint", 5, p);
	if (res == NULL)
		return -1;
	db_clear(res);
	return 0;
}

/*
 * The run's outcome, for its Testing… page: kind "success", "error",
 * "gone" (its inputs go: nothing more to show), "unsaved" or "stale" (the
 * form comes back with them). 0 or -1, logged.
 */
int
once_finish(const struct actor *a, const char *t, const char *kind, const char *message)
{
	const char	*p[3] = { t, kind, message };
	PGresult	*res;

	res = db_exec_named(&a->app->db, "once_finish", "UPDATE form_once SET"
	    " result_kind = $2, result_message = $3, inputs = CASE WHEN $2 IN"
	    " ('unsaved', 'stale') THEN inputs END WHERE token = $1", 3, p);
	if (res == NULL) {
		log_error(a->request_id, "a run's outcome was not kept");
		return -1;
	}
	db_clear(res);
	return 0;
}

/* The connection whose run token t of the actor is: its id, 0 when it is
 * none (yet), -1 on failure. A second click goes to the first one's page. */
int64_t
once_connection(const struct actor *a, const char *t)
{
	char		 uid[24];
	const char	*p[2] = { t, uid };
	PGresult	*res;
	int64_t		 id;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	res = db_exec_named(&a->app->db, "once_connection", "SELECT"
	    " COALESCE(connection_id, 0) AS id FROM form_once WHERE token = $1"
	    " AND user_id = $2::bigint", 2, p);
	if (res == NULL)
		return -1;
	id = db_rows(res) == 1 ? strtoll(db_get(res, 0, "id"), NULL, 10) : 0;
	db_clear(res);
	return id;
}
