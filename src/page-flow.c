/*
 * page-flow.c — a flow as the automation engine registered it: name,
 * version, status, owner, description, and the connections it uses (only
 * those the user may see). Inputs: {id}. Statuses: 200, 404 (no such flow,
 * or none of its connections is visible to the user), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

int
page_flow(struct req *r)
{
	char		 fid[24], uid[24];
	const char	*params[3] = { fid, uid, r->sess->is_admin ? "t" : "f" };
	PGresult	*flow = NULL, *conns = NULL;
	HDF		*n;
	int		 i, rc = -1;

	snprintf(fid, sizeof(fid), "%lld", (long long)r->arg_id);
	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	flow = db_exec_named(&r->app->db, "flow_get",
	    "SELECT id, name, version, status, owner, description, progress_status,"
	    " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' AS updated"
	    " FROM flows WHERE id = $1", 1, params);
	conns = db_exec_named(&r->app->db, "flow_connections",
	    "SELECT c.id, c.name, c.connector, c.status FROM flow_connections fc"
	    " JOIN connections c ON c.id = fc.connection_id WHERE fc.flow_id = $1"
	    " AND ($3::boolean OR c.owner_team_id IN (SELECT team_id FROM team_members"
	    " WHERE user_id = $2) OR c.id IN (SELECT sh.connection_id FROM connection_shares sh"
	    " JOIN team_members m ON m.team_id = sh.team_id WHERE m.user_id = $2))"
	    " ORDER BY lower(c.name)", 3, params);
	if (flow == NULL || conns == NULL) {
		http_error(r, 503, NULL);
		rc = 0;
		goto out;
	}
	if (db_rows(flow) == 0 || (!r->sess->is_admin && db_rows(conns) == 0)) {
		http_error(r, 404, NULL);
		rc = 0;
		goto out;
	}
	n = render_node(r->hdf, "Flow");
	render_row(n, flow, 0, (const char *const[]){ "Id", "id", "Name", "name",
	    "Version", "version", "Status", "status", "Owner", "owner",
	    "Description", "description", "ProgressStatus", "progress_status",
	    "UpdatedAt", "updated", NULL });
	for (i = 0; i < db_rows(conns); i++) {
		HDF	*c = render_node(n, "Connections.%d", i);

		render_set(c, "Id", db_get(conns, i, "id"));
		render_set(c, "Name", db_get(conns, i, "name"));
		render_set(c, "ConnectorTitle", catalog_title(&r->app->catalog,
		    db_get(conns, i, "connector")));
		render_set(c, "Status", db_get(conns, i, "status"));
		render_set(c, "StatusLabel", conn_status_label(db_get(conns, i, "status")));
	}
	render_set(r->hdf, "Page.Title", db_get(flow, 0, "name"));
	rc = http_page(r, 200, "flow.cs");
out:
	db_clear(flow);
	db_clear(conns);
	return rc;
}
