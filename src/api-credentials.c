/*
 * api-credentials.c — POST /api/v1/connections/{id}/credentials: what the
 * automation engine needs to call a system for one flow (credentials.c
 * decides; this file reads the body and words the answer). Scope
 * connections:use. Every answer is no-store (http.c), and the body of a
 * successful one is wiped from memory once it is sent.
 *
 * Body: {"flow_id": N, "user_id": N (per-user connections: the user the
 * flow acts as), "bypass_status": true|false}.
 * Statuses: 200; 400 (body); 403 (the role may not use it, or the flow
 * does not use it); 404 (missing or not visible); 409 (its last test did
 * not pass, or there is nothing to hand out: not connected, needs
 * reconnect); 422 (user_id missing, unwanted, or a user who may not use it);
 * 503 with Retry-After (another refresh of the token is under way).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"
#include "api.h"

/* The body into q: 0, or 1 with the 400 described in fault. */
static int
api_credentials_parse(json_t *body, struct credential_ask *q, struct api_fault *fault)
{
	const char	*key;
	char		 name[72];
	json_t		*v;

	memset(fault, 0, sizeof(*fault));
	if (body == NULL || !json_is_object(body))
		return api_fault(fault, "invalid", NULL, "Send a JSON object with \"flow_id\".");
	json_object_foreach(body, key, v) {
		if (strcmp(key, "flow_id") == 0 || strcmp(key, "user_id") == 0) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > INT64_MAX / 2)
				return api_fault(fault, "invalid", key,
				    "\"%s\" is a positive whole number.", key);
			if (strcmp(key, "flow_id") == 0)
				q->flow_id = json_integer_value(v);
			else
				q->as_user = json_integer_value(v);
		} else if (strcmp(key, "bypass_status") == 0) {
			if (!json_is_boolean(v))
				return api_fault(fault, "invalid", key,
				    "\"bypass_status\" is true or false.");
			q->bypass = json_is_true(v);
		} else {
			api_clip(key, name, sizeof(name));
			return api_fault(fault, "unknown_key", name, "Unknown key \"%s\".", name);
		}
	}
	if (q->flow_id == 0)
		return api_fault(fault, "invalid", "flow_id",
		    "Name the flow the credentials are for: \"flow_id\".");
	return 0;
}

int
api_connections_credentials(struct req *r, json_t *body)
{
	struct credential_ask q;
	struct api_fault fault;
	char		 why[300], *s;
	json_t		*j = NULL;
	int		 rc;

	memset(&q, 0, sizeof(q));
	if (api_credentials_parse(body, &q, &fault) != 0) {
		api_fault_reply(r, &fault);
		return 0;
	}
	q.token_id = r->api_token_id;
	rc = credential_issue(&r->actor, r->arg_id, &q, &j, why, sizeof(why));
	switch (rc) {
	case -1:
		return -1;
	case CRED_OK:
		break;
	case CRED_NOT_FOUND:
		api_error(r, 404, "not_found", "Connection %lld not found.", (long long)r->arg_id);
		return 0;
	case CRED_FORBIDDEN:
		api_error(r, 403, "forbidden", "%s", why);
		return 0;
	case CRED_FLOW:
		api_error_field(r, 403, "flow_not_using", "flow_id", "%s", why);
		return 0;
	case CRED_USER:
		api_error_field(r, 422, "invalid", "user_id", "%s", why);
		return 0;
	case CRED_BUSY:
		http_header(r, "Retry-After", HTTP_RETRY_AFTER);
		api_error(r, 503, "busy", "The connection's token is being refreshed: ask again.");
		return 0;
	case CRED_NOT_READY:
		api_error(r, 409, "not_ready", "%s", why);
		return 0;
	default:
		api_error(r, 409, "no_credentials", "%s", why);
		return 0;
	}
	if ((s = json_dumps(j, JSON_COMPACT)) == NULL) {
		credentials_json_free(j);
		return -1;
	}
	r->status = 200;
	r->content_type = API_JSON;
	r->wipe_out = 1;
	r->log_note = "credentials issued";
	buf_puts(&r->out, s);
	buf_puts(&r->out, "\n");
	sodium_memzero(s, strlen(s));
	free(s);
	credentials_json_free(j);
	return 0;
}
