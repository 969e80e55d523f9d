/*
 * page-connection-replace.c — "Replace in flows…": pick a connection to
 * take this one's place (compatible ones the user may use), see the impact
 * preview (each flow, and whether the replacement's last test passed),
 * choose all or some flows, confirm. replace.c checks, previews and swaps;
 * this page reads the form and words nothing of its own but the outcome.
 * Inputs: {id}; GET to (the replacement, optional); POST csrf, to, flow
 * (repeated: "FLOWID.STAMP", the stamp the preview showed).
 * Statuses: 200 (pick or preview), 303 (replaced: back here, with the
 * message), 400 (a crafted form), 403, 404, 409 (a flow changed since the
 * preview: nothing changed, the fresh preview), 422 (refused), 503.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* The replacements to offer: Replace.Candidates.N.Id|Name|Team|Status|
 * StatusLabel|Passed|Selected. */
static int
replace_page_candidates(struct req *r, int64_t from, int64_t to)
{
	PGresult	*res;
	HDF		*n;
	int		 i;

	if ((res = replace_candidates(&r->actor, from)) == NULL)
		return -1;
	for (i = 0; i < db_rows(res); i++) {
		n = render_node(r->hdf, "Replace.Candidates.%d", i);
		render_row(n, res, i, (const char *const[]){ "Id", "id", "Name", "name",
		    "Team", "team", "Status", "status", NULL });
		render_set(n, "StatusLabel", conn_status_label(db_get(res, i, "status")));
		render_set(n, "Passed", strcmp(db_get(res, i, "passed"), "t") == 0 ? "1" : "0");
		render_set(n, "Selected", strtoll(db_get(res, i, "id"), NULL, 10) == to ?
		    "1" : "0");
	}
	render_set_int(r->hdf, "Replace.CandidateCount", db_rows(res));
	db_clear(res);
	return 0;
}

/* The preview: Replace.To.*, Replace.Flows.N.*, Replace.Passed. */
static void
replace_page_preview(struct req *r, const struct replace_result *res)
{
	const struct conn	*to = res->to;
	HDF			*n;
	char			 at[20];
	int			 i;

	if (to != NULL) {
		n = render_node(r->hdf, "Replace.To");
		render_set_int(n, "Id", to->id);
		render_set(n, "Name", to->name);
		render_set(n, "Team", to->owner_team);
		render_set(n, "Status", to->status);
		render_set(n, "StatusLabel", conn_status_label(to->status));
		snprintf(at, sizeof(at), "%.16s", to->last_tested_at);	/* to the minute */
		render_set(n, "TestedAt", at);
		render_set(n, "Passed", strcmp(to->last_test_result, "ok") == 0 ? "1" : "0");
	}
	for (i = 0; res->flows != NULL && i < db_rows(res->flows); i++) {
		n = render_node(r->hdf, "Replace.Flows.%d", i);
		render_row(n, res->flows, i, (const char *const[]){ "Id", "id", "Name", "name",
		    "Version", "version", "Status", "status", "Owner", "owner",
		    "Stamp", "stamp", NULL });
		render_set(n, "MayChange",
		    strcmp(db_get(res->flows, i, "may_change"), "t") == 0 ? "1" : "0");
		render_set(n, "Chosen",
		    strcmp(db_get(res->flows, i, "chosen"), "t") == 0 ? "1" : "0");
	}
}

/* Render the page: status, with the refusal `why` (or none). */
static int
replace_page_render(struct req *r, struct conn *c, int64_t to, int status,
    const struct replace_result *res)
{
	render_set(r->hdf, "Page.Title", "Replace in flows");
	if (replace_page_candidates(r, c->id, to) == -1)
		return -1;
	if (res != NULL) {
		replace_page_preview(r, res);
		if (res->why[0] != '\0')
			render_set(r->hdf, "Replace.Error", res->why);
	}
	/* Nothing uses it any more: say it may go. */
	if (c->flow_count == 0)
		render_set(r->hdf, "Replace.Unused", "1");
	else if (res == NULL || res->flows == NULL)
		if (connpage_fill_flows(r, c->id, "Flows", NULL) == -1)
			return -1;
	return http_page(r, status, "connection-replace.cs");
}

/* The HTTP status of a refusal shown on this page. */
static int
replace_page_status(int rc)
{
	switch (rc) {
	case REPLACE_CONFLICT:
		return 409;
	case REPLACE_FORBIDDEN:
		return 403;
	default:
		return 422;
	}
}

/* {id} for those who may edit it: 0 with *c, or 1 with the answer made. */
static int
replace_page_load(struct req *r, struct conn **c)
{
	if (connpage_load(r, PERM_MANAGE, c))
		return 1;
	connpage_fill(r, *c, "related");
	return 0;
}

int
page_connection_replace(struct req *r)
{
	struct replace_result	 res;
	struct replace_in	 in;
	struct conn		*c;
	const char		*tos = req_param(r, "to");
	long long		 to = 0;
	int			 rc;

	if (replace_page_load(r, &c))
		return 0;
	memset(&res, 0, sizeof(res));
	if (tos != NULL && *tos != '\0' && valid_int(tos, 1, INT64_MAX, &to) != NULL) {
		conn_free(c);
		http_error(r, 400, NULL);
		return 0;
	}
	if (to == 0 || c->flow_count == 0) {
		rc = replace_page_render(r, c, to, 200, NULL);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.from = c->id, in.to = to, in.dry_run = 1;
	if ((rc = replace_run(&r->actor, &in, &res)) == -1)
		goto out;
	rc = replace_page_render(r, c, to, rc == REPLACE_DONE ? 200 : replace_page_status(rc),
	    &res);
out:
	replace_result_free(&res);
	conn_free(c);
	return rc;
}

/* The chosen flows "ID.STAMP" into picks: their number, or -1 (400). */
static int
replace_page_picks(struct req *r, struct replace_pick *picks, size_t max)
{
	const char	*v, *dot;
	long long	 id, stamp;
	size_t		 i, k, n = 0;
	char		 num[24];

	for (i = 0; i < r->in.n; i++) {
		if (strcmp(r->in.v[i].name, "flow") != 0)
			continue;
		v = r->in.v[i].value;
		if (n == max || (dot = strchr(v, '.')) == NULL || (size_t)(dot - v) >= sizeof(num))
			return -1;
		memcpy(num, v, dot - v);
		num[dot - v] = '\0';
		if (valid_int(num, 1, INT64_MAX, &id) != NULL ||
		    valid_int(dot + 1, 0, INT64_MAX, &stamp) != NULL)
			return -1;
		for (k = 0; k < n; k++)
			if (picks[k].flow == id)
				return -1;
		picks[n].flow = id;
		snprintf(picks[n].stamp, sizeof(picks[n].stamp), "%lld", stamp);
		n++;
	}
	return (int)n;
}

int
page_connection_replace_post(struct req *r)
{
	struct replace_pick	*picks = NULL;
	struct replace_result	 res;
	struct replace_in	 in;
	struct conn		*c;
	long long		 to;
	char			 msg[400];
	int			 n, rc = 0, status;

	if (replace_page_load(r, &c))
		return 0;
	memset(&res, 0, sizeof(res));
	picks = xcalloc(REPLACE_FLOWS_MAX, sizeof(*picks));
	if (valid_int(req_text(r, "to"), 1, INT64_MAX, &to) != NULL ||
	    (n = replace_page_picks(r, picks, REPLACE_FLOWS_MAX)) == -1) {
		http_error(r, 400, NULL);
		goto out;
	}
	memset(&in, 0, sizeof(in));
	in.from = c->id, in.to = to, in.picks = picks, in.npicks = (size_t)n;
	if ((rc = replace_run(&r->actor, &in, &res)) == -1)
		goto out;
	if (rc != REPLACE_DONE) {
		status = replace_page_status(rc);
		if (rc == REPLACE_CONFLICT) {
			/* The fresh preview under the message: nothing changed. */
			char	 why[sizeof(res.why)];

			snprintf(why, sizeof(why), "%s", res.why);
			replace_result_free(&res);
			in.picks = NULL, in.npicks = 0, in.dry_run = 1;
			if (replace_run(&r->actor, &in, &res) == -1) {
				rc = -1;
				goto out;
			}
			snprintf(res.why, sizeof(res.why), "%s", why);
		}
		rc = replace_page_render(r, c, to, status, &res);
		goto out;
	}
	snprintf(msg, sizeof(msg), "Replaced in %d flow%s: %s now use%s \"%s\".%s", res.moved,
	    res.moved == 1 ? "" : "s", res.moved == 1 ? "it" : "they",
	    res.moved == 1 ? "s" : "", res.to->name, res.remaining == 0 ? "" :
	    " Other flows still use this connection.");
	http_flash_next(r, "success", msg);
	snprintf(msg, sizeof(msg), "/connections/%lld/replace", (long long)c->id);
	http_redirect(r, msg);
	rc = 0;
out:
	free(picks);
	replace_result_free(&res);
	conn_free(c);
	return rc;
}
