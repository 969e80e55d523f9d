/*
 * page-connection-sharing.c — who may use a connection beyond its owner
 * team: share it with another team for use (see, use in flows, test) or
 * manage (also edit and reconnect), revoke a share, or transfer ownership
 * to another team the user manages. Every change is audited.
 * Inputs: {id}; POST csrf, action (share|revoke|transfer), team, permission.
 * Statuses: 200, 303 (changed), 400, 403 (not a manager of it), 404,
 * 409 (name taken in the new team), 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

static int
sharing_fill(struct req *r, const struct conn *c)
{
	char		 cid[24], uid[24], tid[24];
	const char	*params[4] = { cid, uid, r->sess->is_admin ? "t" : "f", tid };
	PGresult	*shares, *teams;
	int		 i, n = 0, m = 0;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(tid, sizeof(tid), "%lld", (long long)c->owner_team_id);
	shares = db_exec_named(&r->app->db, "shares_list",
	    "SELECT s.team_id, t.name, s.permission, to_char(s.created_at AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD HH24:MI') || ' UTC' AS at FROM connection_shares s"
	    " JOIN teams t ON t.id = s.team_id WHERE s.connection_id = $1"
	    " ORDER BY lower(t.name)", 1, params);
	/* Candidates: every other team to share with; teams they manage to transfer to. */
	teams = db_exec_named(&r->app->db, "share_candidates",
	    "SELECT t.id, t.name, ($3::boolean OR EXISTS (SELECT 1 FROM team_members m"
	    " WHERE m.team_id = t.id AND m.user_id = $2 AND m.role = 'manager')) AS manages,"
	    " EXISTS (SELECT 1 FROM connection_shares s WHERE s.connection_id = $1"
	    " AND s.team_id = t.id) AS shared"
	    " FROM teams t WHERE t.id <> $4 ORDER BY lower(t.name)", 4, params);
	if (shares == NULL || teams == NULL) {
		db_clear(shares);
		db_clear(teams);
		return -1;
	}
	render_rows(r->hdf, "Sharing.Shares", shares, (const char *const[]){
	    "TeamId", "team_id", "TeamName", "name", "Permission", "permission",
	    "CreatedAt", "at", NULL });
	for (i = 0; i < db_rows(teams); i++) {
		HDF	*t;

		if (strcmp(db_get(teams, i, "shared"), "f") == 0) {
			t = render_node(r->hdf, "Sharing.Teams.%d", n++);
			render_set(t, "Id", db_get(teams, i, "id"));
			render_set(t, "Name", db_get(teams, i, "name"));
		}
		if (strcmp(db_get(teams, i, "manages"), "t") == 0) {
			t = render_node(r->hdf, "Sharing.TransferTeams.%d", m++);
			render_set(t, "Id", db_get(teams, i, "id"));
			render_set(t, "Name", db_get(teams, i, "name"));
		}
	}
	db_clear(shares);
	db_clear(teams);
	return 0;
}

static int
sharing_page(struct req *r, struct conn *c, int status)
{
	connpage_fill(r, c, "sharing");
	render_set(r->hdf, "Page.Title", "Sharing");
	if (sharing_fill(r, c) == -1)
		return -1;
	return http_page(r, status, "connection-sharing.cs");
}

int
page_connection_sharing(struct req *r)
{
	struct conn	*c;
	int		 rc;

	if (connpage_load(r, PERM_VIEW, &c))
		return 0;
	rc = sharing_page(r, c, 200);
	conn_free(c);
	return rc;
}

int
page_connection_sharing_post(struct req *r)
{
	struct conn	*c;
	const char	*action = req_param(r, "action"), *team = req_param(r, "team");
	const char	*perm = req_param(r, "permission");
	char		 loc[64], msg[200];
	long long	 tid;
	int		 rc = -1, done;

	if (connpage_load(r, PERM_VIEW, &c))
		return 0;
	/* Sharing is the owner team's: a 'manage' share edits, it does not give away. */
	if (!c->owner_manager) {
		conn_free(c);
		http_error(r, 403, "Only managers of the owner team can change sharing.");
		return 0;
	}
	snprintf(loc, sizeof(loc), "/connections/%lld/sharing", (long long)c->id);
	if (action == NULL || team == NULL || valid_int(team, 1, INT64_MAX / 2, &tid) != NULL ||
	    (done = connsave_share(&r->actor, c, action, tid, perm)) == CONNSAVE_BAD_ACTION) {
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (done == -1)
		goto out;
	if (done != 0) {
		http_flash(r, "error", connsave_share_why(done, action));
		rc = sharing_page(r, c, done == CONNSAVE_NOTHING &&
		    strcmp(action, "transfer") == 0 ? 409 : 422);
		goto out;
	}
	snprintf(msg, sizeof(msg), "%s", strcmp(action, "share") == 0 ? (strcmp(perm, "use")
	    == 0 ? "Shared for use." : "Shared for manage.") : strcmp(action, "revoke") == 0 ?
	    "Share revoked." : "Ownership transferred.");
	http_flash_next(r, "success", msg);
	http_redirect(r, loc);
	rc = 0;
out:
	conn_free(c);
	return rc;
}
