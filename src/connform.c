/*
 * connform.c — the one generic form behind every connector: fields come
 * from the definition (type, bounds, pattern, section, immutable, bound to
 * the authentication), values from the request. Secrets are never put back
 * into the form; when a field the credentials are bound to changes (URL,
 * host, user, client id…), every secret must be entered again so that a
 * stored secret is never sent to a new destination.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "tether.h"
#include "web.h"

#define SECRET_MAX	4096
#define SCOPES_MAX	1000
#define EXPIRES_SUFFIX	".expires_on"	/* f.KEY.expires_on: a secret's expiry date */

static const char *
field_type(HDF *f)
{
	return hdf_get_value(f, "type", "text");
}

static int
field_is_secret(HDF *f)
{
	return strcmp(field_type(f), "secret") == 0;
}

void
connform_init(struct connform *cf, HDF *proto, const char *api_type, int editing,
    const char *old_settings_json, const char *stored_json)
{
	memset(cf, 0, sizeof(*cf));
	cf->proto = proto;
	cf->api_type = api_type != NULL ? api_type : "";
	cf->editing = editing;
	if (old_settings_json != NULL)
		cf->old = json_loads(old_settings_json, 0, NULL);
	if (stored_json != NULL)
		cf->stored = json_loads(stored_json, 0, NULL);
	if (cf->old == NULL)
		cf->old = json_object();
	if (cf->stored == NULL)
		cf->stored = json_object();
	cf->settings = json_object();
	cf->errors = json_object();
	cf->expiry = json_object();
	buf_init(&cf->changed);
}

void
connform_set_expiry(struct connform *cf, const char *expiry_json)
{
	json_t	*j = json_loads(expiry_json, 0, NULL);

	if (j == NULL)
		return;
	json_decref(cf->expiry);
	cf->expiry = j;
}

void
connform_free(struct connform *cf)
{
	int	 i;

	for (i = 0; i < cf->nsecrets; i++) {
		free(cf->secret_field[i]);
		secret_free(cf->secret_value[i]);
	}
	for (i = 0; i < cf->nexpiry; i++) {
		free(cf->expiry_field[i]);
		free(cf->expiry_value[i]);
	}
	json_decref(cf->expiry);
	json_decref(cf->old);
	json_decref(cf->stored);
	json_decref(cf->settings);
	json_decref(cf->errors);
	buf_free(&cf->changed);
	memset(cf, 0, sizeof(*cf));
}

/* On edit: immutable fields, and everything of a named credential (it is
 * changed where it is kept, not on the connection). */
static int
connform_locked(struct connform *cf, HDF *f)
{
	return hdf_get_int_value(f, "immutable", 0) ||
	    strcmp(hdf_get_value(cf->proto, "kind", ""), "named_credential") == 0;
}

static HDF *
connform_fields(struct connform *cf)
{
	return hdf_get_obj(cf->proto, "Fields");
}

const char *
connform_label(struct connform *cf, const char *key)
{
	HDF	*f;

	for (f = hdf_obj_child(connform_fields(cf)); f != NULL; f = hdf_obj_next(f))
		if (strcmp(hdf_obj_name(f), key) == 0)
			return hdf_get_value(f, "label", key);
	return key;
}

static const char *
old_value(struct connform *cf, const char *key)
{
	const char	*v = json_string_value(json_object_get(cf->old, key));

	return v != NULL ? v : "";
}

static void
connform_changed(struct connform *cf, const char *key)
{
	if (cf->changed.len > 0)
		buf_puts(&cf->changed, ",");
	buf_puts(&cf->changed, key);
	cf->nchanged++;
}

/* Scope tokens (RFC 6749 §3.3), separated by single spaces. */
static const char *
valid_scopes(const char *v)
{
	const unsigned char	*p;
	int			 n = 0;

	if (strlen(v) > SCOPES_MAX)
		return "Use at most 1000 characters of scopes.";
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		if (*p == ' ')
			continue;
		if (*p < 0x21 || *p > 0x7e || *p == '"' || *p == '\\')
			return "Scopes are words separated by spaces, without quotes or backslashes.";
		if (p == (const unsigned char *)v || p[-1] == ' ')
			n++;
	}
	return n > 50 ? "Ask for at most 50 scopes." : NULL;
}

static const char *
valid_pattern(const char *v, const char *pattern)
{
	regex_t	 re;
	int	 ok;

	if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
		return "This field cannot be checked; ask an administrator.";
	ok = regexec(&re, v, 0, NULL, 0) == 0;
	regfree(&re);
	return ok ? NULL : "The value does not have the expected form.";
}

/* A scope the connector declares to pick for this API type (Scopes.NAME);
 * NULL when there is no such choice. */
static HDF *
scopes_choice(HDF *f, const char *name, const char *api_type)
{
	HDF	*c;

	for (c = hdf_obj_child(hdf_get_obj(f, "Scopes")); c != NULL; c = hdf_obj_next(c))
		if (strcmp(hdf_obj_name(c), name) == 0)
			return connector_field_applies(c, api_type) ? c : NULL;
	return NULL;
}

/* tok is one of the scopes to pick for this API type. */
static int
scopes_declared(HDF *f, const char *tok, size_t len, const char *api_type)
{
	HDF		*c;
	const char	*v;

	for (c = hdf_obj_child(hdf_get_obj(f, "Scopes")); c != NULL; c = hdf_obj_next(c)) {
		v = hdf_get_value(c, "scopes", "");
		if (strlen(v) == len && strncmp(v, tok, len) == 0 &&
		    connector_field_applies(c, api_type))
			return 1;
	}
	return 0;
}

/*
 * A scopes field with Scopes to pick: the value is the scopes ticked
 * (f.KEY.CHOICE = 1) then the other scopes typed (f.KEY), into out.
 * Returns 0 when the request carries none of these inputs (a form drawn
 * for another protocol), 1 otherwise.
 */
static int
scopes_posted(struct req *r, HDF *f, const char *api_type, struct buf *out)
{
	HDF		*c;
	char		 input[160];
	const char	*v, *key = hdf_obj_name(f);
	int		 seen = 0;

	for (c = hdf_obj_child(hdf_get_obj(f, "Scopes")); c != NULL; c = hdf_obj_next(c)) {
		if (!connector_field_applies(c, api_type))
			continue;
		snprintf(input, sizeof(input), "f.%s.%s", key, hdf_obj_name(c));
		if ((v = req_param(r, input)) == NULL)
			continue;
		seen = 1;
		if (strcmp(v, "1") == 0)
			buf_printf(out, "%s%s", out->len > 0 ? " " : "",
			    hdf_get_value(c, "scopes", ""));
	}
	snprintf(input, sizeof(input), "f.%s", key);
	if ((v = req_param(r, input)) != NULL) {
		seen = 1;
		/* each typed scope once, after the ticked ones */
		while (*v != '\0') {
			size_t	 n = strcspn(v, " ");
			char	 tok[256];

			if (n > 0 && n < sizeof(tok)) {
				memcpy(tok, v, n);
				tok[n] = '\0';
				if (out->data == NULL || !str_word_in(out->data, tok))
					buf_printf(out, "%s%s", out->len > 0 ? " " : "", tok);
			} else if (n > 0)
				buf_printf(out, "%s%.*s", out->len > 0 ? " " : "", (int)n, v);
			v += n + (v[n] == ' ');
		}
	}
	return seen;
}

/* Without free_text: every scope must be one of those to pick. */
static const char *
scopes_only_declared(HDF *f, const char *v, const char *api_type)
{
	size_t	 n;

	if (hdf_get_int_value(f, "free_text", 1) || hdf_get_obj(f, "Scopes") == NULL)
		return NULL;
	while (*v != '\0') {
		n = strcspn(v, " ");
		if (n > 0 && !scopes_declared(f, v, n, api_type))
			return "Pick the scopes from the list.";
		v += n + (v[n] == ' ');
	}
	return NULL;
}

/* Check one non-secret value by the field's type; NULL when valid. */
static const char *
connform_check(HDF *f, const char *v)
{
	const char	*type = field_type(f), *why = NULL, *pattern;
	long long	 n;
	HDF		*o;

	if (*v == '\0')
		return hdf_get_int_value(f, "required", 0) ?
		    (strcmp(type, "select") == 0 ? "Choose an option." : "Enter a value.") : NULL;
	if (strcmp(type, "url") == 0)
		why = valid_url(v, str_word_in(hdf_get_value(f, "scheme", "https"),
		    "http"));
	else if (strcmp(type, "email") == 0)
		why = valid_email(v);
	else if (strcmp(type, "hostname") == 0)
		why = valid_hostname(v);
	else if (strcmp(type, "number") == 0)
		why = valid_int(v, hdf_get_int_value(f, "min", 0),
		    hdf_get_int_value(f, "max", 2147483647), &n);
	else if (strcmp(type, "scopes") == 0)
		why = valid_scopes(v);
	else if (strcmp(type, "checkbox") == 0)
		why = strcmp(v, "1") == 0 ? NULL : "Tick the box or leave it empty.";
	else if (strcmp(type, "select") == 0) {
		why = "Choose one of the options.";
		for (o = hdf_obj_child(hdf_get_obj(f, "Options")); o != NULL; o = hdf_obj_next(o))
			if (strcmp(hdf_obj_name(o), v) == 0)
				why = NULL;
	} else
		why = valid_text(v, 0, (size_t)hdf_get_int_value(f, "max",
		    strcmp(type, "textarea") == 0 ? 2000 : 200));
	if (why == NULL && (pattern = hdf_get_value(f, "pattern", NULL)) != NULL &&
	    strcmp(type, "select") != 0)
		why = valid_pattern(v, pattern);
	return why;
}

static void
connform_error(struct connform *cf, const char *key, const char *message)
{
	json_object_set_new(cf->errors, key, json_string(message));
}

/* Every f.* the request carries must be a field of this protocol and API type. */
static int
connform_declared(struct req *r, struct connform *cf)
{
	size_t	 i;
	HDF	*f;

	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;
		int		 known = 0;

		size_t		 len;

		if (strncmp(name, "f.", 2) != 0)
			continue;
		/* f.KEY, or f.KEY.expires_on for a secret field KEY */
		len = strlen(name + 2);
		for (f = hdf_obj_child(connform_fields(cf)); f != NULL; f = hdf_obj_next(f)) {
			const char	*key = hdf_obj_name(f);
			size_t		 klen = strlen(key);

			if (!connector_field_applies(f, cf->api_type))
				continue;
			if (strcmp(key, name + 2) == 0 || (field_is_secret(f) &&
			    len == klen + strlen(EXPIRES_SUFFIX) &&
			    strncmp(name + 2, key, klen) == 0 &&
			    strcmp(name + 2 + klen, EXPIRES_SUFFIX) == 0))
				known = 1;
			/* f.KEY.CHOICE: a scope ticked (scopes_choice()) */
			if (len > klen + 1 && strncmp(name + 2, key, klen) == 0 &&
			    name[2 + klen] == '.' && scopes_choice(f, name + 3 + klen,
			    cf->api_type) != NULL)
				known = 1;
		}
		if (!known)
			return 0;
	}
	return 1;
}

int
connform_declares_all(struct req *r, struct connform *cf)
{
	return connform_declared(r, cf);
}

static void
connform_add_secret(struct connform *cf, const char *key, const char *value)
{
	if (cf->nsecrets == CONNFORM_SECRETS_MAX)
		return;		/* cdef.c keeps definitions below this */
	cf->secret_field[cf->nsecrets] = xstrdup(key);
	cf->secret_value[cf->nsecrets] = xstrdup(value);
	cf->nsecrets++;
}

/*
 * A secret's expiry date, f.KEY.expires_on: left out of the form, or left
 * as the form showed it, the stored date stays; empty clears it. A date
 * needs a secret to belong to: a stored one or one entered now.
 */
static void
connform_expiry(struct req *r, struct connform *cf, HDF *f, int allowed, int has_secret)
{
	const char	*key = hdf_obj_name(f), *v, *old, *why;
	char		 input[96], ekey[96];

	snprintf(input, sizeof(input), "f.%s" EXPIRES_SUFFIX, key);
	snprintf(ekey, sizeof(ekey), "%s" EXPIRES_SUFFIX, key);
	if ((v = req_param(r, input)) == NULL)
		return;
	old = json_string_value(json_object_get(cf->expiry, key));
	if (old == NULL)
		old = "";
	if (strcmp(v, old) == 0)
		return;
	if (!allowed) {
		if (*v != '\0')
			connform_error(cf, ekey, "This cannot be changed here.");
		return;
	}
	if (*v != '\0' && (why = valid_date(v)) != NULL) {
		connform_error(cf, ekey, why);
		return;
	}
	if (*v != '\0' && !has_secret) {
		connform_error(cf, ekey, "Enter the secret as well: there is no stored one "
		    "for this date to belong to.");
		return;
	}
	if (cf->nexpiry == CONNFORM_SECRETS_MAX)
		return;
	cf->expiry_field[cf->nexpiry] = xstrdup(key);
	cf->expiry_value[cf->nexpiry] = xstrdup(v);
	cf->nexpiry++;
	if (cf->editing)
		connform_changed(cf, ekey);
}

int
connform_save_expiry(const struct connform *cf, const struct actor *a, int64_t id)
{
	int	 i;

	for (i = 0; i < cf->nexpiry; i++)
		if (secret_conn_set_expiry(a, id, cf->expiry_field[i],
		    *cf->expiry_value[i] != '\0' ? cf->expiry_value[i] : NULL) == -1)
			return -1;
	return 0;
}

/* Secrets: required when new, kept when left empty, re-entered when bound fields changed. */
static void
connform_secrets(struct req *r, struct connform *cf, int per_user, int rebind,
    const char *bound_labels)
{
	HDF		*f;
	char		 input[80], msg[400];

	for (f = hdf_obj_child(connform_fields(cf)); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f), *v;
		int		 stored;

		if (!field_is_secret(f) || !connector_field_applies(f, cf->api_type))
			continue;
		snprintf(input, sizeof(input), "f.%s", key);
		v = req_param(r, input);
		if (v == NULL)
			v = "";
		if (cf->editing && connform_locked(cf, f)) {
			if (*v != '\0')
				connform_error(cf, key, "This cannot be changed here.");
			connform_expiry(r, cf, f, 0, 0);
			continue;
		}
		/* Per user: each user brings their own secret — except an OAuth
		 * app's client secret, which belongs to the connection. */
		if (per_user && strncmp(hdf_get_value(cf->proto, "kind", ""), "oauth2", 6) != 0) {
			if (*v != '\0')
				connform_error(cf, key, "Each user connects their own account; "
				    "leave this empty.");
			connform_expiry(r, cf, f, 0, 0);
			continue;
		}
		if (strlen(v) > SECRET_MAX) {
			connform_error(cf, key, "Use at most 4096 characters.");
			continue;
		}
		stored = json_object_get(cf->stored, key) != NULL;
		if (*v != '\0') {
			connform_add_secret(cf, key, v);
			if (cf->editing)
				connform_changed(cf, key);
		}
		/* A rebind removes what is not entered again: its date too. */
		connform_expiry(r, cf, f, 1, *v != '\0' || (stored && !rebind));
		if (*v != '\0')
			continue;
		if (cf->editing && rebind && (stored ||
		    hdf_get_int_value(f, "required", 0))) {
			snprintf(msg, sizeof(msg), "Enter this again: %s changed, and a stored "
			    "secret is never sent to a new destination.", bound_labels);
			connform_error(cf, key, msg);
		} else if (!stored && hdf_get_int_value(f, "required", 0))
			connform_error(cf, key, "Enter a value.");
	}
}

int
connform_validate(struct req *r, struct connform *cf, int per_user)
{
	HDF		*f;
	char		 input[80];
	struct buf	 bound, picked;
	int		 rebind = 0;

	if (!connform_declared(r, cf))
		return -1;
	buf_init(&bound);
	buf_init(&picked);
	for (f = hdf_obj_child(connform_fields(cf)); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f), *v, *why;

		if (field_is_secret(f) || !connector_field_applies(f, cf->api_type))
			continue;
		snprintf(input, sizeof(input), "f.%s", key);
		v = req_param(r, input);
		if (strcmp(field_type(f), "scopes") == 0 && hdf_get_obj(f, "Scopes") != NULL) {
			buf_free(&picked);
			buf_init(&picked);
			if (scopes_posted(r, f, cf->api_type, &picked))
				v = picked.data != NULL ? picked.data : "";
		}
		if (cf->editing && connform_locked(cf, f)) {
			/* Shown disabled; a crafted value must not change it. */
			if (v != NULL && strcmp(v, old_value(cf, key)) != 0)
				connform_error(cf, key, "This cannot be changed after creation.");
			json_object_set_new(cf->settings, key, json_string(old_value(cf, key)));
			continue;
		}
		if (v == NULL)
			v = strcmp(field_type(f), "checkbox") == 0 ? "0" : "";
		if (strcmp(field_type(f), "checkbox") == 0 && strcmp(v, "0") == 0)
			why = NULL;
		else
			why = connform_check(f, v);
		if (why == NULL && strcmp(field_type(f), "scopes") == 0)
			why = scopes_only_declared(f, v, cf->api_type);
		if (why != NULL) {
			connform_error(cf, key, why);
			continue;
		}
		json_object_set_new(cf->settings, key, json_string(v));
		if (cf->editing && strcmp(v, old_value(cf, key)) != 0) {
			connform_changed(cf, key);
			if (hdf_get_int_value(f, "auth_bound", 0)) {
				rebind = 1;
				if (bound.len > 0)
					buf_puts(&bound, ", ");
				buf_puts(&bound, hdf_get_value(f, "label", key));
			}
		}
	}
	/* The way out to the destination: a new one, like a new host. */
	if (cf->editing && cf->uplink_new != cf->uplink_old) {
		connform_changed(cf, "uplink");
		rebind = 1;
		buf_printf(&bound, "%sConnection mode", bound.len > 0 ? ", " : "");
	}
	cf->rebind = rebind;
	connform_secrets(r, cf, per_user, rebind, bound.data);
	buf_free(&bound);
	buf_free(&picked);
	return (int)json_object_size(cf->errors);
}

void
connform_set_uplink(struct connform *cf, int64_t old_id, int64_t new_id)
{
	cf->uplink_old = old_id;
	cf->uplink_new = new_id;
}

void
connform_fill_uplinks(struct req *r, const char *chosen)
{
	PGresult	*res = db_exec_named(&r->app->db, "uplinks_all",
			    "SELECT id, name FROM uplinks ORDER BY lower(name)", 0, NULL);
	int		 i;

	render_set(r->hdf, "Form.UplinkAllowed", "1");
	for (i = 0; res != NULL && i < db_rows(res); i++) {
		HDF	*n = render_node(r->hdf, "Form.Uplinks.%d", i);

		render_set(n, "Id", db_get(res, i, "id"));
		render_set(n, "Name", db_get(res, i, "name"));
		render_set(n, "Selected", chosen != NULL && strcmp(chosen,
		    db_get(res, i, "id")) == 0 ? "1" : "0");
	}
	db_clear(res);
}

const char *
connform_check_uplink(struct req *r, HDF *def, int *errors)
{
	const char	*chosen = req_param(r, "uplink");
	const char	*params[1] = { chosen };
	PGresult	*res;
	int		 ok;

	if (chosen == NULL || *chosen == '\0')
		return NULL;
	if (hdf_get_int_value(def, "uplink", 0) != 1) {
		render_set(r->hdf, "Form.Errors.Uplink", "This connector is always direct.");
		(*errors)++;
		return NULL;
	}
	/* An id, before the database sees it: anything else is no uplink. */
	ok = strlen(chosen) <= 18 && strspn(chosen, "0123456789") == strlen(chosen);
	if (ok) {
		res = db_exec_named(&r->app->db, "uplink_exists", "SELECT 1 FROM uplinks"
		    " WHERE id = $1::bigint", 1, params);
		ok = res != NULL && db_rows(res) == 1;
		db_clear(res);
	}
	if (!ok) {
		render_set(r->hdf, "Form.Errors.Uplink", "Choose Direct or one of the uplinks.");
		(*errors)++;
		return NULL;
	}
	return chosen;
}

/* A field's default: a scopes field takes the protocol's default scopes
 * for the API type (OAuth.ApiTypes.TYPE.scopes, else OAuth.scopes). */
const char *
connform_default(struct connform *cf, HDF *f)
{
	HDF		*oauth = hdf_get_obj(cf->proto, "OAuth");
	const char	*v;

	if (strcmp(field_type(f), "scopes") == 0 && oauth != NULL &&
	    strcmp(hdf_get_value(oauth, "scopes_field", ""), hdf_obj_name(f)) == 0) {
		if (*cf->api_type != '\0' && (v = hdf_get_value(hdf_get_obj(hdf_get_obj(oauth,
		    "ApiTypes"), cf->api_type), "scopes", NULL)) != NULL)
			return v;
		return hdf_get_value(oauth, "scopes", hdf_get_value(f, "default", ""));
	}
	return hdf_get_value(f, "default", "");
}

/* v is the default scopes of some API type of the protocol: after a change
 * of API type it follows the new one rather than staying the old one's. */
static int
connform_default_scopes(struct connform *cf, const char *v)
{
	HDF	*oauth = hdf_get_obj(cf->proto, "OAuth"), *t;

	if (oauth == NULL)
		return 0;
	if (strcmp(hdf_get_value(oauth, "scopes", ""), v) == 0)
		return 1;
	for (t = hdf_obj_child(hdf_get_obj(oauth, "ApiTypes")); t != NULL; t = hdf_obj_next(t))
		if (strcmp(hdf_get_value(t, "scopes", ""), v) == 0)
			return 1;
	return 0;
}

/* The most characters a field takes, as the server checks it. */
static const char *
connform_maxlength(HDF *f)
{
	const char	*type = field_type(f);

	if (strcmp(type, "secret") == 0)
		return "4096";
	if (strcmp(type, "url") == 0)
		return "2048";
	if (strcmp(type, "number") == 0)
		return "20";
	if (strcmp(type, "scopes") == 0)
		return hdf_get_value(f, "max", "1000");
	return hdf_get_value(f, "max", strcmp(type, "textarea") == 0 ? "2000" : "200");
}

static void
connform_fill_options(HDF *node, HDF *f, const char *value)
{
	HDF	*o;
	int	 i = 0;

	for (o = hdf_obj_child(hdf_get_obj(f, "Options")); o != NULL; o = hdf_obj_next(o)) {
		HDF	*n = render_node(node, "Options.%d", i++);

		render_set(n, "Key", hdf_obj_name(o));
		render_set(n, "Label", hdf_get_value(o, "label", hdf_obj_name(o)));
		render_set(n, "Selected", strcmp(hdf_obj_name(o), value) == 0 ? "1" : "0");
	}
}

/*
 * A scopes field's Scopes as checkboxes (Scopes.N.Input|Scope|Label|Checked,
 * the ones for this API type) and Value the other scopes, for the text
 * input (FreeText) beside them. The current value is what was posted, else
 * value (stored or default); after a change of API type a ticked scope of
 * the old type is dropped, and the new type's default ticked when nothing
 * of the new type's is.
 */
static void
connform_fill_scopes(struct req *r, struct connform *cf, HDF *n, HDF *f, int from_post,
    const char *value)
{
	HDF		*c;
	struct buf	 cur, other;
	const char	*v, *key = hdf_obj_name(f);
	char		 input[160];
	size_t		 len;
	int		 i = 0;

	buf_init(&cur);
	buf_init(&other);
	if (!from_post || !scopes_posted(r, f, cf->api_type, &cur) || (cf->switched &&
	    connform_default_scopes(cf, cur.data != NULL ? cur.data : ""))) {
		buf_free(&cur);
		buf_init(&cur);
		buf_puts(&cur, value);
	}
	if (cf->switched && cur.len == 0)
		buf_puts(&cur, connform_default(cf, f));
	for (c = hdf_obj_child(hdf_get_obj(f, "Scopes")); c != NULL; c = hdf_obj_next(c)) {
		HDF	*sn;

		if (!connector_field_applies(c, cf->api_type))
			continue;
		sn = render_node(n, "Scopes.%d", i++);
		snprintf(input, sizeof(input), "f.%s.%s", key, hdf_obj_name(c));
		render_set(sn, "Input", input);
		render_set(sn, "Scope", hdf_get_value(c, "scopes", ""));
		render_set(sn, "Label", hdf_get_value(c, "label", ""));
		render_set(sn, "Checked", cur.data != NULL && str_word_in(cur.data,
		    hdf_get_value(c, "scopes", "")) ? "1" : "0");
	}
	/* What is not a choice of this API type goes in the text input. */
	for (v = cur.data != NULL ? cur.data : ""; *v != '\0'; v += len + (v[len] == ' ')) {
		len = strcspn(v, " ");
		if (len > 0 && !scopes_declared(f, v, len, cf->api_type))
			buf_printf(&other, "%s%.*s", other.len > 0 ? " " : "", (int)len, v);
	}
	render_set(n, "Value", other.data != NULL ? other.data : "");
	render_set(n, "FreeText", hdf_get_int_value(f, "free_text", 1) ? "1" : "0");
	buf_free(&cur);
	buf_free(&other);
}

/* The form came back and a typed secret is not in it: "Enter the API token
 * again." at its field (the label in the sentence: "Application key" reads
 * "application key", "API key" stays). */
static void
connform_reenter(HDF *n, const char *label)
{
	char	 again[160];
	size_t	 at;

	at = (size_t)snprintf(again, sizeof(again), "Enter the ");
	snprintf(again + at, sizeof(again) - at, "%s again.", label);
	if (again[at] >= 'A' && again[at] <= 'Z' && !(again[at + 1] >= 'A' &&
	    again[at + 1] <= 'Z'))
		again[at] += 'a' - 'A';
	render_set(n, "ReEnter", again);
}

void
connform_fill(struct req *r, struct connform *cf, int from_post)
{
	HDF		*f;
	char		 input[80];
	int		 i = 0;

	for (f = hdf_obj_child(connform_fields(cf)); f != NULL; f = hdf_obj_next(f)) {
		const char	*key = hdf_obj_name(f), *v = "", *err;
		HDF		*n;
		json_t		*stored;

		if (!connector_field_applies(f, cf->api_type))
			continue;
		n = render_node(r->hdf, "Form.Fields.%d", i++);
		snprintf(input, sizeof(input), "f.%s", key);
		if (field_is_secret(f))
			v = "";		/* never echoed, not even masked */
		else if (from_post && req_param(r, input) != NULL && cf->switched &&
		    strcmp(field_type(f), "scopes") == 0 &&
		    connform_default_scopes(cf, req_param(r, input)))
			v = connform_default(cf, f);
		else if (from_post && req_param(r, input) != NULL)
			v = req_param(r, input);
		else if (cf->editing || !from_post || cf->switched)
			v = json_object_get(cf->old, key) != NULL ? old_value(cf, key) :
			    connform_default(cf, f);
		render_set(n, "Input", input);
		render_set(n, "Key", key);
		render_set(n, "Label", hdf_get_value(f, "label", key));
		render_set(n, "Type", field_type(f));
		render_set(n, "Required", hdf_get_int_value(f, "required", 0) ? "1" : "0");
		render_set(n, "Help", hdf_get_value(f, "help", ""));
		render_set(n, "Value", v);
		render_set(n, "Placeholder", hdf_get_value(f, "placeholder", ""));
		render_set(n, "Min", hdf_get_value(f, "min", ""));
		render_set(n, "Max", hdf_get_value(f, "max", ""));
		/* The limit is said (Limit) and checked here, never cut by the
		 * browser: text fields carry no maxlength. */
		render_set(n, "MaxLength", connform_maxlength(f));
		if (strcmp(field_type(f), "text") == 0 || strcmp(field_type(f), "textarea") == 0 ||
		    strcmp(field_type(f), "scopes") == 0)
			render_set(n, "Limit", connform_maxlength(f));
		render_set(n, "Section", hdf_get_value(f, "section", "connection"));
		render_set(n, "Disabled", cf->editing && connform_locked(cf, f) ? "1" : "0");
		if ((stored = json_object_get(cf->stored, key)) != NULL) {
			render_set(n, "Stored", "1");
			render_set(n, "StoredAt", json_string_value(stored));
		}
		if (field_is_secret(f)) {
			/* The date is not secret: shown as stored, or as posted. */
			char		 ein[96], ekey[96];
			const char	*ev;

			snprintf(ein, sizeof(ein), "f.%s" EXPIRES_SUFFIX, key);
			snprintf(ekey, sizeof(ekey), "%s" EXPIRES_SUFFIX, key);
			ev = from_post && req_param(r, ein) != NULL ? req_param(r, ein) :
			    json_string_value(json_object_get(cf->expiry, key));
			render_set(n, "ExpiresInput", ein);
			render_set(n, "ExpiresOn", ev != NULL ? ev : "");
			if ((err = json_string_value(json_object_get(cf->errors, ekey))) != NULL)
				render_set(n, "ExpiresError", err);
		}
		if ((err = json_string_value(json_object_get(cf->errors, key))) != NULL)
			render_set(n, "Error", err);
		else if (field_is_secret(f) && from_post && req_param(r, input) != NULL &&
		    *req_param(r, input) != '\0')
			connform_reenter(n, hdf_get_value(f, "label", key));
		if (strcmp(field_type(f), "select") == 0)
			connform_fill_options(n, f, v);
		if (strcmp(field_type(f), "scopes") == 0 && hdf_get_obj(f, "Scopes") != NULL)
			connform_fill_scopes(r, cf, n, f, from_post, v);
	}
	/* OAuth code: the exact redirect URI to register with the provider. */
	if (strcmp(hdf_get_value(cf->proto, "kind", ""), "oauth2_code") == 0) {
		char	*uri = oauth_redirect_uri_dup(r->app);

		render_set(r->hdf, "Form.RedirectUri", uri);
		free(uri);
	}
	/* Systems in customers' networks: where Tether's calls come from. */
	if (hdf_get_int_value(cf->proto, "onpremises", 0) == 1) {
		render_set(r->hdf, "Form.OnPremises", "1");
		uplinks_egress_fill(r, 0, NULL);
	}
}
