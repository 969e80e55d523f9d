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

int
page_connection_delete_post(struct req *r)
{
	struct conn	*c;
	const char	*confirm = req_param(r, "confirm");
	char		 msg[300];
	int		 rc = -1, deleted;

	if (delete_load(r, &c))
		return 0;
	if (confirm == NULL || strcmp(confirm, "yes") != 0) {
		http_flash(r, "error", "Confirm the deletion to delete this connection.");
		render_set(r->hdf, "Delete.InUse", "0");
		rc = http_page(r, 422, "connection-delete.cs");
		goto out;
	}
	if ((deleted = connsave_delete(&r->actor, c)) == -1)
		goto out;
	if (deleted == 1) {
		http_flash(r, "error", "Nothing was deleted: flows use this connection.");
		rc = delete_refused(r, c, 409);
		goto out;
	}
	snprintf(msg, sizeof(msg), "Connection \"%s\" was deleted, with its secrets.",
	    c->name);
	http_flash_next(r, "success", msg);
	http_redirect(r, "/");
	rc = 0;
out:
	conn_free(c);
	return rc;
}
