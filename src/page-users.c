/*
 * page-users.c — users (global admins): create one with an initial
 * password (typed by the admin, never shown back), disable (ends every
 * session of theirs at once) or enable, grant or take admin rights.
 * Inputs: POST csrf, action (create|disable|enable|admin|unadmin), email,
 * name, password. Statuses: 200, 303, 400, 409 (exists), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

static int
users_fill(struct req *r)
{
	PGresult	*res;

	res = db_exec_named(&r->app->db, "users_all",
	    "SELECT u.id, u.email, u.name, u.is_admin::int AS is_admin,"
	    " u.disabled::int AS disabled, COALESCE((SELECT string_agg(t.name || ' (' || m.role || ')', ', '"
	    " ORDER BY lower(t.name)) FROM team_members m JOIN teams t ON t.id = m.team_id"
	    " WHERE m.user_id = u.id), '') AS teams FROM users u ORDER BY lower(u.email)",
	    0, NULL);
	if (res == NULL)
		return -1;
	render_rows(r->hdf, "Users", res, (const char *const[]){
	    "Id", "id", "Email", "email", "Name", "name", "IsAdmin", "is_admin",
	    "Disabled", "disabled", "Teams", "teams", NULL });
	db_clear(res);
	render_set(r->hdf, "Page.Title", "Users");
	return 0;
}

int
page_users(struct req *r)
{
	if (users_fill(r) == -1)
		return -1;
	return http_page(r, 200, "users.cs");
}

/* One message at a field of the create form; the form is shown by users_form_show(). */
static void
users_form_mark(struct req *r, const char *field, const char *message)
{
	char	 node[64];

	snprintf(node, sizeof(node), "UserForm.Errors.%s", field);
	render_set(r->hdf, node, message);
}

/* The create form again, with every message marked and the values kept
 * (never the password: it says so at its field). */
static int
users_form_show(struct req *r, int status)
{
	if (hdf_get_value(r->hdf, "UserForm.Errors.Password", NULL) == NULL &&
	    req_param(r, "password") != NULL && *req_param(r, "password") != '\0')
		users_form_mark(r, "Password", "Enter the password again.");
	render_set(r->hdf, "UserForm.Email", req_text(r, "email"));
	render_set(r->hdf, "UserForm.Name", req_text(r, "name"));
	if (users_fill(r) == -1)
		return -1;
	return http_page(r, status, "users.cs");
}

static int
users_create(struct req *r)
{
	/* Left out is empty: no e-mail address is an error, no name is "". */
	const char	*email = req_text(r, "email"), *name = req_text(r, "name");
	const char	*password = req_param(r, "password"), *why;
	char		 hash[128];
	const char	*params[3];
	PGresult	*res;
	int		 created;

	int		 errors = 0;

	/* Every mistake at once, not the first only. */
	if ((why = valid_email(email)) != NULL)
		users_form_mark(r, "Email", why), errors++;
	if ((why = valid_text(name, 0, 120)) != NULL)
		users_form_mark(r, "Name", why), errors++;
	if (password == NULL || strlen(password) < 10 || strlen(password) > 1024)
		users_form_mark(r, "Password", "Use 10 to 1024 characters."), errors++;
	if (errors > 0)
		return users_form_show(r, 422);
	if (auth_hash_password(password, hash) != 0)
		return -1;
	params[0] = email, params[1] = name, params[2] = hash;
	if (db_begin(&r->app->db) == -1)
		return -1;
	res = db_exec_named(&r->app->db, "user_create",
	    "INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3)"
	    " ON CONFLICT DO NOTHING", 3, params);
	sodium_memzero(hash, sizeof(hash));
	if (res == NULL) {
		db_rollback(&r->app->db);
		return -1;
	}
	created = strcmp(PQcmdTuples(res), "1") == 0;
	db_clear(res);
	if (!created) {
		db_rollback(&r->app->db);
		users_form_mark(r, "Email", "A user with this address exists.");
		return users_form_show(r, 409);
	}
	if (audit_add(&r->actor, "user", 0, email, "user_create", "success", NULL) == -1 ||
	    db_commit(&r->app->db) == -1) {
		db_rollback(&r->app->db);
		return -1;
	}
	http_flash_next(r, "success", "User created.");
	http_redirect(r, "/users");
	return 0;
}

int
page_users_post(struct req *r)
{
	const char	*action = req_param(r, "action"), *email = req_param(r, "email");
	const char	*sql, *audit;
	const char	*params[2];
	char		 self[24];
	PGresult	*res;
	int		 changed;

	if (action != NULL && strcmp(action, "create") == 0)
		return users_create(r);
	if (action == NULL || email == NULL || strlen(email) > 254) {
		http_error(r, 400, NULL);
		return 0;
	}
	if (strcmp(action, "disable") == 0) {
		/* Disabling ends every session of the user. */
		sql = "WITH u AS (UPDATE users SET disabled = true, updated_at = now()"
		    " WHERE lower(email) = lower($1) AND id <> $2 RETURNING id),"
		    " s AS (DELETE FROM sessions WHERE user_id IN (SELECT id FROM u))"
		    " SELECT id FROM u";
		audit = "user_disable";
	} else if (strcmp(action, "enable") == 0) {
		sql = "UPDATE users SET disabled = false, updated_at = now()"
		    " WHERE lower(email) = lower($1) AND id <> $2 RETURNING id";
		audit = "user_enable";
	} else if (strcmp(action, "admin") == 0 || strcmp(action, "unadmin") == 0) {
		sql = action[0] == 'a' ? "UPDATE users SET is_admin = true WHERE"
		    " lower(email) = lower($1) AND id <> $2 RETURNING id" :
		    "UPDATE users SET is_admin = false WHERE lower(email) = lower($1)"
		    " AND id <> $2 RETURNING id";
		audit = action[0] == 'a' ? "user_admin_grant" : "user_admin_revoke";
	} else {
		http_error(r, 400, NULL);
		return 0;
	}
	/* Nobody changes their own account here: no admin locks themselves out. */
	snprintf(self, sizeof(self), "%lld", (long long)r->sess->user_id);
	params[0] = email, params[1] = self;
	if (db_begin(&r->app->db) == -1)
		return -1;
	if ((res = db_exec_params(&r->app->db, sql, 2, params)) == NULL) {
		db_rollback(&r->app->db);
		return -1;
	}
	changed = db_rows(res) > 0;
	db_clear(res);
	if (!changed) {
		db_rollback(&r->app->db);
		http_flash_next(r, "error", "Nothing changed: no such user, or it is you.");
		http_redirect(r, "/users");
		return 0;
	}
	if (audit_add(&r->actor, "user", 0, email, audit, "success", NULL) == -1 ||
	    db_commit(&r->app->db) == -1) {
		db_rollback(&r->app->db);
		return -1;
	}
	http_flash_next(r, "success", "User updated.");
	http_redirect(r, "/users");
	return 0;
}
