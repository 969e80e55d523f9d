/*
 * page-teams.c — teams and their members (global admins): create a team;
 * add a member as viewer, member or manager, change a role, remove one.
 * Every change is audited in the same transaction.
 * Inputs: /teams POST csrf, action=create, name; /teams/{id} POST csrf,
 * action (add|role|remove), email, role.
 * Statuses: 200, 303, 400, 404, 409 (name taken), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

static int
teams_fill(struct req *r)
{
	PGresult	*res;

	res = db_exec_named(&r->app->db, "teams_all",
	    "SELECT t.id, t.name, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id)"
	    " AS members, (SELECT count(*) FROM connections c WHERE c.owner_team_id = t.id)"
	    " AS connections FROM teams t ORDER BY lower(t.name)", 0, NULL);
	if (res == NULL)
		return -1;
	render_rows(r->hdf, "Teams", res, (const char *const[]){
	    "Id", "id", "Name", "name", "Members", "members",
	    "Connections", "connections", NULL });
	db_clear(res);
	render_set(r->hdf, "Page.Title", "Teams");
	return 0;
}

int
page_teams(struct req *r)
{
	if (teams_fill(r) == -1)
		return -1;
	return http_page(r, 200, "teams.cs");
}

int
page_teams_post(struct req *r)
{
	const char	*action = req_param(r, "action"), *name = req_param(r, "name");
	const char	*why, *params[1] = { name };
	int		 rc;

	if (action == NULL || strcmp(action, "create") != 0) {
		http_error(r, 400, NULL);
		return 0;
	}
	if ((why = valid_name(name != NULL ? name : "", 80)) != NULL) {
		render_set(r->hdf, "TeamForm.Error", why);
		render_set(r->hdf, "TeamForm.Name", name != NULL ? name : "");
		if (teams_fill(r) == -1)
			return -1;
		return http_page(r, 422, "teams.cs");
	}
	rc = -1;
	if (db_begin(&r->app->db) == 0) {
		PGresult	*res = db_exec_named(&r->app->db, "team_create",
				    "INSERT INTO teams (name) VALUES ($1) ON CONFLICT DO NOTHING"
				    " RETURNING id", 1, params);

		if (res != NULL && db_rows(res) == 0)
			rc = 1;
		else if (res != NULL && audit_add(&r->actor, "team", strtoll(db_get(res, 0, "id"),
		    NULL, 10), name, "team_create", "success", NULL) == 0 &&
		    db_commit(&r->app->db) == 0)
			rc = 0;
		db_clear(res);
		if (rc != 0)
			db_rollback(&r->app->db);
	}
	if (rc == -1)
		return -1;
	if (rc == 1) {
		render_set(r->hdf, "TeamForm.Error", "A team with this name exists.");
		render_set(r->hdf, "TeamForm.Name", name);
		if (teams_fill(r) == -1)
			return -1;
		return http_page(r, 409, "teams.cs");
	}
	http_flash_next(r, "success", "Team created.");
	http_redirect(r, "/teams");
	return 0;
}

/* The team's name and members; 1 when there is no such team (404 made). */
static int
team_fill(struct req *r, char *name, size_t namelen)
{
	char		 tid[24];
	const char	*params[1] = { tid };
	PGresult	*t, *m;

	snprintf(tid, sizeof(tid), "%lld", (long long)r->arg_id);
	t = db_exec_named(&r->app->db, "team_get", "SELECT id, name FROM teams WHERE id = $1",
	    1, params);
	m = db_exec_named(&r->app->db, "team_members",
	    "SELECT u.id, u.email, u.name, m.role, u.disabled::int AS disabled"
	    " FROM team_members m"
	    " JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY lower(u.email)",
	    1, params);
	if (t == NULL || m == NULL) {
		db_clear(t);
		db_clear(m);
		return -1;
	}
	if (db_rows(t) == 0) {
		db_clear(t);
		db_clear(m);
		http_error(r, 404, NULL);
		return 1;
	}
	snprintf(name, namelen, "%s", db_get(t, 0, "name"));
	render_set(r->hdf, "Team.Id", db_get(t, 0, "id"));
	render_set(r->hdf, "Team.Name", db_get(t, 0, "name"));
	render_set(r->hdf, "Page.Title", db_get(t, 0, "name"));
	render_rows(r->hdf, "Team.Members", m, (const char *const[]){
	    "UserId", "id", "Email", "email", "Name", "name", "Role", "role",
	    "Disabled", "disabled", NULL });
	db_clear(t);
	db_clear(m);
	return 0;
}

int
page_team(struct req *r)
{
	char	 name[256];
	int	 rc = team_fill(r, name, sizeof(name));

	if (rc != 0)
		return rc == 1 ? 0 : -1;
	return http_page(r, 200, "team.cs");
}

int
page_team_post(struct req *r)
{
	const char	*action = req_param(r, "action"), *email = req_param(r, "email");
	const char	*role = req_param(r, "role");
	char		 tid[24], name[256], loc[48], details[300];
	const char	*params[3] = { tid, email, role };
	int		 rc;

	snprintf(tid, sizeof(tid), "%lld", (long long)r->arg_id);
	snprintf(loc, sizeof(loc), "/teams/%lld", (long long)r->arg_id);
	if ((rc = team_fill(r, name, sizeof(name))) != 0)
		return rc == 1 ? 0 : -1;
	if (action == NULL || email == NULL || strlen(email) > 254) {
		http_error(r, 400, NULL);
		return 0;
	}
	if (strcmp(action, "remove") != 0 && (role == NULL || (strcmp(role, "viewer") != 0 &&
	    strcmp(role, "member") != 0 && strcmp(role, "manager") != 0))) {
		render_set(r->hdf, "MemberForm.Error", "Choose viewer, member or manager.");
		return http_page(r, 422, "team.cs");
	}
	/* Only addresses and roles in the details: never anything secret. */
	snprintf(details, sizeof(details), "{\"role\":\"%s\"}", role != NULL &&
	    strcmp(action, "remove") != 0 ? role : "");
	if (strcmp(action, "add") == 0 || strcmp(action, "role") == 0)
		rc = audit_change(&r->actor, AUDIT_AFTER, "member_set",
		    "INSERT INTO team_members (team_id, user_id, role) SELECT $1, u.id, $3"
		    " FROM users u WHERE lower(u.email) = lower($2)"
		    " ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role",
		    3, params, "team", r->arg_id, name, "team_member_set", details);
	else if (strcmp(action, "remove") == 0)
		rc = audit_change(&r->actor, AUDIT_AFTER, "member_remove",
		    "DELETE FROM team_members WHERE team_id = $1 AND user_id ="
		    " (SELECT id FROM users WHERE lower(email) = lower($2))",
		    2, params, "team", r->arg_id, name, "team_member_remove", NULL);
	else {
		http_error(r, 400, NULL);
		return 0;
	}
	if (rc == -1)
		return -1;
	if (rc == 1) {
		render_set(r->hdf, "MemberForm.Error", "There is no user with that address.");
		render_set(r->hdf, "MemberForm.Email", email);
		return http_page(r, 422, "team.cs");
	}
	http_flash_next(r, "success", strcmp(action, "remove") == 0 ? "Member removed." :
	    "Member saved.");
	http_redirect(r, loc);
	return 0;
}
