/*
 * page-oauth-client.c — one OAuth client (/oauth-clients/ID): what it holds
 * (the secret only as "stored, changed on"), the connections using it, and
 * for those who may manage it the edit form, sharing and delete. A new
 * secret applies to every connection using the client from its next token
 * call. Delete is refused while connections use it (the refusal lists
 * them). With ?draft= (the connection form's pencil) Save and Back return
 * to that form, the client picked.
 * Inputs: GET draft; POST csrf, action (save|delete|share|unshare), draft,
 * client_id, client_secret (empty keeps it; required again when the token
 * URL changes), auth_method, token_url, authorize_url, scopes, team,
 * permission (use|manage).
 * Statuses: 200, 303, 403 (may use, not manage), 404, 409 (in use), 422.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* The client the user may use; NULL with the response made. */
static PGresult *
oc_load(struct req *r)
{
	PGresult	*res;

	if ((res = oauthclient_get(&r->actor, r->arg_id)) == NULL) {
		http_error(r, 503, NULL);
		return NULL;
	}
	if (db_rows(res) != 1) {
		db_clear(res);
		http_error(r, 404, NULL);
		return NULL;
	}
	return res;
}

static int
oc_fill_one(struct req *r, PGresult *oc, int from_post)
{
	HDF		*n = render_node(r->hdf, "OauthClient");
	PGresult	*uses = oauthclient_uses(&r->actor, r->arg_id);
	PGresult	*shares = oauthclient_shares(&r->actor, r->arg_id);
	const char	*owner[1] = { db_get(oc, 0, "owner_team_id") };
	/* Any other team, as for connections' sharing. */
	PGresult	*teams = db_exec_named(&r->app->db, "oc_share_teams", "SELECT id, name"
			    " FROM teams WHERE id <> $1 ORDER BY lower(name), id", 1, owner);
	HDF		*proto = connector_protocol(&r->app->catalog, db_get(oc, 0, "connector"),
			    db_get(oc, 0, "protocol"));
	const char	*draft = req_param(r, "draft");
	int		 i;

	if (uses == NULL || shares == NULL || teams == NULL) {
		db_clear(uses);
		db_clear(shares);
		db_clear(teams);
		return -1;
	}
	render_row(n, oc, 0, (const char *const[]){ "Id", "id", "Name", "name",
	    "Team", "team", "UpdatedAt", "at", "SecretChangedAt", "secret_at",
	    "Manage", "manage", NULL });
	render_set(n, "ConnectorTitle", catalog_title(&r->app->catalog,
	    db_get(oc, 0, "connector")));
	render_set(n, "ProtocolLabel", catalog_protocol_label(&r->app->catalog,
	    db_get(oc, 0, "connector"), db_get(oc, 0, "protocol")));
	render_set(n, "TokenUrlVaries", proto != NULL && hdf_get_obj(hdf_get_obj(proto,
	    "Fields"), "token_url") != NULL ? "1" : "0");
	render_set(n, "AuthorizeUrlVaries", proto != NULL && hdf_get_obj(hdf_get_obj(proto,
	    "Fields"), "authorize_url") != NULL ? "1" : "0");
	/* The form's values: as stored, or as posted. */
#define OC_VAL(hdfname, column) render_set(n, hdfname, from_post ? \
	req_text(r, column) : db_get(oc, 0, column))
	OC_VAL("ClientId", "client_id");
	OC_VAL("AuthMethod", "auth_method");
	OC_VAL("TokenUrl", "token_url");
	OC_VAL("AuthorizeUrl", "authorize_url");
	OC_VAL("Scopes", "scopes");
#undef OC_VAL
	render_set(n, "StoredClientId", db_get(oc, 0, "client_id"));
	render_set(n, "StoredAuthMethod", db_get(oc, 0, "auth_method"));
	render_set(n, "StoredTokenUrl", db_get(oc, 0, "token_url"));
	render_set(n, "StoredAuthorizeUrl", db_get(oc, 0, "authorize_url"));
	render_set(n, "StoredScopes", db_get(oc, 0, "scopes"));
	for (i = 0; i < db_rows(uses); i++) {
		HDF	*c = render_node(n, "Connections.%d", i);

		render_set(c, "Id", db_get(uses, i, "id"));
		render_set(c, "Name", db_get(uses, i, "name"));
		render_set(c, "ConnectorTitle", catalog_title(&r->app->catalog,
		    db_get(uses, i, "connector")));
	}
	render_rows(n, "Shares", shares, (const char *const[]){ "TeamId", "team_id",
	    "Team", "name", "Permission", "permission", NULL });
	render_rows(n, "ShareTeams", teams, (const char *const[]){ "Id", "id", "Name", "name",
	    NULL });
	if (draft != NULL && once_shape_ok(draft)) {
		char	*back = connform_client_return(&r->actor, draft);

		if (back != NULL) {
			char	 url[200];

			render_set(n, "Draft", draft);
			snprintf(url, sizeof(url), "%s?draft=%s&oauth_client=%s", back, draft,
			    db_get(oc, 0, "id"));
			render_set(n, "BackUrl", url);
			free(back);
		}
	}
	render_set(r->hdf, "Page.Title", db_get(oc, 0, "name"));
	db_clear(uses);
	db_clear(shares);
	db_clear(teams);
	return 0;
}

int
page_oauth_client(struct req *r)
{
	PGresult	*oc;
	int		 rc;

	if (session_is_manager(r) == 0) {
		http_error(r, 403, "OAuth clients are kept by team managers and administrators.");
		return 0;
	}
	if ((oc = oc_load(r)) == NULL)
		return 0;
	rc = oc_fill_one(r, oc, 0) == 0 ? http_page(r, 200, "oauth-client.cs") : -1;
	db_clear(oc);
	return rc;
}

static int
oc_again(struct req *r, PGresult *oc, int status, const char *error)
{
	render_set(r->hdf, "OcForm.Error", error);
	if (oc_fill_one(r, oc, 1) == -1)
		return -1;
	return http_page(r, status, "oauth-client.cs");
}

static int
oc_save(struct req *r, PGresult *oc)
{
	HDF		*proto = connector_protocol(&r->app->catalog, db_get(oc, 0, "connector"),
			    db_get(oc, 0, "protocol"));
	struct oauthclient_in in;
	const char	*draft = req_param(r, "draft");
	char		 loc[48], *back;

	if (oauthclient_form_check(r, proto, 0) > 0)
		return oc_again(r, oc, 422, "Nothing was saved. Correct the fields marked "
		    "below.");
	/* A new token URL takes the secret again: the stored one never goes
	 * to a new destination. */
	if (strcmp(req_text(r, "token_url"), db_get(oc, 0, "token_url")) != 0 &&
	    *req_text(r, "client_secret") == '\0') {
		render_set(r->hdf, "OcForm.Errors.ClientSecret", "Enter this again: the token "
		    "URL changed, and a stored secret is never sent to a new destination.");
		return oc_again(r, oc, 422, "Nothing was saved. Correct the fields marked "
		    "below.");
	}
	memset(&in, 0, sizeof(in));
	in.name = db_get(oc, 0, "name");
	in.connector = db_get(oc, 0, "connector"), in.protocol = db_get(oc, 0, "protocol");
	in.client_id = req_text(r, "client_id"), in.secret = req_text(r, "client_secret");
	in.auth_method = req_text(r, "auth_method"), in.token_url = req_text(r, "token_url");
	in.authorize_url = req_text(r, "authorize_url"), in.scopes = req_text(r, "scopes");
	if (oauthclient_update(&r->actor, r->arg_id, &in) == -1)
		return -1;
	if (draft != NULL && (back = connform_client_return(&r->actor, draft)) != NULL) {
		http_flash_next(r, "success", "OAuth client saved. Your form is as you left "
		    "it; enter its secrets again, if it has any.");
		oauthclient_form_return(r, draft, back, r->arg_id);
		free(back);
		return 0;
	}
	http_flash_next(r, "success", *in.secret != '\0' ? "OAuth client saved. The new "
	    "secret is used by every connection from its next token call." :
	    "OAuth client saved.");
	snprintf(loc, sizeof(loc), "/oauth-clients/%lld", (long long)r->arg_id);
	http_redirect(r, loc);
	return 0;
}

int
page_oauth_client_post(struct req *r)
{
	const char	*action = req_text(r, "action");
	PGresult	*oc;
	char		 loc[48];
	long long	 team;
	int		 rc = 0;

	if (session_is_manager(r) == 0) {
		http_error(r, 403, NULL);
		return 0;
	}
	if ((oc = oc_load(r)) == NULL)
		return 0;
	if (strcmp(db_get(oc, 0, "manage"), "0") == 0) {
		http_error(r, 403, "Only managers of its team, or of a team it is shared with "
		    "for manage, can change this OAuth client.");
		goto out;
	}
	snprintf(loc, sizeof(loc), "/oauth-clients/%lld", (long long)r->arg_id);
	if (strcmp(action, "save") == 0)
		rc = oc_save(r, oc);
	else if (strcmp(action, "delete") == 0) {
		switch (oauthclient_delete(&r->actor, r->arg_id, db_get(oc, 0, "name"))) {
		case 0:
			http_flash_next(r, "success", "OAuth client deleted.");
			http_redirect(r, "/oauth-clients");
			break;
		case 1:
			rc = oc_again(r, oc, 409, "It can't be deleted: connections use it (listed "
			    "under Connections using it). Switch them to another client first.");
			break;
		default:
			rc = -1;
		}
	} else if ((strcmp(action, "share") == 0 || strcmp(action, "unshare") == 0) &&
	    valid_int(req_text(r, "team"), 1, INT64_MAX / 2, &team) == NULL &&
	    (strcmp(action, "unshare") == 0 || strcmp(req_text(r, "permission"), "use") == 0 ||
	    strcmp(req_text(r, "permission"), "manage") == 0)) {
		if (oauthclient_share(&r->actor, r->arg_id, db_get(oc, 0, "name"),
		    req_param(r, "team"), strcmp(action, "share") == 0 ?
		    req_param(r, "permission") : NULL) == -1)
			rc = -1;
		else {
			http_flash_next(r, "success", strcmp(action, "share") == 0 ?
			    "Shared." : "No longer shared with that team.");
			http_redirect(r, loc);
		}
	} else
		http_error(r, 400, NULL);
out:
	db_clear(oc);
	return rc;
}
