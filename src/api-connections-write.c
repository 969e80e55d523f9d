/*
 * api-connections-write.c — the JSON API writes connections, through the
 * very checks and saves of the web forms (connsave.c, connform.c): the
 * body becomes the form's fields in r->in (name, description, team,
 * context, named_credential, uplink, oauth_client, check_interval, f.KEY),
 * bounded as a form is, and the form's messages come back by field.
 *
 *   POST   /api/v1/connections			create: 201, Location
 *   PATCH  /api/v1/connections/{id}		update (PUT the same): "version"
 *						or If-Match; absent keys unchanged
 *   DELETE /api/v1/connections/{id}		204; 409 while flows use it
 *   POST   /api/v1/connections/{id}/shares	{team_id, permission}
 *   DELETE /api/v1/connections/{id}/shares/{team_id}	204
 *   POST   /api/v1/connections/{id}/transfer	{team_id}
 *
 * Body keys: name, description, team_id, connector, protocol, api_type,
 * context, uplink_id (null: Direct), named_credential_id, oauth_client_id
 * (null: none), check_interval (update), version (update), settings
 * {field: string|number|boolean}, secrets {field: string}, secrets_expire_on
 * {field: "YYYY-MM-DD"|null} (a secret's expiry date, f.KEY.expires_on).
 * Statuses: 200, 201, 204; 400 (malformed body, unknown key, wrong type);
 * 403 (the role does not allow it); 404 (missing or not visible); 409
 * (stale version: "conflict"; in use; transfer refused); 422 ("invalid",
 * with "fields": {"name"|"settings.KEY"|"secrets.KEY"|
 * "secrets_expire_on.KEY"|…: message}); 428
 * (update without a version). Secrets are never echoed, logged or audited:
 * they live in r->in and struct connform only, wiped as the forms' are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"
#include "api.h"

#define WRITE_KEY_MAX	64

/* A body key, what it becomes in the form, and its JSON type. */
enum write_type {
	WRITE_STRING,
	WRITE_ID,		/* a positive integer */
	WRITE_ID_OR_NULL,	/* … or null: "" */
	WRITE_VERSION,		/* update only; not a form field */
	WRITE_FLAG,		/* update only: save_anyway */
	WRITE_OBJECT,		/* settings, secrets */
};

static const struct {
	const char	*key, *input;
	enum write_type	 type;
} write_keys[] = {
	{ "name", "name", WRITE_STRING },
	{ "description", "description", WRITE_STRING },
	{ "team_id", "team", WRITE_ID },
	{ "connector", "connector", WRITE_STRING },
	{ "protocol", "protocol", WRITE_STRING },
	{ "api_type", "api_type", WRITE_STRING },
	{ "context", "context", WRITE_STRING },
	{ "uplink_id", "uplink", WRITE_ID_OR_NULL },
	{ "named_credential_id", "named_credential", WRITE_ID },
	{ "oauth_client_id", "oauth_client", WRITE_ID_OR_NULL },
	{ "check_interval", "check_interval", WRITE_STRING },
	{ "version", NULL, WRITE_VERSION },
	{ "save_anyway", NULL, WRITE_FLAG },
	{ "settings", NULL, WRITE_OBJECT },
	{ "secrets", NULL, WRITE_OBJECT },
	{ "secrets_expire_on", NULL, WRITE_OBJECT },
};

/* The form's error names (Form.Errors.*) as body keys. */
static const char *const write_error_keys[] = {
	"Name", "name", "Description", "description", "Team", "team_id",
	"Context", "context", "NamedCredential", "named_credential_id",
	"Uplink", "uplink_id", "OAuthClient", "oauth_client_id",
	"CheckInterval", "check_interval", NULL,
};

/* name=value&… into b, URL-encoded (the form's own encoding). */
static void
write_pair(struct buf *b, const char *name, const char *value)
{
	if (b->len > 0)
		buf_puts(b, "&");
	buf_url_encode(b, name);
	buf_puts(b, "=");
	buf_url_encode(b, value);
}

/* One setting's value as the form would post it; NULL when of no such type. */
static const char *
write_setting(json_t *v, char *num, size_t numlen)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, numlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return num;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? "1" : "0";
	if (json_is_null(v))
		return "";
	return NULL;
}

/* settings or secrets into f.KEY pairs, secrets_expire_on into
 * f.KEY.expires_on (null: ""); 1 with the 400 in *fault. */
static int
write_object(const char *which, json_t *obj, struct buf *b, struct api_fault *fault)
{
	const char	*key, *v;
	char		 input[WRITE_KEY_MAX + 24], num[32], name[WRITE_KEY_MAX + 24];
	json_t		*val;
	int		 secret = strcmp(which, "secrets") == 0;
	int		 date = strcmp(which, "secrets_expire_on") == 0;

	json_object_foreach(obj, key, val) {
		snprintf(name, sizeof(name), "%s.", which);
		api_clip(key, name + strlen(name), sizeof(name) - strlen(name));
		if (*key == '\0' || strlen(key) > WRITE_KEY_MAX)
			return api_fault(fault, "invalid_field", name, "\"%s\": no such field.",
			    name);
		v = secret ? json_string_value(val) : date ? (json_is_null(val) ? "" :
		    json_string_value(val)) : write_setting(val, num, sizeof(num));
		if (v == NULL)
			return api_fault(fault, "invalid_field", name, secret ?
			    "\"%s\" must be a string." : date ?
			    "\"%s\" must be a date (YYYY-MM-DD) or null." :
			    "\"%s\" must be a string, a number or true/false.", name);
		snprintf(input, sizeof(input), date ? "f.%s.expires_on" : "f.%s", key);
		write_pair(b, input, v);
	}
	return 0;
}

/* The pairs may carry secrets: wiped before they are freed. */
static void
write_wipe(struct buf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->len);
	buf_free(b);
}

/* URL-encoded pairs b (taken, wiped) into r->in, bounded as a form's
 * fields are: 0, or 1 with the 400 made. */
static int
write_fields(struct req *r, struct buf *b)
{
	enum form_err	 fe = FORM_OK;

	if (b->len > 0 && (fe = form_parse_urlencoded(&r->in, b->data, b->len,
	    r->in.n + r->app->cfg.fields_max)) != FORM_OK) {
		r->log_note = form_strerror(fe);
		api_error(r, 400, "bad_request", "The body has too many or malformed fields.");
	}
	write_wipe(b);
	return fe == FORM_OK ? 0 : 1;
}

/*
 * The body into the form's fields (appended to r->in): keys known, of
 * their types; *version the one sent (0: none), *anyway save_anyway. 0, or
 * 1 with the 400 made.
 */
static int
write_parse(struct req *r, json_t *body, int update, long long *version, int *anyway)
{
	struct api_fault	 fault;
	struct buf		 b;
	const char		*key;
	char			 num[32], name[72];
	json_t			*v;
	size_t			 k;

	*version = 0;
	*anyway = 0;
	memset(&fault, 0, sizeof(fault));
	buf_init(&b);
	if (body == NULL) {
		api_error(r, 400, "bad_request", "Send the connection as a JSON object.");
		return 1;
	}
	json_object_foreach(body, key, v) {
		for (k = 0; k < sizeof(write_keys) / sizeof(write_keys[0]); k++)
			if (strcmp(write_keys[k].key, key) == 0)
				break;
		api_clip(key, name, sizeof(name));
		if (k == sizeof(write_keys) / sizeof(write_keys[0]) ||
		    (!update &&
		    (write_keys[k].type == WRITE_VERSION || write_keys[k].type == WRITE_FLAG))) {
			api_fault(&fault, "unknown_key", name, "Unknown key \"%s\".", name);
			goto fault;
		}
		switch (write_keys[k].type) {
		case WRITE_STRING:
			if (!json_is_string(v)) {
				api_fault(&fault, "invalid_field", name,
				    "\"%s\" must be a string.", name);
				goto fault;
			}
			write_pair(&b, write_keys[k].input, json_string_value(v));
			break;
		case WRITE_ID_OR_NULL:
			if (json_is_null(v)) {
				write_pair(&b, write_keys[k].input, "");
				break;
			}
			/* FALLTHROUGH */
		case WRITE_ID:
		case WRITE_VERSION:
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > INT64_MAX / 2) {
				api_fault(&fault, "invalid_field", name,
				    "\"%s\" must be a positive integer.", name);
				goto fault;
			}
			if (write_keys[k].type == WRITE_VERSION) {
				*version = json_integer_value(v);
				break;
			}
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			write_pair(&b, write_keys[k].input, num);
			/* The form's "Use a saved client" with it chosen. */
			if (strcmp(key, "oauth_client_id") == 0)
				write_pair(&b, "client_source", "saved");
			break;
		case WRITE_FLAG:
			if (!json_is_boolean(v)) {
				api_fault(&fault, "invalid_field", name,
				    "\"%s\" must be true or false.", name);
				goto fault;
			}
			*anyway = json_is_true(v);
			break;
		case WRITE_OBJECT:
			if (!json_is_object(v)) {
				api_fault(&fault, "invalid_field", name,
				    "\"%s\" must be an object.", name);
				goto fault;
			}
			if (write_object(key, v, &b, &fault) != 0)
				goto fault;
			break;
		}
	}
	return write_fields(r, &b);
fault:
	api_fault_reply(r, &fault);
	write_wipe(&b);
	return 1;
}

/* Add "which.key": message to fields. */
static void
write_field_error(json_t *fields, const char *which, const char *key, const char *msg)
{
	char	 name[WRITE_KEY_MAX + 32];

	snprintf(name, sizeof(name), "%s.", which);
	api_clip(key, name + strlen(name), sizeof(name) - strlen(name));
	json_object_set_new(fields, name, json_string(msg));
}

/*
 * Each key of settings and secrets is a field of the protocol and API type
 * (a secret sent as a secret, a setting as a setting); the others go in
 * *fields (created when NULL).
 */
static void
write_kinds(json_t *body, HDF *proto, const char *api_type, json_t **fields)
{
	static const char *const	 which[] = { "settings", "secrets",
	    "secrets_expire_on" };
	const char			*key;
	json_t				*v;
	HDF				*f;
	size_t				 i;

	for (i = 0; i < 3; i++)
		json_object_foreach(json_object_get(body, which[i]), key, v) {
			const char	*why = NULL;
			int		 secret;

			f = hdf_get_obj(hdf_get_obj(proto, "Fields"), key);
			if (f == NULL || strchr(key, '.') != NULL ||
			    !connector_field_applies(f, api_type))
				why = "No such field for this protocol and API type.";
			else {
				secret = strcmp(hdf_get_value(f, "type", "text"), "secret") == 0;
				if (secret && i == 0)
					why = "This is a secret: send it in \"secrets\".";
				else if (!secret && i == 1)
					why = "This is no secret: send it in \"settings\".";
				else if (!secret && i == 2)
					why = "Only a secret has an expiry date.";
			}
			if (why == NULL)
				continue;
			if (*fields == NULL)
				*fields = json_object();
			write_field_error(*fields, which[i], key, why);
		}
}

/* The form's messages by body key: Form.Errors.* and cf->errors (a secret's
 * field and its date under secrets., any other under settings.). */
static json_t *
write_form_errors(struct req *r, struct connform *cf, json_t *fields)
{
	HDF		*e;
	const char	*key, *name;
	json_t		*v;
	HDF		*f;
	size_t		 k;

	if (fields == NULL)
		fields = json_object();
	for (e = hdf_obj_child(hdf_get_obj(r->hdf, "Form.Errors")); e != NULL;
	    e = hdf_obj_next(e)) {
		for (k = 0; write_error_keys[k] != NULL; k += 2)
			if (strcmp(write_error_keys[k], hdf_obj_name(e)) == 0)
				break;
		name = write_error_keys[k] != NULL ? write_error_keys[k + 1] : hdf_obj_name(e);
		json_object_set_new(fields, name, json_string(hdf_obj_value(e)));
	}
	json_object_foreach(cf->errors, key, v) {
		char	 field[WRITE_KEY_MAX + 1];
		size_t	 dot;

		api_clip(key, field, sizeof(field));
		dot = strcspn(field, ".");
		field[dot] = '\0';
		f = hdf_get_obj(hdf_get_obj(cf->proto, "Fields"), field);
		/* KEY.expires_on: the date beside secret KEY. */
		write_field_error(fields, key[dot] == '.' ? "secrets_expire_on" : f != NULL &&
		    strcmp(hdf_get_value(f, "type", "text"), "secret") == 0 ? "secrets" :
		    "settings", key[dot] == '.' ? field : key, json_string_value(v));
	}
	return fields;
}

/* 422 {"error": "invalid", "message", "fields"}; takes fields. */
static void
write_invalid(struct req *r, json_t *fields)
{
	json_t	*j = json_object();

	r->log_note = "invalid fields";
	json_object_set_new(j, "error", json_string("invalid"));
	json_object_set_new(j, "message", json_string("Nothing was saved. Correct the "
	    "fields named in \"fields\"."));
	json_object_set_new(j, "fields", fields);
	api_reply(r, 422, j);
}

/* 422 naming one body key. */
static void
write_invalid_one(struct req *r, const char *key, const char *msg)
{
	json_t	*fields = json_object();

	json_object_set_new(fields, key, json_string(msg));
	write_invalid(r, fields);
}

/* The connection as GET answers it, with `status` (ETag, and for 201 Location). */
static int
write_show(struct req *r, int64_t id, int status)
{
	char	 loc[64];
	int	 rc;

	r->arg_id = id;
	if ((rc = api_connections_get(r, NULL)) != 0 || r->status != 200)
		return rc;
	r->status = status;
	if (status == 201) {
		snprintf(loc, sizeof(loc), "/api/v1/connections/%lld", (long long)id);
		http_header(r, "Location", loc);
	}
	return 0;
}

/* ------------------------------------------------------------- create */

/* Which of connector, protocol, api_type connsave_resolve refused. */
static void
write_unresolved(struct req *r)
{
	const char	*connector = req_param(r, "connector");
	const char	*protocol = req_param(r, "protocol");

	if (connector == NULL || catalog_get(&r->app->catalog, connector) == NULL)
		write_invalid_one(r, "connector", "There is no such connector.");
	else if (protocol == NULL || connector_protocol(&r->app->catalog, connector,
	    protocol) == NULL)
		write_invalid_one(r, "protocol", "The connector has no such protocol.");
	else
		write_invalid_one(r, "api_type", "The connector has no such API type.");
}

/* A setting the body leaves out is what the New form shows untouched: its
 * default. 0, or 1 with the 400 made. */
static int
write_defaults(struct req *r, struct connform *cf, json_t *body)
{
	json_t		*given = json_object_get(body, "settings");
	struct buf	 b;
	HDF		*f;
	char		 input[WRITE_KEY_MAX + 8];

	buf_init(&b);
	for (f = hdf_obj_child(hdf_get_obj(cf->proto, "Fields")); f != NULL; f = hdf_obj_next(f))
		if (connector_field_applies(f, cf->api_type) &&
		    strcmp(hdf_get_value(f, "type", "text"), "secret") != 0 &&
		    json_object_get(given, hdf_obj_name(f)) == NULL &&
		    *connform_default(cf, f) != '\0' &&
		    strlen(hdf_obj_name(f)) <= WRITE_KEY_MAX) {
			snprintf(input, sizeof(input), "f.%s", hdf_obj_name(f));
			write_pair(&b, input, connform_default(cf, f));
		}
	return write_fields(r, &b);
}

/* POST /api/v1/connections: the New connection form's checks and save. */
int
api_connections_create(struct req *r, json_t *body)
{
	struct connsave_new	 nc;
	struct connsave_pick	 pick;
	struct connform		 cf;
	json_t			*fields = NULL;
	long long		 version, id;
	char			 result[200];
	int			 rc = 0, errors, anyway, ok;

	memset(&nc, 0, sizeof(nc));
	if (write_parse(r, body, 0, &version, &anyway) != 0)
		return 0;
	if (connsave_resolve(r, &nc, 1) == -1) {
		write_unresolved(r);
		return 0;
	}
	if ((nc.teams = team_managed(&r->actor)) == NULL)
		return -1;
	connform_init(&cf, nc.proto, nc.api_type, 0, NULL, NULL);
	if (db_rows(nc.teams) == 0) {
		api_error(r, 403, "forbidden", "Only managers of a team can create connections.");
		goto out;
	}
	write_kinds(body, nc.proto, nc.api_type, &fields);
	if (fields != NULL) {
		write_invalid(r, fields);
		goto out;
	}
	if (write_defaults(r, &cf, body) != 0)
		goto out;
	if ((errors = connsave_check_new(r, &nc, &cf, &pick)) == CONNSAVE_UNDECLARED) {
		write_invalid_one(r, "settings", "A field is not one of this protocol's.");
		goto out;
	}
	if (errors > 0) {
		write_invalid(r, write_form_errors(r, &cf, NULL));
		goto out;
	}
	if ((id = connsave_create(&r->actor, &nc, &cf, &pick)) == -1) {
		rc = -1;
		goto out;
	}
	if (id == 0) {
		write_invalid_one(r, "name", "A connection with this name already exists in "
		    "that team.");
		goto out;
	}
	/* Tested once created, as the form does (an OAuth code connection is
	 * tested when it is connected); the answer shows the outcome. */
	if (!connsave_awaits_consent(&nc, pick.ctx, pick.credential))
		(void)tester_run_id(&r->actor, id, "create", result, sizeof(result), &ok);
	rc = write_show(r, id, 201);
out:
	connform_free(&cf);
	db_clear(nc.teams);
	return rc;
}

/* ------------------------------------------------------------- update */

/* The version to expect: the body's, else If-Match "N"; 0 with 428 or 400
 * made when neither (or a malformed one) is there. */
static long long
write_expect(struct req *r, long long version)
{
	const char	*h = req_env(r, "HTTP_IF_MATCH");
	char		 digits[24];
	long long	 v;
	size_t		 n;

	if (version > 0)
		return version;
	if (h == NULL) {
		api_error_field(r, 428, "precondition_required", "version", "Send the "
		    "version you edit (\"version\" or If-Match: \"N\", the ETag of GET).");
		return 0;
	}
	n = strlen(h);
	if (n < 3 || n > 20 || h[0] != '"' || h[n - 1] != '"') {
		api_error(r, 400, "bad_request", "If-Match must be one ETag: \"N\".");
		return 0;
	}
	memcpy(digits, h + 1, n - 2);
	digits[n - 2] = '\0';
	if (valid_int(digits, 1, 2147483647, &v) != NULL) {
		api_error(r, 400, "bad_request", "If-Match must be one ETag: \"N\".");
		return 0;
	}
	return v;
}

/* 409 conflict: someone saved another version in between. */
static void
write_conflict(struct req *r, const struct conn *c)
{
	json_t	*j = json_object();

	r->log_note = "stale version";
	json_object_set_new(j, "error", json_string("conflict"));
	json_object_set_new(j, "message", json_string("Someone saved this connection in "
	    "between: nothing was saved. Read it again (GET) and apply your change to the "
	    "current version."));
	json_object_set_new(j, "version", json_integer(c->version));
	api_reply(r, 409, j);
}

/* 422 test_failed: the change failed its test before save; nothing saved. */
static void
write_test_failed(struct req *r, const struct probe_outcome *o, const char *why)
{
	char	 msg[512];
	json_t	*j = json_object();

	r->log_note = "test before save failed";
	snprintf(msg, sizeof(msg), "Nothing was saved: the connection with your changes "
	    "failed its test. %s Correct it, or send \"save_anyway\": true to save it all "
	    "the same.", why);
	json_object_set_new(j, "error", json_string("test_failed"));
	json_object_set_new(j, "message", json_string(msg));
	json_object_set_new(j, "result", json_string(probe_result_key(o->result)));
	json_object_set_new(j, "http_status", json_integer(o->http_status));
	api_reply(r, 422, j);
}

/* What the update leaves out stays as it is: name, description and each
 * stored setting become the form's fields (the edit form shows them so);
 * creation-only keys may be sent only unchanged. 0, or 1 with the 422. */
static int
write_keep(struct req *r, const struct conn *c, HDF *proto, json_t *body)
{
	static const char *const	 fixed[] = { "connector", "protocol", "api_type",
	    "context", "team_id", "named_credential_id" };
	struct buf			 b;
	json_t				*old, *v, *given = json_object_get(body, "settings");
	const char			*key, *cur;
	size_t				 i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if ((v = json_object_get(body, fixed[i])) == NULL)
			continue;
		cur = i == 0 ? c->connector : i == 1 ? c->protocol : i == 2 ? c->api_type :
		    i == 3 ? c->context : NULL;
		if (i == 4 && json_is_integer(v) && json_integer_value(v) ==
		    (json_int_t)c->owner_team_id)
			continue;
		if (cur != NULL && json_is_string(v) && strcmp(json_string_value(v), cur) == 0)
			continue;
		write_invalid_one(r, fixed[i], i == 4 ? "The owner team changes by a transfer:"
		    " POST /api/v1/connections/{id}/transfer." :
		    "This cannot be changed after creation.");
		return 1;
	}
	buf_init(&b);
	if (json_object_get(body, "name") == NULL)
		write_pair(&b, "name", c->name);
	if (json_object_get(body, "description") == NULL)
		write_pair(&b, "description", c->description);
	if ((old = json_loads(c->settings, 0, NULL)) != NULL)
		json_object_foreach(old, key, v) {
			char	 input[WRITE_KEY_MAX + 8];
			HDF	*f = hdf_get_obj(hdf_get_obj(proto, "Fields"), key);

			/* Only what the form would show: a field of the protocol. */
			if (!json_is_string(v) || json_object_get(given, key) != NULL ||
			    strlen(key) > WRITE_KEY_MAX || f == NULL ||
			    !connector_field_applies(f, c->api_type))
				continue;
			snprintf(input, sizeof(input), "f.%s", key);
			write_pair(&b, input, json_string_value(v));
		}
	json_decref(old);
	return write_fields(r, &b);
}

/* The saved OAuth client stays when the body does not name one. */
static int
write_keep_client(struct req *r, const struct conn *c, json_t *body)
{
	char	 current[24], pairs[80];
	int	 uses;

	if (json_object_get(body, "oauth_client_id") != NULL)
		return 0;
	if ((uses = connform_client_current(&r->actor, c->id, current, sizeof(current))) != 1)
		return uses;
	snprintf(pairs, sizeof(pairs), "client_source=saved&oauth_client=%s", current);
	return form_parse_urlencoded(&r->in, pairs, strlen(pairs), r->in.n + 2) == FORM_OK ?
	    0 : -1;
}

/* PATCH or PUT /api/v1/connections/{id}: the Edit form's checks and save. */
int
api_connections_update(struct req *r, json_t *body)
{
	struct conn		*c;
	struct connform		 cf;
	struct connsave_values	 v;
	json_t			*fields = NULL;
	HDF			*proto;
	char			*stored = NULL, *expiry = NULL, vs[24];
	const char		*client;
	struct probe_outcome	 o;
	long long		 version, expect;
	char			 why[200];
	int			 rc, errors, saved, anyway, tried = 0, failed, ok;

	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	memset(&cf, 0, sizeof(cf));
	probe_outcome_init(&o);
	rc = 0;
	if (c->perm < PERM_MANAGE) {
		api_error(r, 403, "forbidden", "Your role does not allow editing this connection.");
		goto out;
	}
	if (write_parse(r, body, 1, &version, &anyway) != 0 || (expect = write_expect(r, version)) == 0)
		goto out;
	if (expect != c->version) {
		write_conflict(r, c);
		goto out;
	}
	proto = connector_protocol(&r->app->catalog, c->connector, c->protocol);
	if (write_keep(r, c, proto, body) != 0)
		goto out;
	rc = -1;
	if ((stored = secret_conn_stored_json(r->app, c->id)) == NULL ||
	    (expiry = secret_conn_expiry_json(r->app, c->id)) == NULL)
		goto out;
	connform_init(&cf, proto, c->api_type, 1, c->settings, stored);
	connform_set_expiry(&cf, expiry);
	if (connform_client_applies(cf.proto) && write_keep_client(r, c, body) == -1)
		goto out;
	rc = 0;
	write_kinds(body, cf.proto, c->api_type, &fields);
	if (fields != NULL) {
		write_invalid(r, fields);
		goto out;
	}
	if ((errors = connsave_check_edit(r, c, &cf, &client)) == -1) {
		rc = -1;
		goto out;
	}
	if (errors == CONNSAVE_UNDECLARED) {
		write_invalid_one(r, "settings", "A field is not one of this protocol's.");
		goto out;
	}
	if (errors > 0) {
		write_invalid(r, write_form_errors(r, &cf, NULL));
		goto out;
	}
	if (cf.nchanged == 0) {
		rc = write_show(r, c->id, 200);
		goto out;
	}
	/* Tested before it is saved, as the form: only what the test depends on. */
	if (!anyway && connsave_needs_try(&cf)) {
		if ((failed = connsave_try(&r->actor, c, &cf, &o, why, sizeof(why))) == -1) {
			rc = -1;
			goto out;
		}
		tried = 1;
		if (failed) {
			write_test_failed(r, &o, why);
			goto out;
		}
	}
	snprintf(vs, sizeof(vs), "%lld", expect);
	connsave_values_read(r, c, vs, client, &v);
	if ((saved = connsave_edit(&r->actor, c, &cf, &v)) == -1) {
		rc = -1;
		goto out;
	}
	if (saved == 1) {
		write_conflict(r, c);
		goto out;
	}
	/* The try's outcome is the save's test; one not tried is tested now. */
	if (tried && o.result == PROBE_OK)
		(void)tester_record_outcome(&r->actor, 0, c, "edit", &o);
	else
		(void)tester_run_id(&r->actor, c->id, "edit", why, sizeof(why), &ok);
	rc = write_show(r, c->id, 200);
out:
	probe_outcome_free(&o);
	connform_free(&cf);
	free(stored);
	free(expiry);
	conn_free(c);
	return rc;
}

/* ------------------------------------------------------------- delete */

/* DELETE /api/v1/connections/{id}: as the Delete page, 409 while in use. */
int
api_connections_delete(struct req *r, json_t *body)
{
	struct conn	*c;
	json_t		*j, *flows;
	int		 rc;

	(void)body;
	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	switch ((rc = connsave_delete(&r->actor, c))) {
	case -1:
		break;
	case CONNSAVE_FORBIDDEN:
		api_error(r, 403, "forbidden",
		    "Only managers of the owner team can delete this connection.");
		rc = 0;
		break;
	case 1:
		rc = -1;
		if ((flows = api_connections_flows(r, c->id)) == NULL)
			break;
		j = json_object();
		json_object_set_new(j, "error", json_string("in_use"));
		json_object_set_new(j, "message", json_string("Nothing was deleted: flows use "
		    "this connection. Move them to another one first (POST "
		    "/api/v1/connections/{id}/replace)."));
		json_object_set_new(j, "flows", flows);
		api_reply(r, 409, j);
		rc = 0;
		break;
	default:
		r->status = 204;
		r->out.len = 0;
		rc = 0;
	}
	conn_free(c);
	return rc;
}

/* ------------------------------------------------------------ sharing */

/* A share of the connection. */
static json_t *
write_share_row(PGresult *res, int i)
{
	json_t	*s = json_object();

	api_fields(s, res, i, (const char *const[]){ "team_id", "#team_id",
	    "team", "name", "permission", "permission", "created_at", "at", NULL });
	return s;
}

/* 200 {"connection_id", "shares": [...]}. */
static int
write_shares(struct req *r, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	json_t		*j;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	if ((res = db_exec_named(&r->app->db, "api_shares_list", "SELECT s.team_id, t.name,"
	    " s.permission, " API_TS("s.created_at") " AS at FROM connection_shares s"
	    " JOIN teams t ON t.id = s.team_id WHERE s.connection_id = $1"
	    " ORDER BY lower(t.name), s.team_id", 1, params)) == NULL)
		return -1;
	j = json_object();
	json_object_set_new(j, "connection_id", json_integer(id));
	json_object_set_new(j, "shares", api_rows(res, write_share_row));
	db_clear(res);
	api_reply(r, 200, j);
	return 0;
}

/* {"team_id": N[, "permission": "use"|"manage"]}, nothing else: 0, 1 (400 made). */
static int
write_share_body(struct req *r, json_t *body, int with_perm, long long *tid,
    const char **perm)
{
	const char	*key;
	char		 name[72];
	json_t		*v;

	*tid = 0;
	*perm = NULL;
	json_object_foreach(body, key, v) {
		api_clip(key, name, sizeof(name));
		if (strcmp(key, "team_id") == 0 && json_is_integer(v) &&
		    json_integer_value(v) >= 1 && json_integer_value(v) <= INT64_MAX / 2)
			*tid = json_integer_value(v);
		else if (strcmp(key, "permission") == 0 && with_perm && json_is_string(v))
			*perm = json_string_value(v);
		else if (strcmp(key, "team_id") == 0 || (strcmp(key, "permission") == 0 &&
		    with_perm)) {
			api_error_field(r, 400, "invalid_field", name, "\"%s\" must be %s.", name,
			    strcmp(key, "team_id") == 0 ? "a team id" : "\"use\" or \"manage\"");
			return 1;
		} else {
			api_error_field(r, 400, "unknown_key", name, "Unknown key \"%s\".", name);
			return 1;
		}
	}
	if (*tid == 0) {
		api_error_field(r, 400, "missing_key", "team_id",
		    "The key \"team_id\" is required.");
		return 1;
	}
	return 0;
}

/* The sharing page's action on {id}; answered as `ok` says when done. */
static int
write_share_run(struct req *r, const char *action, long long tid, const char *perm)
{
	struct conn	*c;
	int		 rc, done;

	if ((c = api_connections_load(r, &rc)) == NULL)
		return rc;
	rc = 0;
	switch ((done = connsave_share(&r->actor, c, action, tid, perm))) {
	case -1:
		rc = -1;
		break;
	case 0:
		if (strcmp(action, "share") == 0)
			rc = write_shares(r, c->id);
		else if (strcmp(action, "transfer") == 0)
			rc = write_show(r, c->id, 200);
		else {
			r->status = 204;
			r->out.len = 0;
		}
		break;
	case CONNSAVE_FORBIDDEN:
		api_error(r, 403, "forbidden", "%s", connsave_share_why(done, action));
		break;
	case CONNSAVE_BAD_PERMISSION:
		write_invalid_one(r, "permission", connsave_share_why(done, action));
		break;
	case CONNSAVE_NOTHING:
		if (strcmp(action, "transfer") == 0)
			api_error_field(r, 409, "refused", "team_id", "%s",
			    connsave_share_why(done, action));
		else if (strcmp(action, "revoke") == 0)
			api_error(r, 404, "not_found", "The connection is not shared with "
			    "team %lld.", tid);
		else
			write_invalid_one(r, "team_id", "There is no such team.");
		break;
	default:
		write_invalid_one(r, "team_id", connsave_share_why(done, action));
	}
	conn_free(c);
	return rc;
}

/* {"team_id"[, "permission"]} then the sharing page's share or transfer. */
static int
write_share_post(struct req *r, json_t *body, const char *action)
{
	long long	 tid;
	const char	*perm;
	int		 share = strcmp(action, "share") == 0;

	if (body == NULL) {
		api_error(r, 400, "bad_request", "Send {\"team_id\"%s}.", share ?
		    ", \"permission\"" : "");
		return 0;
	}
	if (write_share_body(r, body, share, &tid, &perm) != 0)
		return 0;
	return write_share_run(r, action, tid, share ? (perm != NULL ? perm : "") : NULL);
}

/* POST /api/v1/connections/{id}/shares: share with a team (or change how). */
int
api_connections_share(struct req *r, json_t *body)
{
	return write_share_post(r, body, "share");
}

/* DELETE /api/v1/connections/{id}/shares/{team_id}: revoke a share. */
int
api_connections_unshare(struct req *r, json_t *body)
{
	long long	 tid;

	(void)body;
	if (r->arg_key == NULL || valid_int(r->arg_key, 1, INT64_MAX / 2, &tid) != NULL) {
		api_error(r, 404, "not_found", "There is no such share.");
		return 0;
	}
	return write_share_run(r, "revoke", tid, NULL);
}

/* POST /api/v1/connections/{id}/transfer: to a team the user manages. */
int
api_connections_transfer(struct req *r, json_t *body)
{
	return write_share_post(r, body, "transfer");
}
