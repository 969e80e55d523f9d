/*
 * page-uplinks.c — uplinks (global admins): the list with the connections
 * using each, a new uplink, and one uplink to edit, Test or delete (refused
 * while connections use it, naming them). The uplinks themselves live in
 * uplink.c. Also the outbound addresses block other pages show
 * (uplinks_egress_fill).
 * Inputs: /uplinks POST csrf, action=create, name, proxy_url, allow, egress,
 * probe; /uplinks/{id} POST csrf, action (update|test|delete) and, for
 * update, the same fields.
 * A Test answers 303 with its outcome as the flash.
 * Statuses: 200, 303, 400, 404, 409, 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* Connections named per uplink in the list; its own page names them all. */
#define UPLINK_CONNECTIONS_LISTED	5

void
uplinks_egress_fill(struct req *r, int64_t uplink_id, const char *uplink_name)
{
	HDF	*n;
	char	*list = NULL;

	hdf_remove_tree(r->hdf, "Egress");	/* filled again: the last one holds */
	n = render_node(r->hdf, "Egress");
	if (uplink_id > 0) {
		render_set(n, "Uplink", uplink_name != NULL ? uplink_name : "");
		if (uplink_egress(r->app, uplink_id, &list) == 0)
			render_set(n, "Addresses", list);
		free(list);
		return;
	}
	if (*r->app->cfg.outbound_egress != '\0')
		render_set(n, "Addresses", r->app->cfg.outbound_egress);
}

/* The uplinks, with how many connections use each and the first few. */
static int
uplinks_fill(struct req *r)
{
	char		 lim[16];
	const char	*params[1] = { lim };
	PGresult	*res, *cs;
	HDF		*n, *cn;
	int		 i, j, k;

	res = db_exec_named(&r->app->db, "uplinks_page_list",
	    "SELECT u.id, u.name, coalesce(u.proxy_url, '') AS proxy_url, u.allow, u.egress,"
	    " u.probe, (SELECT count(*) FROM connections c WHERE c.uplink_id = u.id) AS used"
	    " FROM uplinks u ORDER BY lower(u.name), u.id", 0, NULL);
	if (res == NULL)
		return -1;
	snprintf(lim, sizeof(lim), "%d", UPLINK_CONNECTIONS_LISTED);
	cs = db_exec_named(&r->app->db, "uplinks_connections",
	    "SELECT uplink_id, id, name FROM (SELECT c.uplink_id, c.id, c.name, row_number()"
	    " OVER (PARTITION BY c.uplink_id ORDER BY lower(c.name), c.id) AS k FROM"
	    " connections c WHERE c.uplink_id IS NOT NULL) x WHERE k <= $1"
	    " ORDER BY uplink_id, k", 1, params);
	if (cs == NULL) {
		db_clear(res);
		return -1;
	}
	for (i = 0; i < db_rows(res); i++) {
		n = render_node(r->hdf, "Uplinks.%d", i);
		render_row(n, res, i, (const char *const[]){
		    "Id", "id", "Name", "name", "ProxyUrl", "proxy_url", "Allow", "allow",
		    "Egress", "egress", "Probe", "probe", "Used", "used", NULL });
		for (j = 0, k = 0; j < db_rows(cs); j++) {
			if (strcmp(db_get(cs, j, "uplink_id"), db_get(res, i, "id")) != 0)
				continue;
			cn = render_node(n, "Connections.%d", k++);
			render_row(cn, cs, j, (const char *const[]){ "Id", "id", "Name", "name",
			    NULL });
		}
	}
	render_set_int(r->hdf, "UplinksShown", UPLINK_CONNECTIONS_LISTED);
	db_clear(res);
	db_clear(cs);
	render_set(r->hdf, "Page.Title", "Uplinks");
	return 0;
}

int
page_uplinks(struct req *r)
{
	if (uplinks_fill(r) == -1)
		return -1;
	return http_page(r, 200, "uplinks.cs");
}

/* The fields as sent (missing optional ones are empty). */
static void
uplinks_input(struct req *r, struct uplink_in *in)
{
	const char	*v;

	in->name = req_param(r, "name");
	in->proxy_url = req_param(r, "proxy_url");
	in->allow = (v = req_param(r, "allow")) != NULL ? v : "";
	in->egress = (v = req_param(r, "egress")) != NULL ? v : "";
	in->probe = (v = req_param(r, "probe")) != NULL ? v : "";
}

/* The form again with what was sent and why each field was refused. */
static void
uplinks_form(struct req *r, const struct uplink_in *in, const struct uplink_errors *e)
{
	HDF	*n = render_node(r->hdf, "UplinkForm");

	render_set(n, "Sent", "1");
	render_set(n, "Name", in->name != NULL ? in->name : "");
	render_set(n, "ProxyUrl", in->proxy_url != NULL ? in->proxy_url : "");
	render_set(n, "Allow", in->allow);
	render_set(n, "Egress", in->egress);
	render_set(n, "Probe", in->probe);
	if (e == NULL)
		return;
	if (e->name != NULL)
		render_set(n, "Errors.Name", e->name);
	if (e->proxy_url != NULL)
		render_set(n, "Errors.ProxyUrl", e->proxy_url);
	if (e->allow != NULL)
		render_set(n, "Errors.Allow", e->allow);
	if (e->egress != NULL)
		render_set(n, "Errors.Egress", e->egress);
	if (e->probe != NULL)
		render_set(n, "Errors.Probe", e->probe);
}

int
page_uplinks_post(struct req *r)
{
	struct uplink_in	 in;
	struct uplink_errors	 e;
	const char		*action = req_param(r, "action");
	char			 loc[48], flash[200];
	int64_t			 id;
	int			 rc;

	if (action == NULL || strcmp(action, "create") != 0) {
		http_error(r, 400, NULL);
		return 0;
	}
	uplinks_input(r, &in);
	if (uplink_check(&in, &e) > 0) {
		uplinks_form(r, &in, &e);
		if (uplinks_fill(r) == -1)
			return -1;
		return http_page(r, 422, "uplinks.cs");
	}
	if ((rc = uplink_create(&r->actor, &in, &id)) == UPLINK_TAKEN) {
		memset(&e, 0, sizeof(e));
		e.name = "Another uplink is named that: choose another name.";
		uplinks_form(r, &in, &e);
		if (uplinks_fill(r) == -1)
			return -1;
		return http_page(r, 422, "uplinks.cs");
	}
	if (rc != 0)
		return -1;
	snprintf(flash, sizeof(flash), "Uplink %s added. Test it to check that Tether "
	    "reaches its proxy.", in.name);
	http_flash_next(r, "success", flash);
	snprintf(loc, sizeof(loc), "/uplinks/%lld", (long long)id);
	http_redirect(r, loc);
	return 0;
}

/* The uplink and every connection using it; 1 when there is none (404). */
static int
uplink_fill(struct req *r)
{
	char		 uid[24];
	const char	*params[1] = { uid };
	PGresult	*u, *cs = NULL;
	HDF		*n;
	int		 rc = -1;

	snprintf(uid, sizeof(uid), "%lld", (long long)r->arg_id);
	u = db_exec_named(&r->app->db, "uplink_page_get",
	    "SELECT id, name, coalesce(proxy_url, '') AS proxy_url, allow, egress, probe,"
	    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created_at,"
	    " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS updated_at"
	    " FROM uplinks WHERE id = $1", 1, params);
	if (u == NULL)
		goto out;
	if (db_rows(u) == 0) {
		http_error(r, 404, NULL);
		rc = 1;
		goto out;
	}
	cs = db_exec_named(&r->app->db, "uplink_connections",
	    "SELECT c.id, c.name, t.name AS team, c.connector FROM connections c"
	    " JOIN teams t ON t.id = c.owner_team_id WHERE c.uplink_id = $1"
	    " ORDER BY lower(c.name), c.id", 1, params);
	if (cs == NULL)
		goto out;
	n = render_node(r->hdf, "Uplink");
	render_row(n, u, 0, (const char *const[]){
	    "Id", "id", "Name", "name", "ProxyUrl", "proxy_url", "Allow", "allow",
	    "Egress", "egress", "Probe", "probe", "CreatedAt", "created_at",
	    "UpdatedAt", "updated_at", NULL });
	render_rows(n, "Connections", cs, (const char *const[]){
	    "Id", "id", "Name", "name", "Team", "team", "Connector", "connector", NULL });
	/* The edit form starts from what is stored, unless it was sent. */
	if (hdf_get_obj(r->hdf, "UplinkForm") == NULL) {
		struct uplink_in	 in = { db_get(u, 0, "name"), db_get(u, 0, "proxy_url"),
				    db_get(u, 0, "allow"), db_get(u, 0, "egress"),
				    db_get(u, 0, "probe") };

		uplinks_form(r, &in, NULL);
	}
	render_set(r->hdf, "Page.Title", db_get(u, 0, "name"));
	rc = 0;
out:
	db_clear(u);
	db_clear(cs);
	return rc;
}

int
page_uplink(struct req *r)
{
	int	 rc = uplink_fill(r);

	if (rc != 0)
		return rc == 1 ? 0 : -1;
	return http_page(r, 200, "uplink.cs");
}

/* The uplink's page again with `status`; 0 or -1. */
static int
uplink_again(struct req *r, int status)
{
	int	 rc = uplink_fill(r);

	if (rc != 0)
		return rc == 1 ? 0 : -1;
	return http_page(r, status, "uplink.cs");
}

static int
uplink_post_update(struct req *r)
{
	struct uplink_in	 in;
	struct uplink_errors	 e;
	char			 loc[48];
	int			 rc;

	uplinks_input(r, &in);
	if (uplink_check(&in, &e) > 0) {
		uplinks_form(r, &in, &e);
		return uplink_again(r, 422);
	}
	if ((rc = uplink_update(&r->actor, r->arg_id, &in)) == UPLINK_TAKEN) {
		memset(&e, 0, sizeof(e));
		e.name = "Another uplink is named that: choose another name.";
		uplinks_form(r, &in, &e);
		return uplink_again(r, 422);
	}
	if (rc == 1) {
		http_error(r, 404, NULL);
		return 0;
	}
	if (rc != 0)
		return -1;
	http_flash_next(r, "success", "Uplink saved.");
	snprintf(loc, sizeof(loc), "/uplinks/%lld", (long long)r->arg_id);
	http_redirect(r, loc);
	return 0;
}

static int
uplink_post_test(struct req *r)
{
	struct probe_outcome	 o;
	char			 msg[300], loc[48];
	int			 rc, reached;

	probe_outcome_init(&o);
	rc = uplink_test(&r->actor, r->arg_id, &o, &reached, msg, sizeof(msg));
	probe_outcome_free(&o);
	if (rc == 1) {
		http_error(r, 404, NULL);
		return 0;
	}
	if (rc != 0)
		return -1;
	/* Its outcome as the flash: reloading the page does not test again. */
	http_flash_next(r, reached ? "success" : "error", msg);
	snprintf(loc, sizeof(loc), "/uplinks/%lld", (long long)r->arg_id);
	http_redirect(r, loc);
	return 0;
}

int
page_uplink_post(struct req *r)
{
	const char	*action = req_param(r, "action");
	int		 rc;

	if (action == NULL) {
		http_error(r, 400, NULL);
		return 0;
	}
	if (strcmp(action, "update") == 0)
		return uplink_post_update(r);
	if (strcmp(action, "test") == 0)
		return uplink_post_test(r);
	if (strcmp(action, "delete") != 0) {
		http_error(r, 400, NULL);
		return 0;
	}
	if ((rc = uplink_remove(&r->actor, r->arg_id)) == UPLINK_IN_USE) {
		render_set(r->hdf, "DeleteRefused", "1");
		return uplink_again(r, 409);
	}
	if (rc == 1) {
		http_error(r, 404, NULL);
		return 0;
	}
	if (rc != 0)
		return -1;
	http_flash_next(r, "success", "Uplink deleted.");
	http_redirect(r, "/uplinks");
	return 0;
}
