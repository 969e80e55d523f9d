/*
 * once.c — one-time form tokens: a double click on Test, Save or Create
 * runs its action once (sql/014_form_once.sql). A page offers a fresh
 * token in every form that must not run twice; the POST takes it before
 * acting. Taking a token twice fails, whoever asks: the second request is
 * answered without running anything.
 */
#include <stdio.h>
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
