/*
 * connsave.c — what creating, editing, deleting and sharing a connection
 * check and write, for the pages (page-connection-new.c, -edit.c,
 * -delete.c, -sharing.c) and the JSON API (api-connections-write.c) alike:
 * one validator, not two. The checks read the form's fields (r->in: name,
 * description, team, context, named_credential, uplink, check_interval,
 * f.*) and put each message where the form shows it (Form.Errors.*,
 * cf->errors); the writes take an actor and nothing of HTTP. Secrets pass
 * through struct connform only and are never logged or audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ClearSilver.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "tether.h"
#include "web.h"

/* ------------------------------------------------------------- create */

int
connsave_resolve(struct req *r, struct connsave_new *nc, int strict)
{
	HDF	*t;

	nc->connector = req_param(r, "connector");
	if (nc->connector == NULL ||
	    (nc->def = catalog_get(&r->app->catalog, nc->connector)) == NULL)
		return -1;
	nc->protocol = req_param(r, "protocol");
	if (nc->protocol == NULL || (nc->proto = connector_protocol(&r->app->catalog,
	    nc->connector, nc->protocol)) == NULL) {
		if (strict)
			return -1;
		nc->proto = hdf_obj_child(hdf_get_obj(nc->def, "Protocols"));
		nc->protocol = hdf_obj_name(nc->proto);
	}
	nc->api_type = req_param(r, "api_type");
	if ((t = hdf_obj_child(hdf_get_obj(nc->def, "ApiTypes"))) == NULL) {
		if (nc->api_type != NULL && *nc->api_type != '\0' && strict)
			return -1;
		nc->api_type = "";
	} else if (nc->api_type == NULL || hdf_get_obj(hdf_get_obj(nc->def,
	    "ApiTypes"), nc->api_type) == NULL || strchr(nc->api_type, '.') != NULL) {
		if (strict)
			return -1;
		nc->api_type = hdf_obj_name(t);
	}
	return 0;
}

PGresult *
connsave_credentials(struct req *r)
{
	char		 uid[24];
	const char	*params[2] = { uid, r->sess->is_admin ? "t" : "f" };

	snprintf(uid, sizeof(uid), "%lld", (long long)r->sess->user_id);
	return db_exec_named(&r->app->db, "nc_usable",
	    "SELECT n.id, n.name, t.name AS team FROM named_credentials n"
	    " JOIN teams t ON t.id = n.owner_team_id WHERE $2::boolean OR n.owner_team_id IN"
	    " (SELECT team_id FROM team_members WHERE user_id = $1 AND role = 'manager')"
	    " ORDER BY lower(n.name)", 2, params);
}

/* The chosen named credential, when the protocol needs one; NULL otherwise.
 * Adds a form error when it is missing or not usable. */
static const char *
connsave_check_credential(struct req *r, struct connsave_new *nc, int *errors)
{
	const char	*chosen = req_param(r, "named_credential");
	PGresult	*res;
	int		 i, ok = 0;

	if (strcmp(hdf_get_value(nc->proto, "kind", ""), "named_credential") != 0)
		return NULL;
	if (chosen != NULL && (res = connsave_credentials(r)) != NULL) {
		for (i = 0; i < db_rows(res); i++)
			ok |= strcmp(chosen, db_get(res, i, "id")) == 0;
		db_clear(res);
	}
	if (!ok) {
		render_set(r->hdf, "Form.Errors.NamedCredential",
		    "Choose a named credential of a team you manage.");
		(*errors)++;
		return NULL;
	}
	return chosen;
}

/* The checks outside the connector's fields: name, description, team, context. */
static int
connsave_check_new_basics(struct req *r, struct connsave_new *nc, const char **team,
    const char **ctx)
{
	const char	*name = req_text(r, "name"), *desc = req_text(r, "description");
	const char	*why;
	int		 errors = 0, i;

	if ((why = valid_name(name, 120)) != NULL) {
		render_set(r->hdf, "Form.Errors.Name", why);
		errors++;
	}
	if ((why = valid_text(desc, 0, 2000)) != NULL) {
		render_set(r->hdf, "Form.Errors.Description", why);
		errors++;
	}
	*team = req_param(r, "team");
	for (i = 0; *team != NULL && i < db_rows(nc->teams); i++)
		if (strcmp(*team, db_get(nc->teams, i, "id")) == 0)
			break;
	if (*team == NULL || i == db_rows(nc->teams)) {
		render_set(r->hdf, "Form.Errors.Team", "Choose a team you manage.");
		errors++;
	}
	*ctx = req_param(r, "context");
	if (*ctx == NULL || (strcmp(*ctx, "system") != 0 && strcmp(*ctx, "per_user") != 0) ||
	    !connector_allows_context(&r->app->catalog, nc->connector, *ctx)) {
		render_set(r->hdf, "Form.Errors.Context",
		    "Choose how this connection runs.");
		errors++;
	}
	return errors;
}

int
connsave_check_new(struct req *r, struct connsave_new *nc, struct connform *cf,
    struct connsave_pick *p)
{
	int	 errors;

	memset(p, 0, sizeof(*p));
	errors = connsave_check_new_basics(r, nc, &p->team, &p->ctx);
	p->name = req_text(r, "name");
	p->description = req_text(r, "description");
	p->credential = connsave_check_credential(r, nc, &errors);
	p->uplink = connform_check_uplink(r, nc->def, &errors);
	if (connform_validate(r, cf, p->ctx != NULL && strcmp(p->ctx, "per_user") == 0) == -1)
		return CONNSAVE_UNDECLARED;
	p->client = connform_client_check(r, cf, nc->connector, nc->protocol, &errors);
	return errors + (int)json_object_size(cf->errors);
}

int
connsave_foreign_fields(struct req *r, struct connsave_new *nc)
{
	size_t	 i;
	HDF	*p, *f;

	for (i = 0; i < r->in.n; i++) {
		const char	*name = r->in.v[i].name;
		int		 known = 0;

		if (strncmp(name, "f.", 2) != 0)
			continue;
		for (p = hdf_obj_child(hdf_get_obj(nc->def, "Protocols")); p != NULL &&
		    !known; p = hdf_obj_next(p))
			for (f = hdf_obj_child(hdf_get_obj(p, "Fields")); f != NULL;
			    f = hdf_obj_next(f))
				/* f.KEY, or f.KEY.SUB (an expiry date, a scope) */
				if (strncmp(name + 2, hdf_obj_name(f),
				    strlen(hdf_obj_name(f))) == 0 && (name[2 +
				    strlen(hdf_obj_name(f))] == '\0' ||
				    name[2 + strlen(hdf_obj_name(f))] == '.'))
					known = 1;
		if (!known)
			return 0;
	}
	return 1;
}

long long
connsave_create(const struct actor *a, const struct connsave_new *nc, struct connform *cf,
    const struct connsave_pick *p)
{
	char		 uid[24], *settings = json_dumps(cf->settings, JSON_COMPACT);
	const char	*params[12];
	PGresult	*res;
	long long	 id = -1;
	int		 i;
	const char	*key;
	json_t		*v;
	struct buf	 fields;

	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	params[0] = p->team, params[1] = p->name;
	params[2] = p->description, params[3] = nc->connector;
	params[4] = nc->protocol, params[5] = nc->api_type, params[6] = settings;
	params[7] = p->ctx, params[8] = uid;
	if (db_begin(&a->app->db) == -1)
		goto out;
	params[9] = p->credential, params[10] = p->uplink, params[11] = p->client;
	res = db_exec_named(&a->app->db, "conn_insert",
	    "INSERT INTO connections (owner_team_id, name, description, connector,"
	    " auth_protocol, api_type, settings, execution_context, created_by, updated_by,"
	    " named_credential_id, uplink_id, oauth_client_id) VALUES ($1, $2, $3, $4, $5,"
	    " $6, $7::jsonb, $8, $9, $9, $10::bigint, $11::bigint, $12::bigint)"
	    " ON CONFLICT DO NOTHING RETURNING id", 12, params);
	if (res == NULL)
		goto fail;
	id = db_rows(res) == 1 ? strtoll(db_get(res, 0, "id"), NULL, 10) : 0;
	db_clear(res);
	if (id == 0) {
		db_rollback(&a->app->db);
		goto out;
	}
	for (i = 0; i < cf->nsecrets; i++)
		if (secret_conn_put(a, id, 0, cf->secret_field[i],
		    cf->secret_value[i]) == -1)
			goto fail;
	if (connform_save_expiry(cf, a, id) == -1)
		goto fail;
	buf_init(&fields);
	buf_puts(&fields, "{");
	json_object_foreach(cf->settings, key, v) {
		(void)v;
		buf_printf(&fields, "%s\"%s\"", fields.len > 1 ? "," : "", key);
	}
	for (i = 0; i < cf->nsecrets; i++)
		buf_printf(&fields, "%s\"%s\"", fields.len > 1 ? "," : "", cf->secret_field[i]);
	buf_puts(&fields, "}");
	{
		char		 cid[24];
		const char	*vp[4] = { cid, settings, fields.data, uid };

		snprintf(cid, sizeof(cid), "%lld", id);
		res = db_exec_named(&a->app->db, "version_insert",
		    "INSERT INTO connection_versions (connection_id, version, settings,"
		    " changed_fields, changed_by) VALUES ($1, 1, $2::jsonb, $3::text[], $4)",
		    4, vp);
	}
	if (res == NULL) {
		buf_free(&fields);
		goto fail;
	}
	db_clear(res);
	/* Field names come from connector definitions: [a-z0-9_] only. */
	fields.data[0] = '[';
	fields.data[fields.len - 1] = ']';
	{
		struct buf	 details;

		buf_init(&details);
		buf_printf(&details, "{\"connector\":\"%s\",\"fields\":%s", nc->connector,
		    fields.data);
		/* The saved OAuth client it uses: an id (checked digits), no secret. */
		if (p->client != NULL)
			buf_printf(&details, ",\"oauth_client_id\":%lld",
			    strtoll(p->client, NULL, 10));
		buf_puts(&details, "}");
		i = audit_add(a, "connection", id, p->name, "connection_create",
		    "success", details.data);
		buf_free(&details);
		if (i == 0)
			i = event_connection(a, EVENT_CREATED, id, NULL);
	}
	buf_free(&fields);
	if (i == -1 || db_commit(&a->app->db) == -1)
		goto fail;
	goto out;
fail:
	db_rollback(&a->app->db);
	id = -1;
out:
	free(settings);
	return id;
}

int
connsave_awaits_consent(const struct connsave_new *nc, const char *ctx,
    const char *credential)
{
	return strcmp(hdf_get_value(nc->proto, "kind", ""), "oauth2_code") == 0 &&
	    strcmp(ctx, "system") == 0 && credential == NULL;
}

/* --------------------------------------------------------------- edit */

const char *
connsave_check_interval(struct req *r, const struct conn *c)
{
	static const char *const	 keys[] = { "default", "15m", "1h", "1d", "off" };
	const char			*v = req_param(r, "check_interval");
	size_t				 i;

	if (v == NULL)
		return c->check_interval;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i], v) == 0)
			return keys[i];
	return NULL;
}

int
connsave_check_basics(struct req *r, struct conn *c, struct connform *cf)
{
	const char	*name = req_text(r, "name"), *desc = req_text(r, "description");
	const char	*why;
	int		 errors = 0;

	if ((why = valid_name(name, 120)) != NULL) {
		render_set(r->hdf, "Form.Errors.Name", why);
		errors++;
	} else if (strcmp(name, c->name) != 0) {
		buf_printf(&cf->changed, "%sname", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	if ((why = valid_text(desc, 0, 2000)) != NULL) {
		render_set(r->hdf, "Form.Errors.Description", why);
		errors++;
	} else if (strcmp(desc, c->description) != 0) {
		buf_printf(&cf->changed, "%sdescription", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	if (connsave_check_interval(r, c) == NULL) {
		render_set(r->hdf, "Form.Errors.CheckInterval",
		    "Choose one of the scheduled checks offered.");
		errors++;
	} else if (strcmp(connsave_check_interval(r, c), c->check_interval) != 0) {
		buf_printf(&cf->changed, "%scheck_interval", cf->changed.len > 0 ? "," : "");
		cf->nchanged++;
	}
	return errors;
}

int
connsave_check_uplink(struct req *r, const struct conn *c, struct connform *cf)
{
	const char	*v;
	int		 errors = 0;
	int64_t		 id = c->uplink_id;

	if (req_param(r, "uplink") != NULL) {
		v = connform_check_uplink(r, catalog_get(&r->app->catalog, c->connector),
		    &errors);
		if (errors == 0)
			id = v != NULL ? strtoll(v, NULL, 10) : 0;
	}
	connform_set_uplink(cf, c->uplink_id, id);
	return errors;
}

/* 1 when another connection of the team has this name, -1 on failure. */
static int
connsave_name_taken(const struct actor *a, const struct conn *c, const char *name)
{
	char		 cid[24], tid[24];
	const char	*params[3] = { cid, tid, name };
	PGresult	*res;
	int		 taken;

	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(tid, sizeof(tid), "%lld", (long long)c->owner_team_id);
	res = db_exec_named(&a->app->db, "conn_name_taken",
	    "SELECT 1 FROM connections WHERE owner_team_id = $2 AND lower(name) = lower($3)"
	    " AND id <> $1", 3, params);
	if (res == NULL)
		return -1;
	taken = db_rows(res) > 0;
	db_clear(res);
	return taken;
}

int
connsave_check_edit(struct req *r, struct conn *c, struct connform *cf, const char **client)
{
	char	 current[24];
	int	 errors, uses, taken;

	*client = NULL;
	errors = connsave_check_basics(r, c, cf);
	errors += connsave_check_uplink(r, c, cf);
	if (connform_validate(r, cf, strcmp(c->context, "per_user") == 0) == -1)
		return CONNSAVE_UNDECLARED;
	*client = connform_client_check(r, cf, c->connector, c->protocol, &errors);
	errors += (int)json_object_size(cf->errors);
	if ((uses = connform_client_current(&r->actor, c->id, current, sizeof(current))) == -1)
		return -1;
	if (strcmp(*client != NULL ? *client : "", uses == 1 ? current : "") != 0)
		connform_client_changed(cf);
	if (errors == 0 && (taken = connsave_name_taken(&r->actor, c, req_text(r, "name"))) != 0) {
		if (taken == -1)
			return -1;
		render_set(r->hdf, "Form.Errors.Name",
		    "A connection with this name already exists in the team.");
		errors++;
	}
	return errors;
}

void
connsave_values_read(struct req *r, const struct conn *c, const char *version,
    const char *client, struct connsave_values *v)
{
	v->version = version;
	v->name = req_text(r, "name");
	v->description = req_text(r, "description");
	v->check_interval = connsave_check_interval(r, c);
	v->client = client;
}

/*
 * Test before save: the changed connection tried with the typed secrets
 * over the stored ones. 1 when it failed (why: the sentence, and each typed
 * secret marked to be entered again), 0 when it passed or cannot be tried
 * without side effects, -1 on failure.
 */
int
connsave_try(const struct actor *a, const struct conn *c, struct connform *cf,
    struct probe_outcome *o, char *why, size_t whylen)
{
	struct conn	 cand = *c;
	int		 failed = 0;

	if ((cand.settings = json_dumps(cf->settings, JSON_COMPACT)) == NULL)
		return -1;
	cand.uplink_id = cf->uplink_new;	/* tried the way it would go */
	if (tester_try(a, &cand, cf->secret_field, cf->secret_value, cf->nsecrets,
	    cf->rebind, o) == -1)
		failed = -1;
	else if (o->result != PROBE_OK && o->result != PROBE_UNSUPPORTED) {
		failed = 1;
		probe_result_sentence(o->result, o->http_status, why, whylen);
	}
	free(cand.settings);
	return failed;
}

int
connsave_needs_try(const struct connform *cf)
{
	return cf->nsecrets > 0 || cf->rebind || !json_equal(cf->old, cf->settings);
}

int
connsave_edit(const struct actor *a, struct conn *c, struct connform *cf,
    const struct connsave_values *v)
{
	char			 cid[24], *settings = json_dumps(cf->settings, JSON_COMPACT);
	char			 fields[1024], *revoked;
	PGresult		*res;
	struct revoke_held	 held;
	int			 i, rc = -1;

	memset(&held, 0, sizeof(held));
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(fields, sizeof(fields), "{%s}", cf->changed.data);
	if (db_begin(&a->app->db) == -1)
		goto out;
	/* The mode first: the new version records the row's (017_version_uplink). */
	if (cf->uplink_new != cf->uplink_old &&
	    conn_set_uplink(a, c->id, cf->uplink_new) == -1)
		goto fail;
	if ((i = connpage_save_version_as(a, c, v->version, v->name, v->description,
	    settings, v->check_interval, fields)) == -1)
		goto fail;
	if (i == 0) {
		db_rollback(&a->app->db);
		rc = 1;
		goto out;
	}
	/* A new destination drops the OAuth tokens (below): each is held, with
	 * the client it was issued to, before the client or secrets change, and
	 * revoked at the old destination once the edit is committed. */
	if (cf->rebind && revoke_hold(a, c, &held) == -1)
		goto fail;
	{
		const char	*cp[2] = { cid, v->client };

		if ((res = db_exec_named(&a->app->db, "conn_oauth_client", "UPDATE connections"
		    " SET oauth_client_id = $2::bigint WHERE id = $1", 2, cp)) == NULL)
			goto fail;
		db_clear(res);
	}
	for (i = 0; i < cf->nsecrets; i++)
		if (secret_conn_put(a, c->id, 0, cf->secret_field[i],
		    cf->secret_value[i]) == -1)
			goto fail;
	/* A new destination (an authentication-bound field changed): secrets
	 * not entered again go — the form required them all, so what remains
	 * is OAuth tokens and the like, issued for the old destination. */
	if (cf->rebind) {
		struct buf	 keep;
		const char	*dp[2];

		buf_init(&keep);
		buf_puts(&keep, "{");
		for (i = 0; i < cf->nsecrets; i++)
			buf_printf(&keep, "%s%s", i > 0 ? "," : "", cf->secret_field[i]);
		buf_puts(&keep, "}");
		dp[0] = cid, dp[1] = keep.data;
		res = db_exec_named(&a->app->db, "secrets_prune",
		    "DELETE FROM connection_secrets WHERE connection_id = $1"
		    " AND field <> ALL ($2::text[])", 2, dp);
		buf_free(&keep);
		if (res == NULL)
			goto fail;
		db_clear(res);
		/* Each user's own credentials were for the old destination too:
		 * every user connects again, from "Not connected". */
		res = db_exec_named(&a->app->db, "user_secrets_prune",
		    "WITH s AS (DELETE FROM user_connection_secrets WHERE connection_id = $1)"
		    " DELETE FROM user_connection_states WHERE connection_id = $1", 1, dp);
		if (res == NULL)
			goto fail;
		db_clear(res);
		/* What the old grant said goes with its tokens: whose they were,
		 * the scopes it granted, when they expired (Details, "expiring"). */
		res = db_exec_named(&a->app->db, "grant_forget",
		    "UPDATE connections SET identity_account = NULL, identity_tenant = NULL,"
		    " granted_scopes = NULL, token_expires_at = NULL,"
		    " refresh_token_expires_at = NULL WHERE id = $1", 1, dp);
		if (res == NULL)
			goto fail;
		db_clear(res);
	}
	if (connform_save_expiry(cf, a, c->id) == -1)
		goto fail;
	{
		/* a,b -> ["a","b"]: field keys are [a-z0-9_], names of our own. */
		struct buf	 d;
		const char	*p;

		buf_init(&d);
		buf_puts(&d, "{\"fields\":[");
		for (p = cf->changed.data; *p != '\0'; p++) {
			if (p == cf->changed.data)
				buf_puts(&d, "\"");
			if (*p == ',')
				buf_puts(&d, "\",\"");
			else
				buf_append(&d, p, 1);
		}
		buf_puts(&d, cf->changed.len > 0 ? "\"]}" : "]}");
		i = audit_add(a, "connection", c->id, v->name, "connection_edit",
		    "success", d.data);
		buf_free(&d);
		if (i == 0)
			i = event_connection(a, EVENT_UPDATED, c->id, NULL);
	}
	if (i == -1 || db_commit(&a->app->db) == -1)
		goto fail;
	rc = 0;
	/* Committed: c is the connection as it was, so the old destination;
	 * best effort, what the provider said in an entry of its own. */
	if ((revoked = revoke_held_send(a, c, &held)) != NULL) {
		(void)audit_add(a, "connection", c->id, v->name, "connection_edit_revoke",
		    "success", revoked);
		free(revoked);
	}
	goto out;
fail:
	db_rollback(&a->app->db);
out:
	revoke_held_free(&held);
	free(settings);
	return rc;
}

/* ------------------------------------------------------------- delete */

/* In the delete's transaction: lock connection `id` unless flows use it.
 * 1 locked, 0 in use (or gone), -1 on a database error. */
static int
connsave_delete_lock(const struct actor *a, int64_t id)
{
	char		 cid[24];
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 n;

	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	res = db_exec_named(&a->app->db, "conn_delete_lock",
	    "SELECT id FROM connections WHERE id = $1 AND NOT EXISTS"
	    " (SELECT 1 FROM flow_connections WHERE connection_id = $1) FOR UPDATE",
	    1, params);
	if (res == NULL)
		return -1;
	n = db_rows(res);
	db_clear(res);
	return n == 1;
}

int
connsave_delete(const struct actor *a, const struct conn *c)
{
	char		 cid[24], *revoked = NULL;
	const char	*params[1] = { cid };
	PGresult	*res;
	int		 rc = -1, deleted, locked;

	if (!c->owner_manager)
		return CONNSAVE_FORBIDDEN;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	if (db_begin(&a->app->db) == -1)
		return -1;
	/* Tokens are revoked at the provider (issue 13 §5) only for a delete
	 * that goes through: the row is locked first, so no flow can start
	 * using it meanwhile; what the provider said goes in the audit entry. */
	if ((locked = connsave_delete_lock(a, c->id)) == -1 ||
	    (locked == 1 && revoke_connection(a, c, &revoked) == -1)) {
		db_rollback(&a->app->db);
		goto out;
	}
	/* The audit entry first, while the connection (and its team) exists; a
	 * refused delete rolls it back and records the refusal instead. */
	if (audit_add(a, "connection", c->id, c->name, "connection_delete", "success",
	    revoked) == -1 || event_connection(a, EVENT_DELETED, c->id, NULL) == -1) {
		db_rollback(&a->app->db);
		goto out;
	}
	/* Secrets, tokens, OAuth states, versions and tests go with it (CASCADE). */
	res = db_exec_named(&a->app->db, "conn_delete",
	    "DELETE FROM connections WHERE id = $1 AND NOT EXISTS"
	    " (SELECT 1 FROM flow_connections WHERE connection_id = $1) RETURNING id",
	    1, params);
	if (res == NULL) {
		int	 in_use = db_failed_with(&a->app->db, "23503");

		db_rollback(&a->app->db);
		if (!in_use)
			goto out;
		deleted = 0;
	} else {
		deleted = db_rows(res) == 1;
		db_clear(res);
	}
	if (!deleted) {
		db_rollback(&a->app->db);
		audit_add(a, "connection", c->id, c->name, "connection_delete", "denied",
		    "{\"reason\":\"in use by flows\"}");
		rc = 1;
		goto out;
	}
	if (db_commit(&a->app->db) == -1) {
		db_rollback(&a->app->db);
		goto out;
	}
	rc = 0;
out:
	free(revoked);
	return rc;
}

/* ------------------------------------------------------------ sharing */

int
connsave_share(const struct actor *a, const struct conn *c, const char *action,
    long long tid, const char *perm)
{
	char		 cid[24], uid[24], team[24], details[160];
	const char	*params[4] = { cid, team, NULL, NULL };

	if (!c->owner_manager)
		return CONNSAVE_FORBIDDEN;
	if (tid == c->owner_team_id)
		return CONNSAVE_OWNER_TEAM;
	snprintf(cid, sizeof(cid), "%lld", (long long)c->id);
	snprintf(uid, sizeof(uid), "%lld", (long long)a->user_id);
	snprintf(team, sizeof(team), "%lld", tid);
	snprintf(details, sizeof(details), "{\"team_id\":%lld%s%s%s}", tid,
	    perm != NULL ? ",\"permission\":\"" : "", perm != NULL &&
	    (strcmp(perm, "use") == 0 || strcmp(perm, "manage") == 0) ? perm : "",
	    perm != NULL ? "\"" : "");
	if (strcmp(action, "share") == 0) {
		if (perm == NULL || (strcmp(perm, "use") != 0 && strcmp(perm, "manage") != 0))
			return CONNSAVE_BAD_PERMISSION;
		params[2] = perm, params[3] = uid;
		return audit_change(a, AUDIT_AFTER, "share_add",
		    "INSERT INTO connection_shares (connection_id, team_id, permission, created_by)"
		    " SELECT $1, t.id, $3, $4 FROM teams t WHERE t.id = $2"
		    " ON CONFLICT (connection_id, team_id) DO UPDATE SET permission = $3",
		    4, params, "connection", c->id, c->name, "connection_share", details);
	}
	if (strcmp(action, "revoke") == 0)
		return audit_change(a, AUDIT_AFTER, "share_revoke",
		    "DELETE FROM connection_shares WHERE connection_id = $1 AND team_id = $2",
		    2, params, "connection", c->id, c->name, "connection_unshare", details);
	if (strcmp(action, "transfer") == 0) {
		/* Only to a team the user manages; the name must be free there. */
		params[2] = uid, params[3] = a->is_admin ? "t" : "f";
		return audit_change(a, AUDIT_FIRST, "conn_transfer",
		    "WITH allowed AS (SELECT 1 FROM connections c WHERE c.id = $1"
		    " AND ($4::boolean OR EXISTS (SELECT 1 FROM team_members m WHERE"
		    " m.team_id = $2 AND m.user_id = $3 AND m.role = 'manager'))"
		    " AND NOT EXISTS (SELECT 1 FROM connections o WHERE o.owner_team_id = $2"
		    " AND lower(o.name) = lower(c.name))),"
		    " unshare AS (DELETE FROM connection_shares WHERE connection_id = $1"
		    " AND team_id = $2 AND EXISTS (SELECT 1 FROM allowed))"
		    " UPDATE connections SET owner_team_id = $2, version = version + 1,"
		    " updated_by = $3, updated_at = now() WHERE id = $1"
		    " AND EXISTS (SELECT 1 FROM allowed)", 4, params,
		    "connection", c->id, c->name, "connection_transfer", details);
	}
	return CONNSAVE_BAD_ACTION;
}

const char *
connsave_share_why(int rc, const char *action)
{
	switch (rc) {
	case CONNSAVE_FORBIDDEN:
		return "Only managers of the owner team can change sharing.";
	case CONNSAVE_OWNER_TEAM:
		return "The owner team always has access; choose another team.";
	case CONNSAVE_BAD_PERMISSION:
		return "Choose Use or Manage.";
	case CONNSAVE_NOTHING:
		return strcmp(action, "transfer") == 0 ? "Nothing changed: you can transfer "
		    "only to a team you manage, where no connection has the same name." :
		    "Nothing changed: no such team or share.";
	default:
		return "";
	}
}
