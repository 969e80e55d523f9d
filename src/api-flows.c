/*
 * api-flows.c — the JSON API's flows registry: JSON in, JSON out; flow.c
 * checks, changes and audits, as the user the token belongs to.
 *
 *   GET    /api/v1/flows		page, per_page
 *   POST   /api/v1/flows		a flow object: 201 with Location
 *   GET    /api/v1/flows/{id}
 *   PUT    /api/v1/flows/{id}	a flow object: replaces it and its connections
 *   DELETE /api/v1/flows/{id}	204
 *
 * Flow object: name, version, status, owner, description, progress_status,
 * connections (ids); no other key. Statuses: 400 (unknown key, bad value,
 * naming the key), 403 (a connection the role may not use; a flow it may
 * not change), 404 (a flow or a listed connection missing or not visible:
 * identical).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"
#include "api.h"

/*
 * Flows a user sees: all for admins; otherwise those using a connection
 * they see, and those using none (nothing of a team's to hide, and the
 * engine must be able to read back a draft it registered bare). flow_load
 * decides the same for one flow.
 */
#define API_FLOWS_VISIBLE						\
	"(NOT EXISTS (SELECT 1 FROM flow_connections v WHERE v.flow_id = f.id)"	\
	" OR EXISTS (SELECT 1 FROM flow_connections v WHERE v.flow_id = f.id"	\
	" AND " API_VISIBLE("v.connection_id", "$1") "))"

static const char api_flows_count_all[] = "SELECT count(*) AS n FROM flows f";
static const char api_flows_count_vis[] =
    "SELECT count(*) AS n FROM flows f WHERE " API_FLOWS_VISIBLE;
static const char api_flows_page_all[] = "SELECT " FLOW_COLUMNS ","
    " (SELECT COALESCE(json_agg(fc.connection_id ORDER BY fc.connection_id), '[]')"
    " FROM flow_connections fc WHERE fc.flow_id = f.id)::text AS conns"
    " FROM flows f ORDER BY lower(f.name), f.id LIMIT $1 OFFSET $2";
static const char api_flows_page_vis[] = "SELECT " FLOW_COLUMNS ","
    " (SELECT COALESCE(json_agg(fc.connection_id ORDER BY fc.connection_id), '[]')"
    " FROM flow_connections fc WHERE fc.flow_id = f.id"
    " AND " API_VISIBLE("fc.connection_id", "$1") ")::text AS conns"
    " FROM flows f WHERE " API_FLOWS_VISIBLE
    " ORDER BY lower(f.name), f.id LIMIT $2 OFFSET $3";

static const struct api_paged api_flows_paged = {
	api_flows_count_all, api_flows_page_all, api_flows_count_vis, api_flows_page_vis,
	{ "api_flows_count_all", "api_flows_page_all", "api_flows_count_vis",
	    "api_flows_page_vis" },
};

/* ------------------------------------------------------------ the body */

/* A listed connection id, once each, at most FLOW_CONNS_MAX. */
static int
api_flows_conns(struct flow_in *f, json_t *v, struct api_fault *fault)
{
	json_t	*c;
	size_t	 i, k;

	if (!json_is_array(v))
		goto not_ids;
	if (json_array_size(v) > FLOW_CONNS_MAX) {
		return api_fault(fault, "invalid_field", "connections",
		    "\"connections\": a flow uses at most %d connections.", FLOW_CONNS_MAX);
	}
	json_array_foreach(v, i, c) {
		if (!json_is_integer(c) || json_integer_value(c) < 1)
			goto not_ids;
		for (k = 0; k < i; k++)
			if (f->conns[k] == json_integer_value(c)) {
				return api_fault(fault, "invalid_field", "connections",
				    "\"connections\": connection %lld is listed twice.",
				    (long long)json_integer_value(c));
			}
		f->conns[i] = json_integer_value(c);
	}
	f->nconns = json_array_size(v);
	return 0;
not_ids:
	return api_fault(fault, "invalid_field", "connections",
	    "\"connections\" must be an array of connection ids.");
}

/* The value of key `key`, field k (FLOW__FIELDS: no such field). */
static int
api_flows_value(struct flow_in *f, enum flow_field k, const char *key, json_t *v,
    struct api_fault *fault)
{
	const char	*why;
	char		 name[72];

	switch (k) {
	case FLOW__FIELDS:
		api_clip(key, name, sizeof(name));
		return api_fault(fault, "unknown_key", name, "Unknown key \"%s\".", name);
	case FLOW_CONNECTIONS:
		return api_flows_conns(f, v, fault);
	case FLOW_STATUS:
		if (!json_is_string(v) || !flow_status_ok(json_string_value(v))) {
			return api_fault(fault, "invalid_field", key, "\"status\" must be"
			    " \"active\", \"inactive\" or \"draft\".");
		}
		f->status = json_string_value(v);
		return 0;
	case FLOW_VERSION:
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > FLOW_VERSION_MAX) {
			return api_fault(fault, "invalid_field", key, "\"version\" must"
			    " be an integer from 1 to %d.", FLOW_VERSION_MAX);
		}
		f->version = json_integer_value(v);
		return 0;
	default:
		if (!json_is_string(v))
			return api_fault(fault, "invalid_field", key,
			    "\"%s\" must be a string.", key);
		if ((why = flow_text_check(k, json_string_value(v))) != NULL)
			return api_fault(fault, "invalid_field", key, "\"%s\": %s", key, why);
		*(k == FLOW_NAME ? &f->name : k == FLOW_OWNER ? &f->owner :
		    k == FLOW_DESCRIPTION ? &f->description : &f->progress) =
		    json_string_value(v);
		return 0;
	}
}

/*
 * Read and check a flow object: every key known, name, version and status
 * present. 0 with *f filled, or 1 with *fault naming the key.
 */
int
api_flows_parse(json_t *body, struct flow_in *f, struct api_fault *fault)
{
	const char	*key;
	json_t		*v;
	int		 k;

	memset(f, 0, sizeof(*f));
	memset(fault, 0, sizeof(*fault));
	f->owner = f->description = f->progress = "";
	if (body == NULL) {
		return api_fault(fault, "invalid_json", NULL,
		    "Send the flow as a JSON object.");
	}
	json_object_foreach(body, key, v) {
		for (k = 0; k < FLOW__FIELDS && strcmp(key, flow_fields[k]) != 0; k++)
			continue;
		if (api_flows_value(f, (enum flow_field)k, key, v, fault) != 0)
			return 1;
	}
	key = f->name == NULL ? "name" : f->version == 0 ? "version" :
	    f->status == NULL ? "status" : NULL;
	if (key != NULL)
		return api_fault(fault, "missing_key", key, "The key \"%s\" is required.", key);
	return 0;
}

/* -------------------------------------------------------------- answers */

/* A flow row (FLOW_COLUMNS) as JSON, with its connections (taken). */
static json_t *
api_flows_object(PGresult *res, int i, json_t *conns)
{
	json_t	*j = json_object();

	api_fields(j, res, i, (const char *const[]){ "id", "#id", "name", "name",
	    "version", "#version", "status", "status", "owner", "owner",
	    "description", "description", "progress_status", "progress_status", NULL });
	json_object_set_new(j, "connections", conns);
	api_fields(j, res, i, (const char *const[]){ "created_at", "created_at",
	    "updated_at", "updated_at", NULL });
	return j;
}

/* Answer with flow {id} as the user sees it (connections: the visible ones). */
static int
api_flows_show(struct req *r, int64_t id, int status)
{
	PGresult	*flow, *conns;
	json_t		*ids;
	char		 loc[64];
	int		 i, rc;

	if ((rc = flow_load(&r->actor, id, 0, &flow, &conns)) != 0) {
		if (rc == 1)
			api_error(r, 404, "not_found", "Flow %lld not found.", (long long)id);
		return rc == 1 ? 0 : -1;
	}
	ids = json_array();
	for (i = 0; i < db_rows(conns); i++)
		if (atoi(db_get(conns, i, "perm")) >= PERM_VIEW)
			json_array_append_new(ids, api_int(conns, i, "id"));
	if (status == 201) {
		snprintf(loc, sizeof(loc), "/api/v1/flows/%lld", (long long)id);
		http_header(r, "Location", loc);
	}
	api_reply(r, status, api_flows_object(flow, 0, ids));
	db_clear(flow);
	db_clear(conns);
	return 0;
}

/* Answer what flow_create, _replace or _delete came to: when done, `done`
 * (201 or 200 with the flow, 204); `verb`: what the role may not do to it. */
static int
api_flows_answer(struct req *r, int rc, const struct flow_result *res, int done,
    const char *verb)
{
	switch (rc) {
	case -1:
		return -1;
	case FLOW_DONE:
		if (done != 204)
			return api_flows_show(r, res->id, done);
		r->status = 204;
		r->out.len = 0;
		return 0;
	case FLOW_INVALID:
		api_error_field(r, 400, "invalid_field", flow_fields[res->field],
		    "\"%s\": %s", flow_fields[res->field], res->why);
		return 0;
	case FLOW_NOT_FOUND:
		api_error(r, 404, "not_found", "Flow %lld not found.", (long long)res->id);
		return 0;
	case FLOW_FORBIDDEN:
		api_error(r, 403, "forbidden", "Your role does not allow %s this flow.", verb);
		return 0;
	case FLOW_CONN_NOT_FOUND:
		api_error_field(r, 404, "connection_not_found", "connections",
		    "Connection %lld not found.", res->conn);
		return 0;
	case FLOW_CONN_FORBIDDEN:
		api_error_field(r, 403, "forbidden", "connections",
		    "Your role does not allow using connection %lld in a flow.", res->conn);
		return 0;
	default:	/* FLOW_CONN_GONE: deleted between the check and the link */
		api_error_field(r, 404, "connection_not_found", "connections",
		    "A listed connection was not found.");
		return 0;
	}
}

/* ------------------------------------------------------------- handlers */

/* A listed flow: its row and the visible connections' ids (JSON text). */
static json_t *
api_flows_row(PGresult *res, int i)
{
	json_t	*conns;

	if ((conns = json_loads(db_get(res, i, "conns"), 0, NULL)) == NULL)
		conns = json_array();
	return api_flows_object(res, i, conns);
}

/* GET /api/v1/flows */
int
api_flows_list(struct req *r, json_t *body)
{
	(void)body;
	return api_list(r, &api_flows_paged, "flows", api_flows_row);
}

/* GET /api/v1/flows/{id} */
int
api_flows_get(struct req *r, json_t *body)
{
	(void)body;
	return api_flows_show(r, r->arg_id, 200);
}

/* POST /api/v1/flows (id 0) or PUT /api/v1/flows/{id}: a flow object. */
static int
api_flows_write(struct req *r, json_t *body, int64_t id)
{
	struct flow_in		 f;
	struct flow_result	 res;
	struct api_fault	 fault;

	if (api_flows_parse(body, &f, &fault) != 0) {
		api_fault_reply(r, &fault);
		return 0;
	}
	if (id == 0)
		return api_flows_answer(r, flow_create(&r->actor, &f, &res), &res, 201,
		    "changing");
	return api_flows_answer(r, flow_replace(&r->actor, id, &f, &res), &res, 200,
	    "changing");
}

/* POST /api/v1/flows */
int
api_flows_create(struct req *r, json_t *body)
{
	return api_flows_write(r, body, 0);
}

/* PUT /api/v1/flows/{id}: replace the flow and its set of connections. */
int
api_flows_replace(struct req *r, json_t *body)
{
	return api_flows_write(r, body, r->arg_id);
}

/* DELETE /api/v1/flows/{id}: its connections' links go with it. */
int
api_flows_delete(struct req *r, json_t *body)
{
	struct flow_result	 res;

	(void)body;
	return api_flows_answer(r, flow_delete(&r->actor, r->arg_id, &res), &res, 204,
	    "deleting");
}
