/*
 * page-connection-delete.c — Delete a connection: a confirmation page;
 * refused, with the flows listed, while flows use it. The check and the
 * delete are one statement, and the foreign key (ON DELETE RESTRICT) is
 * the last guard against a flow registered in between — that too is a
 * refusal, never an error page. A delete that goes through revokes the
 * connection's OAuth tokens at the provider first (revoke.c), best effort.
 * Inputs: {id}; POST csrf, confirm=yes.
 * Statuses: 200 (confirm, or refused with the flows), 303 (deleted: to the
 * Integrations tab), 403, 404, 409 (in use), 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

static int
delete_refused(struct req *r, struct conn *c, int status)
{
	render_set(r->hdf, "Delete.InUse", "1");
	if (connpage_fill_flows(r, c->id, "Flows", NULL) == -1)
		return -1;
	return http_page(r, status, "connection-delete.cs");
}

/* {id} for its owner team's managers, filled in: 0, or 1 with the answer made. */
static int
delete_load(struct req *r, struct conn **c)
{
	if (connpage_load(r, PERM_VIEW, c))
		return 1;
	if (!(*c)->owner_manager) {
		conn_free(*c);
		*c = NULL;
		http_error(r, 403, "Only managers of the owner team can delete this connection.");
		return 1;
	}
	connpage_fill(r, *c, "details");
	return 0;
}

int
page_connection_delete(struct req *r)
{
	struct conn	*c;
	int		 rc;

	if (delete_load(r, &c))
		return 0;
	render_set(r->hdf, "Page.Title", "Delete connection");
	if (c->flow_count > 0)
		rc = delete_refused(r, c, 200);
	else {
		render_set(r->hdf, "Delete.InUse", "0");
		rc = http_page(r, 200, "connection-delete.cs");
	}
	conn_free(c);
	return rc;
}

/* In the delete's transaction: lock connection `id` unless flows use it.
 * 1 locked, 0 in use (or gone), -1 on a database error. */
static int
delete_lock(struct req *r, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 n;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	res = db_exec_named(&r->app->db, "conn_delete_lock",
	    "SELECT id FROM connections WHERE id = $1 AND NOT EXISTS"
	    " (SELECT 1 FROM flow_connections WHERE connection_id = $1) FOR UPDATE",
	    1, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	db_clear(res);
	return n == 1;
}

int
page_connection_delete_post(struct req *r)
{
	struct conn	*c;
	const char	*confirm = req_param(r, "confirm");
	char		 cid[24], msg[300], *revoked = NULL;
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 rc = -1, deleted, locked;

	if (delete_load(r, &c))
		return 0;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		http_flash(r, "error", "Confirm the deletion to delete this connection.");
		render_set(r->hdf, "Delete.InUse", "0");
		rc = http_page(r, 422, "connection-delete.cs");
		goto out;
	}
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	if (db_begin(&r->app->db) == -1)
		goto out;
	/* Tokens are revoked at the provider (issue 13 §5) only for a delete
	 * that goes through: the row is locked first, so no flow can start
	 * using it meanwhile; what the provider said goes in the audit entry. */
	if ((locked = delete_lock(r, c->id)) == -1 ||
	    (locked == 1 && revoke_connection(&r->actor, c, &revoked) == -1)) {
		db_rollback(&r->app->db);
		goto out;
	}
	/* The audit entry first, while the connection (and its team) exists; a
	 * refused delete rolls it back and records the refusal instead. */
	if (audit_add(&r->actor, "connection", c->id, c->name, "connection_delete", "success",
	    revoked) == -1 || event_connection(&r->actor, EVENT_DELETED, c->id, NULL) == -1) {
		db_rollback(&r->app->db);
		goto out;
	}
	/* Secrets, tokens, OAuth states, versions and tests go with it (CASCADE). */
	res = db_exec_named(&r->app->db, "conn_delete",
	    "DELETE FROM connections WHERE id = $1 AND NOT EXISTS"
	    " (SELECT 1 FROM flow_connections WHERE connection_id = $1) RETURNING id",
	    1, params);
	if (res == NULL) {
		int	 in_use = db_failed_with(&r->app->db, "23503");

		db_rollback(&r->app->db);
		if (!in_use)
			goto out;
		deleted = 0;
	} else {
		deleted = db_rows(res) == 1;
		db_clear(res);
	}
	if (!deleted) {
		db_rollback(&r->app->db);
		audit_add(&r->actor, "connection", c->id, c->name, "connection_delete", "denied",
		    "{\"reason\":\"in use by flows\"}");
		http_flash(r, "error", "Nothing was deleted: flows use this connection.");
		rc = delete_refused(r, c, 409);
		goto out;
	}
	if (db_commit(&r->app->db) == -1) {
		db_rollback(&r->app->db);
		goto out;
	}
	snprintf(msg, sizeof(msg), "Connection \"%s\" was deleted, with its secrets.",
	    c->name);
	http_flash_next(r, "success", msg);
	http_redirect(r, "/");
	rc = 0;
out:
	free(revoked);
	conn_free(c);
	return rc;
}
