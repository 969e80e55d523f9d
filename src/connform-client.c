/*
 * connform-client.c — the OAuth client picker of the connection form: on a
 * protocol of kind oauth2_code or oauth2_client the form offers "Use a
 * saved client" (one the user may use for this connector and protocol) or
 * "Enter client ID and secret". Its "+" and pencil are submit buttons of
 * the same form: connform_client_leave() keeps the form's non-secret values
 * as a draft (oauthclient_draft_put) and sends the user to the client's
 * page, which returns to the form with ?draft=&oauth_client=;
 * connform_client_restore() puts the draft back into the request. No
 * JavaScript, nothing typed lost but secrets (never kept).
 * Inputs: client_source (saved|own), oauth_client, client_action (new|edit),
 * draft.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

int
connform_client_applies(HDF *proto)
{
	const char	*kind = hdf_get_value(proto, "kind", "");

	/* A JWT assertion (OAuth.assertion) has no client secret to save. */
	if (hdf_get_value(hdf_get_obj(proto, "OAuth"), "assertion", NULL) != NULL)
		return 0;
	return strcmp(kind, "oauth2_code") == 0 || strcmp(kind, "oauth2_client") == 0;
}

static const char *
client_field(HDF *proto, const char *which, const char *api_type)
{
	const char	*v = catalog_value(hdf_get_obj(proto, "OAuth"), which, api_type);

	return v != NULL ? v : strcmp(which, "client_id_field") == 0 ? "client_id" :
	    "client_secret";
}

/* "saved" or "own": as posted; when editing, as the connection is; else
 * saved when the user has a client to pick and typed no client ID. */
static const char *
client_source(struct req *r, struct connform *cf, int nclients, const char *current)
{
	const char	*s = req_param(r, "client_source");
	char		 input[80];

	if (s != NULL && (strcmp(s, "saved") == 0 || strcmp(s, "own") == 0))
		return s;
	if (cf->editing)
		return current != NULL ? "saved" : "own";
	snprintf(input, sizeof(input), "f.%s", client_field(cf->proto, "client_id_field",
	    cf->api_type));
	return nclients > 0 && *req_text(r, input) == '\0' ? "saved" : "own";
}

int
connform_client_fill(struct req *r, struct connform *cf, const char *connector,
    const char *protocol, const char *current)
{
	const char	*chosen = req_param(r, "oauth_client") != NULL ?
			    req_param(r, "oauth_client") : current;
	const char	*idf = client_field(cf->proto, "client_id_field", cf->api_type);
	const char	*sf = client_field(cf->proto, "client_secret_field", cf->api_type);
	PGresult	*res;
	HDF		*n, *f;
	int		 i;

	if (!connform_client_applies(cf->proto))
		return 0;
	if ((res = oauthclient_list(&r->actor, connector, protocol)) == NULL)
		return -1;
	n = render_node(r->hdf, "Form.OAuthClient");
	render_set(n, "Applies", "1");
	render_set(n, "Source", client_source(r, cf, db_rows(res), current));
	for (i = 0; i < db_rows(res); i++) {
		HDF	*c = render_node(n, "Clients.%d", i);

		render_set(c, "Id", db_get(res, i, "id"));
		render_set(c, "Name", db_get(res, i, "name"));
		render_set(c, "Team", db_get(res, i, "team"));
		render_set(c, "Selected", chosen != NULL && strcmp(chosen, db_get(res, i, "id"))
		    == 0 ? "1" : "0");
	}
	db_clear(res);
	/* The client ID and secret fields: asked for only with "Enter client ID
	 * and secret", so the browser must not insist on them. */
	for (f = hdf_obj_child(hdf_get_obj(r->hdf, "Form.Fields")); f != NULL;
	    f = hdf_obj_next(f)) {
		const char	*key = hdf_get_value(f, "Key", "");

		if (strcmp(key, idf) == 0 || strcmp(key, sf) == 0) {
			render_set(f, "ClientField", "1");
			render_set(f, "Required", "0");
		}
	}
	return 0;
}

/* Take `key` out of what the form saves: its setting, its error, its secret. */
static void
client_drop(struct connform *cf, const char *key)
{
	int	 i;

	json_object_del(cf->settings, key);
	json_object_del(cf->errors, key);
	for (i = 0; i < cf->nsecrets; i++) {
		if (strcmp(cf->secret_field[i], key) != 0)
			continue;
		free(cf->secret_field[i]);
		secret_free(cf->secret_value[i]);
		cf->nsecrets--;
		cf->secret_field[i] = cf->secret_field[cf->nsecrets];
		cf->secret_value[i] = cf->secret_value[cf->nsecrets];
		i--;
	}
}

/* 1 when every scope of `want` is one of `allowed` (space-separated). */
static int
client_scopes_allowed(const char *want, const char *allowed)
{
	const char	*p = want;

	while (*p != '\0') {
		size_t		 len;
		const char	*q = allowed;
		int		 found = 0;

		p += strspn(p, " ");
		if ((len = strcspn(p, " ")) == 0)
			break;
		while (*q != '\0' && !found) {
			size_t	 ql;

			q += strspn(q, " ");
			ql = strcspn(q, " ");
			found = ql == len && strncmp(p, q, len) == 0;
			q += ql;
		}
		if (!found)
			return 0;
		p += len;
	}
	return 1;
}

const char *
connform_client_check(struct req *r, struct connform *cf, const char *connector,
    const char *protocol, int *errors)
{
	const char	*chosen = req_param(r, "oauth_client"), *scopes_field, *want;
	PGresult	*res;
	long long	 id;
	int		 i, ok = 0;
	char		 msg[1200];

	char		 input[80];

	if (!connform_client_applies(cf->proto) ||
	    strcmp(req_text(r, "client_source"), "saved") != 0)
		return NULL;
	/* "Use a saved client" left checked, none chosen, a client ID typed:
	 * the typed one is meant. */
	snprintf(input, sizeof(input), "f.%s", client_field(cf->proto, "client_id_field",
	    cf->api_type));
	if (*req_text(r, "oauth_client") == '\0' && *req_text(r, input) != '\0')
		return NULL;
	if (chosen != NULL && valid_int(chosen, 1, INT64_MAX / 2, &id) == NULL &&
	    (res = oauthclient_list(&r->actor, connector, protocol)) != NULL) {
		for (i = 0; i < db_rows(res); i++)
			ok |= strcmp(chosen, db_get(res, i, "id")) == 0;
		db_clear(res);
	}
	if (!ok) {
		render_set(r->hdf, "Form.Errors.OAuthClient", "Choose a saved OAuth client for "
		    "this connector, or enter a client ID and secret.");
		(*errors)++;
		return NULL;
	}
	client_drop(cf, client_field(cf->proto, "client_id_field", cf->api_type));
	client_drop(cf, client_field(cf->proto, "client_secret_field", cf->api_type));
	if ((res = oauthclient_get(&r->actor, id)) == NULL || db_rows(res) != 1) {
		db_clear(res);
		(*errors)++;
		return NULL;
	}
	/* Its URLs, where it has them, stand for the connection's. */
	if (*db_get(res, 0, "token_url") != '\0')
		client_drop(cf, "token_url");
	if (*db_get(res, 0, "authorize_url") != '\0')
		client_drop(cf, "authorize_url");
	scopes_field = catalog_value(hdf_get_obj(cf->proto, "OAuth"), "scopes_field",
	    cf->api_type);
	want = scopes_field != NULL ? json_string_value(json_object_get(cf->settings,
	    scopes_field)) : NULL;
	if (want != NULL && *db_get(res, 0, "scopes") != '\0' &&
	    !client_scopes_allowed(want, db_get(res, 0, "scopes"))) {
		snprintf(msg, sizeof(msg), "The OAuth client \"%s\" allows only these scopes: "
		    "%s.", db_get(res, 0, "name"), db_get(res, 0, "scopes"));
		json_object_set_new(cf->errors, scopes_field, json_string(msg));
	}
	db_clear(res);
	return chosen;
}

/* 1 when f.NAME may be kept in a draft: a field of the protocol that is no
 * secret (nor a secret's date). */
static int
client_keepable(HDF *proto, const char *name)
{
	HDF	*f;

	for (f = hdf_obj_child(hdf_get_obj(proto, "Fields")); f != NULL; f = hdf_obj_next(f)) {
		size_t	 len = strlen(hdf_obj_name(f));

		if (strncmp(name, hdf_obj_name(f), len) == 0 && (name[len] == '\0' ||
		    name[len] == '.'))
			return strcmp(hdf_get_value(f, "type", "text"), "secret") != 0;
	}
	return 0;
}

int
connform_client_leave(struct req *r, struct connform *cf, const char *back)
{
	const char	*action = req_text(r, "client_action");
	const char	*chosen = req_param(r, "oauth_client");
	struct buf	 form, loc;
	char		 token[64];
	size_t		 i;
	long long	 id = 0;
	int		 rc;

	buf_init(&form);
	buf_puts(&form, "return=");
	buf_url_encode(&form, back);
	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;

		if (strcmp(name, "csrf") == 0 || strcmp(name, "once") == 0 ||
		    strcmp(name, "client_action") == 0 || strcmp(name, "change") == 0 ||
		    strcmp(name, "return") == 0 || strcmp(name, "draft") == 0 ||
		    (strncmp(name, "f.", 2) == 0 && !client_keepable(cf->proto, name + 2)))
			continue;
		buf_puts(&form, "&");
		buf_url_encode(&form, name);
		buf_puts(&form, "=");
		buf_url_encode(&form, r->in.v[i].value);
	}
	rc = oauthclient_draft_put(&r->actor, form.data, token, sizeof(token));
	buf_free(&form);
	if (rc == -1)
		return -1;
	buf_init(&loc);
	if (strcmp(action, "edit") == 0 && chosen != NULL &&
	    valid_int(chosen, 1, INT64_MAX / 2, &id) == NULL)
		buf_printf(&loc, "/oauth-clients/%lld?draft=%s", id, token);
	else {
		buf_printf(&loc, "/oauth-clients?draft=%s&kind=", token);
		buf_url_encode(&loc, req_text(r, "connector"));
		buf_url_encode(&loc, "/");
		buf_url_encode(&loc, req_text(r, "protocol"));
		buf_puts(&loc, "#create-title");
	}
	http_redirect(r, loc.data);
	buf_free(&loc);
	return 0;
}

int
connform_client_restore(struct req *r)
{
	const char	*token = req_param(r, "draft");
	char		*form;
	struct fields	 kept;
	struct buf	 add;
	size_t		 i;
	int		 picked = req_param(r, "oauth_client") != NULL;

	if (token == NULL || (form = oauthclient_draft_get(&r->actor, token)) == NULL)
		return 0;
	memset(&kept, 0, sizeof(kept));
	buf_init(&add);
	if (form_parse_urlencoded(&kept, form, strlen(form), r->app->cfg.fields_max) ==
	    FORM_OK) {
		/* What the request says itself (the client just made) wins. */
		for (i = 0; i < kept.n; i++) {
			const char	*name = kept.v[i].name;

			if (strcmp(name, "return") == 0 || fields_get(&r->in, name, NULL) != NULL ||
			    (picked && strcmp(name, "client_source") == 0))
				continue;
			buf_printf(&add, "%s", add.len > 0 ? "&" : "");
			buf_url_encode(&add, name);
			buf_puts(&add, "=");
			buf_url_encode(&add, kept.v[i].value);
		}
		if (picked)
			buf_printf(&add, "%sclient_source=saved", add.len > 0 ? "&" : "");
	}
	if (add.len > 0)
		(void)form_parse_urlencoded(&r->in, add.data, add.len, r->app->cfg.fields_max +
		    kept.n + 1);
	fields_free(&kept);
	buf_free(&add);
	free(form);
	return 1;
}

char *
connform_client_return(const struct actor *a, const char *token)
{
	char		*form, *back = NULL;
	struct fields	 kept;
	const char	*v;

	if (token == NULL || (form = oauthclient_draft_get(a, token)) == NULL)
		return NULL;
	memset(&kept, 0, sizeof(kept));
	if (form_parse_urlencoded(&kept, form, strlen(form), a->app->cfg.fields_max) ==
	    FORM_OK && (v = fields_get(&kept, "return", NULL)) != NULL &&
	    (strcmp(v, "/connections/new") == 0 || (strncmp(v, "/connections/", 13) == 0 &&
	    strspn(v + 13, "0123456789") > 0 && strcmp(v + 13 + strspn(v + 13,
	    "0123456789"), "/edit") == 0)))
		back = xstrdup(v);
	fields_free(&kept);
	free(form);
	return back;
}

int
connform_client_current(const struct actor *a, int64_t conn_id, char *out, size_t len)
{
	struct oauthclient	 oc;
	int			 rc;

	if ((rc = oauthclient_for_conn(a, conn_id, 0, &oc)) == 1)
		snprintf(out, len, "%lld", (long long)oc.id);
	oauthclient_free(&oc);
	return rc;
}

void
connform_client_changed(struct connform *cf)
{
	buf_printf(&cf->changed, "%soauth_client", cf->changed.len > 0 ? "," : "");
	cf->nchanged++;
	cf->rebind = 1;
}
