/*
 * page-oauth-clients.c — OAuth clients: the list of the clients the user
 * may use, and the form that creates one (the connection form's "+" comes
 * here with its draft and goes back to the form with the new client
 * picked). Managers and administrators only.
 * Inputs: GET draft, kind ("CONNECTOR/PROTOCOL" to preselect); POST csrf,
 * name, team, kind, client_id, client_secret, auth_method, token_url,
 * authorize_url, scopes, draft.
 * Statuses: 200, 303 (created: the client's page, or back to the
 * connection form), 403 (not a manager), 409 (name taken), 422.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* The protocol `kind` ("CONNECTOR/PROTOCOL") names, when it takes an OAuth
 * client; NULL otherwise. */
static HDF *
oc_kind(struct req *r, const char *kind, char *connector, size_t clen, const char **protocol)
{
	const char	*slash = kind != NULL ? strchr(kind, '/') : NULL;
	HDF		*proto;

	if (slash == NULL || (size_t)(slash - kind) >= clen)
		return NULL;
	memcpy(connector, kind, (size_t)(slash - kind));
	connector[slash - kind] = '\0';
	*protocol = slash + 1;
	if ((proto = connector_protocol(&r->app->catalog, connector, *protocol)) == NULL ||
	    !connform_client_applies(proto))
		return NULL;
	return proto;
}

/* OcForm.Kinds.N: every connector protocol that takes an OAuth client. */
static void
oc_fill_kinds(struct req *r, const char *chosen)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < r->app->catalog.nkeys; i++) {
		const char	*key = r->app->catalog.keys[i];
		HDF		*p;

		for (p = hdf_obj_child(hdf_get_obj(catalog_get(&r->app->catalog, key),
		    "Protocols")); p != NULL; p = hdf_obj_next(p)) {
			HDF	*k;
			char	 v[160], label[300];

			if (!connform_client_applies(p))
				continue;
			snprintf(v, sizeof(v), "%s/%s", key, hdf_obj_name(p));
			snprintf(label, sizeof(label), "%s · %s", catalog_title(&r->app->catalog,
			    key), hdf_get_value(p, "label", hdf_obj_name(p)));
			k = render_node(r->hdf, "OcForm.Kinds.%d", n++);
			render_set(k, "Key", v);
			render_set(k, "Label", label);
			render_set(k, "Selected", chosen != NULL && strcmp(chosen, v) == 0 ?
			    "1" : "0");
			render_set(k, "TokenUrl", hdf_get_obj(hdf_get_obj(p, "Fields"),
			    "token_url") != NULL ? "1" : "0");
		}
	}
}

static int
oc_fill_list(struct req *r)
{
	PGresult	*res = oauthclient_list(&r->actor, NULL, NULL);
	PGresult	*teams = team_managed(&r->actor);
	const char	*draft = req_param(r, "draft");
	int		 i;

	if (res == NULL || teams == NULL) {
		db_clear(res);
		db_clear(teams);
		return -1;
	}
	for (i = 0; i < db_rows(res); i++) {
		HDF	*n = render_node(r->hdf, "OauthClients.%d", i);

		render_set(n, "Id", db_get(res, i, "id"));
		render_set(n, "Name", db_get(res, i, "name"));
		render_set(n, "ConnectorTitle", catalog_title(&r->app->catalog,
		    db_get(res, i, "connector")));
		render_set(n, "ProtocolLabel", catalog_protocol_label(&r->app->catalog,
		    db_get(res, i, "connector"), db_get(res, i, "protocol")));
		render_set(n, "ClientId", db_get(res, i, "client_id"));
		render_set(n, "Team", db_get(res, i, "team"));
		render_set(n, "Connections", db_get(res, i, "uses"));
	}
	render_rows(r->hdf, "OcForm.Teams", teams, (const char *const[]){
	    "Id", "id", "Name", "name", NULL });
	oc_fill_kinds(r, req_param(r, "kind"));
	if (draft != NULL && once_shape_ok(draft)) {
		char	*back = connform_client_return(&r->actor, draft);

		if (back != NULL) {
			render_set(r->hdf, "OcForm.Draft", draft);
			render_set(r->hdf, "OcForm.Back", back);
			free(back);
		}
	}
	db_clear(res);
	db_clear(teams);
	render_set(r->hdf, "Page.Title", "OAuth clients");
	return 0;
}

static int
oc_forbidden(struct req *r)
{
	int	 may = session_is_manager(r);

	if (may == 0)
		http_error(r, 403, "OAuth clients are kept by team managers and administrators.");
	return may;
}

int
page_oauth_clients(struct req *r)
{
	int	 may = oc_forbidden(r);

	if (may <= 0)
		return may == 0 ? 0 : -1;
	if (oc_fill_list(r) == -1)
		return -1;
	return http_page(r, 200, "oauth-clients.cs");
}

/* The checks of create and save (creating: name, team and kind too);
 * errors into OcForm.Errors.*, their count returned. */
int
oauthclient_form_check(struct req *r, HDF *proto, int creating)
{
	const char	*why, *v;
	long long	 n;
	int		 errors = 0;

#define OC_ERR(field, msg) do { render_set(r->hdf, "OcForm.Errors." field, msg); \
	errors++; } while (0)
	if (creating && (why = valid_name(req_text(r, "name"), 120)) != NULL)
		OC_ERR("Name", why);
	if (creating && valid_int(req_text(r, "team"), 1, INT64_MAX / 2, &n) != NULL)
		OC_ERR("Team", "Choose a team you manage.");
	if (proto == NULL)
		OC_ERR("Kind", "Choose the connector and protocol it is registered for.");
	if ((why = valid_text(req_text(r, "client_id"), 1, 255)) != NULL)
		OC_ERR("ClientId", why);
	v = req_text(r, "client_secret");
	if (creating && *v == '\0')
		OC_ERR("ClientSecret", "Enter the client secret.");
	else if (strlen(v) > 4096)
		OC_ERR("ClientSecret", "Use at most 4096 characters.");
	v = req_text(r, "auth_method");
	if (strcmp(v, "client_secret_basic") != 0 && strcmp(v, "client_secret_post") != 0)
		OC_ERR("AuthMethod", "Choose how the client authenticates.");
	v = req_text(r, "token_url");
	if (*v != '\0' && proto != NULL && hdf_get_obj(hdf_get_obj(proto, "Fields"),
	    "token_url") == NULL)
		OC_ERR("TokenUrl", "This connector's token URL is fixed; leave this empty.");
	else if (*v != '\0' && (why = valid_url(v, 0)) != NULL)
		OC_ERR("TokenUrl", why);
	v = req_text(r, "authorize_url");
	if (*v != '\0' && proto != NULL && hdf_get_obj(hdf_get_obj(proto, "Fields"),
	    "authorize_url") == NULL)
		OC_ERR("AuthorizeUrl", "This connector's authorize URL is fixed; leave this "
		    "empty.");
	else if (*v != '\0' && (why = valid_url(v, 0)) != NULL)
		OC_ERR("AuthorizeUrl", why);
	v = req_text(r, "scopes");
	if ((why = valid_text(v, 0, 1000)) != NULL)
		OC_ERR("Scopes", why);
	else if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	    " .:/_-,+=@") != strlen(v))
		OC_ERR("Scopes", "Separate scopes with spaces; use letters, digits and . : / _ "
		    "- , + = @ only.");
#undef OC_ERR
	return errors;
}

/* Back to the connection form the draft came from, the client picked. */
void
oauthclient_form_return(struct req *r, const char *draft, const char *back, long long id)
{
	struct buf	 loc;

	buf_init(&loc);
	buf_printf(&loc, "%s?draft=%s&oauth_client=%lld", back, draft, id);
	http_redirect(r, loc.data);
	buf_free(&loc);
}

int
page_oauth_clients_post(struct req *r)
{
	struct oauthclient_in in;
	char		 connector[80], loc[48];
	const char	*protocol = NULL, *draft = req_param(r, "draft");
	HDF		*proto = oc_kind(r, req_param(r, "kind"), connector, sizeof(connector),
			    &protocol);
	long long	 id;
	char		*back = NULL;
	int		 may = oc_forbidden(r), status;

	if (may <= 0)
		return may == 0 ? 0 : -1;
	if (oauthclient_form_check(r, proto, 1) > 0) {
		status = 422;
		goto again;
	}
	in.team = req_param(r, "team"), in.name = req_param(r, "name");
	in.connector = connector, in.protocol = protocol;
	in.client_id = req_param(r, "client_id"), in.secret = req_param(r, "client_secret");
	in.auth_method = req_param(r, "auth_method"), in.token_url = req_text(r, "token_url");
	in.authorize_url = req_text(r, "authorize_url"), in.scopes = req_text(r, "scopes");
	if ((id = oauthclient_create(&r->actor, &in)) == -1)
		return -1;
	if (id == 0) {
		render_set(r->hdf, "OcForm.Errors.Name", "Choose a team you manage; the name "
		    "must be unique in it.");
		status = 409;
		goto again;
	}
	if (draft != NULL && (back = connform_client_return(&r->actor, draft)) != NULL) {
		http_flash_next(r, "success", "OAuth client created and selected. Your form "
		    "is as you left it; enter its secrets again, if it has any.");
		oauthclient_form_return(r, draft, back, id);
		free(back);
		return 0;
	}
	http_flash_next(r, "success", "OAuth client created.");
	snprintf(loc, sizeof(loc), "/oauth-clients/%lld", id);
	http_redirect(r, loc);
	return 0;
again:
	render_set(r->hdf, "OcForm.Error", "Nothing was saved. Correct the fields marked "
	    "below.");
	render_set(r->hdf, "OcForm.Name", req_text(r, "name"));
	render_set(r->hdf, "OcForm.Team", req_text(r, "team"));
	render_set(r->hdf, "OcForm.ClientId", req_text(r, "client_id"));
	render_set(r->hdf, "OcForm.AuthMethod", req_text(r, "auth_method"));
	render_set(r->hdf, "OcForm.TokenUrl", req_text(r, "token_url"));
	render_set(r->hdf, "OcForm.AuthorizeUrl", req_text(r, "authorize_url"));
	render_set(r->hdf, "OcForm.Scopes", req_text(r, "scopes"));
	if (oc_fill_list(r) == -1)
		return -1;
	return http_page(r, status, "oauth-clients.cs");
}
