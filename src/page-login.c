/*
 * page-login.c — sign in.
 * Inputs: GET next; POST csrf (pre-session cookie), email, password, next.
 * Statuses: 200 (form, or form with an error), 303 (signed in), 429
 * (slowed down after repeated failures), 400/403 (bad input, CSRF), 503.
 * An unknown e-mail and a wrong password get the same answer, as slowly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

#define PASSWORD_MAX	1024
#define BAD_SIGN_IN	"The e-mail address or password is not right."

/* A local path to return to after signing in, or "/". */
static const char *
login_next(const struct req *r)
{
	const char	*next = req_param(r, "next");
	char		*canon;
	int		 ok;

	if (next == NULL || next[0] != '/' || strlen(next) > 512)
		return "/";
	canon = path_canonical(next);
	ok = canon != NULL && strcmp(canon, next) == 0;
	free(canon);
	return ok ? next : "/";
}

static int
login_form(struct req *r, int status, const char *email, const char *error)
{
	render_set(r->hdf, "Page.Title", "Sign in");
	render_set(r->hdf, "Login.Next", login_next(r));
	if (email != NULL)
		render_set(r->hdf, "Login.Email", email);
	if (error != NULL)
		render_set(r->hdf, "Login.Error", error);
	return http_page(r, status, "login.cs");
}

int
page_login(struct req *r)
{
	if (r->sess != NULL) {
		http_redirect(r, login_next(r));
		return 0;
	}
	return login_form(r, 200, NULL, NULL);
}

/* Lowercased e-mail: the throttle's key, whether or not the account exists. */
static void
login_email_key(const char *email, char *out, size_t outlen)
{
	size_t	 i;

	for (i = 0; email[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)email[i]);
	out[i] = '\0';
}

/* Seconds the client must still wait before trying this account again. */
static int
login_throttle(struct req *r, const char *key)
{
	const char	*params[2] = { key, r->client_addr != NULL ? r->client_addr : "" };
	PGresult	*res;
	int		 delay;

	if ((res = db_exec(&r->app->db, STMT_LOGIN_FAILURES, 2, params)) == NULL)
		return -1;
	delay = auth_login_delay(atoi(db_get(res, 0, "n")), atoi(db_get(res, 0, "since")),
	    r->app->cfg.login_free_failures, r->app->cfg.login_max_delay_s);
	db_clear(res);
	return delay;
}

static void
login_record_failure(struct req *r, const char *key, const char *known_email)
{
	const char	*params[2] = { key, r->client_addr != NULL ? r->client_addr : "" };
	PGresult	*res;

	if ((res = db_exec(&r->app->db, STMT_LOGIN_FAILURE_ADD, 2, params)) != NULL)
		db_clear(res);
	/* Only a known account's address is logged: a mistyped password in the
	 * e-mail field must not end up in the audit log. */
	audit_add(&r->actor, "user", 0, known_email != NULL ? known_email : "(unknown account)",
	    "sign_in", "failure", NULL);
}

static int
login_succeed(struct req *r, PGresult *user, const char *key, const char *password,
    int rehash)
{
	const char	*id = db_get(user, 0, "id");
	const char	*params[2] = { key, r->client_addr != NULL ? r->client_addr : "" };
	char		 hash[128];
	PGresult	*res;

	if (rehash && auth_hash_password(password, hash) == 0) {
		const char	*up[2] = { id, hash };

		if ((res = db_exec(&r->app->db, STMT_USER_REHASH, 2, up)) != NULL)
			db_clear(res);
	}
	if ((res = db_exec(&r->app->db, STMT_LOGIN_FAILURE_CLEAR, 2, params)) != NULL)
		db_clear(res);
	/* A fresh token at every sign-in; any previous session ends. */
	if (r->sess != NULL)
		session_destroy(r);
	if (session_create(r, strtoll(id, NULL, 10)) == -1)
		return -1;
	session_free(r->sess);
	r->sess = xcalloc(1, sizeof(*r->sess));
	r->sess->user_id = strtoll(id, NULL, 10);
	r->sess->email = xstrdup(db_get(user, 0, "email"));
	r->sess->name = xstrdup("");
	session_actor(r);
	audit_add(&r->actor, "user", r->sess->user_id, r->sess->email, "sign_in", "success", NULL);
	http_redirect(r, login_next(r));
	return 0;
}

int
page_login_post(struct req *r)
{
	const char	*email = req_param(r, "email");
	const char	*password = req_param(r, "password");
	const char	*params[1];
	char		 key[256], msg[128];
	PGresult	*user = NULL;
	int		 delay, rehash = 0, rc = -1, known, ok;

	if (email == NULL || password == NULL || *email == '\0' || *password == '\0')
		return login_form(r, 200, email, "Enter your e-mail address and password.");
	if (strlen(email) > 254 || strlen(password) > PASSWORD_MAX)
		return login_form(r, 200, NULL, BAD_SIGN_IN);

	login_email_key(email, key, sizeof(key));
	if ((delay = login_throttle(r, key)) == -1)
		return -1;
	if (delay > 0) {
		snprintf(msg, sizeof(msg), "Too many failed attempts. Try again in %d "
		    "second%s.", delay, delay == 1 ? "" : "s");
		{
			char	 secs[16];

			snprintf(secs, sizeof(secs), "%d", delay);
			http_header(r, "Retry-After", secs);
		}
		audit_add(&r->actor, "user", 0, "(throttled)", "sign_in", "denied", NULL);
		return login_form(r, 429, email, msg);
	}

	params[0] = email;
	if ((user = db_exec(&r->app->db, STMT_USER_BY_EMAIL, 1, params)) == NULL)
		return -1;
	known = db_rows(user) == 1;
	if (known) {
		ok = auth_verify_password(db_get(user, 0, "password_hash"), password,
		    &rehash) == 0 && strcmp(db_get(user, 0, "disabled"), "f") == 0;
	} else {
		/* One verification, as for a known account: no timing oracle. */
		(void)auth_verify_password(r->app->dummy_hash, password, NULL);
		ok = 0;
	}
	if (!ok) {
		login_record_failure(r, key, known ? db_get(user, 0, "email") : NULL);
		rc = login_form(r, 200, email, BAD_SIGN_IN);
	} else
		rc = login_succeed(r, user, key, password, rehash);
	db_clear(user);
	return rc;
}
