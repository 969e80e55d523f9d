/*
 * page-webhooks.c — webhook endpoints (global admins): the list, a new
 * endpoint (its signing secret shown once, on the answer to the POST that
 * made it), and one endpoint with its recent deliveries and every attempt;
 * enable, disable, delete. The endpoints themselves live in webhook.c.
 * Inputs: /webhooks POST csrf, action=create, url, events (repeated), team;
 * /webhooks/{id} POST csrf, action (enable|disable|delete).
 * Statuses: 200, 201, 303, 400, 404, 422, 503.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

#define WEBHOOK_DELIVERIES_SHOWN	50

/* The endpoints, the event types and the teams for the form. */
static int
webhooks_fill(struct req *r)
{
	PGresult	*res;
	HDF		*n;
	size_t		 i;

	res = db_exec_named(&r->app->db, "webhooks_all",
	    "SELECT w.id, w.url, array_to_string(w.events, ', ') AS events,"
	    " coalesce(t.name, '') AS team, w.enabled::int AS enabled,"
	    " (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id"
	    "  AND d.state = 'delivered') AS delivered,"
	    " (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id"
	    "  AND d.state = 'pending') AS pending,"
	    " (SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = w.id"
	    "  AND d.state = 'failed') AS failed"
	    " FROM webhook_endpoints w LEFT JOIN teams t ON t.id = w.team_id ORDER BY w.id",
	    0, NULL);
	if (res == NULL)
		return -1;
	render_rows(r->hdf, "Webhooks", res, (const char *const[]){
	    "Id", "id", "Url", "url", "Events", "events", "Team", "team",
	    "Enabled", "enabled", "Delivered", "delivered", "Pending", "pending",
	    "Failed", "failed", NULL });
	db_clear(res);
	for (i = 0; webhook_events[i] != NULL; i++) {
		n = render_node(r->hdf, "EventTypes.%zu", i);
		render_set(n, "Name", webhook_events[i]);
	}
	if ((res = db_exec_named(&r->app->db, "webhook_teams",
	    "SELECT id, name FROM teams ORDER BY lower(name)", 0, NULL)) == NULL)
		return -1;
	render_rows(r->hdf, "Teams", res, (const char *const[]){
	    "Id", "id", "Name", "name", NULL });
	db_clear(res);
	render_set(r->hdf, "Page.Title", "Webhooks");
	return 0;
}

int
page_webhooks(struct req *r)
{
	if (webhooks_fill(r) == -1)
		return -1;
	return http_page(r, 200, "webhooks.cs");
}

/* The form again with what was sent and why it was refused. */
static int
webhooks_refuse(struct req *r, const char *why)
{
	const char	*url = req_param(r, "url"), *team = req_param(r, "team");
	size_t		 i, k = 0;

	render_set(r->hdf, "WebhookForm.Error", why);
	render_set(r->hdf, "WebhookForm.Url", url != NULL ? url : "");
	render_set(r->hdf, "WebhookForm.Team", team != NULL ? team : "");
	for (i = 0; i < r->in.n; i++)
		if (strcmp(r->in.v[i].name, "events") == 0 && webhook_event_known(r->in.v[i].value))
			render_set(render_node(r->hdf, "WebhookForm.Events.%zu", k++), "Name",
			    r->in.v[i].value);
	if (webhooks_fill(r) == -1)
		return -1;
	return http_page(r, 422, "webhooks.cs");
}

int
page_webhooks_post(struct req *r)
{
	const char	*url = req_param(r, "url"), *team = req_param(r, "team"), *why;
	const char	*action = req_param(r, "action");
	const char	*events[WEBHOOK_EVENTS_MAX];
	char		 secret[WEBHOOK_SECRET_SIZE], idbuf[24];
	long long	 team_id = 0;
	size_t		 i, nevents = 0;
	int64_t		 id;
	int		 rc;

	if (url == NULL || action == NULL || strcmp(action, "create") != 0) {
		http_error(r, 400, NULL);
		return 0;
	}
	for (i = 0; i < r->in.n; i++) {
		if (strcmp(r->in.v[i].name, "events") != 0)
			continue;
		if (!webhook_event_known(r->in.v[i].value) || nevents == WEBHOOK_EVENTS_MAX) {
			http_error(r, 400, NULL);
			return 0;
		}
		events[nevents++] = r->in.v[i].value;
	}
	if (team != NULL && *team != '\0' &&
	    valid_int(team, 1, 999999999999999LL, &team_id) != NULL) {
		http_error(r, 400, NULL);
		return 0;
	}
	if ((why = webhook_url_check(r->app, url)) != NULL)
		return webhooks_refuse(r, why);
	rc = webhook_create(&r->actor, url, events, nevents, team_id, &id, secret);
	if (rc == -1 && team_id > 0 && db_failed_with(&r->app->db, "23503"))
		return webhooks_refuse(r, "That team no longer exists.");
	if (rc == -1)
		return -1;
	/* The one time the secret is shown: on this answer, never stored in
	 * clear, never in a URL or a flash cookie (the page is no-store). */
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	render_set(r->hdf, "Created.Id", idbuf);
	render_set(r->hdf, "Created.Url", url);
	render_set(r->hdf, "Created.Secret", secret);
	sodium_memzero(secret, sizeof(secret));
	if (webhooks_fill(r) == -1)
		return -1;
	return http_page(r, 201, "webhooks.cs");
}

/* The endpoint, its recent deliveries and their attempts; 1 when there is
 * no such endpoint (404 made). */
static int
webhook_fill(struct req *r)
{
	char		 wid[24], lim[16];
	const char	*params[2] = { wid, lim };
	PGresult	*w, *d = NULL, *t = NULL;
	HDF		*dn, *tn;
	int		 i, j, k, rc = -1;

	snprintf(wid, sizeof(wid), "%lld", (long long)r->arg_id);
	snprintf(lim, sizeof(lim), "%d", WEBHOOK_DELIVERIES_SHOWN);
	w = db_exec_named(&r->app->db, "webhook_get",
	    "SELECT w.id, w.url, array_to_string(w.events, ', ') AS events,"
	    " coalesce(t.name, '') AS team, w.enabled::int AS enabled,"
	    " to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS created_at,"
	    " w.created_by FROM webhook_endpoints w LEFT JOIN teams t ON t.id = w.team_id"
	    " WHERE w.id = $1", 1, params);
	if (w == NULL)
		goto out;
	if (db_rows(w) == 0) {
		http_error(r, 404, NULL);
		rc = 1;
		goto out;
	}
	d = db_exec_named(&r->app->db, "webhook_deliveries",
	    "SELECT d.id, d.event_id, e.type, d.state, d.attempts, coalesce(e.payload"
	    " #>> '{connection,name}', '') AS connection, to_char(d.created_at AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS created_at, CASE WHEN d.state = 'pending'"
	    " THEN to_char(d.next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	    " ELSE '' END AS next_at FROM webhook_deliveries d JOIN events e ON e.id ="
	    " d.event_id WHERE d.endpoint_id = $1 ORDER BY d.id DESC LIMIT $2", 2, params);
	t = db_exec_named(&r->app->db, "webhook_attempts",
	    "SELECT a.delivery_id, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')"
	    " AS at, coalesce(a.http_status::text, '') AS http_status, a.latency_ms, a.result,"
	    " a.reason FROM webhook_attempts a WHERE a.delivery_id IN (SELECT id FROM"
	    " webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2)"
	    " ORDER BY a.delivery_id DESC, a.at, a.id", 2, params);
	if (d == NULL || t == NULL)
		goto out;
	render_row(render_node(r->hdf, "Webhook"), w, 0, (const char *const[]){
	    "Id", "id", "Url", "url", "Events", "events", "Team", "team",
	    "Enabled", "enabled", "CreatedAt", "created_at", "CreatedBy", "created_by", NULL });
	render_set(r->hdf, "Page.Title", "Webhook");
	/* Both newest delivery first: walk the attempts alongside. */
	for (i = 0, j = 0; i < db_rows(d); i++) {
		dn = render_node(r->hdf, "Deliveries.%d", i);
		render_row(dn, d, i, (const char *const[]){
		    "Id", "id", "EventId", "event_id", "Type", "type", "State", "state",
		    "Attempts", "attempts", "Connection", "connection", "CreatedAt", "created_at",
		    "NextAt", "next_at", NULL });
		for (k = 0; j < db_rows(t) && strcmp(db_get(t, j, "delivery_id"),
		    db_get(d, i, "id")) == 0; j++, k++) {
			tn = render_node(dn, "Tries.%d", k);
			render_row(tn, t, j, (const char *const[]){
			    "At", "at", "Status", "http_status", "Latency", "latency_ms",
			    "Result", "result", "Reason", "reason", NULL });
		}
	}
	rc = 0;
out:
	db_clear(w);
	db_clear(d);
	db_clear(t);
	return rc;
}

int
page_webhook(struct req *r)
{
	int	 rc = webhook_fill(r);

	if (rc != 0)
		return rc == 1 ? 0 : -1;
	return http_page(r, 200, "webhook.cs");
}

int
page_webhook_post(struct req *r)
{
	const char	*action = req_param(r, "action");
	int		 rc;

	if (action == NULL) {
		http_error(r, 400, NULL);
		return 0;
	}
	if (strcmp(action, "enable") == 0 || strcmp(action, "disable") == 0)
		rc = webhook_set_enabled(&r->actor, r->arg_id, strcmp(action, "enable") == 0);
	else if (strcmp(action, "delete") == 0)
		rc = webhook_remove(&r->actor, r->arg_id);
	else {
		http_error(r, 400, NULL);
		return 0;
	}
	if (rc == -1)
		return -1;
	if (rc == 1) {
		http_error(r, 404, NULL);
		return 0;
	}
	if (strcmp(action, "delete") == 0) {
		http_flash_next(r, "success", "Webhook deleted.");
		http_redirect(r, "/webhooks");
	} else {
		char	 loc[48];

		snprintf(loc, sizeof(loc), "/webhooks/%lld", (long long)r->arg_id);
		http_flash_next(r, "success", strcmp(action, "enable") == 0 ?
		    "Webhook enabled." : "Webhook disabled.");
		http_redirect(r, loc);
	}
	return 0;
}
