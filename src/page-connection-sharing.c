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
	char		 cid[24], uid[24], loc[64], details[160], msg[200];
	const char	*params[4] = { cid, team, NULL, NULL };
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
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	snprintf(loc, sizeof(loc), "/connections/%lld/sharing", (long long)c->id);
	if (action == NULL || team == NULL || valid_int(team, 1, INT64_MAX / 2, &tid) != NULL) {
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (tid == c->owner_team_id) {
		http_flash(r, "error", "The owner team always has access; choose another team.");
		rc = sharing_page(r, c, 422);
		goto out;
	}
	snprintf(details, sizeof(details), "{\"team_id\":%lld%s%s%s}", tid,
	    perm != NULL ? ",\"permission\":\"" : "", perm != NULL &&
	    (strcmp(perm, "use") == 0 || strcmp(perm, "manage") == 0) ? perm : "",
	    perm != NULL ? "\"" : "");
	if (strcmp(action, "share") == 0) {
		if (perm == NULL || (strcmp(perm, "use") != 0 && strcmp(perm, "manage") != 0)) {
			http_flash(r, "error", "Choose Use or Manage.");
			rc = sharing_page(r, c, 422);
			goto out;
		}
		params[2] = perm, params[3] = uid;
		done = audit_change(&r->actor, AUDIT_AFTER, "share_add",
		    "INSERT INTO connection_shares (connection_id, team_id, permission, created_by)"
		    " SELECT $1, t.id, $3, $4 FROM teams t WHERE t.id = $2"
		    " ON CONFLICT (connection_id, team_id) DO UPDATE SET permission = $3",
		    4, params, "connection", c->id, c->name, "connection_share", details);
		snprintf(msg, sizeof(msg), "Shared for %s.", perm);
	} else if (strcmp(action, "revoke") == 0) {
		done = audit_change(&r->actor, AUDIT_AFTER, "share_revoke",
		    "DELETE FROM connection_shares WHERE connection_id = $1 AND team_id = $2",
		    2, params, "connection", c->id, c->name, "connection_unshare", details);
		snprintf(msg, sizeof(msg), "Share revoked.");
	} else if (strcmp(action, "transfer") == 0) {
		/* Only to a team the user manages; the name must be free there. */
		params[2] = uid, params[3] = r->sess->is_admin ? "t" : "f";
		done = audit_change(&r->actor, AUDIT_FIRST, "conn_transfer",
		    "WITH allowed AS (SELECT 1 FROM connections c WHERE c.id = $1"
		    " AND ($4::boolean OR EXISTS (SELECT 1 FROM team_members m WHERE"
		    " m.team_id = $2 AND m.user_id = $3 AND m.role = 'manager'))"
		    " AND NOT EXISTS (SELECT 1 FROM connections o WHERE o.owner_team_id = $2"
		    " AND lower(o.name) = lower(c.name))),"
		    " unshare AS (DELETE FROM connection_shares WHERE connection_id = $1"
		    " AND team_id = $2 AND EXISTS (SELECT 1 FROM allowed))"
		    " UPDATE connections SET owner_team_id = $2, version = version + 1,"
		    " updated_by = $3, updated_at = now() WHERE id = $1"
		    " AND EXISTS (SELECT 1 FROM allowed)", 4, params,
		    "connection", c->id, c->name, "connection_transfer", details);
		snprintf(msg, sizeof(msg), "Ownership transferred.");
	} else {
		http_error(r, 400, NULL);
		rc = 0;
		goto out;
	}
	if (done == -1)
		goto out;
	if (done == 1) {
		http_flash(r, "error", strcmp(action, "transfer") == 0 ?
		    "Nothing changed: you can transfer only to a team you manage, where no "
		    "connection has the same name." : "Nothing changed: no such team or share.");
		rc = sharing_page(r, c, strcmp(action, "transfer") == 0 ? 409 : 422);
		goto out;
	}
	http_flash_next(r, "success", msg);
	http_redirect(r, loc);
	rc = 0;
out:
	conn_free(c);
	return rc;
}
